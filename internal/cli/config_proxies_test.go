package cli

import (
	"strings"
	"testing"
	"time"
)

func TestTrustedProxiesAndSessionIdleConfig(t *testing.T) {
	good := testEnv{"DATABASE_URL": "postgres://u:p@127.0.0.1:1/db", "REDIS_URL": "redis://127.0.0.1:1/0",
		"FIREBREAK_ADDR": "127.0.0.1:1", "SENDGRID_API_URL": "http://127.0.0.1:9",
		"SENDGRID_WEBHOOK_PUBLIC_KEY": testKey(t), "FIREBREAK_LOG_FORMAT": "text"}
	get := func(c testEnv) func(string) string { return func(k string) string { return c[k] } }

	cfg, err := loadConfig(get(good), scopeServer)
	if err != nil || len(cfg.TrustedProxies) != 0 || cfg.SessionIdle != 2*time.Hour {
		t.Fatalf("defaults: proxies %v idle %s (%v); want none and 2h", cfg.TrustedProxies, cfg.SessionIdle, err)
	}
	cfg, err = loadConfig(get(good.with("FIREBREAK_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32")), scopeServer)
	if err != nil || len(cfg.TrustedProxies) != 3 || cfg.TrustedProxies[1].String() != "192.0.2.7/32" {
		t.Fatalf("proxies: %v (%v)", cfg.TrustedProxies, err)
	}

	for name, tc := range map[string]struct {
		c    testEnv
		want string
	}{
		"bad CIDR":          {good.with("FIREBREAK_TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.0/33"), `FIREBREAK_TRUSTED_PROXIES: "10.0.0.0/33" is not a CIDR`},
		"not an address":    {good.with("FIREBREAK_TRUSTED_PROXIES", "proxy.internal"), "FIREBREAK_TRUSTED_PROXIES"},
		"empty entry":       {good.with("FIREBREAK_TRUSTED_PROXIES", "10.0.0.0/8,,"), "FIREBREAK_TRUSTED_PROXIES"},
		"idle not duration": {good.with("FIREBREAK_SESSION_IDLE", "a while"), "FIREBREAK_SESSION_IDLE"},
		"idle too short":    {good.with("FIREBREAK_SESSION_IDLE", "10s"), "FIREBREAK_SESSION_IDLE: must be between"},
	} {
		t.Run(name, func(t *testing.T) {
			r := tc.c.run("serve")
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("exit %d, stderr %q: want 2 and one line containing %q", r.code, r.stderr, tc.want)
			}
		})
	}
}
