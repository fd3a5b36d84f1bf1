package stack_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
)

func TestRunbooksValidateEmbeddedExitsZero(t *testing.T) {
	r := cmdline{t: t, env: map[string]string{}}.run("", "runbooks", "validate")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("validate: %+v", r)
	}
	for _, id := range runbook.Shipped {
		if !strings.Contains(r.stdout, id+" ") {
			t.Errorf("stdout does not list %s:\n%s", id, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "Broken personalization (Dear <FirstName>)") || !strings.Contains(r.stdout, "7 runbooks valid (embedded)") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if r := (cmdline{t: t, env: map[string]string{}}).run("", "runbooks", "list"); r.code != 0 ||
		!strings.Contains(r.stdout, "complaint-spike,hard-bounce-spike,drop-spike") ||
		!strings.Contains(r.stdout, "approval:legal+security") {
		t.Errorf("list: %+v", r)
	}
}

// A copy of the embedded set with one broken file: exit 1, and the problem is
// named by its path and line, alone.
func TestRunbooksValidateBrokenDirExitsOneNamingFileAndLine(t *testing.T) {
	dir := t.TempDir()
	entries, err := fs.ReadDir(runbooks.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := fs.ReadFile(runbooks.FS, e.Name())
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	broken := "id: triage\ntitle: Paused\nseverity: sev2\nacknowledge:\n  deadline: soon\n  escalation: [{role: marketer}]\n"
	if err := os.WriteFile(filepath.Join(dir, "triage.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "triage.yaml") + `:5: acknowledge.deadline: "soon" is not a duration`

	c := cmdline{t: t, env: map[string]string{}}
	r := c.run("", "runbooks", "validate", dir)
	if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "1 problem in the runbooks") {
		t.Fatalf("validate %s: %+v\nwant exit 1 and %q", dir, r, want)
	}
	// FIREBREAK_RUNBOOKS_DIR is what serve loads, so it is validate's default.
	if r := c.with("FIREBREAK_RUNBOOKS_DIR", dir).run("", "runbooks", "validate"); r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("validate with FIREBREAK_RUNBOOKS_DIR: %+v", r)
	}
	if r := c.run("", "runbooks", "validate", filepath.Join(dir, "nope")); r.code != 1 || !strings.Contains(r.stderr, "not a readable directory") {
		t.Fatalf("validate a missing dir: %+v", r)
	}
	if r := c.run("", "runbooks", "validate", dir, dir); r.code != 2 {
		t.Fatalf("two dirs must be a usage error: %+v", r)
	}
}
