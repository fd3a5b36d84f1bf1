package fbbench

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// waitSampler samples pg_stat_activity while a phase runs and counts what the
// benchmark's active backends are doing: on CPU (no wait event), waiting for
// a lock, or another wait, each by the statement that is running. It tells
// "Postgres is busy" from "Postgres is waiting for itself" (row-lock queues).
type waitSampler struct {
	db      *sql.DB
	every   time.Duration
	mu      sync.Mutex
	samples int
	counts  map[string]int // "what / statement" -> backend samples
	stop    context.CancelFunc
	done    chan struct{}
}

func startWaitSampler(ctx context.Context, db *sql.DB, every time.Duration) *waitSampler {
	ctx, cancel := context.WithCancel(ctx)
	w := &waitSampler{db: db, every: every, counts: map[string]int{}, stop: cancel, done: make(chan struct{})}
	go w.loop(ctx)
	return w
}

func (w *waitSampler) loop(ctx context.Context) {
	defer close(w.done)
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rows, err := w.db.QueryContext(ctx, `SELECT coalesce(wait_event_type, ''), coalesce(wait_event, ''), query
			FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'
			AND state = 'active' AND pid <> pg_backend_pid()`)
		if err != nil {
			continue
		}
		w.mu.Lock()
		w.samples++
		for rows.Next() {
			var typ, event, query string
			if rows.Scan(&typ, &event, &query) != nil {
				continue
			}
			what := "on CPU"
			if typ != "" {
				what = typ + ":" + event
			}
			w.counts[what+" / "+statement(query)]++
		}
		w.mu.Unlock()
		rows.Close()
	}
}

// statement names the store's handoff statements by their shape.
func statement(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	switch {
	case strings.Contains(q, "FROM campaigns c WHERE c.id") && strings.Contains(q, "FOR SHARE"):
		return "Claim: campaign FOR SHARE"
	case strings.HasPrefix(q, "INSERT INTO handoff_requests"):
		return "Claim: insert ledger row"
	case strings.HasPrefix(q, "WITH picked"):
		return "Claim: pick+mark recipients"
	case strings.HasPrefix(q, "UPDATE handoff_requests SET recipients"):
		return "Claim: ledger count"
	case strings.Contains(q, "FROM brands"):
		return "Claim: brand"
	case strings.HasPrefix(q, "SELECT campaign_id, state, recipients, send_at FROM handoff_requests"):
		return "Finish: ledger row FOR UPDATE"
	case strings.HasPrefix(q, "UPDATE campaign_recipients"):
		return "Finish: mark recipients"
	case strings.HasPrefix(q, "UPDATE handoff_requests"):
		return "Finish: ledger outcome"
	case strings.HasPrefix(q, "UPDATE campaigns SET status = 'sent'"):
		return "Finish: mark sent if done"
	case strings.HasPrefix(q, "UPDATE campaigns"):
		return "Finish: campaign counters"
	case q == "COMMIT" || q == "commit":
		return "COMMIT"
	}
	if len(q) > 40 {
		q = q[:40] + "…"
	}
	return q
}

// result stops sampling and returns the average number of active backends and
// the largest shares of backend samples, largest first.
func (w *waitSampler) result(top int) (avgActive float64, lines []string) {
	w.stop()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	total := 0
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range w.counts {
		total += n
		all = append(all, kv{k, n})
	}
	if w.samples == 0 || total == 0 {
		return 0, nil
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n })
	for i, e := range all {
		if i == top {
			break
		}
		lines = append(lines, fmt.Sprintf("%3.0f%%  %s", 100*float64(e.n)/float64(total), e.k))
	}
	return float64(total) / float64(w.samples), lines
}

// tableStats is the handoff's write amplification on campaign_recipients.
type tableStats struct {
	bytes                     int64
	liveTup, deadTup          int64
	hotUpd, upd               int64
	autovacuums, autoanalyzes int64
}

func readTableStats(ctx context.Context, db *sql.DB) (tableStats, error) {
	var s tableStats
	err := db.QueryRowContext(ctx, `SELECT pg_total_relation_size('campaign_recipients'), n_live_tup, n_dead_tup,
		n_tup_hot_upd, n_tup_upd, autovacuum_count, autoanalyze_count
		FROM pg_stat_user_tables WHERE relname = 'campaign_recipients'`).
		Scan(&s.bytes, &s.liveTup, &s.deadTup, &s.hotUpd, &s.upd, &s.autovacuums, &s.autoanalyzes)
	return s, err
}
