package cli

import (
	"errors"
	"strings"
	"testing"
)

// FIREBREAK_IMPORT_LIMIT: 512 MiB by default, echo's size syntax, and a value
// echo would panic on (or an absurd one) stops start-up naming the variable.
func TestImportLimitSetting(t *testing.T) {
	env := func(limit string) func(string) string {
		m := map[string]string{"DATABASE_URL": "postgres://u:p@127.0.0.1:1/db",
			"SENDGRID_API_URL": "http://127.0.0.1:9", "SENDGRID_WEBHOOK_PUBLIC_KEY": testKey(t),
			"FIREBREAK_IMPORT_LIMIT": limit}
		return func(k string) string { return m[k] }
	}
	for limit, want := range map[string]string{"": "512Mi", "1Gi": "1Gi", "100M": "100M"} {
		c, err := loadConfig(env(limit), scopeServer)
		if err != nil || c.ImportLimit != want {
			t.Errorf("FIREBREAK_IMPORT_LIMIT=%q: %q %v, want %q", limit, c.ImportLimit, err, want)
		}
	}
	for _, limit := range []string{"lots", "512 megs", "-1Mi", "10K", "100Gi"} {
		_, err := loadConfig(env(limit), scopeServer)
		var ce *configError
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "FIREBREAK_IMPORT_LIMIT: ") {
			t.Errorf("FIREBREAK_IMPORT_LIMIT=%q: %v, want a configError naming it", limit, err)
		}
	}
}
