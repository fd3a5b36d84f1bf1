//go:build faults

package faults

import (
	"sort"
	"strings"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// settle waits until the case has come to rest: the campaign satisfies done,
// SendGrid has sent every message it accepted and holds no request, and the
// receiver has acknowledged every event SendGrid generated. With reconcile,
// it runs the reconciler about every second meanwhile (the scheduler's 15 s,
// sooner); without, the scheduler alone must do it.
//
// A case that never comes to rest fails here, with the campaign as it stands,
// and goes on to verify, which says exactly what differs.
func (s *stack) settle(id, what string, reconcile bool, done func(campaignView) bool) campaignView {
	s.t.Helper()
	var c campaignView
	var last time.Time
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if reconcile && time.Since(last) > time.Second {
			s.reconcileNow()
			last = time.Now()
		}
		c = s.campaign(id)
		st := s.sim.Stats()
		quiet := st.Messages[sgsim.StateScheduled] == 0 && st.PendingEvents == 0 && s.sim.HeldSends() == 0 &&
			len(s.sim.AckedEvents()) == len(s.sim.Events())
		if done(c) && quiet {
			return c
		}
		if time.Now().After(deadline) {
			s.t.Errorf("timed out after 2m waiting for %s: campaign %s, counts %+v; SendGrid quiet: %v",
				what, c.Status, c.Counts, quiet)
			return c
		}
	}
}

// sent is the usual end state: the campaign is sent and nothing is in doubt.
func sent(c campaignView) bool { return c.Status == "sent" && c.Counts.InDoubt == 0 }

// verify compares the simulator's record (the sink) with Postgres once the
// case has settled, fails the test on any difference, and returns the
// figures. inDoubt is how many recipients must still be in doubt (never at
// the sink: SendGrid did not take them).
//
// What must hold, exactly:
//   - nobody twice at the sink, by recipient id or by address, and no
//     suppressed address at all;
//   - the recipients Postgres says are handed are exactly those at the sink;
//     the rest of the audience is in doubt (inDoubt of them) — none pending,
//     claimed or failed — and the campaign's counters equal those row counts;
//   - every event SendGrid generated was acknowledged by Firebreak's webhook
//     and is stored exactly once, attributed; the campaign counts each
//     delivered recipient once.
func (s *stack) verify(name, id string, a audience, c campaignView, inDoubt int) figure {
	s.t.Helper()
	t := s.t
	byID, byAddr := map[string]int{}, map[string]int{}
	delivered := 0
	for _, m := range s.sim.Messages() {
		if m.CustomArgs["firebreak_campaign_id"] != id {
			t.Fatalf("a message at SendGrid is not the campaign's: %+v", m.CustomArgs)
		}
		byID[m.CustomArgs["firebreak_recipient_id"]]++
		byAddr[strings.ToLower(m.To)]++
		if m.State == sgsim.StateDelivered {
			delivered++
		}
	}
	f := figure{Case: name, Audience: a.size()}
	var twice []string
	for rid, n := range byID {
		if n > 1 {
			f.Duplicates += n - 1
			twice = append(twice, rid)
		}
	}
	for addr, n := range byAddr {
		if n > 1 && f.Duplicates == 0 {
			t.Errorf("%s handed to SendGrid %d times under different recipient ids", addr, n)
		}
	}
	if f.Duplicates > 0 {
		sort.Strings(twice)
		t.Errorf("%d duplicate messages at SendGrid, e.g. recipient %s", f.Duplicates, twice[0])
	}
	for _, addr := range a.suppressed {
		if byAddr[addr] > 0 {
			f.SuppressedMailed++
		}
	}
	if f.SuppressedMailed > 0 {
		t.Errorf("%d suppressed addresses reached SendGrid", f.SuppressedMailed)
	}

	rows, err := s.db.Query(`SELECT recipient_id::text, email, state FROM campaign_recipients WHERE campaign_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	members := 0
	var lost, unknown []string // handed but not at the sink; at the sink but not handed
	for rows.Next() {
		var rid, email, state string
		if err := rows.Scan(&rid, &email, &state); err != nil {
			t.Fatal(err)
		}
		members++
		states[state]++
		atSink := byID[rid] > 0
		switch {
		case state == "handed" && !atSink:
			lost = append(lost, email)
		case state != "handed" && atSink:
			unknown = append(unknown, email+" ("+state+")")
		}
	}
	rows.Close()
	if len(lost) > 0 {
		t.Errorf("%d recipients are handed in Postgres but SendGrid never got them, e.g. %v", len(lost), lost[:min(3, len(lost))])
	}
	if len(unknown) > 0 {
		t.Errorf("%d recipients are at SendGrid but not handed in Postgres, e.g. %v", len(unknown), unknown[:min(3, len(unknown))])
	}
	f.Handed, f.Held = states["handed"], members-states["handed"]
	if members != a.size() || len(byID) != f.Handed {
		t.Errorf("Postgres has %d audience members (want %d), %d handed; SendGrid has %d recipients", members, a.size(), f.Handed, len(byID))
	}
	if states["in_doubt"] != inDoubt || states["in_doubt"]+states["handed"] != members {
		t.Errorf("ledger states %v: want %d in doubt and everyone else handed", states, inDoubt)
	}
	if c.Counts.Audience != members || c.Counts.HandedToESP != states["handed"] || c.Counts.InDoubt != states["in_doubt"] ||
		c.Counts.Failed != states["failed"] {
		t.Errorf("campaign counters %+v disagree with the ledger rows %v", c.Counts, states)
	}

	generated, acked := s.sim.Events(), s.sim.AckedEvents()
	var stored, unattributed, deliveredRows int
	if err := s.db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE campaign_id IS NULL) FROM events`).Scan(&stored, &unattributed); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow(`SELECT count(*) FROM recipient_outcomes WHERE campaign_id = $1 AND delivery_state = 'delivered'`,
		id).Scan(&deliveredRows); err != nil {
		t.Fatal(err)
	}
	f.EventsAcked, f.EventsCounted = len(acked), stored
	f.EventsPosted = s.sim.Stats().Webhook.EventsPosted
	for status, n := range s.sim.WebhookAnswers() {
		if status < 200 || status >= 300 {
			f.PostsRefused += n
		}
	}
	if stored != len(generated) || len(acked) != len(generated) || unattributed != 0 {
		t.Errorf("SendGrid generated %d events, the webhook acknowledged %d, Postgres stored %d (%d unattributed)",
			len(generated), len(acked), stored, unattributed)
	}
	if c.Counts.Delivered != delivered || deliveredRows != delivered || delivered != f.Handed {
		t.Errorf("delivered: SendGrid %d, campaign counter %d, outcome rows %d, handed %d", delivered, c.Counts.Delivered,
			deliveredRows, f.Handed)
	}
	if err := s.db.QueryRow(`SELECT coalesce(sum((data->>'recipients')::int) FILTER (WHERE action = 'campaign.in_doubt_confirmed'), 0),
		coalesce(sum((data->>'recipients')::int) FILTER (WHERE action = 'campaign.send_in_doubt'), 0)
		FROM audit_log WHERE subject_type = 'campaign' AND subject_id = $1`, id).Scan(&f.InDoubtSettled, &f.SentAgain); err != nil {
		t.Fatal(err)
	}
	record(f)
	t.Logf("%s: %+v", name, f)
	return f
}

// uncertainDeadline returns the latest deadline of the campaign's uncertain
// requests (zero when there is none).
func (s *stack) uncertainDeadline(id string) time.Time {
	s.t.Helper()
	var d *time.Time
	if err := s.db.QueryRow(`SELECT max(deadline) FROM handoff_requests WHERE campaign_id = $1 AND state = 'uncertain'`,
		id).Scan(&d); err != nil {
		s.t.Fatal(err)
	}
	if d == nil {
		return time.Time{}
	}
	return *d
}

// requestStates counts the campaign's handoff requests by state.
func (s *stack) requestStates(id string) map[string]int {
	s.t.Helper()
	rows, err := s.db.Query(`SELECT state, count(*) FROM handoff_requests WHERE campaign_id = $1 GROUP BY state`, id)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		_ = rows.Scan(&st, &n)
		out[st] = n
	}
	return out
}
