package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/page"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/runbooks"
)

// readsCampaignRow matches a statement that selects from the campaigns table
// (GetCampaign, SetStatus's locked read); the UPDATE … RETURNING of a status
// change is a write and does not match.
var readsCampaignRow = regexp.MustCompile(`(?is)^\s*SELECT\b.*\b(FROM|JOIN)\s+campaigns\b`)

// TestDashboardPauseReadsTheCampaignAtMostTwice is a dashboard pause
// (incident.Service.PauseCampaign, what POST /campaigns/{id}/pause calls) of
// a sending campaign with mail at SendGrid: it opens the triage incident,
// acknowledges it, pauses both planes and marks the incident paused — reading
// the campaign row at most twice (once to refuse a campaign that cannot be
// paused before an incident is opened for it, once under the lock of the
// status change).
func TestDashboardPauseReadsTheCampaignAtMostTwice(t *testing.T) {
	st := open(t)
	db := st.SQL()
	ctx := context.Background()
	actor := addActor(t, st)
	brandID := addBrand(t, db)
	id := seedSending(t, db, brandID, "p", 10)
	if _, err := db.ExecContext(ctx, `UPDATE campaigns SET handed_to_esp = 10 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	sched := &countingScheduler{}
	campaigns := campaign.NewService(st, &busySender{}, sched, noJobs{}, campaign.Config{})
	incidents := newIncidents(t, st, campaigns)

	rec := postgres.RecordStatements(st)
	v, inc, err := incidents.PauseCampaign(ctx, actor, id, "wrong segment", incident.SourceDashboard)
	if err != nil {
		t.Fatal(err)
	}
	reads := rec.Matching(readsCampaignRow)
	t.Logf("dashboard pause: %d statements, %d reading the campaign row", len(rec.All()), len(reads))
	if v.Campaign.Status != campaign.Paused || v.Campaign.ESPState != campaign.ESPPaused || sched.pauses.Load() != 1 {
		t.Fatalf("pause answered status %q, SendGrid plane %q after %d SendGrid calls; want paused, paused, 1",
			v.Campaign.Status, v.Campaign.ESPState, sched.pauses.Load())
	}
	if inc.ID == "" || inc.OwnerID != actor.UserID || inc.PausedAt == nil {
		t.Fatalf("incident %+v: want one owned by the caller and marked paused", inc)
	}
	if len(reads) > 2 {
		t.Fatalf("a dashboard pause read the campaign row %d times, want at most 2:\n%s", len(reads), join(reads))
	}
}

// TestCampaignListQueriesDoNotGrowWithThePage is the 5-second poll of the
// campaign list: 50 campaigns cost as many queries as one, and every
// campaign's counts and stoppability are what GET /campaigns/{id} says.
func TestCampaignListQueriesDoNotGrowWithThePage(t *testing.T) {
	st := open(t)
	db := st.SQL()
	ctx := context.Background()
	brandID := addBrand(t, db)
	svc := campaign.NewService(st, &busySender{}, &countingScheduler{}, noJobs{}, campaign.Config{})
	rec := postgres.RecordStatements(st)
	queries := map[int]int{}
	made := 0
	for _, n := range []int{1, 50} {
		for ; made < n; made++ {
			id := seedSending(t, db, brandID, fmt.Sprintf("c%02d", made), 4)
			// Two accepted requests at different send_at, and one that failed:
			// the held counts and stoppability read only the accepted ones.
			if _, err := db.ExecContext(ctx, `INSERT INTO handoff_requests (campaign_id, wave, state, recipients, send_at, deadline)
				VALUES ($1, 1, 'accepted', $2, now() + interval '20 minutes', now()),
				       ($1, 1, 'accepted', 1, now() - interval '1 hour', now()),
				       ($1, 1, 'failed', 1, now() + interval '30 minutes', now())`, id, made+1); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `UPDATE campaigns SET handed_to_esp = $2 WHERE id = $1`, id, made+2); err != nil {
				t.Fatal(err)
			}
		}
		rec.Reset()
		vs, _, err := svc.List(ctx, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		queries[n] = len(rec.All())
		if len(vs) != n {
			t.Fatalf("list of %d campaigns answered %d", n, len(vs))
		}
		for _, v := range vs {
			one, err := svc.Get(ctx, v.Campaign.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v.Counts, one.Counts) || !reflect.DeepEqual(v.Stoppability, one.Stoppability) {
				t.Fatalf("campaign %s in the list: counts %+v, stoppability %+v; alone: %+v, %+v",
					v.Campaign.ID, v.Counts, v.Stoppability, one.Counts, one.Stoppability)
			}
			if v.Stoppability.Catchable == 0 {
				t.Fatalf("campaign %s: nothing catchable in the list; the seeded requests were not read", v.Campaign.ID)
			}
		}
	}
	t.Logf("campaign list: %d queries for 1 campaign, %d for 50", queries[1], queries[50])
	if queries[50] != queries[1] {
		t.Fatalf("the campaign list made %d queries for 1 campaign and %d for 50: one query per campaign", queries[1], queries[50])
	}
}

func addBrand(t *testing.T, db *sql.DB) string {
	t.Helper()
	var id string
	if err := db.QueryRowContext(context.Background(), `INSERT INTO brands (name, from_email) VALUES ('B', 'b@x.io') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// addActor adds a marketer who may pause and own incidents.
func addActor(t *testing.T, st *postgres.Store) audit.Actor {
	t.Helper()
	u, err := user.NewService(st, user.DefaultLimits, time.Hour, nil).AddUser(context.Background(), audit.CLI,
		user.NewUser{Email: "m@example.com", Name: "M", Roles: []string{"marketer"}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return audit.Actor{UserID: u.ID, Name: u.Email}
}

func newIncidents(t *testing.T, st *postgres.Store, campaigns *campaign.Service) *incident.Service {
	t.Helper()
	rbs, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatal(err)
	}
	return incident.NewService(incident.Deps{Repo: st, Campaigns: campaigns, Runbooks: rbs})
}

// join lists statements one a line, the select list cut out.
func join(qs []string) string {
	out := ""
	for _, q := range qs {
		q = strings.Join(strings.Fields(q), " ")
		if i, j := strings.Index(q, "SELECT "), strings.Index(q, " FROM "); i >= 0 && j > i {
			q = q[:i+len("SELECT ")] + "…" + q[j:]
		}
		out += "  " + q + "\n"
	}
	return out
}
