package sgsim_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// scheduled sends one message per address to batch b with send_at = now+in.
func (e *env) scheduled(b string, in time.Duration, to ...string) {
	e.t.Helper()
	e.send(mail(to, with("batch_id", b), with("send_at", e.clk.Now().Add(in).Unix())))
}

func (e *env) setStatus(b, status string) {
	e.t.Helper()
	if r := e.do("POST", "/v3/user/scheduled_sends", map[string]string{"batch_id": b, "status": status}); r.status != http.StatusCreated {
		e.t.Fatalf("POST scheduled_sends: %d %s", r.status, r.body)
	}
}

func TestPauseHoldsUntilDeleteReleases(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	e.scheduled(b, 15*time.Minute, "ana@example.com")
	e.setStatus(b, "pause")
	e.clk.Advance(20 * time.Minute)
	e.sim.Tick()
	if st := e.states()["ana@example.com"]; st != sgsim.StateHeld {
		t.Fatalf("state %s, want held past send_at", st)
	}
	if evs := e.eventsOf("ana@example.com"); !slices.Equal(evs, []string{"processed"}) {
		t.Fatalf("events while paused: %v", evs)
	}
	if r := e.do("DELETE", "/v3/user/scheduled_sends/"+b, nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	e.sim.Tick()
	if st := e.states()["ana@example.com"]; st != sgsim.StateDelivered {
		t.Fatalf("state %s after resume, want delivered", st)
	}
	if evs := e.eventsOf("ana@example.com"); !slices.Equal(evs, []string{"processed", "delivered"}) {
		t.Fatalf("events after resume: %v", evs)
	}
}

func TestCancelDiscards(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	e.scheduled(b, 15*time.Minute, "ana@example.com", "bo@example.com")
	e.setStatus(b, "cancel")
	e.clk.Advance(time.Hour)
	e.sim.Tick()
	for to, st := range e.states() {
		if st != sgsim.StateCancelled {
			t.Errorf("%s: %s, want cancelled", to, st)
		}
		if evs := e.eventsOf(to); !slices.Equal(evs, []string{"processed"}) {
			t.Errorf("%s: events %v", to, evs)
		}
	}
}

func TestPauseThenPatchCancelDiscardsHeld(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	e.scheduled(b, 15*time.Minute, "ana@example.com")
	e.setStatus(b, "pause")
	e.clk.Advance(30 * time.Minute)
	e.sim.Tick()
	if r := e.do("PATCH", "/v3/user/scheduled_sends/"+b, map[string]string{"status": "cancel"}); r.status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	e.do("DELETE", "/v3/user/scheduled_sends/"+b, nil)
	e.sim.Tick()
	if st := e.states()["ana@example.com"]; st != sgsim.StateCancelled {
		t.Fatalf("state %s, want cancelled (a resume cannot bring it back)", st)
	}
}

// A status catches only messages whose send_at is at least 10 minutes after
// it arrived; the rest go out. Firebreak's "held" count relies on this.
func TestTenMinuteRule(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	e.scheduled(b, 5*time.Minute, "early@example.com")
	e.scheduled(b, 10*time.Minute-time.Second, "edge-early@example.com")
	e.scheduled(b, 10*time.Minute, "edge@example.com")
	e.scheduled(b, 30*time.Minute, "late@example.com")
	e.send(mail([]string{"now@example.com"}, with("batch_id", b)))
	e.setStatus(b, "pause")
	e.clk.Advance(time.Hour)
	e.sim.Tick()
	want := map[string]sgsim.State{
		"early@example.com": sgsim.StateDelivered, "edge-early@example.com": sgsim.StateDelivered,
		"now@example.com":  sgsim.StateDelivered,
		"edge@example.com": sgsim.StateHeld, "late@example.com": sgsim.StateHeld,
	}
	if got := e.states(); !maps.Equal(got, want) {
		t.Fatalf("states %v, want %v", got, want)
	}
}

// The rule counts from when the status was first set: a message added to an
// already paused batch with send_at at least 10 minutes after the pause is held.
func TestTenMinuteRuleCountsFromPause(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	e.setStatus(b, "pause")
	e.clk.Advance(8 * time.Minute)
	e.scheduled(b, time.Minute, "before@example.com")  // send_at = pause + 9 min
	e.scheduled(b, 3*time.Minute, "after@example.com") // send_at = pause + 11 min
	e.clk.Advance(time.Hour)
	e.sim.Tick()
	want := map[string]sgsim.State{"before@example.com": sgsim.StateDelivered, "after@example.com": sgsim.StateHeld}
	if got := e.states(); !maps.Equal(got, want) {
		t.Fatalf("states %v, want %v", got, want)
	}
}

func TestPausedMessagesExpireAfter72Hours(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	e.scheduled(b, 15*time.Minute, "ana@example.com")
	e.setStatus(b, "pause")
	e.clk.Advance(15*time.Minute + 72*time.Hour)
	e.sim.Tick()
	if st := e.states()["ana@example.com"]; st != sgsim.StateHeld {
		t.Fatalf("state %s at send_at+72h, want still held", st)
	}
	e.clk.Advance(time.Second)
	e.sim.Tick()
	if st := e.states()["ana@example.com"]; st != sgsim.StateExpired {
		t.Fatalf("state %s past send_at+72h, want expired", st)
	}
}

func TestScheduledSendsAPI(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	if r := e.do("POST", "/v3/user/scheduled_sends", map[string]string{"batch_id": b}); r.status != http.StatusCreated || !strings.Contains(string(r.body), `"status":"pause"`) {
		t.Fatalf("POST without status: %d %s, want 201 pause", r.status, r.body)
	}
	r := e.do("POST", "/v3/user/scheduled_sends", map[string]string{"batch_id": b, "status": "cancel"})
	if r.status != http.StatusBadRequest || !r.hasField(t, "batch_id") {
		t.Fatalf("second POST: %d %s, want 400", r.status, r.body)
	}
	if r := e.do("PATCH", "/v3/user/scheduled_sends/"+b, map[string]string{"status": "cancel"}); r.status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	if e.sim.BatchStatus(b) != "cancel" {
		t.Fatalf("BatchStatus %q", e.sim.BatchStatus(b))
	}
	var one []sgsim.ScheduledSend
	e.decode(e.do("GET", "/v3/user/scheduled_sends/"+b, nil), &one)
	if len(one) != 1 || one[0] != (sgsim.ScheduledSend{BatchID: b, Status: "cancel"}) {
		t.Fatalf("GET one: %+v", one)
	}
	var all []sgsim.ScheduledSend
	e.decode(e.do("GET", "/v3/user/scheduled_sends", nil), &all)
	if len(all) != 1 {
		t.Fatalf("GET list: %+v", all)
	}
	if r := e.do("PATCH", "/v3/user/scheduled_sends/"+b, map[string]string{"status": "stop"}); r.status != http.StatusBadRequest {
		t.Fatalf("PATCH bad status: %d", r.status)
	}
	for range 2 { // DELETE is idempotent
		if r := e.do("DELETE", "/v3/user/scheduled_sends/"+b, nil); r.status != http.StatusNoContent {
			t.Fatalf("DELETE: %d", r.status)
		}
	}
	if r := e.do("PATCH", "/v3/user/scheduled_sends/"+b, map[string]string{"status": "pause"}); r.status != http.StatusNotFound {
		t.Fatalf("PATCH without a status: %d, want 404", r.status)
	}
	e.decode(e.do("GET", "/v3/user/scheduled_sends/"+b, nil), &one)
	if len(one) != 0 || e.sim.BatchStatus(b) != "" {
		t.Fatalf("after DELETE: %+v", one)
	}
	if r := e.do("POST", "/v3/user/scheduled_sends", map[string]string{"batch_id": "NeverCreated"}); r.status != http.StatusBadRequest {
		t.Fatalf("unknown batch: %d", r.status)
	}
	if r := e.do("GET", "/v3/user/scheduled_sends/NeverCreated", nil); r.status != http.StatusNotFound {
		t.Fatalf("GET unknown batch: %d, want 404", r.status)
	}
}

func TestBatchLimit(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	var ids []string
	for i := range 11 {
		ids = append(ids, e.batch())
		if i < 10 {
			e.setStatus(ids[i], []string{"pause", "cancel"}[i%2])
		}
	}
	r := e.do("POST", "/v3/user/scheduled_sends", map[string]string{"batch_id": ids[10], "status": "pause"})
	if r.status != http.StatusBadRequest {
		t.Fatalf("11th: %d %s, want 400", r.status, r.body)
	}
	again := e.do("POST", "/v3/user/scheduled_sends", map[string]string{"batch_id": ids[0], "status": "pause"})
	limitMsg, dupMsg := r.errorsOf(t)[0]["message"], again.errorsOf(t)[0]["message"]
	if limitMsg == dupMsg || !strings.Contains(fmt.Sprint(limitMsg), "maximum") {
		t.Fatalf("limit %q and has-status %q must be told apart", limitMsg, dupMsg)
	}
	e.do("DELETE", "/v3/user/scheduled_sends/"+ids[0], nil)
	e.setStatus(ids[10], "pause")
}

func TestBatchEndpoints(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	if len(b) < 32 || strings.Trim(b, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		t.Fatalf("batch id %q", b)
	}
	if r := e.do("GET", "/v3/mail/batch/"+b, nil); r.status != http.StatusOK || !strings.Contains(string(r.body), b) {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/v3/mail/batch/nope", nil); r.status != http.StatusBadRequest {
		t.Fatalf("GET unknown: %d", r.status)
	}
	e.clk.Advance(10 * 24 * time.Hour)
	if r := e.do("GET", "/v3/mail/batch/"+b, nil); r.status != http.StatusBadRequest {
		t.Fatalf("GET after 10 days: %d, want 400", r.status)
	}
	if r := e.do("POST", "/v3/mail/send", mail([]string{"a@example.com"}, with("batch_id", b))); r.status != http.StatusBadRequest {
		t.Fatalf("send with expired batch: %d", r.status)
	}
}

func TestAllowUnknownBatch(t *testing.T) {
	e := newEnv(t, sgsim.Config{AllowUnknownBatch: true})
	e.send(mail([]string{"a@example.com"}, with("batch_id", "made-up"), with("send_at", e.clk.Now().Add(time.Hour).Unix())))
	e.setStatus("made-up", "cancel")
	e.clk.Advance(2 * time.Hour)
	e.sim.Tick()
	if st := e.states()["a@example.com"]; st != sgsim.StateCancelled {
		t.Fatalf("state %s", st)
	}
}
