package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
)

const (
	commCampaign = "00000000-0000-0000-0000-0000000000c1"
	commIncident = "00000000-0000-0000-0000-0000000000e1"
)

// commRecipient is recipient n's id.
func commRecipient(n int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", 100+n) }

// seedCommunicationAudience builds a paused campaign with an incident and a
// known mix of handoff states: recipients 1, 2, 5 and 6 possibly received it
// (6 is suppressed), 3 is held at SendGrid, 4 was never handed, 7 failed.
func seedCommunicationAudience(t *testing.T, st *postgres.Store) {
	t.Helper()
	ctx := context.Background()
	db := st.SQL()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	pausedAt := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	early, late := pausedAt.Add(5*time.Minute), pausedAt.Add(15*time.Minute)
	mustExec(`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-0000000000b1', 'B', 'b@x.io')`)
	mustExec(`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status, esp_state, esp_state_at) VALUES
		($1, 'C', '00000000-0000-0000-0000-0000000000b1', 900, 'paused', 'paused', $2)`, commCampaign, pausedAt)
	mustExec(`INSERT INTO incidents (id, campaign_id, runbook, severity, source, detected_at, steps)
		VALUES ($1, $2, 'wrong-segment', 'sev2', 'api', now(), '[]')`, commIncident, commCampaign)
	rows := []struct {
		segs, state string
		sendAt      *time.Time
		delivery    string
		opened      bool
	}{
		{"{vip}", "handed", &early, "delivered", true},  // 1
		{"{vip}", "handed", &early, "delivered", false}, // 2
		{"{vip}", "handed", &late, "", false},           // 3 held at SendGrid
		{"{vip}", "pending", nil, "", false},            // 4 never handed
		{"{news}", "in_doubt", nil, "", false},          // 5 possibly received
		{"{news}", "handed", &early, "", false},         // 6 suppressed
		{"{news}", "failed", nil, "", false},            // 7 never handed
	}
	for i, r := range rows {
		n := i + 1
		mustExec(`INSERT INTO recipients (id, email) VALUES ($1, $2)`, commRecipient(n), fmt.Sprintf("r%d@x.io", n))
		mustExec(`INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, send_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, commCampaign, commRecipient(n), fmt.Sprintf("r%d@x.io", n), r.segs, r.state, r.sendAt)
		if r.delivery != "" {
			var opened any
			if r.opened {
				opened = pausedAt
			}
			mustExec(`INSERT INTO recipient_outcomes (campaign_id, recipient_id, delivery_state, opened_at) VALUES ($1, $2, $3, $4)`,
				commCampaign, commRecipient(n), r.delivery, opened)
		}
	}
	mustExec(`INSERT INTO suppressions (email, kind, source) VALUES ('r6@x.io', 'unsubscribe', 'api')`)
}

func newComm(t *testing.T, st *postgres.Store, kind communication.Kind, scope communication.Scope, segs []string, incl bool) communication.Communication {
	t.Helper()
	c := communication.Communication{IncidentID: commIncident, Kind: kind, Status: communication.Draft,
		Content: communication.Content{Subject: "Sorry", Text: "We are sorry."}, Scope: scope, Segments: segs, IncludePrevious: incl}
	c.ContentHash = c.Hash()
	c, err := st.CreateCommunication(context.Background(), c, audit.Entry{Action: "communication.create", SubjectType: "incident", SubjectID: commIncident})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func audienceOf(t *testing.T, st *postgres.Store, c communication.Communication) communication.Audience {
	t.Helper()
	a, err := st.Audience(context.Background(), c, commCampaign)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCommunicationAudienceIsOnlyTheAffected: the live audience counts the
// possibly-received (not held, not never-handed), or only delivered or opened,
// narrowed to segments, with suppressed addresses counted apart (invariant 2).
func TestCommunicationAudienceIsOnlyTheAffected(t *testing.T) {
	st := open(t)
	seedCommunicationAudience(t, st)
	for _, tc := range []struct {
		name  string
		scope communication.Scope
		segs  []string
		want  communication.Audience
	}{
		{"possibly_received", communication.PossiblyReceived, nil, communication.Audience{Affected: 4, Suppressed: 1, WillReceive: 3}},
		{"delivered", communication.Delivered, nil, communication.Audience{Affected: 2, WillReceive: 2}},
		{"opened", communication.Opened, nil, communication.Audience{Affected: 1, WillReceive: 1}},
		{"segment news", communication.PossiblyReceived, []string{"news"}, communication.Audience{Affected: 2, Suppressed: 1, WillReceive: 1}},
		{"segment vip", communication.PossiblyReceived, []string{"vip"}, communication.Audience{Affected: 2, WillReceive: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newComm(t, st, communication.Apology, tc.scope, tc.segs, false)
			if got := audienceOf(t, st, c); got != tc.want {
				t.Errorf("audience = %+v, want %+v", got, tc.want)
			}
		})
	}
	missing, err := st.UnknownSegments(context.Background(), commCampaign, []string{"news", "nobody", "vip"})
	if err != nil || len(missing) != 1 || missing[0] != "nobody" {
		t.Errorf("UnknownSegments = %v, %v; want [nobody]", missing, err)
	}
}

// snapshot returns the recipients a communication's send took, by number.
func snapshot(t *testing.T, st *postgres.Store, commID string) map[string]bool {
	t.Helper()
	rows, err := st.SQL().QueryContext(context.Background(),
		`SELECT recipient_id FROM communication_recipients WHERE communication_id = $1`, commID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id] = true
	}
	return out
}

// TestCommunicationNeverTwice: a send snapshots only will_receive; a resend
// is refused; once handed, the first communication's recipients count as
// already received for it and for a second communication of the same kind
// (not for another kind), unless the author includes them; and a suppression
// added later shows at once.
func TestCommunicationNeverTwice(t *testing.T) {
	st := open(t)
	seedCommunicationAudience(t, st)
	ctx := context.Background()
	first := newComm(t, st, communication.Apology, communication.PossiblyReceived, nil, false)
	sent, err := st.StartSendCommunication(ctx, first.ID, commCampaign, "batch-1", time.Now(), audit.Entry{Action: "communication.send", SubjectType: "incident", SubjectID: commIncident})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Status != communication.Sending || sent.Counts.Audience != 3 || sent.BatchID != "batch-1" {
		t.Fatalf("after send: status %s audience %d batch %q; want sending, 3, batch-1", sent.Status, sent.Counts.Audience, sent.BatchID)
	}
	got := snapshot(t, st, first.ID)
	for _, n := range []int{1, 2, 5} {
		if !got[commRecipient(n)] {
			t.Errorf("recipient %d missing from the snapshot", n)
		}
	}
	if len(got) != 3 {
		t.Errorf("snapshot has %d recipients, want 3 (1, 2, 5): %v", len(got), got)
	}
	if _, err := st.StartSendCommunication(ctx, first.ID, commCampaign, "batch-2", time.Now(), audit.Entry{Action: "communication.send", SubjectType: "incident", SubjectID: commIncident}); !errors.Is(err, communication.ErrAlreadySending) {
		t.Errorf("second send: %v, want ErrAlreadySending", err)
	}
	if _, err := st.SQL().ExecContext(ctx, `UPDATE communication_recipients SET state = 'handed' WHERE communication_id = $1`, first.ID); err != nil {
		t.Fatal(err)
	}
	if a := audienceOf(t, st, sent); a != (communication.Audience{Affected: 4, Suppressed: 1, AlreadyReceived: 3}) {
		t.Errorf("first after handoff: %+v, want 3 already received, none to receive", a)
	}
	second := newComm(t, st, communication.Apology, communication.PossiblyReceived, nil, false)
	if a := audienceOf(t, st, second); a != (communication.Audience{Affected: 4, Suppressed: 1, AlreadyReceived: 3}) {
		t.Errorf("second apology: %+v, want the first's 3 already received", a)
	}
	s2, err := st.StartSendCommunication(ctx, second.ID, commCampaign, "batch-3", time.Now(), audit.Entry{Action: "communication.send", SubjectType: "incident", SubjectID: commIncident})
	if err != nil || s2.Counts.Audience != 0 || len(snapshot(t, st, second.ID)) != 0 {
		t.Errorf("second apology sent to %d (%v), want nobody", s2.Counts.Audience, err)
	}
	again := newComm(t, st, communication.Apology, communication.PossiblyReceived, nil, true)
	if a := audienceOf(t, st, again); a != (communication.Audience{Affected: 4, Suppressed: 1, WillReceive: 3}) {
		t.Errorf("apology including previous: %+v, want 3 to receive", a)
	}
	corr := newComm(t, st, communication.Correction, communication.PossiblyReceived, nil, false)
	if a := audienceOf(t, st, corr); a != (communication.Audience{Affected: 4, Suppressed: 1, WillReceive: 3}) {
		t.Errorf("correction: %+v, want 3 to receive (another kind)", a)
	}
	if _, err := st.SQL().ExecContext(ctx, `INSERT INTO suppressions (email, kind, source) VALUES ('r2@x.io', 'spamreport', 'webhook')`); err != nil {
		t.Fatal(err)
	}
	if a := audienceOf(t, st, corr); a != (communication.Audience{Affected: 4, Suppressed: 2, WillReceive: 2}) {
		t.Errorf("correction after r2 complained: %+v, want 2 suppressed, 2 to receive", a)
	}
}

// TestCommunicationConcurrentSendsOfOneKind: two apologies of one incident
// sent at once share nobody — the per-(incident, kind, recipient) key decides,
// not a Go check — and two sends of one communication make one send.
func TestCommunicationConcurrentSendsOfOneKind(t *testing.T) {
	st := open(t)
	seedCommunicationAudience(t, st)
	ctx := context.Background()
	a := newComm(t, st, communication.Apology, communication.PossiblyReceived, nil, false)
	b := newComm(t, st, communication.Apology, communication.PossiblyReceived, nil, false)
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	for _, id := range []string{a.ID, b.ID, a.ID, b.ID} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.StartSendCommunication(ctx, id, commCampaign, "batch", time.Now(), audit.Entry{Action: "communication.send", SubjectType: "incident", SubjectID: commIncident})
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	ok, already := 0, 0
	for err := range errc {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, communication.ErrAlreadySending):
			already++
		default:
			t.Errorf("send: %v", err)
		}
	}
	if ok != 2 || already != 2 {
		t.Errorf("%d sends started and %d refused, want 2 and 2", ok, already)
	}
	var rows, distinct int
	if err := st.SQL().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT recipient_id) FROM communication_recipients
		WHERE incident_id = $1 AND kind = 'apology'`, commIncident).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 3 || distinct != 3 {
		t.Errorf("apology rows %d for %d recipients, want 3 for 3 (nobody twice, nobody missed)", rows, distinct)
	}
}

// TestCommunicationClaimSkipsSuppressedBetweenBatches: a recipient suppressed
// after the snapshot, between two batches, is skipped at its batch's claim —
// marked skipped_suppressed and counted, never in a request — and the
// communication is sent once nothing is pending (invariant 2, as of handoff).
func TestCommunicationClaimSkipsSuppressedBetweenBatches(t *testing.T) {
	st := open(t)
	seedCommunicationAudience(t, st)
	ctx := context.Background()
	c := newComm(t, st, communication.Apology, communication.PossiblyReceived, nil, false)
	if _, err := st.StartSendCommunication(ctx, c.ID, commCampaign, "batch", time.Now(), audit.Entry{Action: "communication.send", SubjectType: "incident", SubjectID: commIncident}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claim := func() communication.ClaimResult {
		t.Helper()
		res, err := st.ClaimCommunication(ctx, c.ID, now, now.Add(time.Minute), now.Add(time.Minute), 1)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	handed := map[string]bool{}
	first := claim()
	if first.Claim == nil || len(first.Claim.Recipients) != 1 || first.Claim.Brand.FromEmail != "b@x.io" {
		t.Fatalf("first claim: %+v", first.Claim)
	}
	handed[first.Claim.Recipients[0].ID] = true
	if err := st.FinishCommunication(ctx, first.Claim.RequestID, campaign.Accepted, "m1", ""); err != nil {
		t.Fatal(err)
	}
	// recipient 2 complains about something else between the batches
	if _, err := st.SQL().ExecContext(ctx, `INSERT INTO suppressions (email, kind, source) VALUES ('r2@x.io', 'spamreport', 'webhook')`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		res := claim()
		if res.Claim == nil {
			break
		}
		for _, r := range res.Claim.Recipients {
			if handed[r.ID] {
				t.Errorf("recipient %s claimed twice", r.ID)
			}
			handed[r.ID] = true
			if err := st.FinishCommunication(ctx, res.Claim.RequestID, campaign.Accepted, "m", ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if handed[commRecipient(2)] || !handed[commRecipient(1)] || !handed[commRecipient(5)] || len(handed) != 2 {
		t.Errorf("handed %v, want recipients 1 and 5, never 2 (suppressed between batches)", handed)
	}
	got, err := st.GetCommunication(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != communication.Sent || got.Counts.HandedToESP != 2 || got.Counts.SkippedSuppressed != 1 {
		t.Errorf("after handoff: status %s, handed %d, skipped %d; want sent, 2, 1", got.Status, got.Counts.HandedToESP, got.Counts.SkippedSuppressed)
	}
	var state string
	if err := st.SQL().QueryRowContext(ctx, `SELECT state FROM communication_recipients WHERE communication_id = $1 AND recipient_id = $2`,
		c.ID, commRecipient(2)).Scan(&state); err != nil || state != "skipped_suppressed" {
		t.Errorf("recipient 2 state %q (%v), want skipped_suppressed", state, err)
	}
}

// TestCommunicationAbandonedRequestIsInDoubtNeverResent: a request whose
// worker died (past its deadline, still sending) leaves its recipients in
// doubt; later claims never take them again, and the communication finishes.
func TestCommunicationAbandonedRequestIsInDoubtNeverResent(t *testing.T) {
	st := open(t)
	seedCommunicationAudience(t, st)
	ctx := context.Background()
	c := newComm(t, st, communication.Apology, communication.PossiblyReceived, nil, false)
	if _, err := st.StartSendCommunication(ctx, c.ID, commCampaign, "batch", time.Now(), audit.Entry{Action: "communication.send", SubjectType: "incident", SubjectID: commIncident}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	res, err := st.ClaimCommunication(ctx, c.ID, now, now, now.Add(time.Second), 1)
	if err != nil || res.Claim == nil || len(res.Claim.Recipients) != 1 {
		t.Fatalf("claim: %+v %v", res, err)
	}
	lost := res.Claim.Recipients[0].ID
	if n, err := st.AbandonExpiredCommunications(ctx, now.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("abandoned %d (%v), want 1", n, err)
	}
	if ids, err := st.SendingCommunications(ctx); err != nil || len(ids) != 1 || ids[0] != c.ID {
		t.Errorf("sending = %v (%v)", ids, err)
	}
	for i := 0; i < 5; i++ {
		res, err := st.ClaimCommunication(ctx, c.ID, now, now, now.Add(time.Minute), 1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Claim == nil {
			break
		}
		for _, r := range res.Claim.Recipients {
			if r.ID == lost {
				t.Fatalf("the in-doubt recipient %s was claimed again", lost)
			}
		}
		if err := st.FinishCommunication(ctx, res.Claim.RequestID, campaign.Accepted, "m", ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.GetCommunication(ctx, c.ID)
	if err != nil || got.Status != communication.Sent || got.Counts.HandedToESP != 2 {
		t.Errorf("after: %s handed %d (%v), want sent with 2 handed", got.Status, got.Counts.HandedToESP, err)
	}
}
