package sgsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// sendWithTimeout posts a mail/send with a client deadline; it returns the
// status, or 0 when the client gave up.
func (e *env) sendWithTimeout(body map[string]any, d time.Duration) int {
	e.t.Helper()
	raw, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/v3/mail/send", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The in-doubt case: SendGrid accepted the request (messages, processed
// events) but the client never saw the 202 — it timed out, or got a 500.
func TestAcceptThenAnswerAcceptsButTheClientDoesNotHear(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	e.sim.AcceptThenAnswer(1, 2*time.Second, 0)
	e.sim.AcceptThenAnswer(1, 0, http.StatusInternalServerError)
	if got := e.sendWithTimeout(mail([]string{"late@example.com"}), 200*time.Millisecond); got != 0 {
		t.Fatalf("a late answer reached the client: %d", got)
	}
	if got := e.sendWithTimeout(mail([]string{"five@example.com"}), 5*time.Second); got != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500 after the accept", got)
	}
	if got := e.sendWithTimeout(mail([]string{"fine@example.com"}), 5*time.Second); got != http.StatusAccepted {
		t.Fatalf("status %d after the faults were used up, want 202", got)
	}
	for _, to := range []string{"late@example.com", "five@example.com", "fine@example.com"} {
		if ev := e.eventsOf(to); len(ev) != 1 || ev[0] != "processed" {
			t.Fatalf("%s: events %v, want [processed]: the message was accepted", to, ev)
		}
	}
	if n := len(e.sim.Messages()); n != 3 {
		t.Fatalf("%d messages, want 3", n)
	}
}

func TestHeldSendsCountsRequestsAtTheGate(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	release := e.sim.HoldSends()
	defer release()
	done := make(chan int, 2)
	for _, to := range []string{"a@example.com", "b@example.com"} {
		go func() { done <- e.sendWithTimeout(mail([]string{to}), 10*time.Second) }()
	}
	waitUntil(t, func() bool { return e.sim.HeldSends() == 2 })
	if n := len(e.sim.Messages()); n != 0 {
		t.Fatalf("%d messages recorded while held", n)
	}
	release()
	for range 2 {
		if got := <-done; got != http.StatusAccepted {
			t.Fatalf("status %d after release", got)
		}
	}
	if n := e.sim.HeldSends(); n != 0 {
		t.Fatalf("%d still held after release", n)
	}
}

func TestSendLatencyDelaysEveryRequest(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	e.sim.SetSendLatency(300 * time.Millisecond)
	start := time.Now()
	e.send(mail([]string{"a@example.com"}))
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("answered after %s, before the 300 ms latency", d)
	}
}

// The receiver's answers are counted by status, and only events in a 2xx
// post are acknowledged — once however often they were posted.
func TestWebhookAnswersAndAcknowledgedEvents(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, sgsim.Config{WebhookURL: rc.srv.URL})
	e.sim.SetWebhookRetryBase(time.Second)
	rc.failNext(http.StatusServiceUnavailable)
	e.send(mail([]string{"ana@example.com"}))
	e.sim.Tick() // 503: nothing acknowledged, retried after 1 s
	if n := len(e.sim.AckedEvents()); n != 0 {
		t.Fatalf("%d events acknowledged by a 503", n)
	}
	e.clk.Advance(999 * time.Millisecond)
	e.sim.Tick()
	if n := len(rc.all()); n != 1 {
		t.Fatalf("%d posts before the 1 s backoff passed, want 1", n)
	}
	e.clk.Advance(time.Millisecond)
	e.sim.Tick()
	if got := e.sim.WebhookAnswers(); got[503] != 1 || got[200] != 1 || len(got) != 2 {
		t.Fatalf("answers %v, want one 503 and one 200", got)
	}
	acked := e.sim.AckedEvents()
	evs := e.sim.Events() // processed and delivered
	if len(acked) != len(evs) || len(evs) != 2 {
		t.Fatalf("acknowledged %v, events %v", acked, evs)
	}
	for _, ev := range evs {
		if !acked[ev["sg_event_id"].(string)] {
			t.Fatalf("event %v was posted with a 200 and is not acknowledged", ev)
		}
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
