//go:build faults

package faults

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
	"github.com/firebreak/firebreak/worker/tasks"
)

// Fix, then resume with a worker killed (SIGKILL) while the corrected
// re-handoff is at SendGrid: the campaign was handed over in full and held at
// SendGrid (15 min buffer), paused, its price corrected and resumed; the
// first four re-handoff requests are mid-call when the worker dies, and
// SendGrid accepts them after. Nobody ends with two messages that can go out,
// nobody is lost without being counted, and what the dead requests carried
// stays in doubt (the events of the withdrawn messages prove nothing about
// the new ones), never resent automatically.
func TestWorkerKilledMidReHandoffAfterAFix(t *testing.T) {
	s := newStack(t)
	s.start("api")
	id, a := s.prepare(imported, suppressed, map[string]any{"send_buffer_seconds": 900,
		"html": "<p>Hi {{first_name}}, now only $10</p>"})
	w1 := s.start("worker")
	s.send(id)
	s.waitFor("everything handed over and held at SendGrid", time.Minute, func() bool { return s.campaign(id).Status == "sent" })
	var paused struct {
		Campaign campaignView `json:"campaign"`
	}
	if code := s.do("POST", "/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "wrong price"}, &paused); code != http.StatusOK {
		t.Fatalf("pause: %d", code)
	}
	oldBatch := s.batchOf(id)
	if code := s.do("PATCH", "/api/v1/campaigns/"+id, map[string]string{"html": "<p>Hi {{first_name}}, now only $20</p>"}, nil); code != http.StatusOK {
		t.Fatalf("fix: %d", code)
	}
	release := s.sim.HoldSends()
	t.Cleanup(release)
	if code := s.do("POST", "/api/v1/campaigns/"+id+"/resume", nil, nil); code != http.StatusOK {
		t.Fatalf("resume: %d", code)
	}
	s.waitFor("four re-handoff requests in flight", 30*time.Second, func() bool {
		return s.sim.HeldSends() == tasks.HandoffParallelism
	})
	w1.kill9(t)
	release()
	s.start("worker")
	var c campaignView
	s.waitFor("the re-handoff settled", 2*time.Minute, func() bool {
		s.reconcileNow()
		c = s.campaign(id)
		return c.Status == "sent" && c.Counts.HandedToESP+c.Counts.InDoubt == a.size() && s.sim.HeldSends() == 0 &&
			s.requestStates(id)["sending"] == 0
	})
	if c.Counts.Withdrawn != a.size() {
		t.Errorf("withdrawn %d, want all %d held at SendGrid", c.Counts.Withdrawn, a.size())
	}
	if st := s.sim.BatchStatus(oldBatch); st != "cancel" {
		t.Errorf("the old batch is %q at SendGrid, want cancel", st)
	}
	live := map[string]int{}
	for _, m := range s.sim.Messages() {
		if m.BatchID == oldBatch {
			if !strings.Contains(m.Contents[len(m.Contents)-1].Value, "$10") {
				t.Fatalf("an old-batch message carries %q", m.Contents[len(m.Contents)-1].Value)
			}
			continue
		}
		if !strings.Contains(m.Contents[len(m.Contents)-1].Value, "$20") {
			t.Fatalf("a new-batch message carries %q, want the corrected price", m.Contents[len(m.Contents)-1].Value)
		}
		live[m.CustomArgs["firebreak_recipient_id"]]++
	}
	for rid, n := range live {
		if n != 1 {
			t.Fatalf("recipient %s has %d messages that can go out, want one", rid, n)
		}
	}
	// SendGrid took the dead worker's four requests: every recipient has
	// its one live message; the ledger counts the 4000 as in doubt.
	if len(live) != a.size() || c.Counts.InDoubt != 4000 || c.Counts.HandedToESP != a.size()-4000 {
		t.Errorf("%d recipients with a live message (want %d); handed %d, in doubt %d (want %d and 4000)",
			len(live), a.size(), c.Counts.HandedToESP, c.Counts.InDoubt, a.size()-4000)
	}
	for _, m := range s.sim.Messages() {
		if m.State != sgsim.StateScheduled {
			t.Fatalf("a message left SendGrid before its send_at: %s", m.State)
		}
	}
}

func (s *stack) batchOf(id string) string {
	s.t.Helper()
	var c struct {
		BatchID string `json:"batch_id"`
	}
	if code := s.do("GET", "/api/v1/campaigns/"+id, nil, &c); code != http.StatusOK {
		s.t.Fatalf("get campaign: %d", code)
	}
	return c.BatchID
}
