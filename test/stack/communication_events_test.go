package stack_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
	"github.com/firebreak/firebreak/worker/tasks"
)

type commEventsAnswer struct {
	Status   string `json:"status"`
	BatchID  string `json:"batch_id"`
	ESPState string `json:"esp_state"`
	Counts   struct {
		HandedToESP  int `json:"handed_to_esp"`
		Delivered    int `json:"delivered"`
		Opened       int `json:"opened"`
		Bounced      int `json:"bounced"`
		Complained   int `json:"complained"`
		Unsubscribed int `json:"unsubscribed"`
	} `json:"counts"`
}

func (s *stack) commEvents(id string) commEventsAnswer {
	s.t.Helper()
	var c commEventsAnswer
	if code := s.do("GET", "/api/v1/communications/"+id, "", nil, &c); code != 200 {
		s.t.Fatalf("get communication %s: %d", id, code)
	}
	return c
}

// TestCommunicationComplaintSpikeHaltsTheApology: an apology to 8500 of a
// campaign's recipients goes out in requests of 1000 through the simulator,
// from one dispatcher per slot (P = tasks.HandoffParallelism: 4), whose
// signed Event Webhook reports them delivered (counted on the apology,
// through GET /communications/{cid}). While its second round of P requests is
// held inside SendGrid, 20 of the first 4000 report it as spam (0.5 % ≥ the
// deliverability-spike rule's 0.3 %): the apology is halted at our
// dispatcher (paused; the last 500 are never claimed) and at SendGrid
// (the batch's status is pause), the incident's timeline says why
// (communication.halted, by the webhook, with the metric and threshold), and
// none of it counts on the campaign. A person's resume then sends the rest.
func TestCommunicationComplaintSpikeHaltsTheApology(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	const p, audience = tasks.HandoffParallelism, 8500 // two rounds of p requests of 1000, and 500 more
	// The second round waits inside SendGrid until the halt is seen: on a
	// loaded machine that can outlast the default 15 s send timeout, which
	// would abandon a held request as uncertain (and it would not count as
	// handed). A minute keeps the test about the halt.
	s := startStack(t, stackOpts{buffer: "0s", webhook: true, sendTimeout: "60s", sim: sgsim.Config{PrivateKey: key, Seed: 5}})
	h := &hook{t: t, s: s, key: key}
	s.importCSV(recipientsCSV(audience, "spring", true))
	campaignID := s.campaign(map[string]any{"name": "Spring", "brand_id": s.brand("help@acme.example"), "subject": "Spring sale",
		"html": "<p>Sale</p>", "text": "Sale", "segments": []string{"spring"}})
	if code := s.postJSON("/api/v1/campaigns/"+campaignID+"/send", nil, nil); code != 202 {
		t.Fatalf("send campaign: %d", code)
	}
	s.waitFor("campaign delivered", 60*time.Second, func() bool { return s.get(campaignID).Counts.Delivered == audience })
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

	// The first round of requests is held, then let through while the second is held.
	first := s.sim.HoldSends()
	t.Cleanup(first)
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/send", nil, nil); code != 202 {
		t.Fatalf("send: %d", code)
	}
	s.waitFor("the first round of requests held inside SendGrid", 30*time.Second, func() bool { return s.sim.HeldSends() == p })
	second := s.sim.HoldSends() // the held requests keep waiting on first's gate
	t.Cleanup(second)
	first()
	s.waitFor("the first round delivered and counted on the apology, the second held", 30*time.Second, func() bool {
		return s.commEvents(c.ID).Counts.Delivered == 1000*p && s.sim.HeldSends() == p
	})

	var spam []map[string]any
	for _, m := range s.sim.Messages()[campaignMails:] {
		if m.CustomArgs["firebreak_communication_id"] != c.ID {
			t.Fatalf("an apology mail without its custom args: %v", m.CustomArgs)
		}
		if len(spam) < 5*p {
			spam = append(spam, ev(m, "spamreport", time.Now().Unix(), nil))
		}
	}
	if code, _ := h.post(spam); code != 200 {
		t.Fatalf("post spam reports: %d", code)
	}
	s.waitFor("the apology halted at our dispatcher", 30*time.Second, func() bool { return s.commEvents(c.ID).Status == "paused" })
	second() // the requests claimed before the halt finish; nothing after them is claimed
	s.waitFor("the apology's batch paused at SendGrid", 30*time.Second, func() bool {
		got := s.commEvents(c.ID)
		return got.ESPState == "paused" && s.sim.BatchStatus(got.BatchID) == "pause"
	})

	got := s.commEvents(c.ID)
	if got.Status != "paused" || got.Counts.HandedToESP != 2000*p || got.Counts.Complained != 5*p {
		t.Fatalf("after the halt: %+v, want paused with %d handed and %d complaints", got, 2000*p, 5*p)
	}
	if n := len(s.sim.Messages()) - campaignMails; n != 2000*p {
		t.Errorf("%d apology mails at SendGrid, want %d (the last 500 never sent)", n, 2000*p)
	}
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pending int
	if err := db.QueryRow(`SELECT count(*) FROM communication_recipients WHERE communication_id = $1 AND state = 'pending'`,
		c.ID).Scan(&pending); err != nil || pending != audience-2000*p {
		t.Errorf("pending after the halt: %d (%v), want %d", pending, err, audience-2000*p)
	}
	var halts []map[string]any
	for _, e := range s.timeline(inc.ID) {
		if e.Action == "communication.halted" {
			halts = append(halts, e.Data)
			if e.Actor != "webhook" {
				t.Errorf("halted by %q, want webhook", e.Actor)
			}
		}
	}
	if len(halts) != 1 || halts[0]["metric"] != "complaint_rate" || halts[0]["threshold"] != 0.003 ||
		halts[0]["value"] != 0.005 || halts[0]["communication_id"] != c.ID {
		t.Fatalf("timeline halts %v, want one for complaint_rate 0.005 ≥ 0.003", halts)
	}
	camp := s.get(campaignID).Counts
	if camp.Complained != 0 || camp.Delivered != audience {
		t.Errorf("campaign counts %+v: the apology's events must not count on it", camp)
	}

	// A person resumes it: the rest goes out, and the halt is not repeated.
	var r commEventsAnswer
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/resume", nil, &r); code != 200 || r.ESPState != "resumed" {
		t.Fatalf("resume: %d %+v", code, r)
	}
	s.waitFor("the rest delivered", 60*time.Second, func() bool {
		got := s.commEvents(c.ID)
		return got.Status == "sent" && got.Counts.Delivered == audience
	})
	if got := s.commEvents(c.ID); got.Status != "sent" || got.Counts.HandedToESP != audience {
		t.Errorf("after the resume: %+v", got)
	}
}
