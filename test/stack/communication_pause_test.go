package stack_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak/firebreak/worker/tasks"
)

type communicationPauseAnswer struct {
	communicationAnswer
	ESPState string `json:"esp_state"`
}

// TestCommunicationPauseResumeOnBothPlanes: an apology to 4500 is paused
// while its first requests (one per dispatcher, tasks.HandoffParallelism) are
// held inside SendGrid. The pause takes effect on Firebreak's plane at once,
// waits for those requests, and pauses the batch at
// SendGrid (esp_state paused); nothing more is handed over while paused. A
// recipient suppressed while paused is skipped on resume (skipped_suppressed,
// invariant 2); resume clears the batch's status at SendGrid and the rest goes.
func TestCommunicationPauseResumeOnBothPlanes(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV(recipientsCSV(4500, "spring", true))
	campaignID := s.campaign(map[string]any{"name": "Spring", "brand_id": s.brand("help@acme.example"), "subject": "Spring sale",
		"html": "<p>Sale</p>", "text": "Sale", "segments": []string{"spring"}})
	if code := s.postJSON("/api/v1/campaigns/"+campaignID+"/send", nil, nil); code != 202 {
		t.Fatalf("send campaign: %d", code)
	}
	s.waitFor("campaign sent", 60*time.Second, func() bool { return s.get(campaignID).Status == "sent" })
	campaignMails := len(s.sim.Messages())
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": campaignID, "runbook": "wrong-segment",
		"summary": "sent to spring by mistake"}, &inc); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	var c communicationAnswer
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/communications", map[string]any{"kind": "apology",
		"subject": "We are sorry", "html": "<p>Sorry, we sent you the wrong email.</p>", "text": "Sorry, we sent you the wrong email."}, &c); code != 201 {
		t.Fatalf("draft: %d", code)
	}
	release := s.sim.HoldSends()
	t.Cleanup(release)
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/send", nil, nil); code != 202 {
		t.Fatalf("send: %d", code)
	}
	s.waitFor("a batch per dispatcher held inside SendGrid", 30*time.Second, func() bool {
		return s.sim.HeldSends() == tasks.HandoffParallelism
	})

	paused := make(chan communicationPauseAnswer, 1)
	go func() {
		var p communicationPauseAnswer
		if code := s.postJSON("/api/v1/communications/"+c.ID+"/pause", nil, &p); code != 200 {
			p.Status = fmt.Sprintf("pause answered %d", code)
		}
		paused <- p
	}()
	s.waitFor("paused on Firebreak's plane", 30*time.Second, func() bool { return s.communication(c.ID).Status == "paused" })
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var later string
	if err := db.QueryRow(`SELECT email FROM communication_recipients WHERE communication_id = $1 AND state = 'pending'
		ORDER BY recipient_id DESC LIMIT 1`, c.ID).Scan(&later); err != nil {
		t.Fatal(err)
	}
	if code := s.postJSON("/api/v1/suppressions", map[string]any{"email": later, "kind": "unsubscribe"}, nil); code != 201 {
		t.Fatalf("suppress while paused: %d", code)
	}
	release()
	var p communicationPauseAnswer
	select {
	case p = <-paused:
	case <-time.After(30 * time.Second):
		t.Fatal("the pause never answered")
	}
	if p.Status != "paused" || p.ESPState != "paused" || s.sim.BatchStatus(p.BatchID) != "pause" {
		t.Fatalf("pause answered %q, esp_state %q, SendGrid batch %q; want paused on both planes", p.Status, p.ESPState, s.sim.BatchStatus(p.BatchID))
	}
	handedAtPause := len(s.sim.Messages()) - campaignMails
	if handedAtPause == 0 || handedAtPause > 1000*tasks.HandoffParallelism {
		t.Fatalf("%d handed by the pause, want the held requests only", handedAtPause)
	}
	time.Sleep(2 * time.Second) // a late claim would show
	if n := len(s.sim.Messages()) - campaignMails; n != handedAtPause {
		t.Fatalf("%d more handed over while paused", n-handedAtPause)
	}

	var r communicationPauseAnswer
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/resume", nil, &r); code != 200 || r.ESPState != "resumed" {
		t.Fatalf("resume: %d %+v", code, r)
	}
	if s.sim.BatchStatus(r.BatchID) != "" {
		t.Fatalf("SendGrid batch still %q after resume", s.sim.BatchStatus(r.BatchID))
	}
	s.waitFor("communication sent", 60*time.Second, func() bool { return s.communication(c.ID).Status == "sent" })
	got := s.communication(c.ID)
	if got.Counts.HandedToESP != 4499 || got.Counts.SkippedSuppressed != 1 {
		t.Fatalf("counts %+v, want 4499 handed and 1 skipped_suppressed", got.Counts)
	}
	to := map[string]int{}
	for _, m := range s.sim.Messages()[campaignMails:] {
		to[m.To]++
	}
	if len(to) != 4499 || to[later] != 0 {
		t.Errorf("reached %d addresses (the one suppressed while paused: %d times), want 4499 and never it", len(to), to[later])
	}
	for addr, n := range to {
		if n != 1 {
			t.Errorf("%s got the apology %d times", addr, n)
		}
	}
}
