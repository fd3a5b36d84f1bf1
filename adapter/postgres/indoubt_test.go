package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
)

// inDoubtFixture is a sending campaign of n recipients whose handoff went
// through the real ledger: each call of uncertain claims k recipients into a
// request with the given deadline and finishes it as uncertain.
type inDoubtFixture struct {
	t   *testing.T
	st  *postgres.Store
	cid string
}

func newInDoubtFixture(t *testing.T, n int) *inDoubtFixture {
	t.Helper()
	st := open(t)
	ctx := context.Background()
	const cid = "00000000-0000-0000-0000-0000000000d1"
	db := st.SQL()
	for _, q := range []string{
		`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-0000000000b1', 'B', 'b@x.io')`,
		fmt.Sprintf(`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status, batch_id, audience)
			VALUES ('%s', 'C', '00000000-0000-0000-0000-0000000000b1', 0, 'sending', 'batch', %d)`, cid, n),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if _, err := db.ExecContext(ctx, `INSERT INTO recipients (id, email) VALUES ($1, $2)`, rid(i), remail(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO campaign_recipients (campaign_id, recipient_id, email)
			VALUES ($1, $2, $3)`, cid, rid(i), remail(i)); err != nil {
			t.Fatal(err)
		}
	}
	return &inDoubtFixture{t: t, st: st, cid: cid}
}

func rid(i int) string    { return fmt.Sprintf("00000000-0000-0000-0000-%012d", 9000+i) }
func remail(i int) string { return fmt.Sprintf("d%d@x.io", i) }

// request claims k recipients (in recipient id order) with a deadline and
// finishes the request with out; it returns the claimed recipient indexes.
func (f *inDoubtFixture) request(k int, deadline time.Time, out campaign.Outcome) []string {
	f.t.Helper()
	ctx := context.Background()
	res, err := f.st.Claim(ctx, f.cid, time.Now(), deadline, k)
	if err != nil || res.Claim == nil {
		f.t.Fatalf("claim: %+v %v", res, err)
	}
	if err := f.st.Finish(ctx, res.Claim.RequestID, out, "", "HTTP 500"); err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, r := range res.Claim.Recipients {
		ids = append(ids, r.ID)
	}
	return ids
}

// processed stores a "processed" event carrying the custom args of each recipient.
func (f *inDoubtFixture) processed(ids ...string) {
	f.t.Helper()
	var evs []event.Event
	for _, id := range ids {
		e := event.Event{SGEventID: "ev-" + id, SGMessageID: "m1.filter-" + id, MessagePrefix: "m1", Email: "x@x.io",
			Event: "processed", Timestamp: time.Now().UTC().Truncate(time.Second), CampaignID: f.cid, RecipientID: id}
		e.Raw, _ = json.Marshal(map[string]any{"event": "processed", "sg_event_id": e.SGEventID,
			"firebreak_campaign_id": f.cid, "firebreak_recipient_id": id})
		evs = append(evs, e)
	}
	if _, err := event.NewService(f.st, nil, nil).Ingest(context.Background(), evs); err != nil {
		f.t.Fatal(err)
	}
}

// states returns the recipients' ledger states and the campaign's counters.
func (f *inDoubtFixture) states() (map[string]string, campaign.Campaign) {
	f.t.Helper()
	rows, err := f.st.SQL().Query(`SELECT recipient_id, state FROM campaign_recipients WHERE campaign_id = $1`, f.cid)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, st string
		_ = rows.Scan(&id, &st)
		out[id] = st
	}
	c, err := f.st.GetCampaign(context.Background(), f.cid)
	if err != nil {
		f.t.Fatal(err)
	}
	return out, c
}

func (f *inDoubtFixture) requestState(anyRecipientID string) string {
	f.t.Helper()
	var s string
	if err := f.st.SQL().QueryRow(`SELECT h.state FROM handoff_requests h JOIN campaign_recipients cr ON cr.request_id = h.id
		WHERE cr.recipient_id = $1`, anyRecipientID).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *inDoubtFixture) audits(action string) []audit.Entry {
	f.t.Helper()
	all, err := f.st.ListAudit(context.Background(), "campaign", f.cid)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []audit.Entry
	for _, e := range all {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// TestConfirmInDoubtMovesWhatEventsProveAndNothingElse: two uncertain
// requests; events come for both recipients of the first and for one of the
// second. Exactly those three become handed, the counters move with them, the
// first request is settled as accepted, and a second run changes nothing.
func TestConfirmInDoubtMovesWhatEventsProveAndNothingElse(t *testing.T) {
	f := newInDoubtFixture(t, 6)
	past := time.Now().Add(-time.Hour)
	a := f.request(2, past, campaign.Uncertain)
	b := f.request(2, past, campaign.Uncertain)
	handed := f.request(2, time.Now().Add(time.Minute), campaign.Accepted)
	f.processed(a[0], a[1], b[0], handed[0])

	ctx := context.Background()
	n, err := f.st.ConfirmInDoubt(ctx)
	if err != nil || n != 3 {
		t.Fatalf("ConfirmInDoubt = %d, %v; want 3 recipients", n, err)
	}
	states, c := f.states()
	for id, want := range map[string]string{a[0]: "handed", a[1]: "handed", b[0]: "handed", b[1]: "in_doubt",
		handed[0]: "handed", handed[1]: "handed"} {
		if states[id] != want {
			t.Errorf("recipient %s is %s, want %s", id, states[id], want)
		}
	}
	if c.HandedToESP != 5 || c.InDoubt != 1 || c.UncertainRequests != 1 || c.Status != campaign.Sent {
		t.Fatalf("campaign handed %d in_doubt %d uncertain_requests %d status %s; want 5, 1, 1, sent",
			c.HandedToESP, c.InDoubt, c.UncertainRequests, c.Status)
	}
	if s := f.requestState(a[0]); s != "accepted" {
		t.Errorf("the fully confirmed request is %s, want accepted", s)
	}
	if s := f.requestState(b[1]); s != "uncertain" {
		t.Errorf("the half-confirmed request is %s, want uncertain", s)
	}
	if es := f.audits("campaign.in_doubt_confirmed"); len(es) != 1 || es[0].Data["recipients"] != float64(3) {
		t.Fatalf("audit %+v", es)
	}
	if n, err := f.st.ConfirmInDoubt(ctx); err != nil || n != 0 {
		t.Fatalf("second run moved %d (%v), want 0", n, err)
	}
	if _, c2 := f.states(); c2.HandedToESP != 5 || c2.InDoubt != 1 {
		t.Fatalf("second run changed the counters: %+v", c2)
	}
}

// TestReleaseInDoubtSendsOnlyWhatWaitedAndNoEventProved: of three uncertain
// requests, one is past the wait with no event (released: pending, off the
// request, counted, audited; the sent campaign is sending again), one is
// inside the wait and one was half-proven by an event (both stay in doubt).
func TestReleaseInDoubtSendsOnlyWhatWaitedAndNoEventProved(t *testing.T) {
	f := newInDoubtFixture(t, 6)
	ctx := context.Background()
	now := time.Now()
	lost := f.request(2, now.Add(-time.Hour), campaign.Uncertain)
	half := f.request(2, now.Add(-time.Hour), campaign.Uncertain)
	fresh := f.request(2, now.Add(time.Minute), campaign.Uncertain)
	f.processed(half[0])
	if _, err := f.st.ConfirmInDoubt(ctx); err != nil {
		t.Fatal(err)
	}
	if _, c := f.states(); c.Status != campaign.Sent || c.InDoubt != 5 {
		t.Fatalf("setup: %s with %d in doubt", c.Status, c.InDoubt)
	}
	wrong := errors.New("wrong status")
	entry := audit.Entry{Actor: audit.Actor{Name: "m@x.io"}, Action: "campaign.send_in_doubt", SubjectType: "campaign", SubjectID: f.cid}
	res, err := f.st.ReleaseInDoubt(ctx, f.cid, []campaign.Status{campaign.Sending, campaign.Sent}, now.Add(-30*time.Minute), wrong, entry)
	if err != nil {
		t.Fatal(err)
	}
	if res.Released != 2 || res.Requests != 1 || res.Waiting != 2 || res.Accepted != 1 || res.WaitingDeadline == nil {
		t.Fatalf("release %+v; want 2 released from 1 request, 2 waiting, 1 in an accepted request", res)
	}
	states, c := f.states()
	for id, want := range map[string]string{lost[0]: "pending", lost[1]: "pending", half[0]: "handed",
		half[1]: "in_doubt", fresh[0]: "in_doubt", fresh[1]: "in_doubt"} {
		if states[id] != want {
			t.Errorf("recipient %s is %s, want %s", id, states[id], want)
		}
	}
	if c.Status != campaign.Sending || c.InDoubt != 3 || c.HandedToESP != 1 || c.Remaining() != 2 {
		t.Fatalf("campaign %s in_doubt %d handed %d remaining %d; want sending, 3, 1, 2", c.Status, c.InDoubt, c.HandedToESP, c.Remaining())
	}
	if es := f.audits("campaign.send_in_doubt"); len(es) != 1 || es[0].Data["recipients"] != float64(2) || es[0].Actor.Name != "m@x.io" {
		t.Fatalf("audit %+v", es)
	}
	// The released recipients are claimable again, and a late word on their
	// old request no longer touches them.
	again, err := f.st.Claim(ctx, f.cid, now, now.Add(time.Minute), 10)
	if err != nil || again.Claim == nil || len(again.Claim.Recipients) != 2 {
		t.Fatalf("claim after release: %+v %v", again, err)
	}
	res, err = f.st.ReleaseInDoubt(ctx, f.cid, []campaign.Status{campaign.Sending, campaign.Sent}, now.Add(-30*time.Minute), wrong, entry)
	if err != nil || res.Released != 0 {
		t.Fatalf("second release: %+v %v", res, err)
	}
	if es := f.audits("campaign.send_in_doubt"); len(es) != 1 {
		t.Fatalf("a release of nothing was audited: %d entries", len(es))
	}
	if _, err := f.st.SQL().Exec(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, f.cid); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.ReleaseInDoubt(ctx, f.cid, []campaign.Status{campaign.Sending, campaign.Sent}, now, wrong, entry); !errors.Is(err, wrong) {
		t.Fatalf("release while paused: %v, want the wrong-status error", err)
	}
	if _, c := f.states(); c.InDoubt != 3 {
		t.Fatalf("a refused release changed in_doubt to %d", c.InDoubt)
	}
}
