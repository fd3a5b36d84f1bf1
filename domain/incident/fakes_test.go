package incident_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/page"
	"github.com/firebreak/firebreak/domain/runbook"
)

// The in-memory fakes of incident.Service's ports: maps behind a mutex, with
// the store's rules the service relies on (CreateIncident joins the
// campaign's open incident instead of opening a second; UpdateIncident runs
// the change under the lock and treats ErrNoChange as "nothing to write").
// Methods no test reaches panic, so a service calling something new shows up
// at once.

// fakeClock is the service's injectable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeRepo is incident.Repo in memory.
type fakeRepo struct {
	mu        sync.Mutex
	incidents map[string]incident.Incident
	order     []string // ids, oldest first
	tasks     map[string][]incident.Task
	audit     []audit.Entry
	roles     map[string][]string // role -> user emails
	// missOpen makes OpenIncidentFor miss every open incident, as a webhook
	// batch does that looked just before a concurrent one committed its own.
	missOpen bool
	// metricsAsked are the periods ResponseMetrics was asked for.
	metricsAsked []incident.Period
	// meanwhile runs at the start of UpdateIncident, under the lock: what
	// another request committed between the service's reads and its update.
	meanwhile func(r *fakeRepo)
}

func newFakeRepo() *fakeRepo {
	return &fakeRepo{incidents: map[string]incident.Incident{}, tasks: map[string][]incident.Task{},
		roles: map[string][]string{}}
}

// put stores an incident as it is (a test's starting state).
func (r *fakeRepo) put(inc incident.Incident) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.incidents[inc.ID]; !ok {
		r.order = append(r.order, inc.ID)
	}
	r.incidents[inc.ID] = clone(inc)
}

// all returns every stored incident, oldest first.
func (r *fakeRepo) all() []incident.Incident {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]incident.Incident, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, clone(r.incidents[id]))
	}
	return out
}

// actions lists the audit actions written about incident id, in order.
func (r *fakeRepo) actions(id string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.audit {
		if e.SubjectType == incident.SubjectType && e.SubjectID == id {
			out = append(out, e.Action)
		}
	}
	return out
}

// lastEntry is the latest audit entry with action about incident id.
func (r *fakeRepo) lastEntry(t *testing.T, id, action string) audit.Entry {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.audit) - 1; i >= 0; i-- {
		if e := r.audit[i]; e.SubjectID == id && e.Action == action {
			return e
		}
	}
	t.Fatalf("no %s entry for incident %s", action, id)
	return audit.Entry{}
}

func (r *fakeRepo) CreateIncident(_ context.Context, inc incident.Incident, tasks []incident.Task, entries []audit.Entry) (incident.Incident, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range r.order {
		if cur := r.incidents[id]; cur.CampaignID == inc.CampaignID && cur.Status == incident.Open {
			return clone(cur), false, nil
		}
	}
	inc.ID = fmt.Sprintf("i%d", len(r.order)+1)
	r.order = append(r.order, inc.ID)
	r.incidents[inc.ID] = clone(inc)
	for _, t := range tasks {
		r.tasks[inc.ID] = append(r.tasks[inc.ID], added(inc.ID, len(r.tasks[inc.ID]), t))
	}
	for _, e := range entries {
		e.SubjectID = inc.ID
		r.audit = append(r.audit, e)
	}
	return clone(inc), true, nil
}

// added is task t as the store adds it to incident id's plan of n tasks:
// with an id and open.
func added(id string, n int, t incident.Task) incident.Task {
	t.ID, t.IncidentID = fmt.Sprintf("%s-t%d", id, n+1), id
	if t.Status == "" {
		t.Status = incident.TaskOpen
	}
	return t
}

func (r *fakeRepo) GetIncident(_ context.Context, id string) (incident.Incident, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	inc, ok := r.incidents[id]
	if !ok {
		return incident.Incident{}, incident.ErrNotFound
	}
	return clone(inc), nil
}

func (r *fakeRepo) OpenIncidentFor(_ context.Context, campaignID string) (incident.Incident, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range r.order {
		if inc := r.incidents[id]; inc.CampaignID == campaignID && inc.Status == incident.Open && !r.missOpen {
			return clone(inc), nil
		}
	}
	return incident.Incident{}, incident.ErrNotFound
}

func (r *fakeRepo) ListIncidents(_ context.Context, status, campaignID string) ([]incident.Incident, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []incident.Incident{}
	for _, id := range r.order {
		inc := r.incidents[id]
		if (status == "" || string(inc.Status) == status) && (campaignID == "" || inc.CampaignID == campaignID) {
			out = append(out, clone(inc))
		}
	}
	return out, nil
}

func (r *fakeRepo) UpdateIncident(_ context.Context, id string,
	change func(incident.Incident) (incident.Incident, []audit.Entry, []incident.Task, error)) (incident.Incident, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.meanwhile != nil {
		r.meanwhile(r)
	}
	cur, ok := r.incidents[id]
	if !ok {
		return incident.Incident{}, incident.ErrNotFound
	}
	next, entries, tasks, err := change(clone(cur))
	if errors.Is(err, incident.ErrNoChange) {
		return clone(cur), nil
	}
	if err != nil {
		return incident.Incident{}, err
	}
	stored := slices.Clone(r.tasks[id])
	for _, t := range tasks {
		if t.ID == "" {
			stored = append(stored, added(id, len(stored), t))
			continue
		}
		i := slices.IndexFunc(stored, func(s incident.Task) bool { return s.ID == t.ID })
		if i < 0 || stored[i].Status != incident.TaskOpen {
			return clone(cur), incident.ErrTaskChanged
		}
		stored[i].Status, stored[i].CompletedAt, stored[i].CompletedBy = t.Status, t.CompletedAt, t.CompletedBy
	}
	r.incidents[id] = clone(next)
	r.tasks[id] = stored
	for _, e := range entries {
		e.SubjectID = id
		r.audit = append(r.audit, e)
	}
	return clone(next), nil
}

func (r *fakeRepo) UserEmailsWithRole(_ context.Context, role string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.roles[role]), nil
}

func (r *fakeRepo) ListTasks(_ context.Context, id string) ([]incident.Task, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.tasks[id]), nil
}
func (r *fakeRepo) GetTask(context.Context, string, string) (incident.Task, error) {
	panic("not used")
}
func (r *fakeRepo) SaveTask(context.Context, incident.Task, audit.Entry) (incident.Task, error) {
	panic("not used")
}
func (r *fakeRepo) GetAssessment(context.Context, string) (incident.Assessment, error) {
	panic("not used")
}
func (r *fakeRepo) SaveAssessment(context.Context, incident.Assessment, audit.Entry) error {
	panic("not used")
}
func (r *fakeRepo) BlastRadius(context.Context, string, *time.Time) (assess.BlastRadius, error) {
	panic("not used")
}
func (r *fakeRepo) ListAffected(context.Context, string, *time.Time, assess.AffectedQuery) ([]assess.Affected, error) {
	panic("not used")
}
func (r *fakeRepo) ListAudit(context.Context, string, string) ([]audit.Entry, error) {
	panic("not used")
}
func (r *fakeRepo) ListTasksPage(context.Context, string, page.Request) ([]incident.Task, page.Cursor, error) {
	panic("not used")
}

// AddNote appends the note's entry when the incident exists, as the store does.
func (r *fakeRepo) AddNote(_ context.Context, id string, e audit.Entry) (audit.Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.incidents[id]; !ok {
		return audit.Entry{}, incident.ErrNotFound
	}
	e.ID = int64(len(r.audit) + 1)
	r.audit = append(r.audit, e)
	return e, nil
}

func (r *fakeRepo) ListAuditPage(context.Context, string, string, page.Request) ([]audit.Entry, page.Cursor, error) {
	panic("not used")
}

// ResponseMetrics records the period it was asked for and answers nothing
// (the figures are Postgres's: adapter/postgres and api test them).
func (r *fakeRepo) ResponseMetrics(_ context.Context, p incident.Period) (incident.ResponseMetrics, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metricsAsked = append(r.metricsAsked, p)
	return incident.ResponseMetrics{}, nil
}

// pauseCall is one campaign pause the incident service asked for.
type pauseCall struct {
	Actor  string // the actor's name
	ID     string
	Reason string
}

// fakeCampaigns is the campaign use-cases: views by id, and a Pause that
// stops a pausable campaign on both planes (SendGrid accepts) and refuses
// any other with campaign.ErrNotSending, as campaign.Service does.
type fakeCampaigns struct {
	mu     sync.Mutex
	views  map[string]campaign.View
	pauses []pauseCall
}

func (f *fakeCampaigns) Get(_ context.Context, id string) (campaign.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.views[id]
	if !ok {
		return campaign.View{}, campaign.ErrNotFound
	}
	return v, nil
}

func (f *fakeCampaigns) Pause(_ context.Context, actor audit.Actor, id, reason string) (campaign.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pauses = append(f.pauses, pauseCall{actor.Name, id, reason})
	v, ok := f.views[id]
	if !ok {
		return campaign.View{}, campaign.ErrNotFound
	}
	if !v.Campaign.Pausable() {
		return v, campaign.ErrNotSending
	}
	v.Campaign.Status, v.Campaign.ESPState = campaign.Paused, campaign.ESPPaused
	f.views[id] = v
	return v, nil
}

func (f *fakeCampaigns) got() []pauseCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pauses)
}

// fakeRunbooks is a loaded runbook set, in order.
type fakeRunbooks []runbook.Runbook

func (f fakeRunbooks) Get(id string) (runbook.Runbook, bool) {
	for _, rb := range f {
		if rb.ID == id {
			return rb, true
		}
	}
	return runbook.Runbook{}, false
}

func (f fakeRunbooks) All() []runbook.Runbook { return slices.Clone(f) }

// escalateAt is one scheduled escalation check.
type escalateAt struct {
	ID string
	At time.Time
}

// fakeJobs records the escalation checks scheduled.
type fakeJobs struct {
	mu  sync.Mutex
	got []escalateAt
}

func (j *fakeJobs) EscalateAt(_ context.Context, id string, at time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.got = append(j.got, escalateAt{id, at})
	return nil
}

func (j *fakeJobs) scheduled() []escalateAt {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.got)
}

// fakeNotifier records the escalations sent, and fails them with err. Like
// the adapter, it delivers the e-mail to every address and the Slack message,
// except on a channel that is not configured (noEmail, noSlack).
type fakeNotifier struct {
	mu               sync.Mutex
	sent             []incident.Notification
	err              error
	noEmail, noSlack bool
}

func (n *fakeNotifier) Notify(_ context.Context, msg incident.Notification) (incident.Delivery, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, msg)
	if n.err != nil {
		return incident.Delivery{}, n.err
	}
	var d incident.Delivery
	if !n.noEmail {
		d.Emailed = slices.Clone(msg.Emails)
	}
	d.Slack = msg.Slack && !n.noSlack
	return d, nil
}

func (n *fakeNotifier) got() []incident.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.sent)
}

// fakeObserver records the response times reported to /metrics.
type fakeObserver struct {
	mu  sync.Mutex
	all []observation
}

// observation is one response time reported: what (ack, pause, resolve),
// the labels and the duration.
type observation struct {
	What, Runbook, Severity string
	D                       time.Duration
}

func (o *fakeObserver) add(what, rb, sev string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, observation{What: what, Runbook: rb, Severity: sev, D: d})
}

func (o *fakeObserver) TimeToAcknowledge(rb, sev string, d time.Duration) { o.add("ack", rb, sev, d) }
func (o *fakeObserver) TimeToPause(rb, sev string, d time.Duration)       { o.add("pause", rb, sev, d) }
func (o *fakeObserver) TimeToResolve(rb, sev string, d time.Duration)     { o.add("resolve", rb, sev, d) }

// got is the times to acknowledge and to pause observed, oldest first.
func (o *fakeObserver) got() (toAck, toStop []time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, ob := range o.all {
		switch ob.What {
		case "ack":
			toAck = append(toAck, ob.D)
		case "pause":
			toStop = append(toStop, ob.D)
		}
	}
	return toAck, toStop
}

// observations is everything observed, oldest first.
func (o *fakeObserver) observations() []observation {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.all)
}

// svcEnv is an incident.Service over the fakes, its clock at t0.
type svcEnv struct {
	clock     *fakeClock
	repo      *fakeRepo
	campaigns *fakeCampaigns
	jobs      *fakeJobs
	notify    *fakeNotifier
	observe   *fakeObserver
	svc       *incident.Service
}

func newSvcEnv(rbs fakeRunbooks, views ...campaign.View) *svcEnv {
	e := &svcEnv{clock: &fakeClock{t: t0}, repo: newFakeRepo(), campaigns: &fakeCampaigns{views: map[string]campaign.View{}},
		jobs: &fakeJobs{}, notify: &fakeNotifier{}, observe: &fakeObserver{}}
	for _, v := range views {
		e.campaigns.views[v.Campaign.ID] = v
	}
	e.svc = incident.NewService(incident.Deps{Repo: e.repo, Campaigns: e.campaigns, Runbooks: rbs, Jobs: e.jobs,
		Notifier: e.notify, Observer: e.observe, Now: e.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return e
}

// Compile-time checks that the fakes implement the ports.
var (
	_ incident.Repo      = (*fakeRepo)(nil)
	_ incident.Campaigns = (*fakeCampaigns)(nil)
	_ incident.Runbooks  = fakeRunbooks(nil)
	_ incident.Jobs      = (*fakeJobs)(nil)
	_ incident.Notifier  = (*fakeNotifier)(nil)
	_ incident.Observer  = (*fakeObserver)(nil)
)
