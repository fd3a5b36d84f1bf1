package postgres_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
)

const (
	evCampaign = "00000000-0000-0000-0000-0000000000c9"
	evIncident = "00000000-0000-0000-0000-0000000000e9"
)

func evRecipient(i int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", 9000+i) }
func evEmail(i int) string     { return fmt.Sprintf("p%d@x.io", i) }

// seedCommunicationEvents makes a sent campaign to n recipients, its incident,
// and an apology to the same n that is sending, every recipient handed to
// SendGrid; it returns the apology's id.
func seedCommunicationEvents(t *testing.T, db *sql.DB, n int) string {
	t.Helper()
	ctx := context.Background()
	must := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-0000000000b9', 'B', 'b@x.io')`)
	must(`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status, handed_to_esp) VALUES
		($1, 'C', '00000000-0000-0000-0000-0000000000b9', 900, 'sent', $2)`, evCampaign, n)
	must(`INSERT INTO incidents (id, campaign_id, runbook, severity, source, detected_at, steps)
		VALUES ($1, $2, 'wrong-segment', 'sev2', 'api', now(), '[]')`, evIncident, evCampaign)
	var id string
	if err := db.QueryRowContext(ctx, `INSERT INTO communications (incident_id, kind, status, subject, text, content_hash,
		batch_id, audience, handed_to_esp) VALUES ($1, 'apology', 'sending', 'Sorry', 'We are sorry.', 'h', 'batch-ev', $2, $2)
		RETURNING id`, evIncident, n).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		must(`INSERT INTO recipients (id, email) VALUES ($1, $2)`, evRecipient(i), evEmail(i))
		must(`INSERT INTO campaign_recipients (campaign_id, recipient_id, email, state, handed_at, message_id)
			VALUES ($1, $2, $3, 'handed', now(), $4)`, evCampaign, evRecipient(i), evEmail(i), fmt.Sprintf("camp%d", i))
		must(`INSERT INTO communication_recipients (communication_id, recipient_id, incident_id, kind, first_of_kind, email,
			state, handed_at) VALUES ($1, $2, $3, 'apology', true, $4, 'handed', now())`, id, evRecipient(i), evIncident, evEmail(i))
	}
	return id
}

// evBuilder makes webhook events as the decoder gives them: a campaign
// mail's carry firebreak_campaign_id, a communication's
// firebreak_communication_id, each with firebreak_recipient_id.
type evBuilder struct {
	t0  time.Time
	evs []event.Event
}

func (b *evBuilder) add(i int, campaignID, commID, kind string, at time.Duration, set func(*event.Event)) {
	prefix := fmt.Sprintf("camp%d", i)
	if commID != "" {
		prefix = fmt.Sprintf("comm%d", i)
	}
	e := event.Event{SGEventID: fmt.Sprintf("%s-%s-%d", prefix, kind, at), SGMessageID: prefix + ".filter0001",
		MessagePrefix: prefix, Email: evEmail(i), Event: kind, Timestamp: b.t0.Add(at),
		CampaignID: campaignID, CommunicationID: commID, RecipientID: evRecipient(i)}
	if set != nil {
		set(&e)
	}
	e.Raw, _ = json.Marshal(map[string]any{"event": kind, "email": e.Email, "sg_event_id": e.SGEventID})
	b.evs = append(b.evs, e)
}

func hardBounce(e *event.Event) {
	e.Type, e.Status, e.Classification = "bounce", "5.1.1", "Invalid Address"
}

// commCounters reads a communication's counters as the API shows them, and
// the clicks and hard bounces beside.
func commCounters(t *testing.T, st *postgres.Store, id string) map[string]int {
	t.Helper()
	c, err := st.GetCommunication(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var clicked int
	if err := st.SQL().QueryRow(`SELECT clicked FROM communications WHERE id = $1`, id).Scan(&clicked); err != nil {
		t.Fatal(err)
	}
	return map[string]int{"delivered": c.Counts.Delivered, "opened": c.Counts.Opened, "bounced": c.Counts.Bounced,
		"complained": c.Counts.Complained, "unsubscribed": c.Counts.Unsubscribed, "hard_bounced": c.Counts.HardBounced,
		"clicked": clicked, "handed_to_esp": c.Counts.HandedToESP}
}

func campaignCounters(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	var d, b, o, c, u, h int
	if err := db.QueryRow(`SELECT delivered, bounced, opened, complained, unsubscribed, hard_bounced FROM campaigns WHERE id = $1`,
		evCampaign).Scan(&d, &b, &o, &c, &u, &h); err != nil {
		t.Fatal(err)
	}
	return map[string]int{"delivered": d, "bounced": b, "opened": o, "complained": c, "unsubscribed": u, "hard_bounced": h}
}

// TestCommunicationEventsCountOnTheCommunicationNotTheCampaign: an apology's
// events (custom args firebreak_communication_id + firebreak_recipient_id)
// are counted on the apology — delivered, opened, bounced, complained,
// unsubscribed, by the campaigns' precedence — and never on the campaign it
// is about, in batches that mix both kinds of mail, every event posted twice,
// shuffled, stored by 6 goroutines at once; a third pass changes no count;
// their spam reports and unsubscribes still become suppressions.
func TestCommunicationEventsCountOnTheCommunicationNotTheCampaign(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	const n = 120
	comm := seedCommunicationEvents(t, db, n)

	b := &evBuilder{t0: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	wantCamp := map[string]int{}
	wantComm := map[string]int{"handed_to_esp": n}
	var complainers []string
	for i := range n {
		// The campaign: delivered to everyone, opened by every tenth.
		b.add(i, evCampaign, "", "processed", 0, nil)
		b.add(i, evCampaign, "", "delivered", time.Minute, nil)
		wantCamp["delivered"]++
		if i%10 == 0 {
			b.add(i, evCampaign, "", "open", 2*time.Minute, nil)
			wantCamp["opened"]++
		}
		// The apology an hour later.
		b.add(i, "", comm, "processed", time.Hour, nil)
		b.add(i, "", comm, "delivered", time.Hour+time.Minute, nil)
		switch {
		case i%20 == 3: // a bounce after the delivery report
			b.add(i, "", comm, "bounce", time.Hour+3*time.Minute, hardBounce)
			wantComm["bounced"]++
			wantComm["hard_bounced"]++
		default:
			wantComm["delivered"]++
		}
		if i%4 == 0 {
			b.add(i, "", comm, "open", time.Hour+4*time.Minute, nil)
			b.add(i, "", comm, "open", time.Hour+9*time.Minute, nil) // a repeat open counts once
			wantComm["opened"]++
		}
		if i%6 == 1 { // a machine open is not an open
			b.add(i, "", comm, "open", time.Hour+5*time.Minute, func(e *event.Event) { e.MachineOpen = true })
		}
		if i%8 == 0 {
			b.add(i, "", comm, "click", time.Hour+6*time.Minute, func(e *event.Event) { e.URL = "https://x.io/a" })
			wantComm["clicked"]++
		}
		if i%25 == 7 {
			b.add(i, "", comm, "spamreport", time.Hour+7*time.Minute, nil)
			wantComm["complained"]++
			complainers = append(complainers, evEmail(i))
		}
		if i%30 == 11 {
			b.add(i, "", comm, "unsubscribe", time.Hour+8*time.Minute, nil)
			wantComm["unsubscribed"]++
		}
	}
	commEvents := 0
	for _, e := range b.evs {
		if e.CommunicationID != "" {
			commEvents++
		}
	}

	svc := event.NewService(st, nil, nil)
	posts := append(append([]event.Event{}, b.evs...), b.evs...)
	rand.New(rand.NewPCG(12, 5)).Shuffle(len(posts), func(x, y int) { posts[x], posts[y] = posts[y], posts[x] })
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	var changed []string
	batches := make(chan []event.Event)
	errc := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			for bt := range batches {
				res, err := svc.Ingest(ctx, bt)
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				stored += res.Stored
				changed = append(changed, res.Communications...)
				if slices.Contains(res.Campaigns, comm) {
					errc <- fmt.Errorf("the communication %s is reported as a campaign", comm)
				}
				mu.Unlock()
			}
		})
	}
	for from := 0; from < len(posts); from += 41 {
		batches <- posts[from:min(len(posts), from+41)]
	}
	close(batches)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if stored != len(b.evs) {
		t.Errorf("stored %d events, want %d (each once)", stored, len(b.evs))
	}
	if !slices.Contains(changed, comm) {
		t.Errorf("no batch reported the communication's counters changed (%v)", changed)
	}
	check := func(when string) {
		t.Helper()
		gotComm, gotCamp := commCounters(t, st, comm), campaignCounters(t, db)
		for _, k := range []string{"delivered", "opened", "bounced", "complained", "unsubscribed", "hard_bounced", "clicked", "handed_to_esp"} {
			if gotComm[k] != wantComm[k] {
				t.Errorf("%s: communication %s = %d, want %d", when, k, gotComm[k], wantComm[k])
			}
		}
		for _, k := range []string{"delivered", "opened", "bounced", "complained", "unsubscribed", "hard_bounced"} {
			if gotCamp[k] != wantCamp[k] {
				t.Errorf("%s: campaign %s = %d, want %d (the apology's events must not count on it)", when, k, gotCamp[k], wantCamp[k])
			}
		}
	}
	check("after two shuffled passes")

	var onComm, onCampaign, both int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE communication_id = $1 AND campaign_id IS NULL),
		count(*) FILTER (WHERE campaign_id = $2 AND communication_id IS NULL),
		count(*) FILTER (WHERE campaign_id IS NOT NULL AND communication_id IS NOT NULL) FROM events`, comm, evCampaign).
		Scan(&onComm, &onCampaign, &both); err != nil {
		t.Fatal(err)
	}
	if onComm != commEvents || onCampaign != len(b.evs)-commEvents || both != 0 {
		t.Errorf("events stored on the communication %d (want %d), on the campaign %d (want %d), on both %d",
			onComm, commEvents, onCampaign, len(b.evs)-commEvents, both)
	}
	var suppressed int
	if err := db.QueryRow(`SELECT count(*) FROM suppressions WHERE kind = 'spamreport' AND email = ANY($1)`,
		complainers).Scan(&suppressed); err != nil || suppressed != len(complainers) {
		t.Errorf("spam reports on the apology suppressed %d of %d (%v)", suppressed, len(complainers), err)
	}
	unattributed, err := event.List(ctx, st, event.Filter{Unattributed: true})
	if err != nil || len(unattributed) != 0 {
		t.Errorf("the apology's events are listed as unattributed: %d (%v)", len(unattributed), err)
	}

	// A third pass, in another order and in one batch: nothing new.
	rand.New(rand.NewPCG(3, 9)).Shuffle(len(posts), func(x, y int) { posts[x], posts[y] = posts[y], posts[x] })
	res, err := svc.Ingest(ctx, posts)
	if err != nil || res.Stored != 0 {
		t.Fatalf("a repeated batch stored %d (%v)", res.Stored, err)
	}
	check("after a third pass")
}

// TestCommunicationEventForAnUnknownCommunicationIsUnattributed: a
// well-formed communication id that matches no communication recipient is
// stored unattributed and takes neither its neighbours nor any counter down.
func TestCommunicationEventForAnUnknownCommunicationIsUnattributed(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	comm := seedCommunicationEvents(t, st.SQL(), 3)
	b := &evBuilder{t0: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	b.add(0, "", comm, "delivered", 0, nil)
	b.add(1, "", "00000000-0000-0000-0000-00000000dead", "delivered", 0, nil)
	b.add(2, evCampaign, "", "delivered", 0, nil)
	res, err := event.NewService(st, nil, nil).Ingest(ctx, b.evs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 3 || res.Unattributed != 1 || !slices.Equal(res.Communications, []string{comm}) ||
		!slices.Equal(res.Campaigns, []string{evCampaign}) {
		t.Errorf("result %+v", res)
	}
	if got := commCounters(t, st, comm)["delivered"]; got != 1 {
		t.Errorf("communication delivered %d, want 1", got)
	}
	if got := campaignCounters(t, st.SQL())["delivered"]; got != 1 {
		t.Errorf("campaign delivered %d, want 1", got)
	}
	un, err := event.List(ctx, st, event.Filter{Unattributed: true})
	if err != nil || len(un) != 1 || un[0].Email != evEmail(1) {
		t.Errorf("unattributed %+v (%v)", un, err)
	}
}

// pauseRecorder is SendGrid's scheduled-sends API as the halt sees it.
type pauseRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (p *pauseRecorder) SetBatchStatus(_ context.Context, batch string, s esp.ScheduleStatus) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, batch+":"+string(s))
	return nil
}

func (p *pauseRecorder) ClearBatchStatus(_ context.Context, batch string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, batch+":clear")
	return nil
}

// TestCommunicationComplaintSpikeHaltsItOnce: complaints on an apology at
// the deliverability-spike rule's threshold (≥ 0.3 % of ≥ 200 delivered)
// halt it on both planes, with the metric on the incident's timeline; the
// next batches neither pause it again nor add an entry, and once a person
// resumes it, it stays resumed.
func TestCommunicationComplaintSpikeHaltsItOnce(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	const n = 250
	comm := seedCommunicationEvents(t, db, n)
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatal(err)
	}
	sched := &pauseRecorder{}
	svc := communication.NewService(communication.Deps{Repo: st, Incidents: st, Runbooks: set, Sched: sched, Jobs: noCommJobs{}})
	events := event.NewService(st, nil, nil)
	ingest := func(evs []event.Event) {
		t.Helper()
		res, err := events.Ingest(ctx, evs)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range res.Communications { // what the communication:detect task does
			if err := svc.Detect(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	status := func() communication.Status {
		t.Helper()
		c, err := st.GetCommunication(ctx, comm)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}
	halted := func() []map[string]any {
		t.Helper()
		rows, err := db.Query(`SELECT actor, data::text FROM audit_log WHERE subject_type = 'incident' AND subject_id = $1
			AND action = 'communication.halted' ORDER BY id`, evIncident)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []map[string]any
		for rows.Next() {
			var actor, data string
			if err := rows.Scan(&actor, &data); err != nil {
				t.Fatal(err)
			}
			m := map[string]any{}
			_ = json.Unmarshal([]byte(data), &m)
			m["actor"] = actor
			out = append(out, m)
		}
		return out
	}

	b := &evBuilder{t0: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	for i := range n {
		b.add(i, "", comm, "delivered", time.Duration(i)*time.Second, nil)
	}
	ingest(b.evs)
	if s := status(); s != communication.Sending || len(halted()) != 0 {
		t.Fatalf("delivered alone: status %s, halts %v", s, halted())
	}

	// 1 complaint of 250 delivered is 0.4 % ≥ 0.3 %.
	b.evs = nil
	b.add(7, "", comm, "spamreport", time.Hour, nil)
	ingest(b.evs)
	if s := status(); s != communication.Paused {
		t.Fatalf("after the spike: status %s, want paused", s)
	}
	if !slices.Equal(sched.calls, []string{"batch-ev:pause"}) {
		t.Errorf("SendGrid calls %v, want the batch paused once", sched.calls)
	}
	h := halted()
	if len(h) != 1 || h[0]["actor"] != audit.Webhook.Name || h[0]["metric"] != "complaint_rate" ||
		h[0]["value"] != 0.004 || h[0]["threshold"] != 0.003 || h[0]["communication_id"] != comm {
		t.Fatalf("timeline halts %v", h)
	}
	var espPaused int
	if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action = 'communication.esp_paused'`,
		evIncident).Scan(&espPaused); err != nil || espPaused != 1 {
		t.Errorf("esp_paused entries %d (%v), want 1", espPaused, err)
	}
	if got := campaignCounters(t, db)["complained"]; got != 0 {
		t.Errorf("the apology's complaint counted on the campaign: %d", got)
	}

	// More complaints: halted once.
	b.evs = nil
	b.add(8, "", comm, "spamreport", time.Hour, nil)
	ingest(b.evs)
	if len(halted()) != 1 || len(sched.calls) != 1 {
		t.Errorf("a second batch halted again: %v, SendGrid %v", halted(), sched.calls)
	}

	// A person resumes it: the next batch above the threshold does not undo that.
	if _, err := svc.Resume(ctx, audit.Actor{Name: "ops@example.com"}, comm); err != nil {
		t.Fatal(err)
	}
	b.evs = nil
	b.add(9, "", comm, "spamreport", time.Hour, nil)
	ingest(b.evs)
	if s := status(); s != communication.Sending || len(halted()) != 1 {
		t.Errorf("after a person's resume: status %s, halts %d", s, len(halted()))
	}
}
