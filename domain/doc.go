// Package domain is the root of Firebreak's model and rules. Its sub-packages
// (incident, campaign, runbook, delivery, …) are the rules only, in pure Go:
// no echo, asynq, gorm, pgx, database/sql, sendgrid, go-redis or net/http, so
// every rule is tested without I/O against small fakes of its own ports. Each
// package declares the ports it needs (incident.Repo, campaign.Jobs,
// esp.Scheduler); the adapters that implement them against the outside world —
// Postgres, SendGrid, notifications — live in adapter/, not here, and only the
// composition root wires them in. deps_test.go fails on any import that breaks
// this.
package domain
