package domain_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainImportsNoFrameworks keeps domain/ pure: only its adapters (store,
// esp/sendgrid) may depend on gorm, sendgrid, echo or asynq, and no domain
// package may depend on api/ or worker/.
func TestDomainImportsNoFrameworks(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{"\t"}}{{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{"github.com/labstack/echo", "github.com/hibiken/asynq", "gorm.io/",
		"github.com/sendgrid/", "github.com/firebreak/firebreak/api", "github.com/firebreak/firebreak/worker"}
	adapters := []string{"/domain/store", "/domain/esp/sendgrid"}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, "\t")
		isAdapter := false
		for _, a := range adapters {
			isAdapter = isAdapter || strings.Contains(pkg, a)
		}
		if isAdapter {
			continue
		}
		checked++
		for _, d := range strings.Fields(deps) {
			for _, f := range forbidden {
				if strings.HasPrefix(d, f) {
					t.Errorf("%s imports %s", pkg, d)
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("checked only %d domain packages; is the go list pattern right?", checked)
	}
}
