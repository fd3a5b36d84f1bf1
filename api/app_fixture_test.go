package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/recipient"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/domain/suppression"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/internal/testenv"
	"github.com/firebreak/firebreak/runbooks"
)

// noJobs schedules nothing: these tests create and list, they never send.
type noJobs struct{}

func (noJobs) HandOff(context.Context, string) error                 { return nil }
func (noJobs) HandOffAt(context.Context, string, time.Time) error    { return nil }
func (noJobs) RetryESP(context.Context, string, time.Duration) error { return nil }
func (noJobs) EscalateAt(context.Context, string, time.Time) error   { return nil }
func (noJobs) HandOffCommunication(context.Context, string) error    { return nil }

// batchOnly opens SendGrid batches and sends nothing (the handoff is not run here).
type batchOnly struct{}

func (batchOnly) CreateBatch(context.Context) (string, error) { return "batch-test", nil }
func (batchOnly) Send(context.Context, esp.Message) (esp.SendResult, error) {
	return esp.SendResult{}, errors.New("batchOnly sends nothing")
}

// appFixture is a fixture whose server also has the campaign and incident
// services (no ESP behind them: nothing is sent).
type appFixture struct {
	*fixture
	campaigns *campaign.Service
	notified  *notifications // what the reviewers were told
}

// notifications records the notifications the services sent.
type notifications struct {
	mu  sync.Mutex
	all []incident.Notification
}

func (n *notifications) Notify(_ context.Context, m incident.Notification) (incident.Delivery, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, m)
	return incident.Delivery{Emailed: slices.Clone(m.Emails), Slack: m.Slack}, nil
}

func (n *notifications) list() []incident.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.all)
}

// newAppFixture is newFixture with the campaign and incident services wired
// and the HTTP settings given; withDrafter also wires the runbook templates
// into the communication service, as `firebreak serve` does.
func newAppFixture(t *testing.T, cfg api.Config, withDrafter ...bool) *appFixture {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rd := testenv.Redis(t)
	rdb := redis.NewClient(&redis.Options{Addr: rd.Addr()})
	t.Cleanup(func() { rdb.Close() })
	rbs, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatal(err)
	}
	users := user.NewService(st, user.Limits{PerEmail: 5, PerIP: 8, Window: time.Minute}, time.Hour, nil)
	notified := &notifications{}
	campaigns := campaign.NewService(st, nil, nil, noJobs{}, campaign.Config{DefaultSendBuffer: 15 * time.Minute,
		PublicURL: "http://firebreak.test", UnsubscribeKey: []byte("test key"), Log: discardLog()})
	incidents := incident.NewService(incident.Deps{Repo: st, Campaigns: campaigns, Runbooks: rbs, Jobs: noJobs{}, Log: discardLog()})
	deps := communication.Deps{Repo: st, Incidents: st, Runbooks: rbs,
		Mail: batchOnly{}, Jobs: noJobs{}, Facts: st, UnsubscribeURL: campaigns.UnsubscribeURL,
		Review: st, Reviewers: st, Notifier: notified, PublicURL: "http://firebreak.test"}
	if len(withDrafter) > 0 && withDrafter[0] {
		deps.Drafter = communication.TemplateDrafter{Campaigns: st}
	}
	comms := communication.NewService(deps)
	e := api.New(cfg, api.Deps{
		Log: discardLog(), Users: users, Campaigns: campaigns, Incidents: incidents, Runbooks: rbs,
		Recipients: recipient.NewService(st), Suppressions: suppression.NewService(st), Communications: comms,
		Ready: []api.Check{
			{Name: "postgres", Ping: st.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
		},
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &appFixture{fixture: &fixture{t: t, srv: srv, echo: e, store: st, users: users, redis: rd}, campaigns: campaigns,
		notified: notified}
}

// brand creates a brand and returns its id.
func (f *fixture) brand(token string) string {
	f.t.Helper()
	r := f.do(call{method: "POST", path: "/api/v1/brands", token: token, body: map[string]string{
		"name": "Acme", "from_email": "news@acme.example", "from_name": "Acme", "reply_to": "help@acme.example"}})
	if r.status != 201 {
		f.t.Fatalf("create brand: %d %s", r.status, r.body)
	}
	var b struct{ ID string }
	r.json(f.t, &b)
	return b.ID
}

// campaignBody is a valid campaign request; change fields to break it.
func campaignBody(brandID string) map[string]any {
	return map[string]any{"name": "Spring sale", "brand_id": brandID, "subject": "Spring sale",
		"html": "<p>Hello {{first_name|there}}</p>", "text": "Hello", "segments": []string{"all"}}
}

// campaign creates a draft campaign of brandID and returns its id.
func (f *fixture) campaign(token, brandID string) string {
	f.t.Helper()
	r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: token, body: campaignBody(brandID)})
	if r.status != 201 {
		f.t.Fatalf("create campaign: %d %s", r.status, r.body)
	}
	var c struct{ ID string }
	r.json(f.t, &c)
	return c.ID
}

// incident declares a triage incident on a new campaign and returns its id.
func (f *fixture) incident(token string) string {
	f.t.Helper()
	camp := f.campaign(token, f.brand(token))
	r := f.do(call{method: "POST", path: "/api/v1/incidents", token: token,
		body: map[string]any{"campaign_id": camp, "runbook": "triage", "summary": "wrong segment"}})
	if r.status != 201 {
		f.t.Fatalf("declare: %d %s", r.status, r.body)
	}
	var inc struct{ ID string }
	r.json(f.t, &inc)
	return inc.ID
}

// openStoreAndRunbooks opens a fresh test database with every migration and
// loads the shipped runbooks: what each fixture on real Postgres starts from.
func openStoreAndRunbooks(t *testing.T) (*postgres.Store, *runbook.Set) {
	t.Helper()
	st, err := postgres.Open(context.Background(), postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rbs, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatal(err)
	}
	return st, rbs
}
