package api_test

import (
	"context"
	"strings"
	"testing"
)

func (f *appFixture) commAction(tok, id, action string) reply {
	f.t.Helper()
	return f.do(call{method: "POST", path: "/api/v1/communications/" + id + "/" + action, token: tok})
}

// TestCommunicationPauseResumeCancel: pause, resume and cancel answer 200
// with the communication in its new status; a repeated pause or cancel is
// idempotent (200); the wrong state is 409 with its code and changes nothing;
// an unknown id is 404; cancel marks the pending recipients cancelled; every
// change is on the incident's timeline.
func TestCommunicationPauseResumeCancel(t *testing.T) {
	f, tok, inc := commFixture(t)
	var draft, c commReply
	f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "Sorry", "text": "We are sorry."}).json(t, &draft)
	expect := func(r reply, status int, code, wantStatus string) {
		t.Helper()
		if r.status != status {
			t.Fatalf("%d %s, want %d", r.status, r.body, status)
		}
		if code != "" {
			if got := r.errorBody(t).Code; got != code {
				t.Fatalf("code %q, want %q (%s)", got, code, r.body)
			}
			return
		}
		var v struct {
			Status   string  `json:"status"`
			ESPState string  `json:"esp_state"`
			PausedAt *string `json:"paused_at"`
		}
		r.json(t, &v)
		if v.Status != wantStatus || v.ESPState == "" {
			t.Fatalf("status %q esp_state %q, want %q (%s)", v.Status, v.ESPState, wantStatus, r.body)
		}
	}
	expect(f.commAction(tok, draft.ID, "pause"), 409, "communication_not_sending", "")
	expect(f.commAction(tok, draft.ID, "resume"), 409, "communication_not_paused", "")
	expect(f.commAction(tok, "00000000-0000-0000-0000-000000000999", "pause"), 404, "communication_not_found", "")

	f.createComm(tok, inc, map[string]any{"kind": "correction", "subject": "Correction: we made a mistake",
		"text": "We are sorry: our last email had the wrong price. Please disregard it."}).json(t, &c)
	if r := f.sendComm(tok, c.ID); r.status != 202 {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	expect(f.commAction(tok, c.ID, "resume"), 409, "communication_not_paused", "")
	expect(f.commAction(tok, c.ID, "pause"), 200, "", "paused")
	expect(f.commAction(tok, c.ID, "pause"), 200, "", "paused")
	expect(f.commAction(tok, c.ID, "resume"), 200, "", "sending")
	expect(f.commAction(tok, c.ID, "resume"), 409, "communication_not_paused", "")
	expect(f.commAction(tok, c.ID, "cancel"), 200, "", "cancelled")
	expect(f.commAction(tok, c.ID, "cancel"), 200, "", "cancelled")
	expect(f.commAction(tok, c.ID, "pause"), 409, "communication_not_sending", "")
	expect(f.commAction(tok, c.ID, "resume"), 409, "communication_not_paused", "")

	var pending, cancelled int
	if err := f.store.SQL().QueryRowContext(context.Background(), `SELECT count(*) FILTER (WHERE state = 'pending'),
		count(*) FILTER (WHERE state = 'cancelled') FROM communication_recipients WHERE communication_id = $1`, c.ID).Scan(&pending, &cancelled); err != nil {
		t.Fatal(err)
	}
	if pending != 0 || cancelled != 1 {
		t.Errorf("after cancel: %d pending, %d cancelled; want 0, 1", pending, cancelled)
	}
	timeline := string(f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).body)
	for _, a := range []string{"communication.pause", "communication.resume", "communication.cancel"} {
		if !strings.Contains(timeline, `"`+a+`"`) {
			t.Errorf("the incident timeline does not show %s", a)
		}
	}
	var g commReply
	f.do(call{method: "GET", path: "/api/v1/communications/" + draft.ID, token: tok}).json(t, &g)
	if g.Status != "draft" {
		t.Errorf("refused changes moved the draft to %q", g.Status)
	}
}
