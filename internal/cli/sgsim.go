package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/firebreak/firebreak/internal/demo"
	"github.com/firebreak/firebreak/internal/sgsim"
)

// sgsimFlags are `firebreak sgsim`'s settings; every flag falls back to the
// environment variable SGSIM_<NAME> (upper case, - as _) when not given.
type sgsimFlags struct {
	addr, webhookURL, apiKey, keyFile, pubFile string
	outcomes                                   sgsim.Outcomes
	seed                                       int64
	flush, retryWindow                         time.Duration
	maxEvents, batchLimit                      int
	duplicates                                 float64
	reorder, allowUnknownBatch                 bool
	speedup                                    float64
	profile                                    string
}

func sgsimCommand() *command {
	return &command{
		name:    "sgsim",
		summary: "Run the SendGrid simulator (v3 API, pause/cancel, signed Event Webhook) for the demo and tests.",
		usage:   "[--addr HOST:PORT] [--webhook-url URL] [--key-file FILE] [flags]",
		flags: func(fs *flag.FlagSet) any {
			f := &sgsimFlags{}
			fs.StringVar(&f.addr, "addr", "127.0.0.1:3030", "listen address; point SENDGRID_API_URL at http://ADDR")
			fs.StringVar(&f.webhookURL, "webhook-url", "", "where signed event batches are POSTed, e.g. http://127.0.0.1:8080/webhooks/sendgrid (empty: keep events for /_sim/events only)")
			fs.StringVar(&f.apiKey, "api-key", "", "the bearer key requests must carry (empty: any non-empty key)")
			fs.StringVar(&f.keyFile, "key-file", "", "PEM ECDSA P-256 private key that signs webhooks; created if missing so the public key stays the same across runs (empty: a new key each run)")
			fs.StringVar(&f.pubFile, "public-key-file", "", "write the base64 webhook verification key (SENDGRID_WEBHOOK_PUBLIC_KEY) to this file")
			fs.Float64Var(&f.outcomes.Bounce, "bounce", 0, "share of sent recipients that hard-bounce (type bounce, Invalid Address, 5.1.1; suppresses)")
			fs.Float64Var(&f.outcomes.Block, "block", 0, "share that is blocked (type blocked, Reputation, 5.7.1; does not suppress)")
			fs.Float64Var(&f.outcomes.Dropped, "dropped", 0, "share dropped as Invalid (added to invalid_emails)")
			fs.Float64Var(&f.outcomes.Deferred, "deferred", 0, "share deferred, then delivered 1-5 minutes later")
			fs.Float64Var(&f.outcomes.Open, "open", 0, "share of delivered recipients that open (a third of opens are machine opens)")
			fs.Float64Var(&f.outcomes.Click, "click", 0, "share of delivered recipients that click (a click implies an open)")
			fs.Float64Var(&f.outcomes.SpamReport, "spam-report", 0, "share of delivered recipients that report spam")
			fs.Float64Var(&f.outcomes.Unsubscribe, "unsubscribe", 0, "share of delivered recipients that unsubscribe (group unsubscribe when the mail had asm)")
			fs.Float64Var(&f.speedup, "engagement-speedup", 1, "divide the delays after a delivery (deferral, open, click, spam report, unsubscribe) by this: 60 turns spam reports 5-30 min after delivery into 5-30 s (send_at and the 10-minute pause rule are untouched)")
			fs.StringVar(&f.profile, "profile", "", "demo: the outcome shares and engagement speed-up of `make demo` (internal/demo) for every such flag not given")
			fs.Int64Var(&f.seed, "seed", 0, "random seed for outcomes, duplicates and reordering")
			fs.DurationVar(&f.flush, "flush", time.Second, "how often pending events are posted (SendGrid: 30s)")
			fs.IntVar(&f.maxEvents, "max-events-per-post", 1000, "most events in one webhook post")
			fs.Float64Var(&f.duplicates, "duplicate-share", 0, "share of events posted twice with the same sg_event_id")
			fs.BoolVar(&f.reorder, "reorder", false, "shuffle events across posts")
			fs.DurationVar(&f.retryWindow, "retry-window", 24*time.Hour, "how long a failing webhook post is retried after its events occurred")
			fs.IntVar(&f.batchLimit, "batch-limit", 10, "how many batches may be paused or cancelled at once")
			fs.BoolVar(&f.allowUnknownBatch, "allow-unknown-batch", false, "accept batch ids that POST /v3/mail/batch never created")
			fs.VisitAll(func(fl *flag.Flag) { fl.Usage += " [env " + sgsimEnvName(fl.Name) + "]" })
			return f
		},
		run: runSgsim,
	}
}

func sgsimEnvName(flagName string) string {
	return "SGSIM_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func runSgsim(e env, fs *flag.FlagSet, opts any) error {
	f := opts.(*sgsimFlags)
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var envErr error
	fs.VisitAll(func(fl *flag.Flag) {
		name := sgsimEnvName(fl.Name)
		if v := strings.TrimSpace(e.getenv(name)); v != "" && !given[fl.Name] && envErr == nil {
			if err := fs.Set(fl.Name, v); err != nil {
				envErr = &configError{name, fmt.Sprintf("invalid value %q: %v", v, err)}
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := f.applyProfile(given, e.getenv); err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	key, err := loadOrCreateKey(f.keyFile)
	if err != nil {
		return err
	}
	sim := sgsim.New(sgsim.Config{
		APIKey: f.apiKey, WebhookURL: f.webhookURL, PrivateKey: key, Outcomes: f.outcomes, EngagementSpeedup: f.speedup, Seed: f.seed,
		FlushInterval: f.flush, MaxEventsPerPost: f.maxEvents, DuplicateShare: f.duplicates, Reorder: f.reorder,
		RetryWindow: f.retryWindow, BatchLimit: f.batchLimit, AllowUnknownBatch: f.allowUnknownBatch,
	})
	if f.pubFile != "" {
		if err := os.WriteFile(f.pubFile, []byte(sim.PublicKey()+"\n"), 0o644); err != nil {
			return fmt.Errorf("write public key: %w", err)
		}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(e.stdout, "sgsim: listening on http://%s\n", ln.Addr())
	fmt.Fprintf(e.stdout, "sgsim: SENDGRID_WEBHOOK_PUBLIC_KEY=%s\n", sim.PublicKey())
	if f.webhookURL == "" {
		fmt.Fprintln(e.stderr, "sgsim: no --webhook-url: events are kept for GET /_sim/events only")
	}

	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ran := make(chan error, 1)
	go func() { ran <- sim.Run(e.ctx) }()

	select {
	case <-e.ctx.Done():
	case err = <-served:
		return fmt.Errorf("serve: %w", err)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-ran
}

// applyProfile fills in a named profile's settings for the flags that
// neither the command line nor the environment set.
func (f *sgsimFlags) applyProfile(given map[string]bool, getenv func(string) string) error {
	switch f.profile {
	case "":
		return nil
	case "demo":
	default:
		return &usageError{fmt.Sprintf("--profile must be demo (or empty), got %q", f.profile)}
	}
	o := demo.SimOutcomes
	for name, set := range map[string]struct {
		dst *float64
		v   float64
	}{
		"bounce": {&f.outcomes.Bounce, o.Bounce}, "block": {&f.outcomes.Block, o.Block},
		"dropped": {&f.outcomes.Dropped, o.Dropped}, "deferred": {&f.outcomes.Deferred, o.Deferred},
		"open": {&f.outcomes.Open, o.Open}, "click": {&f.outcomes.Click, o.Click},
		"spam-report": {&f.outcomes.SpamReport, o.SpamReport}, "unsubscribe": {&f.outcomes.Unsubscribe, o.Unsubscribe},
		"engagement-speedup": {&f.speedup, demo.SimSpeedup},
	} {
		if !given[name] && strings.TrimSpace(getenv(sgsimEnvName(name))) == "" {
			*set.dst = set.v
		}
	}
	return nil
}

func (f *sgsimFlags) validate() error {
	o := f.outcomes
	for name, v := range map[string]float64{"bounce": o.Bounce, "block": o.Block, "dropped": o.Dropped, "deferred": o.Deferred,
		"open": o.Open, "click": o.Click, "spam-report": o.SpamReport, "unsubscribe": o.Unsubscribe, "duplicate-share": f.duplicates} {
		if v < 0 || v > 1 {
			return &usageError{fmt.Sprintf("--%s must be a share between 0 and 1, got %v", name, v)}
		}
	}
	if s := o.Bounce + o.Block + o.Dropped + o.Deferred; s > 1 {
		return &usageError{fmt.Sprintf("--bounce, --block, --dropped and --deferred add up to %v; at most 1", s)}
	}
	if f.webhookURL != "" {
		if u, err := url.Parse(f.webhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &usageError{fmt.Sprintf("--webhook-url must be an http(s) URL, got %q", f.webhookURL)}
		}
	}
	if f.speedup < 1 || f.speedup > 3600 {
		return &usageError{fmt.Sprintf("--engagement-speedup must be between 1 and 3600, got %v", f.speedup)}
	}
	if f.flush <= 0 || f.retryWindow <= 0 || f.maxEvents <= 0 || f.batchLimit <= 0 {
		return &usageError{"--flush, --retry-window, --max-events-per-post and --batch-limit must be positive"}
	}
	return nil
}

// loadOrCreateKey reads a PEM ECDSA P-256 private key (SEC 1 "EC PRIVATE KEY"
// or PKCS #8 "PRIVATE KEY"), creating the file with a new key when it does
// not exist. An empty path means no file: the simulator makes a key per run.
func loadOrCreateKey(path string) (*ecdsa.PrivateKey, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate key: %w", err)
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("encode key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create key directory: %w", err)
		}
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create key file: %w", err)
		}
		if err := errors.Join(pem.Encode(fh, &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), fh.Close()); err != nil {
			return nil, fmt.Errorf("write key file: %w", err)
		}
		return key, nil
	} else if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, &usageError{fmt.Sprintf("--key-file %s holds no PEM block", path)}
	}
	var key any
	switch block.Type {
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		err = fmt.Errorf("PEM type %q", block.Type)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if err != nil || !ok || ec.Curve != elliptic.P256() {
		return nil, &usageError{fmt.Sprintf("--key-file %s is not an ECDSA P-256 private key (%v)", path, err)}
	}
	return ec, nil
}
