package stack_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// Invariant 2, clause by clause, through the whole stack (docs/reliability.md
// "Invariant 2: who an apology reaches" lists which test covers which).

// sentCampaignTo sends a campaign to segment seg and waits until it is sent;
// it returns the campaign id and how many messages the simulator had before
// (so the caller can tell the campaign's mails from later ones).
func (s *stack) sentCampaignTo(seg string, extra map[string]any) (string, int) {
	s.t.Helper()
	before := len(s.sim.Messages())
	body := map[string]any{"name": seg, "brand_id": s.brand("help@acme.example"), "subject": "Spring sale",
		"html": "<p>Sale</p>", "text": "Sale", "segments": []string{seg}}
	for k, v := range extra {
		body[k] = v
	}
	id := s.campaign(body)
	if code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil); code != 202 {
		s.t.Fatalf("send campaign %s: %d", seg, code)
	}
	s.waitFor("campaign "+seg+" sent", 60*time.Second, func() bool { return s.get(id).Status == "sent" })
	return id, before
}

func (s *stack) declareWrongSegment(campaignID string) string {
	s.t.Helper()
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": campaignID, "runbook": "wrong-segment",
		"summary": "sent to the wrong list"}, &inc); code != 201 {
		s.t.Fatalf("declare: %d", code)
	}
	return inc.ID
}

// draft creates a communication and fails unless it is 201.
func (s *stack) draft(incidentID string, body map[string]any) communicationAnswer {
	s.t.Helper()
	var c communicationAnswer
	var raw map[string]any
	if code := s.postJSON("/api/v1/incidents/"+incidentID+"/communications", body, &raw); code != 201 {
		s.t.Fatalf("draft %v: %d %v", body["kind"], code, raw)
	}
	if err := remarshal(raw, &c); err != nil {
		s.t.Fatal(err)
	}
	return c
}

// sendAndFinish sends a communication and waits until it is sent.
func (s *stack) sendAndFinish(id string) {
	s.t.Helper()
	var out map[string]any
	if code := s.postJSON("/api/v1/communications/"+id+"/send", nil, &out); code != 202 {
		s.t.Fatalf("send communication: %d %v", code, out)
	}
	s.waitFor("communication sent", 60*time.Second, func() bool { return s.communication(id).Status == "sent" })
}

// reached is how often each address got communication id at the simulator.
func (s *stack) reached(id string) map[string]int {
	out := map[string]int{}
	for _, m := range s.sim.Messages() {
		if m.CustomArgs["firebreak_communication_id"] == id {
			out[m.To]++
		}
	}
	return out
}

func remarshal(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func onceEach(t *testing.T, what string, to map[string]int) {
	t.Helper()
	for addr, n := range to {
		if n != 1 {
			t.Errorf("%s: %s got it %d times", what, addr, n)
		}
	}
}

func apologyBody() map[string]any {
	return map[string]any{"kind": "apology", "subject": "We are sorry",
		"html": "<p>We are sorry: our last email went to the wrong list.</p>", "text": "We are sorry: our last email went to the wrong list."}
}

// TestCommunicationNeverReachesAHardBouncedAddress: the campaign hard-bounces
// at some addresses (the simulator's --bounce share: 5.1.1, Invalid Address);
// SendGrid's signed webhook tells Firebreak, which suppresses them; the
// apology's audience counts them as suppressed and none of them is mailed.
func TestCommunicationNeverReachesAHardBouncedAddress(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	// 1.5 % hard bounces stays under the deliverability-spike rule's 2 %.
	s := startStack(t, stackOpts{buffer: "0s", webhook: true, sim: sgsim.Config{PrivateKey: key, Seed: 11,
		Outcomes: sgsim.Outcomes{Bounce: 0.015}}})
	const n = 600
	s.importCSV(recipientsCSV(n, "hb", true))
	campaignID, _ := s.sentCampaignTo("hb", nil)
	s.waitFor("every outcome counted", 30*time.Second, func() bool {
		c := s.get(campaignID).Counts
		return c.Delivered+c.Bounced == n
	})
	bounced := map[string]bool{}
	for _, m := range s.sim.Messages() {
		if m.State == "bounced" {
			bounced[m.To] = true
		}
	}
	if len(bounced) == 0 || s.get(campaignID).Counts.Bounced != len(bounced) {
		t.Fatalf("%d addresses bounced at the simulator, campaign counts %d: want some, equal", len(bounced), s.get(campaignID).Counts.Bounced)
	}
	for addr := range bounced {
		var list []struct {
			Email, Kind, Source string
		}
		if code := s.do("GET", "/api/v1/suppressions?kind=bounce&email="+url.QueryEscape(addr), "", nil, &list); code != 200 ||
			len(list) != 1 || list[0].Source != "webhook" {
			t.Fatalf("suppressions for %s: %d %+v, want one bounce from the webhook", addr, code, list)
		}
	}

	inc := s.declareWrongSegment(campaignID)
	c := s.draft(inc, apologyBody())
	if c.Audience.Affected != n || c.Audience.Suppressed != len(bounced) || c.Audience.WillReceive != n-len(bounced) {
		t.Fatalf("audience %+v, want %d affected, the %d bounced suppressed", c.Audience, n, len(bounced))
	}
	s.sendAndFinish(c.ID)
	to := s.reached(c.ID)
	onceEach(t, "the apology", to)
	if len(to) != n-len(bounced) {
		t.Errorf("the apology reached %d addresses, want %d", len(to), n-len(bounced))
	}
	for addr := range bounced {
		if to[addr] != 0 {
			t.Errorf("%s hard-bounced on the campaign and got the apology", addr)
		}
	}
}

// pauseWithARequestInFlight pauses a sending campaign while one of its
// mail/send requests is held inside the simulator (so some recipients were
// handed over and the rest never are); it returns the incident the pause
// opened, reclassified to wrong-segment, and the pause's answer.
func (s *stack) pauseWithARequestInFlight(campaignID string) (string, campaignAnswer) {
	s.t.Helper()
	release := s.sim.HoldSends()
	defer release()
	if code := s.postJSON("/api/v1/campaigns/"+campaignID+"/send", nil, nil); code != 202 {
		s.t.Fatalf("send campaign: %d", code)
	}
	s.waitFor("a campaign request held inside SendGrid", 30*time.Second, func() bool { return s.sim.HeldSends() >= 1 })
	type pauseAnswer struct {
		Campaign   campaignAnswer `json:"campaign"`
		IncidentID string         `json:"incident_id"`
	}
	answered := make(chan pauseAnswer, 1)
	go func() {
		var p pauseAnswer
		s.postJSON("/api/v1/campaigns/"+campaignID+"/pause", map[string]string{"reason": "wrong list"}, &p)
		answered <- p
	}()
	s.waitFor("paused on Firebreak's plane", 30*time.Second, func() bool { return s.get(campaignID).Status == "paused" })
	release()
	var p pauseAnswer
	select {
	case p = <-answered:
	case <-time.After(30 * time.Second):
		s.t.Fatal("the pause never answered")
	}
	if p.Campaign.Status != "paused" || p.Campaign.ESPPause.State != "paused" || p.IncidentID == "" {
		s.t.Fatalf("pause answered %+v", p)
	}
	if code := s.postJSON("/api/v1/incidents/"+p.IncidentID+"/runbook", map[string]string{"runbook": "wrong-segment"}, nil); code != 200 {
		s.t.Fatalf("reclassify: %d", code)
	}
	return p.IncidentID, p.Campaign
}

// TestCommunicationLeavesOutTheHeldAndTheNeverHanded: two campaigns paused
// with a request inside SendGrid. One sends at once (send buffer 0): what it
// handed over possibly reached people, the rest was never handed; the
// apology goes to exactly those the simulator got the campaign for. The other
// has a 15-minute buffer: what it handed is held at SendGrid by the pause
// (send_at at least 10 minutes after the pause was accepted), the rest was
// never handed — nobody is affected, and its apology's audience is empty.
func TestCommunicationLeavesOutTheHeldAndTheNeverHanded(t *testing.T) {
	s := startStack(t, stackOpts{})
	const n = 6000 // more than four dispatchers' requests of 1000 in flight at once
	s.importCSV(recipientsCSV(n, "now", true))
	s.importCSV(recipientsCSV(n, "later", true))

	nowID := s.campaign(map[string]any{"name": "now", "brand_id": s.brand("help@acme.example"), "subject": "Spring sale",
		"html": "<p>Sale</p>", "text": "Sale", "segments": []string{"now"}, "send_buffer_seconds": 0})
	incNow, pausedNow := s.pauseWithARequestInFlight(nowID)
	handed := map[string]bool{}
	for _, m := range s.sim.Messages() {
		if m.CustomArgs["firebreak_campaign_id"] == nowID {
			handed[m.To] = true
		}
	}
	if len(handed) == 0 || len(handed) >= n || pausedNow.Counts.HandedToESP != len(handed) {
		t.Fatalf("campaign 'now' handed %d (SendGrid has %d) of %d: want some, not all", pausedNow.Counts.HandedToESP, len(handed), n)
	}
	c := s.draft(incNow, apologyBody())
	if c.Audience.Affected != len(handed) || c.Audience.WillReceive != len(handed) {
		t.Fatalf("apology audience %+v, want the %d handed over and none of the %d never handed", c.Audience, len(handed), n-len(handed))
	}
	s.sendAndFinish(c.ID)
	to := s.reached(c.ID)
	onceEach(t, "the apology", to)
	if len(to) != len(handed) {
		t.Errorf("the apology reached %d addresses, want the %d the campaign reached", len(to), len(handed))
	}
	for addr := range to {
		if !handed[addr] {
			t.Errorf("%s was never handed the campaign and got the apology", addr)
		}
	}

	laterID := s.campaign(map[string]any{"name": "later", "brand_id": s.brand("help@acme.example"), "subject": "Spring sale",
		"html": "<p>Sale</p>", "text": "Sale", "segments": []string{"later"}, "send_buffer_seconds": 900})
	incLater, pausedLater := s.pauseWithARequestInFlight(laterID)
	if pausedLater.Counts.HandedToESP == 0 || pausedLater.Counts.Held != n {
		t.Fatalf("campaign 'later' counts %+v: want some handed and all %d held (at SendGrid or never handed)", pausedLater.Counts, n)
	}
	held := s.draft(incLater, apologyBody())
	if held.Audience.Affected != 0 || held.Audience.WillReceive != 0 {
		t.Errorf("apology audience %+v for a campaign held whole, want nobody affected", held.Audience)
	}
}

// TestCommunicationAlreadyReceived: after an apology reached 300 people, a
// resend of it is 409 and mails nobody; a second apology excludes all of them
// (already_received) and mails nobody; a correction — another kind — reaches
// each of them once; an apology whose author includes them explicitly
// (include_previous) reaches each once more, and only once.
func TestCommunicationAlreadyReceived(t *testing.T) {
	s := startStack(t, stackOpts{})
	const n = 300
	s.importCSV(recipientsCSV(n, "ar", true))
	campaignID, _ := s.sentCampaignTo("ar", nil)
	inc := s.declareWrongSegment(campaignID)
	first := s.draft(inc, apologyBody())
	s.sendAndFinish(first.ID)
	if to := s.reached(first.ID); len(to) != n {
		t.Fatalf("the first apology reached %d, want %d", len(to), n)
	}
	onceEach(t, "the first apology", s.reached(first.ID))

	var refused struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if code := s.postJSON("/api/v1/communications/"+first.ID+"/send", nil, &refused); code != 409 ||
		refused.Error.Code != "communication_already_sent" || refused.Error.Message == "" {
		t.Fatalf("resend: %d %+v, want 409 communication_already_sent", code, refused)
	}
	if got := s.communication(first.ID); got.Status != "sent" || got.Counts.HandedToESP != n {
		t.Errorf("after the refused resend: %+v", got)
	}

	second := s.draft(inc, apologyBody())
	if second.Audience.AlreadyReceived != n || second.Audience.WillReceive != 0 {
		t.Fatalf("second apology audience %+v, want all %d already received", second.Audience, n)
	}
	s.sendAndFinish(second.ID)
	if to := s.reached(second.ID); len(to) != 0 || s.communication(second.ID).Counts.HandedToESP != 0 {
		t.Errorf("the second apology reached %d addresses, want none", len(to))
	}

	corr := s.draft(inc, map[string]any{"kind": "correction", "subject": "Correction: please disregard our previous email",
		"html": "<p>We are sorry: please disregard our previous email, it was meant for another list.</p>",
		"text": "We are sorry: please disregard our previous email, it was meant for another list."})
	if corr.Audience.AlreadyReceived != 0 || corr.Audience.WillReceive != n {
		t.Fatalf("correction audience %+v, want all %d (another kind)", corr.Audience, n)
	}
	s.sendAndFinish(corr.ID)
	if to := s.reached(corr.ID); len(to) != n {
		t.Errorf("the correction reached %d, want %d", len(to), n)
	}
	onceEach(t, "the correction", s.reached(corr.ID))

	body := apologyBody()
	body["include_previous"] = true
	again := s.draft(inc, body)
	if again.Audience.AlreadyReceived != 0 || again.Audience.WillReceive != n {
		t.Fatalf("apology including previous recipients: audience %+v, want all %d", again.Audience, n)
	}
	s.sendAndFinish(again.ID)
	if to := s.reached(again.ID); len(to) != n {
		t.Errorf("the explicit second apology reached %d, want %d", len(to), n)
	}
	onceEach(t, "the explicit second apology", s.reached(again.ID))
	apologies := map[string]int{}
	for _, id := range []string{first.ID, second.ID, again.ID} {
		for addr, k := range s.reached(id) {
			apologies[addr] += k
		}
	}
	for addr, k := range apologies {
		if k != 2 {
			t.Errorf("%s got %d apologies, want 2 (the first and the one that included them)", addr, k)
		}
	}
	if len(apologies) != n {
		t.Errorf("%d addresses got apologies, want %d", len(apologies), n)
	}
}
