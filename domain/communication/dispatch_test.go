package communication_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/runbook"
)

// ledgerRepo is fakeRepo with an in-memory snapshot and ledger: claims take
// the next pending recipients, Finish records the outcome.
type ledgerRepo struct {
	*fakeRepo
	pending  []communication.Recipient
	outcomes map[string]campaign.Outcome
	claims   int
}

func (r *ledgerRepo) StartSendCommunication(_ context.Context, id, _, batch string, _ time.Time, a audit.Entry) (communication.Communication, error) {
	c := r.comms[id]
	c.Status, c.BatchID = communication.Sending, batch
	r.comms[id] = c
	r.entries = append(r.entries, a)
	return c, nil
}

func (r *ledgerRepo) ClaimCommunication(_ context.Context, id string, _, sendAt, deadline time.Time, limit int) (communication.ClaimResult, error) {
	if len(r.pending) == 0 {
		return communication.ClaimResult{Status: communication.Sent}, nil
	}
	n := min(limit, len(r.pending))
	r.claims++
	cl := &communication.Claim{RequestID: fmt.Sprintf("req%d", r.claims), Communication: r.comms[id],
		Brand:      campaign.Brand{FromEmail: "news@acme.example", FromName: "Acme", ReplyTo: "help@acme.example"},
		CampaignID: "camp1", SendAt: sendAt, Deadline: deadline, Recipients: r.pending[:n]}
	r.pending = r.pending[n:]
	return communication.ClaimResult{Claim: cl, Status: communication.Sending}, nil
}

func (r *ledgerRepo) FinishCommunication(_ context.Context, req string, out campaign.Outcome, _, _ string) error {
	r.outcomes[req] = out
	return nil
}

type recordingMail struct{ msgs []esp.Message }

func (m *recordingMail) CreateBatch(context.Context) (string, error) { return "batch-1", nil }
func (m *recordingMail) Send(_ context.Context, msg esp.Message) (esp.SendResult, error) {
	m.msgs = append(m.msgs, msg)
	return esp.SendResult{MessageID: fmt.Sprintf("m%d", len(m.msgs))}, nil
}

type countingJobs struct{ n int }

func (j *countingJobs) HandOffCommunication(context.Context, string) error { j.n++; return nil }

// TestSendAndHandOff: a send opens a batch and queues the handoff; the
// handoff sends at most 1000 per request, with the communication's custom
// args, batch, send_at, the brand's sender, its own reply-to and the merge
// values resolved per recipient, and records every outcome.
func TestSendAndHandOff(t *testing.T) {
	repo := &ledgerRepo{fakeRepo: &fakeRepo{comms: map[string]communication.Communication{}, known: []string{"vip"}},
		outcomes: map[string]campaign.Outcome{}}
	for i := 0; i < 2500; i++ {
		repo.pending = append(repo.pending, communication.Recipient{ID: fmt.Sprintf("r%d", i),
			Values: campaign.Values{Email: fmt.Sprintf("r%d@x.io", i), FirstName: fmt.Sprintf("Ann%d", i)}})
	}
	repo.pending[7].Values.FirstName = ""
	mail, jobs := &recordingMail{}, &countingJobs{}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	s := communication.NewService(communication.Deps{Repo: repo, Incidents: testIncidents(), Runbooks: testRunbooks(),
		Mail: mail, Jobs: jobs, Send: communication.SendConfig{SendBuffer: 15 * time.Minute}, Now: func() time.Time { return now },
		UnsubscribeURL: func(camp, rid string) string { return "https://fb.example/u/" + camp + "/" + rid + "/sig" }})
	ctx := context.Background()
	v, err := s.Create(ctx, audit.Actor{UserID: "u1"}, runbook.WrongSegment, communication.NewDraft{Kind: communication.Apology,
		Content: communication.Content{Subject: "Sorry, {{first_name|friend}}", HTML: "<p>Dear {{first_name|friend}}</p>", Text: "Dear {{first_name|friend}}",
			ReplyTo: "sorry@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(ctx, audit.Actor{UserID: "u1"}, v.ID); err != nil || jobs.n != 1 {
		t.Fatalf("send: %v, %d handoffs queued", err, jobs.n)
	}
	if err := s.HandOff(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if len(mail.msgs) != 3 || len(repo.outcomes) != 3 {
		t.Fatalf("%d requests, %d outcomes; want 3 (1000, 1000, 500)", len(mail.msgs), len(repo.outcomes))
	}
	seen := map[string]bool{}
	for _, m := range mail.msgs {
		if len(m.Personalizations) > 1000 || m.BatchID != "batch-1" || !m.SendAt.Equal(now.Add(15*time.Minute)) ||
			m.From.Email != "news@acme.example" || m.ReplyTo.Email != "sorry@acme.example" {
			t.Fatalf("request: %d personalizations, batch %q, send_at %s, from %v, reply-to %v",
				len(m.Personalizations), m.BatchID, m.SendAt, m.From, m.ReplyTo)
		}
		for _, p := range m.Personalizations {
			if p.CustomArgs["firebreak_communication_id"] != v.ID || seen[p.CustomArgs["firebreak_recipient_id"]] {
				t.Fatalf("custom args %v (or the recipient twice)", p.CustomArgs)
			}
			seen[p.CustomArgs["firebreak_recipient_id"]] = true
		}
	}
	if len(seen) != 2500 {
		t.Errorf("%d recipients handed, want 2500", len(seen))
	}
	p7 := mail.msgs[0].Personalizations[7]
	if p7.Headers["List-Unsubscribe"] != "<https://fb.example/u/camp1/r7/sig>" || p7.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("recipient 7's RFC 8058 headers: %v", p7.Headers)
	}
	if !strings.Contains(mail.msgs[0].HTML, "<p>Dear ") || !strings.Contains(mail.msgs[0].HTML, communication.UnsubscribeHTMLKey) ||
		!strings.Contains(mail.msgs[0].Text, communication.UnsubscribeTextKey) {
		t.Errorf("the request's content is not the branded template with the unsubscribe link:\n%s", mail.msgs[0].HTML)
	}
	for k, val := range p7.Substitutions {
		if val == "" {
			t.Errorf("recipient 7 without a first name: %q has an empty value (want the fallback)", k)
		}
	}
	for req, out := range repo.outcomes {
		if out != campaign.Accepted {
			t.Errorf("%s: %s", req, out)
		}
	}
}

// TestSendRefusesWithoutApprovalsOrWhenForbidden: invariants 3 and 4 at the send.
func TestSendRefusesWithoutApprovalsOrWhenForbidden(t *testing.T) {
	repo := &ledgerRepo{fakeRepo: &fakeRepo{comms: map[string]communication.Communication{}}, outcomes: map[string]campaign.Outcome{}}
	mail, jobs := &recordingMail{}, &countingJobs{}
	s := communication.NewService(communication.Deps{Repo: repo, Incidents: testIncidents(), Runbooks: testRunbooks(), Mail: mail, Jobs: jobs})
	ctx := context.Background()
	notice, err := s.Create(ctx, audit.Actor{}, runbook.WrongSegment, communication.NewDraft{Kind: communication.BreachNotice, Content: body})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(ctx, audit.Actor{}, notice.ID); err != communication.ErrApprovalRequired {
		t.Errorf("breach notice without approvals: %v", err)
	}
	// an apology of an incident later reclassified to the stale list
	repo.comms["stale"] = communication.Communication{ID: "stale", IncidentID: runbook.StaleSuppressionList, Kind: communication.Apology, Status: communication.Draft}
	if _, err := s.Send(ctx, audit.Actor{}, "stale"); err == nil || err.Error() == "" || !isNotAllowed(err) {
		t.Errorf("apology on the stale list: %v", err)
	}
	if jobs.n != 0 || len(mail.msgs) != 0 {
		t.Errorf("a refused send queued %d handoffs", jobs.n)
	}
}
