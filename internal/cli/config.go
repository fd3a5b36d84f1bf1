package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/labstack/gommon/bytes"
)

// Config is every setting, read from the environment (DESIGN.md's table plus
// the extensions documented in docs/configuration.md).
type Config struct {
	Addr             string
	DatabaseURL      string
	RedisURL         string
	Redis            asynq.RedisConnOpt
	SendGridAPIKey   string
	SendGridAPIURL   string
	WebhookPublicKey *ecdsa.PublicKey
	SendBuffer       time.Duration
	SendTimeout      time.Duration
	InDoubtWait      time.Duration
	RunbooksDir      string
	PublicURL        string
	SlackWebhookURL  string
	NotifyFrom       string

	DBMaxConns      int
	LogFormat       string
	LogLevel        string
	SessionTTL      time.Duration
	SessionIdle     time.Duration
	TrustedProxies  []*net.IPNet
	ShutdownTimeout time.Duration
	WorkerConc      int
	SecureCookies   bool
	// ImportLimit caps a recipients CSV upload (FIREBREAK_IMPORT_LIMIT), in
	// echo's size syntax, checked here with echo's own parser.
	ImportLimit string
	// MetricsToken, when set, is the bearer token GET /metrics requires.
	MetricsToken string
	// WebhookMaxConcurrent caps the Event Webhook bodies read at once before
	// their signature is checked (api.Config.WebhookMaxConcurrent).
	WebhookMaxConcurrent int
}

// configError names the variable and what is wrong with it, in one line.
type configError struct{ name, problem string }

func (e *configError) Error() string { return e.name + ": " + e.problem }

// scope says which settings a command needs: migrations and user admin need
// only the database, the servers need everything.
type scope int

const (
	scopeDB scope = iota
	scopeServer
)

// loadConfig reads and validates the environment; the first problem found is
// returned as a *configError.
func loadConfig(getenv func(string) string, need scope) (Config, error) {
	c := Config{}
	var err error
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	if c.DatabaseURL, err = parseDatabaseURL(getenv("DATABASE_URL")); err != nil {
		return c, err
	}
	if c.DBMaxConns, err = parseInt("FIREBREAK_DB_MAX_CONNS", str("FIREBREAK_DB_MAX_CONNS", "20"), 1, 1000); err != nil {
		return c, err
	}
	if c.LogFormat = str("FIREBREAK_LOG_FORMAT", "json"); c.LogFormat != "json" && c.LogFormat != "text" {
		return c, &configError{"FIREBREAK_LOG_FORMAT", fmt.Sprintf("must be json or text, got %q", c.LogFormat)}
	}
	switch c.LogLevel = str("FIREBREAK_LOG_LEVEL", "info"); c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, &configError{"FIREBREAK_LOG_LEVEL", fmt.Sprintf("must be debug, info, warn or error, got %q", c.LogLevel)}
	}
	if need == scopeDB {
		return c, nil
	}

	c.Addr = str("FIREBREAK_ADDR", ":8080")
	if _, port, perr := net.SplitHostPort(c.Addr); perr != nil || port == "" {
		return c, &configError{"FIREBREAK_ADDR", fmt.Sprintf("must be host:port or :port, got %q", c.Addr)}
	}
	c.RedisURL = str("REDIS_URL", "redis://localhost:6379/0")
	if c.Redis, err = asynq.ParseRedisURI(c.RedisURL); err != nil {
		return c, &configError{"REDIS_URL", fmt.Sprintf("not a redis URL (want redis://host:6379/0): %v", err)}
	}
	c.SendGridAPIURL = strings.TrimRight(str("SENDGRID_API_URL", "https://api.sendgrid.com"), "/")
	u, uerr := url.Parse(c.SendGridAPIURL)
	if uerr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, &configError{"SENDGRID_API_URL", fmt.Sprintf("must be an http(s) URL such as https://api.sendgrid.com, got %q", c.SendGridAPIURL)}
	}
	c.SendGridAPIKey = str("SENDGRID_API_KEY", "")
	if c.SendGridAPIKey == "" {
		if !isLoopback(u.Hostname()) {
			return c, &configError{"SENDGRID_API_KEY", "is required (it may be empty only when SENDGRID_API_URL points at the local simulator)"}
		}
		c.SendGridAPIKey = "simulator"
	}
	if c.WebhookPublicKey, err = parseWebhookKey(getenv("SENDGRID_WEBHOOK_PUBLIC_KEY")); err != nil {
		return c, err
	}
	if c.SendBuffer, err = parseDuration("FIREBREAK_SEND_BUFFER", str("FIREBREAK_SEND_BUFFER", "15m"), 0, 72*time.Hour); err != nil {
		return c, err
	}
	if c.SendTimeout, err = parseDuration("FIREBREAK_SEND_TIMEOUT", str("FIREBREAK_SEND_TIMEOUT", "15s"), time.Second, 2*time.Minute); err != nil {
		return c, err
	}
	if c.InDoubtWait, err = parseDuration("FIREBREAK_IN_DOUBT_WAIT", str("FIREBREAK_IN_DOUBT_WAIT", "30m"), time.Second, 7*24*time.Hour); err != nil {
		return c, err
	}
	if c.RunbooksDir = str("FIREBREAK_RUNBOOKS_DIR", ""); c.RunbooksDir != "" {
		if st, serr := os.Stat(c.RunbooksDir); serr != nil || !st.IsDir() {
			return c, &configError{"FIREBREAK_RUNBOOKS_DIR", fmt.Sprintf("%q is not a readable directory", c.RunbooksDir)}
		}
	}
	c.PublicURL = strings.TrimRight(str("FIREBREAK_PUBLIC_URL", ""), "/")
	if c.PublicURL == "" {
		_, port, _ := net.SplitHostPort(c.Addr)
		c.PublicURL = "http://localhost:" + port
	}
	if pu, perr := url.Parse(c.PublicURL); perr != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return c, &configError{"FIREBREAK_PUBLIC_URL", fmt.Sprintf("must be the http(s) URL people reach Firebreak at, got %q", c.PublicURL)}
	}
	if c.SlackWebhookURL = str("FIREBREAK_SLACK_WEBHOOK_URL", ""); c.SlackWebhookURL != "" {
		if su, serr := url.Parse(c.SlackWebhookURL); serr != nil || (su.Scheme != "http" && su.Scheme != "https") || su.Host == "" {
			return c, &configError{"FIREBREAK_SLACK_WEBHOOK_URL", "must be an http(s) incoming-webhook URL"}
		}
	}
	c.NotifyFrom = str("FIREBREAK_NOTIFY_FROM", "firebreak-alerts@localhost")
	if !strings.Contains(c.NotifyFrom, "@") {
		return c, &configError{"FIREBREAK_NOTIFY_FROM", fmt.Sprintf("must be an email address, got %q", c.NotifyFrom)}
	}
	if c.SessionTTL, err = parseDuration("FIREBREAK_SESSION_TTL", str("FIREBREAK_SESSION_TTL", "12h"), time.Minute, 30*24*time.Hour); err != nil {
		return c, err
	}
	if c.SessionIdle, err = parseDuration("FIREBREAK_SESSION_IDLE", str("FIREBREAK_SESSION_IDLE", "2h"), time.Minute, 30*24*time.Hour); err != nil {
		return c, err
	}
	if c.TrustedProxies, err = parseTrustedProxies(getenv("FIREBREAK_TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	if c.ShutdownTimeout, err = parseDuration("FIREBREAK_SHUTDOWN_TIMEOUT", str("FIREBREAK_SHUTDOWN_TIMEOUT", "25s"), time.Second, 10*time.Minute); err != nil {
		return c, err
	}
	if c.WorkerConc, err = parseInt("FIREBREAK_WORKER_CONCURRENCY", str("FIREBREAK_WORKER_CONCURRENCY", "10"), 1, 1000); err != nil {
		return c, err
	}
	if c.WebhookMaxConcurrent, err = parseInt("FIREBREAK_WEBHOOK_MAX_CONCURRENT",
		str("FIREBREAK_WEBHOOK_MAX_CONCURRENT", "16"), 1, 4096); err != nil {
		return c, err
	}
	switch v := str("FIREBREAK_SECURE_COOKIES", "false"); v {
	case "true", "1":
		c.SecureCookies = true
	case "false", "0":
	default:
		return c, &configError{"FIREBREAK_SECURE_COOKIES", fmt.Sprintf("must be true or false, got %q", v)}
	}
	c.ImportLimit = str("FIREBREAK_IMPORT_LIMIT", "512Mi")
	if err := checkSize("FIREBREAK_IMPORT_LIMIT", c.ImportLimit, 1<<20, 64<<30); err != nil {
		return c, err
	}
	if c.MetricsToken, err = parseMetricsToken(getenv("FIREBREAK_METRICS_TOKEN")); err != nil {
		return c, err
	}
	return c, nil
}

// checkSize insists on a size echo's BodyLimit accepts (it panics on others)
// between lo and hi bytes.
func checkSize(name, v string, lo, hi int64) error {
	n, err := bytes.Parse(v)
	if err != nil {
		return &configError{name, fmt.Sprintf("is not a size such as 512Mi (MiB), 500M (MB) or 1Gi: %q", v)}
	}
	if n < lo || n > hi {
		return &configError{name, fmt.Sprintf("must be between %s and %s, got %q", bytes.Format(lo), bytes.Format(hi), v)}
	}
	return nil
}

// parseMetricsToken reads the optional /metrics token. A short or spaced token
// is refused: it goes into an Authorization header and should be random.
func parseMetricsToken(v string) (string, error) {
	const name = "FIREBREAK_METRICS_TOKEN"
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return "", &configError{name, "must be printable ASCII without spaces (e.g. the output of `openssl rand -hex 32`)"}
	}
	if len(v) < 16 {
		return "", &configError{name, fmt.Sprintf("must be at least 16 characters (e.g. `openssl rand -hex 32`), got %d", len(v))}
	}
	return v, nil
}

func parseDatabaseURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", &configError{"DATABASE_URL", "is required (e.g. postgres://user:pass@localhost:5432/firebreak?sslmode=disable)"}
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "", &configError{"DATABASE_URL", "is not a postgres URL (want postgres://user:pass@host:5432/db)"}
	}
	return v, nil
}

// parseWebhookKey reads SendGrid's verification key (base64 DER PKIX) and insists
// on ECDSA P-256. sendgrid-go's helper panics on a valid non-ECDSA key
// (SENDGRID.md §7.2); parsing here first turns that into a clear start-up error.
func parseWebhookKey(v string) (*ecdsa.PublicKey, error) {
	const name = "SENDGRID_WEBHOOK_PUBLIC_KEY"
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, &configError{name, "is required: the Signed Event Webhook verification key, base64 as SendGrid shows it (unsigned webhooks are refused)"}
	}
	der, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, &configError{name, "is not base64"}
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, &configError{name, "is not a DER public key (PKIX)"}
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, &configError{name, fmt.Sprintf("must be an ECDSA P-256 key, got %T", pub)}
	}
	return ec, nil
}

// parseTrustedProxies reads FIREBREAK_TRUSTED_PROXIES: comma-separated CIDRs
// (a bare address means just that address); empty means no trusted proxy.
func parseTrustedProxies(v string) ([]*net.IPNet, error) {
	const name = "FIREBREAK_TRUSTED_PROXIES"
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []*net.IPNet
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, &configError{name, "has an empty entry; want comma-separated CIDRs such as 10.0.0.0/8,192.0.2.7"}
		}
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil {
				bits := 128
				if ip.To4() != nil {
					ip, bits = ip.To4(), 32
				}
				out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
				continue
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, &configError{name, fmt.Sprintf("%q is not a CIDR such as 10.0.0.0/8 or an IP address", part)}
		}
		out = append(out, n)
	}
	return out, nil
}

func parseDuration(name, v string, lo, hi time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, &configError{name, fmt.Sprintf("is not a duration such as 15m or 90s: %q", v)}
	}
	if d < lo || d > hi {
		return 0, &configError{name, fmt.Sprintf("must be between %s and %s, got %s", lo, hi, d)}
	}
	return d, nil
}

func parseInt(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &configError{name, fmt.Sprintf("must be a whole number from %d to %d, got %q", lo, hi, v)}
	}
	return n, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// masked is the config as it is safe to log: no passwords, keys or tokens.
func (c Config) masked() []any {
	db := c.DatabaseURL
	if u, err := url.Parse(db); err == nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		db = u.Redacted()
	}
	rd := c.RedisURL
	if u, err := url.Parse(rd); err == nil {
		rd = u.Redacted()
	}
	return []any{"addr", c.Addr, "database_url", db, "redis_url", rd, "sendgrid_api_url", c.SendGridAPIURL,
		"sendgrid_api_key_set", c.SendGridAPIKey != "", "send_buffer", c.SendBuffer.String(),
		"runbooks_dir", c.RunbooksDir, "db_max_conns", c.DBMaxConns, "worker_concurrency", c.WorkerConc,
		"metrics_token_set", c.MetricsToken != "", "webhook_max_concurrent", c.WebhookMaxConcurrent,
		"trusted_proxies", proxyStrings(c.TrustedProxies), "session_idle", c.SessionIdle.String()}
}

func proxyStrings(ns []*net.IPNet) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.String()
	}
	return out
}
