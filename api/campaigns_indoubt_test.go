package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/campaign"
)

// countingJobs accepts every handoff enqueue (the handoff itself is not under test).
type countingJobs struct{ handoffs int }

func (j *countingJobs) HandOff(context.Context, string) error                 { j.handoffs++; return nil }
func (j *countingJobs) HandOffAt(context.Context, string, time.Time) error    { return nil }
func (j *countingJobs) RetryESP(context.Context, string, time.Duration) error { return nil }

// inDoubtServer is the fixture's database behind a router with the campaign
// use-cases (30 min in-doubt wait), and a sent campaign of six recipients:
// two in doubt past the wait, two in doubt inside it, two handed.
func inDoubtServer(t *testing.T) (*fixture, string, *countingJobs) {
	t.Helper()
	f := newFixture(t)
	jobs := &countingJobs{}
	svc := campaign.NewService(f.store, nil, nil, jobs, campaign.Config{InDoubtWait: 30 * time.Minute})
	e := api.New(api.Config{}, api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Users: f.users, Campaigns: svc})
	f.srv = httptest.NewServer(e)
	t.Cleanup(f.srv.Close)

	const cid = "00000000-0000-0000-0000-00000000cd01"
	db, ctx := f.store.SQL(), context.Background()
	for _, q := range []string{
		`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-00000000bd01', 'B', 'b@x.io')`,
		`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status, batch_id, audience)
			VALUES ('` + cid + `', 'C', '00000000-0000-0000-0000-00000000bd01', 0, 'sending', 'batch', 6)`,
		`INSERT INTO recipients (id, email) SELECT ('00000000-0000-0000-0000-0000000090' || lpad(i::text, 2, '0'))::uuid,
			'r' || i || '@x.io' FROM generate_series(1, 6) i`,
		`INSERT INTO campaign_recipients (campaign_id, recipient_id, email)
			SELECT '` + cid + `', id, email FROM recipients WHERE email LIKE 'r%@x.io'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	for _, r := range []struct {
		deadline time.Time
		out      campaign.Outcome
	}{{now.Add(-time.Hour), campaign.Uncertain}, {now.Add(time.Minute), campaign.Uncertain}, {now.Add(time.Minute), campaign.Accepted}} {
		res, err := f.store.Claim(ctx, cid, now, r.deadline, 2)
		if err != nil || res.Claim == nil {
			t.Fatalf("claim: %+v %v", res, err)
		}
		if err := f.store.Finish(ctx, res.Claim.RequestID, r.out, "m", "HTTP 500"); err != nil {
			t.Fatal(err)
		}
	}
	return f, cid, jobs
}

func TestSendInDoubt(t *testing.T) {
	f, cid, jobs := inDoubtServer(t)
	marketer := f.addUser("m@x.io", "marketer")
	legal := f.addUser("l@x.io", "legal")
	path := "/api/v1/campaigns/" + cid + "/send-in-doubt"

	t.Run("sendInDoubt403", func(t *testing.T) {
		r := f.do(call{method: "POST", path: path, token: legal})
		if r.status != 403 || r.errorBody(t).Code != "forbidden" {
			t.Fatalf("legal: %d %s", r.status, r.body)
		}
	})
	t.Run("sendInDoubt404", func(t *testing.T) {
		r := f.do(call{method: "POST", path: "/api/v1/campaigns/00000000-0000-0000-0000-000000000404/send-in-doubt", token: marketer})
		if r.status != 404 || r.errorBody(t).Code != "campaign_not_found" {
			t.Fatalf("unknown campaign: %d %s", r.status, r.body)
		}
	})
	t.Run("sendInDoubt202", func(t *testing.T) {
		r := f.do(call{method: "POST", path: path, token: marketer})
		var out struct {
			Released int `json:"released"`
			Campaign struct {
				Status string          `json:"status"`
				Counts campaign.Counts `json:"counts"`
			} `json:"campaign"`
		}
		r.json(t, &out)
		if r.status != 202 || out.Released != 2 || out.Campaign.Status != "sending" || out.Campaign.Counts.InDoubt != 2 ||
			out.Campaign.Counts.HandedToESP != 2 || jobs.handoffs != 1 {
			t.Fatalf("send-in-doubt: %d %s (handoffs enqueued %d)", r.status, r.body, jobs.handoffs)
		}
		var actor string
		var n int
		if err := f.store.SQL().QueryRow(`SELECT actor, (data->>'recipients')::int FROM audit_log
			WHERE action = 'campaign.send_in_doubt' AND subject_id = $1`, cid).Scan(&actor, &n); err != nil || actor != "m@x.io" || n != 2 {
			t.Fatalf("audit: %q %d %v", actor, n, err)
		}
	})
	t.Run("sendInDoubt409NothingPastTheWait", func(t *testing.T) {
		r := f.do(call{method: "POST", path: path, token: marketer})
		e := r.errorBody(t)
		if r.status != 409 || e.Code != "nothing_in_doubt" || e.Details["in_doubt"] != float64(2) ||
			e.Details["waiting"] != float64(2) || e.Details["sendable_at"] == nil {
			t.Fatalf("second send-in-doubt: %d %s", r.status, r.body)
		}
	})
	t.Run("sendInDoubt409Paused", func(t *testing.T) {
		if _, err := f.store.SQL().Exec(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, cid); err != nil {
			t.Fatal(err)
		}
		r := f.do(call{method: "POST", path: path, token: marketer})
		if r.status != 409 || r.errorBody(t).Code != "campaign_not_sending" {
			t.Fatalf("paused: %d %s", r.status, r.body)
		}
	})
}
