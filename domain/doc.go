// Package domain is the root of Firebreak's model and rules. Its sub-packages
// are pure Go: models, state machines, services and the ports they need,
// importing no database, HTTP, queue or ESP library (deps_test.go fails the
// build otherwise, with no allowlist), so every rule can be table-tested
// without I/O. The adapters that implement the ports live in adapter/
// (postgres, sendgrid, notify) and are wired by internal/cli.
package domain
