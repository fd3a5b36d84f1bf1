package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// Step 6, cautious next sends: while the brand of a resolved incident is
// watched, its next campaigns go out as the runbook's canary (wrong-segment:
// 10 % held 1 h) and say why; an admin may override it with a reason.

// monMail opens a new batch per send and accepts every handoff.
type monMail struct{ n atomic.Int64 }

func (m *monMail) CreateBatch(context.Context) (string, error) {
	return fmt.Sprintf("batch-caution-%d", m.n.Add(1)), nil
}
func (m *monMail) Send(context.Context, esp.Message) (esp.SendResult, error) {
	return esp.SendResult{MessageID: "msg"}, nil
}

type cautionWire struct {
	IncidentID        string     `json:"incident_id"`
	Runbook           string     `json:"runbook"`
	WindowEnd         time.Time  `json:"window_end"`
	Reason            string     `json:"reason"`
	CanaryPercent     float64    `json:"canary_percent"`
	CanaryHoldSeconds int        `json:"canary_hold_seconds"`
	Overridden        bool       `json:"overridden"`
	OverrideReason    string     `json:"override_reason"`
	OverriddenBy      string     `json:"overridden_by"`
	OverriddenAt      *time.Time `json:"overridden_at"`
}

type cautiousCampaign struct {
	ID                string       `json:"id"`
	Status            string       `json:"status"`
	CanaryPercent     float64      `json:"canary_percent"`
	CanaryHoldSeconds int          `json:"canary_hold_seconds"`
	CanaryReleaseAt   *time.Time   `json:"canary_release_at"`
	Caution           *cautionWire `json:"caution"`
	Counts            struct {
		Audience    int `json:"audience"`
		HandedToESP int `json:"handed_to_esp"`
	} `json:"counts"`
}

// cautionFixture is the step-6 fixture with 100 recipients in segment all,
// a second brand, and a marketer who is not an admin (f.token is both).
type cautionFixture struct {
	*monFixture
	other    string // a brand nobody watches
	marketer string
}

func newCautionFixture(t *testing.T) *cautionFixture {
	f := &cautionFixture{monFixture: newMonFixture(t)}
	if _, err := f.store.SQL().Exec(`INSERT INTO recipients (email, first_name, segments)
		SELECT 'r' || i || '@example.com', 'R', ARRAY['all'] FROM generate_series(1, 100) i`); err != nil {
		t.Fatal(err)
	}
	r := f.do(call{method: "POST", path: "/api/v1/brands", token: f.token, body: map[string]string{
		"name": "Bravo", "from_email": "news@bravo.example", "from_name": "Bravo", "reply_to": "help@bravo.example"}})
	if r.status != 201 {
		t.Fatalf("create brand: %d %s", r.status, r.body)
	}
	var b struct{ ID string }
	r.json(t, &b)
	f.other = b.ID
	f.marketer = f.addUser("mara@acme.example", "marketer")
	return f
}

func (f *cautionFixture) get(id string) cautiousCampaign {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/api/v1/campaigns/" + id, token: f.token})
	if r.status != 200 {
		f.t.Fatalf("GET campaign: %d %s", r.status, r.body)
	}
	var c cautiousCampaign
	r.json(f.t, &c)
	return c
}

func (f *cautionFixture) sendAs(token, id string, body any) reply {
	f.t.Helper()
	return f.do(call{method: "POST", path: "/api/v1/campaigns/" + id + "/send", token: token, body: body})
}

// canaryWave is how many of the campaign's snapshot are in the canary wave.
func (f *cautionFixture) canaryWave(id string) int {
	f.t.Helper()
	var n int
	if err := f.store.SQL().QueryRow(`SELECT count(*) FROM campaign_recipients WHERE campaign_id = $1 AND wave = 0`, id).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// entries counts the audit entries with action about subject.
func (f *cautionFixture) entries(subjectType, subject, action string) int {
	f.t.Helper()
	var n int
	if err := f.store.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE subject_type = $1 AND subject_id = $2
		AND action = $3`, subjectType, subject, action).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *cautionFixture) handOff(id string) {
	f.t.Helper()
	if err := f.deps.Campaigns.(*campaign.Service).HandOff(context.Background(), id); err != nil {
		f.t.Fatal(err)
	}
}

func TestCautionNextCampaignOfWatchedBrandGoesOutAsCanary(t *testing.T) {
	f := newCautionFixture(t)
	inc := f.resolve(monT0.Add(time.Hour))
	end := monT0.Add(time.Hour + 7*24*time.Hour) // wrong-segment watches 7 d
	watched := f.fixture.campaign(f.token, f.brand)
	unwatched := f.fixture.campaign(f.token, f.other)

	// the draft says what send will do
	d := f.get(watched)
	if d.Caution == nil {
		t.Fatal("a draft of the watched brand has no caution")
	}
	want := "Watching Acme after incident “wrong segment” until 9 Nov: send goes out as a 10 % canary held 1 h."
	if c := *d.Caution; c.IncidentID != inc || c.Runbook != "wrong-segment" || !c.WindowEnd.Equal(end) ||
		c.CanaryPercent != 10 || c.CanaryHoldSeconds != 3600 || c.Overridden || c.OverriddenAt != nil || c.Reason != want {
		t.Errorf("draft caution %+v\nwant reason %q", c, want)
	}
	if d.CanaryPercent != 0 {
		t.Errorf("the draft's own canary became %v before send", d.CanaryPercent)
	}
	if c := f.get(unwatched); c.Caution != nil {
		t.Errorf("a draft of an unwatched brand has caution %+v", c.Caution)
	}
	// the list says it too
	r := f.do(call{method: "GET", path: "/api/v1/campaigns", token: f.token})
	var list []cautiousCampaign
	r.json(t, &list)
	for _, c := range list {
		if (c.ID == watched) != (c.Caution != nil) {
			t.Errorf("list: campaign %s caution %+v", c.ID, c.Caution)
		}
	}

	// a marketer sends: only the canary wave goes first
	if r := f.sendAs(f.marketer, watched, nil); r.status != 202 {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	if n := f.canaryWave(watched); n != 10 {
		t.Errorf("canary wave of %d recipients, want 10 (10 %% of 100)", n)
	}
	f.handOff(watched)
	s := f.get(watched)
	if s.Status != "sending" || s.Counts.Audience != 100 || s.Counts.HandedToESP != 10 || s.CanaryReleaseAt == nil {
		t.Errorf("after the handoff: status %s, %d of %d handed, release %v; want only the 10 of the canary",
			s.Status, s.Counts.HandedToESP, s.Counts.Audience, s.CanaryReleaseAt)
	}
	if s.CanaryPercent != 10 || s.CanaryHoldSeconds != 3600 {
		t.Errorf("sent with canary %v %% held %d s, want 10 %% held 3600 s", s.CanaryPercent, s.CanaryHoldSeconds)
	}
	if s.Caution == nil || !strings.HasSuffix(s.Caution.Reason, ": sent as a 10 % canary held 1 h.") || s.Caution.Overridden {
		t.Errorf("sent caution %+v", s.Caution)
	}
	if n := f.entries("campaign", watched, "campaign.caution_applied"); n != 1 {
		t.Errorf("campaign.caution_applied on the campaign %d times, want 1", n)
	}
	if n := f.entries("incident", inc, "campaign.caution_applied"); n != 1 {
		t.Errorf("campaign.caution_applied on the watched incident %d times, want 1", n)
	}

	// the other brand's campaign goes out as it says
	if r := f.sendAs(f.marketer, unwatched, nil); r.status != 202 {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	f.handOff(unwatched)
	if u := f.get(unwatched); u.Caution != nil || u.CanaryPercent != 0 || u.Counts.HandedToESP != 100 || f.canaryWave(unwatched) != 0 {
		t.Errorf("unwatched brand: caution %+v, canary %v, %d handed", u.Caution, u.CanaryPercent, u.Counts.HandedToESP)
	}

	// the window closes: a new draft is no longer cautious, the sent one still says what it did
	later := f.fixture.campaign(f.token, f.brand)
	f.tick(end.Add(10 * time.Second))
	if m := f.monitoring(inc); m.Status != "clear" {
		t.Fatalf("window %s after its end", m.Status)
	}
	if c := f.get(later); c.Caution != nil {
		t.Errorf("a draft after the window closed has caution %+v", c.Caution)
	}
	if c := f.get(watched); c.Caution == nil || c.Caution.IncidentID != inc || c.Caution.CanaryPercent != 10 {
		t.Errorf("the sent campaign's caution after the window closed: %+v", c.Caution)
	}
}

func TestCautionOverride(t *testing.T) {
	f := newCautionFixture(t)
	inc := f.resolve(monT0.Add(time.Hour))
	id := f.fixture.campaign(f.token, f.brand)

	// a marketer may not
	r := f.sendAs(f.marketer, id, map[string]string{"override_caution_reason": "the CEO said so"})
	if r.status != 403 || r.errorBody(t).Code != "caution_override_forbidden" {
		t.Fatalf("marketer override: %d %s", r.status, r.body)
	}
	// an admin must say why
	for _, reason := range []string{"", "   "} {
		r = f.sendAs(f.token, id, map[string]string{"override_caution_reason": reason})
		if e := r.errorBody(t); r.status != 422 || e.Code != "validation_failed" || !strings.Contains(string(r.body), "override_caution_reason") {
			t.Fatalf("override with reason %q: %d %s", reason, r.status, r.body)
		}
	}
	if c := f.get(id); c.Status != "draft" || f.entries("campaign", id, "campaign.send") != 0 {
		t.Fatalf("a refused override sent the campaign: %s", c.Status)
	}
	// nothing to override on an unwatched brand
	other := f.fixture.campaign(f.token, f.other)
	r = f.sendAs(f.token, other, map[string]string{"override_caution_reason": "urgent recall"})
	if r.status != 422 || !strings.Contains(string(r.body), "no watch window applies") {
		t.Fatalf("override without a window: %d %s", r.status, r.body)
	}

	f.monClock.set(monT0.Add(2 * time.Hour))
	r = f.sendAs(f.token, id, map[string]string{"override_caution_reason": "  product recall, must reach everyone now "})
	if r.status != 202 {
		t.Fatalf("admin override: %d %s", r.status, r.body)
	}
	f.handOff(id)
	c := f.get(id)
	if c.Counts.HandedToESP != 100 || c.CanaryPercent != 0 || f.canaryWave(id) != 0 {
		t.Errorf("overridden send: %d handed, canary %v; want all 100 at once", c.Counts.HandedToESP, c.CanaryPercent)
	}
	at := monT0.Add(2 * time.Hour)
	if cau := c.Caution; cau == nil || !cau.Overridden || cau.OverrideReason != "product recall, must reach everyone now" ||
		cau.OverriddenBy != "owner@acme.example" || cau.OverriddenAt == nil || !cau.OverriddenAt.Equal(at) ||
		cau.CanaryPercent != 10 || !strings.Contains(cau.Reason, "sent without the watch's 10 % canary held 1 h, overridden by owner@acme.example") {
		t.Errorf("overridden caution %+v", cau)
	}
	if n := f.entries("campaign", id, "campaign.caution_override"); n != 1 {
		t.Errorf("campaign.caution_override on the campaign %d times, want 1", n)
	}
	if n := f.entries("campaign", id, "campaign.caution_applied"); n != 0 {
		t.Errorf("an overridden send says the caution was applied (%d)", n)
	}
	// the watched incident's timeline says who let it out without the canary, and why
	r = f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: f.token})
	var tl []struct {
		Actor  string         `json:"actor"`
		Action string         `json:"action"`
		Data   map[string]any `json:"data"`
	}
	r.json(t, &tl)
	found := 0
	for _, e := range tl {
		if e.Action == "campaign.caution_override" {
			found++
			if e.Actor != "owner@acme.example" || e.Data["override_reason"] != "product recall, must reach everyone now" ||
				e.Data["campaign_id"] != id {
				t.Errorf("timeline entry %+v", e)
			}
		}
	}
	if found != 1 {
		t.Errorf("campaign.caution_override on the incident's timeline %d times, want 1", found)
	}
}

// TestCautionSendWaitsForAClosingWindow: a window a tick is closing at the
// moment of the send is either applied in full or not at all. Here the close
// holds the window's row when the send starts: the send waits for it, then
// sees the window closed and goes out without caution (a send that read the
// window without that lock would apply a window closed before it committed).
func TestCautionSendWaitsForAClosingWindow(t *testing.T) {
	f := newCautionFixture(t)
	inc := f.resolve(monT0.Add(time.Hour))
	id := f.fixture.campaign(f.token, f.brand)
	tx, err := f.store.SQL().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE watch_windows SET status = 'clear', closed_at = now() WHERE incident_id = $1`, inc); err != nil {
		t.Fatal(err)
	}
	done := make(chan reply, 1)
	go func() { done <- f.do(call{method: "POST", path: "/api/v1/campaigns/" + id + "/send", token: f.token}) }()
	select {
	case r := <-done:
		t.Fatalf("the send did not wait for the closing window: %d %s", r.status, r.body)
	case <-time.After(500 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.status != 202 {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	c := f.get(id)
	if c.Caution != nil || c.CanaryPercent != 0 || f.canaryWave(id) != 0 || f.entries("campaign", id, "campaign.caution_applied") != 0 {
		t.Errorf("sent after the window closed, with caution %+v, canary %v, wave %d", c.Caution, c.CanaryPercent, f.canaryWave(id))
	}
}

// TestCautionConcurrentSendsOfOneBrand: two campaigns of a watched brand
// sent at once each go out as the canary, each recorded once.
func TestCautionConcurrentSendsOfOneBrand(t *testing.T) {
	f := newCautionFixture(t)
	inc := f.resolve(monT0.Add(time.Hour))
	ids := []string{f.fixture.campaign(f.token, f.brand), f.fixture.campaign(f.token, f.brand)}
	var wg sync.WaitGroup
	replies := make([]reply, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = f.do(call{method: "POST", path: "/api/v1/campaigns/" + id + "/send", token: f.marketer})
		}()
	}
	wg.Wait()
	for i, id := range ids {
		if replies[i].status != 202 {
			t.Fatalf("send %d: %d %s", i, replies[i].status, replies[i].body)
		}
		c := f.get(id)
		if c.Caution == nil || c.CanaryPercent != 10 || f.canaryWave(id) != 10 || f.entries("campaign", id, "campaign.caution_applied") != 1 {
			t.Errorf("campaign %d: caution %+v, canary %v, wave %d", i, c.Caution, c.CanaryPercent, f.canaryWave(id))
		}
	}
	if n := f.entries("incident", inc, "campaign.caution_applied"); n != 2 {
		t.Errorf("the incident's timeline has %d cautious sends, want 2", n)
	}
}

// TestCautionWhileAnAlertHasReopenedTheIncident: a spike in the window
// reopens the incident (window in alert) — the brand is in more trouble than
// while watching, so its next campaign still goes out as the canary; once the
// reopened incident is resolved again the window watches again and so does
// the caution.
func TestCautionWhileAnAlertHasReopenedTheIncident(t *testing.T) {
	f := newCautionFixture(t)
	inc := f.resolve(monT0.Add(time.Hour))
	next := f.send("Next", monT0.Add(2*time.Hour), "sending", 1000, 0, 0, 0, 0)
	f.counters(next, 1000, 0, 5, 0) // 0.5 % complaints
	f.tick(monT0.Add(3 * time.Hour))
	if m := f.monitoring(inc); m.Status != "alert" {
		t.Fatalf("window %s after the spike, want alert", m.Status)
	}
	after := f.fixture.campaign(f.token, f.brand)
	d := f.get(after)
	if d.Caution == nil || d.Caution.IncidentID != inc || !strings.Contains(d.Caution.Reason, "reopened by a deliverability alert") {
		t.Fatalf("a draft of the brand while its incident is reopened by an alert: caution %+v", d.Caution)
	}
	if r := f.sendAs(f.marketer, after, nil); r.status != 202 {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	if c := f.get(after); c.Caution == nil || c.CanaryPercent != 10 || f.canaryWave(after) != 10 {
		t.Errorf("sent during the alert: caution %+v, canary %v, wave %d", c.Caution, c.CanaryPercent, f.canaryWave(after))
	}
}
