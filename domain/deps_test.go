package domain_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainImportsNoIO keeps domain/ the rules only: no package under it may
// depend, directly or through another package, on a database, HTTP, queue or
// provider library, or on the layers above it. There is no allowlist: the
// adapters live in adapter/, outside domain/.
func TestDomainImportsNoIO(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{"\t"}}{{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{
		"gorm.io/", "github.com/jackc/pgx", "database/sql", "github.com/lib/pq",
		"github.com/sendgrid/", "github.com/labstack/echo", "github.com/hibiken/asynq", "github.com/redis/go-redis",
		"net/http",
		"github.com/firebreak/firebreak/api", "github.com/firebreak/firebreak/worker",
		"github.com/firebreak/firebreak/adapter", "github.com/firebreak/firebreak/internal",
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, "\t")
		checked++
		for _, d := range strings.Fields(deps) {
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, strings.TrimSuffix(f, "/")+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(d, f)) {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d domain packages; is the go list pattern right?", checked)
	}
}
