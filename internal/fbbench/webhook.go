package fbbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/firebreak/firebreak/domain/event"
)

// Webhook ingest goals (the issue): events per second, and the share of a raw
// COPY of the same rows.
const (
	webhookGoal      = 50_000
	webhookCopyRatio = 0.5
	webhookBatch     = 1000
	webhookClients   = 4
	eventsPerRcpt    = 5
)

// evGen generates the webhook events of one campaign deterministically: five
// per recipient, in time order (every recipient's first event, then every
// second, …), so a batch of 1000 consecutive events holds 1000 recipients.
//
//	slot 0  processed
//	slot 1  delivered; every 50th recipient a hard bounce (5.1.1)
//	slot 2  open; bounced: deferred
//	slot 3  machine open (every third) or click; bounced: deferred
//	slot 4  open an hour later; 1 in 1000 spamreport, 1 in 500 unsubscribe; bounced: deferred
type evGen struct {
	n                  int
	prefix, campaignID string
	rids               []string
	t0                 int64
}

type genEvent struct {
	j, i                            int // event and recipient (0-based) numbers
	kind, url, bounceType, response string
	ts                              int64
	machine                         bool
}

func (g *evGen) at(j int) genEvent {
	slot, i := j/g.n, j%g.n
	e := genEvent{j: j, i: i, ts: g.t0 + int64(i%600)}
	bounced := i%50 == 0
	switch {
	case slot == 0:
		e.kind = "processed"
	case slot == 1 && bounced:
		e.kind, e.bounceType, e.ts = "bounce", "bounce", e.ts+5
	case slot == 1:
		e.kind, e.response, e.ts = "delivered", "250 2.0.0 OK 1700000000 bench", e.ts+5
	case bounced:
		e.kind, e.response, e.ts = "deferred", "451 4.7.1 try again later", e.ts+1+int64(slot)
	case slot == 2:
		e.kind, e.ts = "open", e.ts+60
	case slot == 3 && i%3 == 0:
		e.kind, e.machine, e.ts = "open", true, e.ts+61
	case slot == 3:
		e.kind, e.url, e.ts = "click", "https://news.bench.example/story/"+strconv.Itoa(1+i%12)+"?utm_source=firebreak", e.ts+90
	case i%1000 == 7:
		e.kind, e.ts = "spamreport", e.ts+300
	case i%500 == 3:
		e.kind, e.ts = "unsubscribe", e.ts+240
	default:
		e.kind, e.ts = "open", e.ts+3600
	}
	return e
}

func (g *evGen) email(i int) string {
	return g.prefix + fmt.Sprintf("%07d", i+1) + "@bench.example"
}

func (g *evGen) messageID(i int) string {
	return "bm" + g.prefix + strconv.Itoa(i+1) + ".filterdrecv-5645d9c87f-bench-1-64B2C3D4-1.0"
}

func (g *evGen) sgEventID(e genEvent) string {
	return "ZmJiZW5jaC" + g.prefix + strconv.Itoa(e.j)
}

// appendJSON appends the event as SendGrid posts it, with Firebreak's custom args.
func (g *evGen) appendJSON(b []byte, e genEvent) []byte {
	b = append(b, `{"email":"`...)
	b = append(b, g.email(e.i)...)
	b = append(b, `","timestamp":`...)
	b = strconv.AppendInt(b, e.ts, 10)
	b = append(b, `,"smtp-id":"<bm`...)
	b = append(b, strconv.Itoa(e.i+1)...)
	b = append(b, `@bench.example>","event":"`...)
	b = append(b, e.kind...)
	b = append(b, `","category":["newsletter","bench"],"sg_event_id":"`...)
	b = append(b, g.sgEventID(e)...)
	b = append(b, `","sg_message_id":"`...)
	b = append(b, g.messageID(e.i)...)
	b = append(b, `","firebreak_campaign_id":"`...)
	b = append(b, g.campaignID...)
	b = append(b, `","firebreak_recipient_id":"`...)
	b = append(b, g.rids[e.i]...)
	b = append(b, '"')
	switch e.kind {
	case "delivered", "deferred":
		b = append(b, `,"response":"`...)
		b = append(b, e.response...)
		b = append(b, `","ip":"167.89.0.1","tls":1`...)
		if e.kind == "deferred" {
			b = append(b, `,"attempt":"1"`...)
		}
	case "bounce":
		b = append(b, `,"type":"bounce","status":"5.1.1","reason":"550 5.1.1 The email account that you tried to reach does not exist","bounce_classification":"Invalid Address","ip":"167.89.0.1","tls":1`...)
	case "open":
		b = append(b, `,"useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","ip":"203.0.113.9","sg_machine_open":`...)
		b = strconv.AppendBool(b, e.machine)
	case "click":
		b = append(b, `,"useragent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)","ip":"203.0.113.9","url":"`...)
		b = append(b, e.url...)
		b = append(b, `","url_offset":{"index":0,"type":"html"}`...)
	}
	return append(b, '}')
}

// body is the webhook post of events [from, to): a JSON array and "\r\n", as SendGrid sends it.
func (g *evGen) body(from, to int) []byte {
	b := make([]byte, 0, (to-from)*560)
	b = append(b, '[')
	for j := from; j < to; j++ {
		if j > from {
			b = append(b, ',')
		}
		b = g.appendJSON(b, g.at(j))
	}
	return append(b, "]\r\n"...)
}

// row is the event as an events row (for the COPY and the naive baseline).
func (g *evGen) row(j int, received time.Time) []any {
	e := g.at(j)
	ev := event.Event{SGMessageID: g.messageID(e.i), Email: g.email(e.i), Event: e.kind, Timestamp: time.Unix(e.ts, 0).UTC(), URL: e.url}
	bk, bl := "", ""
	if e.kind == "bounce" {
		bk, bl = "hard", "address"
	}
	return []any{g.sgEventID(e), ev.NaturalKey(), e.kind, g.email(e.i), ev.Timestamp, received, ev.SGMessageID,
		g.campaignID, g.rids[e.i], bk, bl, e.machine, e.url, string(g.appendJSON(nil, e))}
}

var eventColumns = []string{"sg_event_id", "natural_key", "event", "email", "occurred_at", "received_at",
	"sg_message_id", "campaign_id", "recipient_id", "bounce_kind", "bounce_level", "machine_open", "url", "raw"}

// webhook measures the ingest of signed event batches through the real HTTP
// server against a raw COPY of the same rows and a naive row-by-row insert.
func (b *bench) webhook(ctx context.Context) error {
	total := b.opt.webhookEvents
	n := (total + eventsPerRcpt - 1) / eventsPerRcpt
	t0 := time.Now()
	cid, err := b.seedCampaign(ctx, "bench webhook", "w", "bench-webhook-batch", n, seedSpec{})
	if err != nil {
		return err
	}
	rids, err := b.recipientIDs(ctx, cid)
	if err != nil {
		return err
	}
	if len(rids) != n {
		return fmt.Errorf("webhook: seeded %d recipients, want %d", len(rids), n)
	}
	g := &evGen{n: n, prefix: "w", campaignID: cid, rids: rids, t0: time.Now().Add(-2 * time.Hour).Unix()}
	priv, err := webhookKey()
	if err != nil {
		return err
	}
	// Bodies are built and signed before the clock starts: the clients only send.
	var posts []signedPost
	for from := 0; from < total; from += webhookBatch {
		to := min(total, from+webhookBatch)
		p, err := sign(priv, g.body(from, to), to-from)
		if err != nil {
			return err
		}
		posts = append(posts, p)
	}
	var bodyBytes int
	for _, p := range posts {
		bodyBytes += len(p.body)
	}
	fmt.Printf("setup: campaign with %s handed recipients (SQL), %s signed posts of ≤ %d events, %s MB of JSON, in %s\n",
		thousands(int64(n)), thousands(int64(len(posts))), webhookBatch, thousands(int64(bodyBytes/1_000_000)), secs(time.Since(t0)))

	srv := b.webhookServer(event.NewService(b.st.store, nil, nil), &priv.PublicKey)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: webhookClients}, Timeout: 2 * time.Minute}
	var (
		next               atomic.Int64
		lat                timer
		stored, dups, fail atomic.Int64
		firstErr           error
		errOnce            sync.Once
		wg                 sync.WaitGroup
	)
	done := make([]time.Duration, len(posts)) // when each post's 2xx arrived, from the start
	began := time.Now()
	b.meter.begin()
	for range webhookClients {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= len(posts) || ctx.Err() != nil {
					return
				}
				req, err := posts[k].request(ctx, srv.URL)
				if err != nil {
					fail.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					fail.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				body, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				d := time.Since(start)
				if rerr != nil || resp.StatusCode/100 != 2 {
					fail.Add(1)
					errOnce.Do(func() { firstErr = fmt.Errorf("post %d: HTTP %d: %s %v", k, resp.StatusCode, body, rerr) })
					continue
				}
				lat.add(d)
				done[k] = time.Since(began)
				var res event.Result
				if err := json.Unmarshal(body, &res); err == nil {
					stored.Add(int64(res.Stored))
					dups.Add(int64(res.Duplicates))
				}
			}
		})
	}
	wg.Wait()
	use := b.meter.end()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ls := lat.stats()
	var inDB, attributed, delivered, complained int64
	if err := b.st.store.SQL().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events WHERE campaign_id = $1),
		(SELECT count(*) FROM recipient_outcomes WHERE campaign_id = $1 AND delivery_state <> ''),
		(SELECT delivered FROM campaigns WHERE id = $1), (SELECT complained FROM campaigns WHERE id = $1)`, cid).
		Scan(&inDB, &attributed, &delivered, &complained); err != nil {
		return err
	}
	rate := float64(total) / use.Wall.Seconds()

	copyUse, err := b.copyEvents(ctx, g, total)
	if err != nil {
		return err
	}
	naiveN := min(b.opt.naiveEvents, total)
	naiveUse, err := b.naiveEvents(ctx, g, naiveN)
	if err != nil {
		return err
	}
	copyRate := float64(total) / copyUse.Wall.Seconds()
	naiveRate := float64(naiveN) / naiveUse.Wall.Seconds()

	fmt.Printf("ingest  webhook, %d clients, signed posts of %d over loopback: %s events in %s = %s events/s; "+
		"per post p50 %s, p99 %s (%d posts 2xx, %d failed)%s\n        %s\n",
		webhookClients, webhookBatch, thousands(int64(total)), secs(use.Wall), thousands(int64(rate)),
		ms(ls.P50), ms(ls.P99), ls.N, fail.Load(), verdict(rate >= webhookGoal, "≥ 50,000 events/s"), use)
	fmt.Printf("        %s\n", chunkRates(done, webhookBatch, len(posts)/5))
	fmt.Printf("        stored %s, duplicates %s; events rows of the campaign %s, recipients with a delivery state %s, "+
		"campaign counters delivered %s, complained %s\n",
		thousands(stored.Load()), thousands(dups.Load()), thousands(inDB), thousands(attributed), thousands(delivered), thousands(complained))
	fmt.Printf("copy    raw COPY (pgx CopyFrom, same rows, fresh table LIKE events INCLUDING ALL): %s rows in %s = %s rows/s\n"+
		"        %s\n", thousands(int64(total)), secs(copyUse.Wall), thousands(int64(copyRate)), copyUse)
	fmt.Printf("naive   row-by-row INSERT … ON CONFLICT DO NOTHING, autocommit, one connection: %s rows in %s = %s rows/s; "+
		"extrapolated to %s: %s\n        %s\n", thousands(int64(naiveN)), secs(naiveUse.Wall), thousands(int64(naiveRate)),
		thousands(int64(total)), secs(time.Duration(float64(total)/naiveRate*float64(time.Second))), naiveUse)
	fmt.Printf("side by side: ingest %s/s | COPY %s/s | naive %s/s; ingest/COPY = %.2f%s; ingest/naive = %.1f×\n",
		thousands(int64(rate)), thousands(int64(copyRate)), thousands(int64(naiveRate)), rate/copyRate,
		verdict(rate/copyRate >= webhookCopyRatio, "≥ 0.5 of COPY"), rate/naiveRate)
	if fail.Load() > 0 {
		return fmt.Errorf("webhook: %d posts failed; first: %v", fail.Load(), firstErr)
	}
	if inDB != int64(total) {
		return fmt.Errorf("webhook: %d events stored for the campaign, want %d", inDB, total)
	}
	return nil
}

// chunkRates shows whether ingest slows down as the tables grow: the rate of
// each fifth of the posts, in the order their answers arrived.
func chunkRates(done []time.Duration, batch, per int) string {
	if per == 0 {
		return "too few posts for rates by fifths"
	}
	sorted := slices.Clone(done)
	slices.Sort(sorted)
	out := "events/s by fifths of the run:"
	var prev time.Duration
	for i := per - 1; i < len(sorted); i += per {
		out += " " + thousands(int64(float64(per*batch)/(sorted[i]-prev).Seconds()))
		prev = sorted[i]
	}
	return out
}

// verdict is a goal line, printed at any size (these goals are rates or latencies).
func verdict(ok bool, what string) string {
	if ok {
		return "   goal " + what + ": met"
	}
	return "   goal " + what + ": MISSED"
}

// freshEventsTable creates name with events' columns, defaults and indexes.
func (b *bench) freshEventsTable(ctx context.Context, name string) error {
	_, err := b.st.store.SQL().ExecContext(ctx, `DROP TABLE IF EXISTS `+name+`; CREATE TABLE `+name+` (LIKE events INCLUDING ALL)`)
	return err
}

// copyEvents COPYs the same events, as rows, into a fresh equivalent table.
func (b *bench) copyEvents(ctx context.Context, g *evGen, total int) (usage, error) {
	if err := b.freshEventsTable(ctx, "bench_events_copy"); err != nil {
		return usage{}, err
	}
	conn, err := b.st.store.SQL().Conn(ctx)
	if err != nil {
		return usage{}, err
	}
	defer conn.Close()
	uuids := make([]pgtype.UUID, len(g.rids)) // parsed before the clock starts
	for i, s := range g.rids {
		if err := uuids[i].Scan(s); err != nil {
			return usage{}, err
		}
	}
	var cid pgtype.UUID
	if err := cid.Scan(g.campaignID); err != nil {
		return usage{}, err
	}
	var copied int64
	b.meter.begin()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		received, j := time.Now(), 0
		var err error
		copied, err = pc.CopyFrom(ctx, pgx.Identifier{"bench_events_copy"}, eventColumns,
			pgx.CopyFromFunc(func() ([]any, error) {
				if j >= total {
					return nil, nil
				}
				r := g.row(j, received)
				r[7], r[8] = cid, uuids[j%g.n]
				j++
				return r, nil
			}))
		return err
	})
	use := b.meter.end()
	if err == nil && copied != int64(total) {
		err = fmt.Errorf("copy: %d rows, want %d", copied, total)
	}
	return use, err
}

// naiveEvents inserts n of the events one statement at a time.
func (b *bench) naiveEvents(ctx context.Context, g *evGen, n int) (usage, error) {
	if err := b.freshEventsTable(ctx, "bench_events_naive"); err != nil {
		return usage{}, err
	}
	conn, err := b.st.store.SQL().Conn(ctx)
	if err != nil {
		return usage{}, err
	}
	defer conn.Close()
	q := `INSERT INTO bench_events_naive (sg_event_id, natural_key, event, email, occurred_at, received_at, sg_message_id,
		campaign_id, recipient_id, bounce_kind, bounce_level, machine_open, url, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`
	step := max(1, g.n*eventsPerRcpt/n) // a spread sample of the mix
	b.meter.begin()
	for k := range n {
		if _, err := conn.ExecContext(ctx, q, g.row((k*step)%(g.n*eventsPerRcpt), time.Now())...); err != nil {
			return usage{}, fmt.Errorf("naive insert %d: %w", k, err)
		}
	}
	use := b.meter.end()
	var got int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM bench_events_naive`).Scan(&got); err != nil {
		return use, err
	}
	if got != n {
		return use, errors.New("naive: " + strconv.Itoa(got) + " rows, want " + strconv.Itoa(n))
	}
	return use, nil
}
