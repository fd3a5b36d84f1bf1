package stack_test

import (
	"strings"
	"testing"

	"github.com/firebreak/firebreak/internal/testenv"
)

func TestUserDisableEnableAndRolesFromTheCLI(t *testing.T) {
	c := cmdline{t: t, env: map[string]string{"DATABASE_URL": testenv.DB(t)}}
	for _, args := range [][]string{
		{"user", "add", "--email", "ada@example.com", "--name", "Ada", "--roles", "admin"},
		{"user", "add", "--email", "mara@example.com", "--name", "Mara", "--roles", "marketer"},
	} {
		if r := c.run("", args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	r := c.run("", "token", "create", "--email", "mara@example.com", "--name", "ci")
	if r.code != 0 {
		t.Fatalf("token create: %+v", r)
	}

	r = c.run("", "user", "roles", "--email", "MARA@example.com", "--roles", "legal,security")
	if r.code != 0 || !strings.Contains(r.stdout, "mara@example.com") || !strings.Contains(r.stdout, "legal,security") {
		t.Fatalf("user roles: %+v", r)
	}
	r = c.run("", "user", "disable", "--email", "mara@example.com")
	if r.code != 0 || !strings.Contains(r.stdout, "disabled user mara@example.com") {
		t.Fatalf("user disable: %+v", r)
	}
	r = c.run("", "user", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "DISABLED") || !strings.Contains(lineWith(r.stdout, "mara@example.com"), "legal,security") ||
		!strings.Contains(lineWith(r.stdout, "mara@example.com"), "disabled") || strings.Contains(lineWith(r.stdout, "ada@example.com"), "disabled") {
		t.Fatalf("user list after disable: %+v", r)
	}
	// Disabling revoked the token; the CLI minted it, and the list says so.
	r = c.run("", "token", "list", "--email", "mara@example.com")
	if r.code != 0 || !strings.Contains(r.stdout, "BY") || !strings.Contains(lineWith(r.stdout, "ci"), "cli") || strings.Contains(lineWith(r.stdout, "ci"), "\t-\t") {
		t.Fatalf("token list: %+v", r)
	}
	if fields := strings.Fields(lineWith(r.stdout, "ci")); fields[len(fields)-2] == "-" {
		t.Fatalf("the token was not revoked by the disable: %q", r.stdout)
	}
	if r := c.run("", "token", "create", "--email", "mara@example.com"); r.code != 1 || !strings.Contains(r.stderr, "disabled") {
		t.Fatalf("token for a disabled user: %+v", r)
	}
	if r := c.run("", "user", "enable", "--email", "mara@example.com"); r.code != 0 || !strings.Contains(r.stdout, "enabled user mara@example.com") {
		t.Fatalf("user enable: %+v", r)
	}

	// The last admin stays.
	if r := c.run("", "user", "disable", "--email", "ada@example.com"); r.code != 1 || !strings.Contains(r.stderr, "admin") {
		t.Fatalf("disable the last admin: %+v", r)
	}
	if r := c.run("", "user", "roles", "--email", "ada@example.com", "--roles", "marketer"); r.code != 1 || !strings.Contains(r.stderr, "admin") {
		t.Fatalf("demote the last admin: %+v", r)
	}
	// Mistakes.
	for _, args := range [][]string{
		{"user", "disable"},
		{"user", "roles", "--email", "ada@example.com"},
	} {
		if r := c.run("", args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage): %+v", args, r.code, r)
		}
	}
	if r := c.run("", "user", "disable", "--email", "nobody@example.com"); r.code != 1 || !strings.Contains(r.stderr, "No user") {
		t.Fatalf("unknown user: %+v", r)
	}
	if r := c.run("", "user", "roles", "--email", "mara@example.com", "--roles", "boss"); r.code != 1 || !strings.Contains(r.stderr, "roles") {
		t.Fatalf("unknown role: %+v", r)
	}
}

// lineWith returns the first line of s containing sub.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
