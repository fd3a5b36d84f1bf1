package sgsim_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

func TestFailNext(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	reset := strconv.FormatInt(e.clk.Now().Add(3*time.Second).Unix(), 10)
	e.sim.FailNext("/v3/user/scheduled_sends", 1, http.StatusTooManyRequests, http.Header{"X-RateLimit-Reset": {reset}})
	e.sim.FailNext("/v3/mail/send", 2, http.StatusTooManyRequests, nil)
	b := e.batch()

	r := e.do("PATCH", "/v3/user/scheduled_sends/"+b, map[string]string{"status": "pause"})
	if r.status != http.StatusTooManyRequests || r.header.Get("X-RateLimit-Reset") != reset || r.errorsOf(t)[0]["message"] != "too many requests" {
		t.Fatalf("scheduled_sends fault: %d %v %s", r.status, r.header, r.body)
	}
	e.setStatus(b, "pause") // the fault is used up

	for range 2 {
		r := e.do("POST", "/v3/mail/send", mail([]string{"a@example.com"}))
		if r.status != http.StatusTooManyRequests || r.header.Get("X-RateLimit-Reset") != "" || r.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("mail/send fault: %d %v", r.status, r.header)
		}
	}
	e.send(mail([]string{"a@example.com"}))
	if n, got := len(e.sim.Messages()), e.sim.SendRequests(); n != 1 || got != 3 {
		t.Fatalf("messages %d, send requests %d; want 1 and 3", n, got)
	}
	// Management endpoints carry rate-limit headers; mail/send does not.
	r = e.do("GET", "/v3/user/scheduled_sends", nil)
	if r.header.Get("X-RateLimit-Limit") == "" || r.header.Get("X-RateLimit-Remaining") == "" || r.header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("management headers %v", r.header)
	}
	e.sim.FailNext("/v3/mail/batch", 1, http.StatusInternalServerError, nil)
	if r := e.do("POST", "/v3/mail/batch", nil); r.status != http.StatusInternalServerError || len(r.errorsOf(t)) != 1 {
		t.Errorf("500 fault: %d %s", r.status, r.body)
	}
}

func TestHoldSends(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	release := e.sim.HoldSends()
	t.Cleanup(release)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/v3/mail/send",
			strings.NewReader(`{"personalizations":[{"to":[{"email":"a@example.com"}]}],"from":{"email":"f@example.com"},"subject":"s","content":[{"type":"text/plain","value":"v"}]}`))
		req.Header.Set("Authorization", "Bearer "+apiKey)
		_, err := http.DefaultClient.Do(req)
		done <- err
	}()
	waitFor(t, func() bool { return e.sim.SendRequests() == 1 })
	cancel() // the worker dies mid-handoff
	if err := <-done; err == nil {
		t.Fatal("the held request answered")
	}
	if n := len(e.sim.Messages()); n != 0 {
		t.Fatalf("%d messages before release", n)
	}
	release()
	waitFor(t, func() bool { return len(e.sim.Messages()) == 1 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in 5s")
}

func TestInspectionEndpoints(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	e.scheduled(b, 15*time.Minute, "ana@example.com")
	e.send(mail([]string{"bo@example.com"}))
	e.setStatus(b, "pause")

	var ms []sgsim.Message
	e.decode(e.doAuth("GET", "/_sim/messages?batch_id="+b, nil, ""), &ms)
	if len(ms) != 1 || ms[0].To != "ana@example.com" || ms[0].State != sgsim.StateScheduled {
		t.Fatalf("messages %+v", ms)
	}
	var st sgsim.Stats
	e.decode(e.doAuth("GET", "/_sim/stats", nil, ""), &st)
	if st.Messages[sgsim.StateScheduled] != 2 || st.MailSendRequests != 2 || st.Requests["POST /v3/mail/send"] != 2 ||
		len(st.ScheduledSends) != 1 || st.ScheduledSends[0].Status != "pause" {
		t.Fatalf("stats %+v", st)
	}
	r := e.doAuth("GET", "/_sim/public-key", nil, "")
	if strings.TrimSpace(string(r.body)) != e.sim.PublicKey() {
		t.Fatalf("public key %q", r.body)
	}
	if r := e.doAuth("POST", "/_sim/faults", map[string]any{"path": "/v3/mail/batch", "count": 1, "status": 503}, ""); r.status != http.StatusNoContent {
		t.Fatalf("faults: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/v3/mail/batch", nil); r.status != http.StatusServiceUnavailable {
		t.Fatalf("after /_sim/faults: %d", r.status)
	}
	if r := e.doAuth("POST", "/_sim/faults", map[string]any{"path": "v3", "count": 1, "status": 503}, ""); r.status != http.StatusBadRequest {
		t.Fatalf("bad fault: %d", r.status)
	}
	e.clk.Advance(20 * time.Minute)
	if r := e.doAuth("POST", "/_sim/tick", nil, ""); r.status != http.StatusNoContent {
		t.Fatalf("tick: %d", r.status)
	}
	var evs []map[string]any
	e.decode(e.doAuth("GET", "/_sim/events?event=delivered", nil, ""), &evs)
	if len(evs) != 1 || evs[0]["email"] != "bo@example.com" {
		t.Fatalf("events %v", evs)
	}
	if r := e.do("GET", "/v3/nope", nil); r.status != http.StatusNotFound || len(r.errorsOf(t)) != 1 {
		t.Fatalf("unknown route: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/v3/mail/send", nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("wrong method: %d %s", r.status, r.body)
	}
	var key map[string]string
	e.decode(e.do("GET", "/v3/user/webhooks/event/settings/signed", nil), &key)
	if key["public_key"] != e.sim.PublicKey() {
		t.Fatalf("signed settings %v", key)
	}
}
