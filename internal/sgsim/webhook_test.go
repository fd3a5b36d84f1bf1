package sgsim_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"

	"github.com/firebreak/firebreak/internal/sgsim"
)

func TestWebhookPostsAreSigned(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, sgsim.Config{WebhookURL: rc.srv.URL})
	id := e.send(mail([]string{"ana@example.com"}, with("categories", []string{"spring"}),
		with("custom_args", map[string]string{"firebreak_campaign_id": "c-1"})))
	e.sim.Tick()
	posts := rc.all()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	p := posts[0]
	if !bytes.HasSuffix(p.body, []byte("]\r\n")) {
		t.Fatalf("body does not end in \\r\\n: %q", p.body)
	}
	ts := p.header.Get(eventwebhook.TimestampHTTPHeader)
	sig := p.header.Get(eventwebhook.VerificationHTTPHeader)
	if ts != itoa(e.clk.Now().Unix()) || sig == "" || p.header.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", p.header)
	}

	// Plain Go: ecdsa.VerifyASN1 over sha256(ts || body) with PublicKey().
	der, err := base64.StdEncoding.DecodeString(e.sim.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	rawSig, _ := base64.StdEncoding.DecodeString(sig)
	digest := sha256.Sum256(append([]byte(ts), p.body...))
	if !ecdsa.VerifyASN1(pk.(*ecdsa.PublicKey), digest[:], rawSig) {
		t.Fatal("ecdsa.VerifyASN1 rejects the signature")
	}
	if !strings.HasPrefix(e.sim.PublicKey(), "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE") || len(e.sim.PublicKey()) != 124 {
		t.Errorf("public key %q is not a base64 P-256 PKIX key", e.sim.PublicKey())
	}

	// SendGrid's own verifier.
	key, err := eventwebhook.ConvertPublicKeyBase64ToECDSA(e.sim.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := eventwebhook.VerifySignature(key, p.body, sig, ts); !ok || err != nil {
		t.Fatalf("eventwebhook.VerifySignature = %v, %v", ok, err)
	}
	if ok, _ := eventwebhook.VerifySignature(key, bytes.TrimSuffix(p.body, []byte("\r\n")), sig, ts); ok {
		t.Fatal("signature verifies without the trailing \\r\\n")
	}

	evs := rc.events(t)
	kinds := []string{}
	for _, ev := range evs {
		kinds = append(kinds, ev["event"].(string))
		if ev["email"] != "ana@example.com" || ev["firebreak_campaign_id"] != "c-1" ||
			!strings.HasPrefix(ev["sg_message_id"].(string), id+".") || ev["sg_event_id"] == "" {
			t.Errorf("event %v", ev)
		}
		if cats, _ := ev["category"].([]any); len(cats) != 1 || cats[0] != "spring" {
			t.Errorf("category %v", ev["category"])
		}
	}
	if !slices.Equal(kinds, []string{"processed", "delivered"}) {
		t.Errorf("events %v", kinds)
	}
}

func TestWebhookRetriesAfterServerError(t *testing.T) {
	rc := newReceiver(t)
	rc.failNext(http.StatusInternalServerError, http.StatusServiceUnavailable)
	e := newEnv(t, sgsim.Config{WebhookURL: rc.srv.URL})
	e.send(mail([]string{"ana@example.com"}))
	e.sim.Tick() // fails: 500
	e.sim.Tick() // retry not due yet
	if n := len(rc.all()); n != 1 {
		t.Fatalf("%d posts before the backoff passed, want 1", n)
	}
	e.clk.Advance(10 * time.Second)
	e.sim.Tick() // fails: 503
	e.clk.Advance(20 * time.Second)
	e.sim.Tick() // succeeds
	posts := rc.all()
	if len(posts) != 3 {
		t.Fatalf("%d posts, want 3", len(posts))
	}
	ids := func(p post) []string {
		var evs []map[string]any
		if err := json.Unmarshal(p.body, &evs); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ev := range evs {
			out = append(out, ev["sg_event_id"].(string))
		}
		slices.Sort(out)
		return out
	}
	if first, last := ids(posts[0]), ids(posts[2]); len(first) != 2 || !slices.Equal(first, last) {
		t.Errorf("the retry must carry the same events: %v vs %v", first, last)
	}
	if posts[0].header.Get(sgsim.TimestampHeader) == posts[2].header.Get(sgsim.TimestampHeader) {
		t.Error("a retry must be signed with a fresh timestamp")
	}
	st := e.sim.Stats().Webhook
	if st.Failures != 2 || st.EventsPosted != 2 || st.EventsLost != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestWebhookGivesUpAfterRetryWindow(t *testing.T) {
	rc := newReceiver(t)
	rc.failNext(500, 500, 500, 500, 500, 500, 500, 500)
	e := newEnv(t, sgsim.Config{WebhookURL: rc.srv.URL, RetryWindow: time.Minute})
	e.send(mail([]string{"ana@example.com"}))
	for range 6 {
		e.sim.Tick()
		e.clk.Advance(30 * time.Second)
	}
	if st := e.sim.Stats(); st.Webhook.EventsLost != 2 || st.PendingEvents != 0 {
		t.Fatalf("stats %+v, want the event lost after the window", st)
	}
}

func TestWebhookDuplicatesAndReorder(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, sgsim.Config{WebhookURL: rc.srv.URL, DuplicateShare: 1, Reorder: true, MaxEventsPerPost: 3, Seed: 7})
	to := []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"}
	e.send(mail(to))
	e.sim.Tick()
	e.sim.Tick()
	seen := map[string]int{}
	for _, ev := range rc.events(t) {
		seen[ev["sg_event_id"].(string)]++
	}
	if len(seen) != 2*len(to) {
		t.Fatalf("%d distinct events, want %d", len(seen), 2*len(to))
	}
	for id, n := range seen {
		if n != 2 {
			t.Errorf("event %s posted %d times, want 2", id, n)
		}
	}
	if n := len(rc.all()); n < 4 {
		t.Errorf("%d posts; with MaxEventsPerPost 3 and duplicates expect at least 4", n)
	}
}

func TestEngagementAndGroupUnsubscribe(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, sgsim.Config{WebhookURL: rc.srv.URL, Outcomes: sgsim.Outcomes{Open: 1, Click: 1, Unsubscribe: 1}})
	e.send(mail([]string{"ana@example.com"}, with("asm", map[string]any{"group_id": 7})))
	e.sim.Tick()
	if evs := e.eventsOf("ana@example.com"); !slices.Equal(evs, []string{"processed", "delivered"}) {
		t.Fatalf("engagement came with the delivery: %v", evs)
	}
	e.clk.Advance(time.Hour)
	e.sim.Tick()
	if evs := e.eventsOf("ana@example.com"); !slices.Equal(evs, []string{"processed", "delivered", "open", "click", "group_unsubscribe"}) {
		t.Fatalf("events %v", evs)
	}
	for _, ev := range rc.events(t) {
		if ev["asm_group_id"] != float64(7) {
			t.Errorf("%v without asm_group_id", ev["event"])
		}
		if ev["event"] == "click" && ev["url"] != "https://shop.example/sale" {
			t.Errorf("click url %v", ev["url"])
		}
		if _, ok := ev["sg_machine_open"]; ev["event"] == "open" && !ok {
			t.Error("open without sg_machine_open")
		}
	}
	var members []string
	e.decode(e.do("GET", "/v3/asm/groups/7/suppressions", nil), &members)
	if !slices.Equal(members, []string{"ana@example.com"}) {
		t.Fatalf("group suppressions %v", members)
	}
}

func TestOutcomesAreDeterministic(t *testing.T) {
	run := func() map[string]sgsim.State {
		e := newEnv(t, sgsim.Config{Seed: 42, Outcomes: sgsim.Outcomes{Bounce: 0.2, Block: 0.2, Dropped: 0.1, Deferred: 0.2}})
		var to []string
		for i := range 50 {
			to = append(to, "r"+itoa(int64(i))+"@example.com")
		}
		e.send(mail(to))
		e.sim.Tick()
		return e.states()
	}
	a, b := run(), run()
	if !maps.Equal(a, b) {
		t.Fatal("same seed, different outcomes")
	}
	count := map[sgsim.State]int{}
	for _, st := range a {
		count[st]++
	}
	for _, st := range []sgsim.State{sgsim.StateBounced, sgsim.StateBlocked, sgsim.StateDropped, sgsim.StateDeferred, sgsim.StateDelivered} {
		if count[st] == 0 {
			t.Errorf("no %s among 50 with these shares: %v", st, count)
		}
	}
}

func TestDeferredIsDeliveredLater(t *testing.T) {
	e := newEnv(t, sgsim.Config{Outcomes: sgsim.Outcomes{Deferred: 1}})
	e.send(mail([]string{"ana@example.com"}))
	e.sim.Tick()
	if st := e.states()["ana@example.com"]; st != sgsim.StateDeferred {
		t.Fatalf("state %s", st)
	}
	e.clk.Advance(10 * time.Minute)
	e.sim.Tick()
	if evs := e.eventsOf("ana@example.com"); !slices.Equal(evs, []string{"processed", "deferred", "delivered"}) || e.states()["ana@example.com"] != sgsim.StateDelivered {
		t.Fatalf("events %v", evs)
	}
}

// Run posts on its own with the wall clock.
func TestRunPostsEvents(t *testing.T) {
	rc := newReceiver(t)
	sim := sgsim.New(sgsim.Config{WebhookURL: rc.srv.URL, FlushInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sim.Run(ctx) }()
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	e := &env{t: t, sim: sim, srv: srv}
	e.send(mail([]string{"ana@example.com"}))
	deadline := time.Now().Add(5 * time.Second)
	for len(rc.events(t)) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := len(rc.events(t)); n != 2 {
		t.Fatalf("%d events posted by Run, want processed and delivered", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// With EngagementSpeedup 60 a spam report (5–30 min after delivery at
// SendGrid's pace) arrives 5–30 s after delivery, and the same recipients
// complain as without it: only the delays change.
func TestEngagementSpeedupCompressesTheDelaysNotTheOutcomes(t *testing.T) {
	var to []string
	for i := range 400 {
		to = append(to, "r"+itoa(int64(i))+"@example.com")
	}
	complainers := func(speedup float64, after time.Duration) []string {
		e := newEnv(t, sgsim.Config{Seed: 3, EngagementSpeedup: speedup, Outcomes: sgsim.Outcomes{SpamReport: 0.05}})
		e.send(mail(to))
		e.sim.Tick()
		e.clk.Advance(after)
		e.sim.Tick()
		var out []string
		for _, r := range to {
			if slices.Contains(e.eventsOf(r), "spamreport") {
				out = append(out, r)
			}
		}
		return out
	}
	slow := complainers(1, time.Hour)
	if len(slow) == 0 {
		t.Fatal("no spam reports at all with a 5 % share")
	}
	if early := complainers(1, 4*time.Minute); len(early) != 0 {
		t.Fatalf("without a speed-up %d spam reports came within 4 min of delivery, want none before 5 min", len(early))
	}
	if early := complainers(60, 4*time.Second); len(early) != 0 {
		t.Fatalf("at 60x %d spam reports came within 4 s, want none before 5 s", len(early))
	}
	if fast := complainers(60, 30*time.Second); !slices.Equal(fast, slow) {
		t.Fatalf("at 60x, 30 s after delivery %d complained (%v); want the same %d as at SendGrid's pace", len(fast), fast, len(slow))
	}
}
