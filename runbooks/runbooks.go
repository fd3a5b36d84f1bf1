// Package runbooks holds the runbooks Firebreak ships, one YAML file per kind
// of mistake (triage, wrong-segment, broken-personalization, wrong-content,
// data-breach, stale-suppression-list, deliverability-spike). They are read
// and validated by runbook.Load; FIREBREAK_RUNBOOKS_DIR replaces the whole set
// with a directory of the same shape (copy these files to start one).
//
// templates/<runbook-id>/<kind>.subject.txt, <kind>.html and <kind>.txt are
// the drafts step 5 starts from (templates/README.md), only for runbooks
// whose apology is allowed.
package runbooks

import "embed"

// FS is the embedded runbook files, *.yaml in its root and templates/, ready
// for runbook.Load.
//
//go:embed *.yaml templates
var FS embed.FS
