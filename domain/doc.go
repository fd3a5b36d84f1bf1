// Package domain is the root of Firebreak's model and rules. Its sub-packages are
// pure Go: they import no echo, asynq, gorm or sendgrid code, so every rule can be
// table-tested without I/O. Adapters (domain/store, domain/esp/sendgrid) live at
// its edge and are the only domain packages that talk to the outside world.
package domain
