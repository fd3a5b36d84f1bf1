package campaign_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/page"
)

// The in-memory fakes of campaign.Service's ports: maps behind a mutex, with
// the store's rules that the service relies on (SetStatus refuses a status it
// may not leave and returns the current campaign with errWrong; LeaseESP
// refuses while another caller holds the lease or once SendGrid's plane moved
// since the caller's read; SetESPState releases the lease). Methods no test
// reaches panic, so a service calling something new shows up at once.

// t0 is where every test's clock starts.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// fakeClock is the service's injectable clock, also Postgres's clock for the
// fake repo's lease.
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

// fakeRepo is campaign.Repo in memory.
type fakeRepo struct {
	mu        sync.Mutex
	clock     *fakeClock
	campaigns map[string]campaign.Campaign
	// sending holds the deadlines of each campaign's handoff requests still
	// "sending" (InFlight counts those before their deadline).
	sending map[string][]time.Time
	// handed are each campaign's accepted requests (send_at and size).
	handed      map[string][]campaign.Handed
	audit       []audit.Entry
	inFlightN   int // InFlight calls
	leaseLost   int // LeaseESP calls refused
	leaseTaken  int // LeaseESP calls granted
	inFlightHit chan struct{}
}

func newFakeRepo(clock *fakeClock, cs ...campaign.Campaign) *fakeRepo {
	r := &fakeRepo{clock: clock, campaigns: map[string]campaign.Campaign{}, sending: map[string][]time.Time{},
		handed: map[string][]campaign.Handed{}, inFlightHit: make(chan struct{}, 100)}
	for _, c := range cs {
		r.campaigns[c.ID] = c
	}
	return r
}

// campaign returns the stored campaign as a test sees it afterwards.
func (r *fakeRepo) campaign(t *testing.T, id string) campaign.Campaign {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.campaigns[id]
	if !ok {
		t.Fatalf("no campaign %s stored", id)
	}
	return c
}

// actions lists the audit actions written so far, in order.
func (r *fakeRepo) actions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.audit))
	for i, e := range r.audit {
		out[i] = e.Action
	}
	return out
}

// startRequest puts a handoff request of the campaign in flight until
// deadline; finishRequests settles all of them.
func (r *fakeRepo) startRequest(id string, deadline time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sending[id] = append(r.sending[id], deadline)
}

func (r *fakeRepo) finishRequests(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sending, id)
}

func (r *fakeRepo) counts() (inFlight, lost, taken int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.inFlightN, r.leaseLost, r.leaseTaken
}

func (r *fakeRepo) GetCampaign(_ context.Context, id string) (campaign.Campaign, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.campaigns[id]
	if !ok {
		return campaign.Campaign{}, campaign.ErrNotFound
	}
	return c, nil
}

func (r *fakeRepo) SetStatus(_ context.Context, id string, from []campaign.Status, to campaign.Status, now time.Time,
	errWrong error, a audit.Entry) (campaign.Campaign, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.campaigns[id]
	if !ok {
		return campaign.Campaign{}, campaign.ErrNotFound
	}
	if !slices.Contains(from, c.Status) {
		return c, errWrong
	}
	a.Data = audit.With(a.Data, "from", string(c.Status), "to", string(to))
	c.Status, c.UpdatedAt = to, now
	switch to {
	case campaign.Paused:
		c.PausedAt = &now
	case campaign.Cancelled:
		c.FinishedAt = &now
		c.Cancelled += c.Remaining()
	}
	r.campaigns[id] = c
	r.audit = append(r.audit, a)
	return c, nil
}

func (r *fakeRepo) InFlight(_ context.Context, id string, now time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inFlightN++
	select {
	case r.inFlightHit <- struct{}{}:
	default:
	}
	n := 0
	for _, d := range r.sending[id] {
		if d.After(now) {
			n++
		}
	}
	return n, nil
}

func (r *fakeRepo) LeaseESP(_ context.Context, seen campaign.Campaign, ttl time.Duration) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.campaigns[seen.ID]
	now := r.clock.Now()
	free := c.ESPBusyUntil == nil || c.ESPBusyUntil.Before(now)
	unchanged := c.ESPState == seen.ESPState && equalTime(c.ESPStateAt, seen.ESPStateAt)
	if !ok || !free || !unchanged {
		r.leaseLost++
		return false, nil
	}
	until := now.Add(ttl)
	c.ESPBusyUntil = &until
	r.campaigns[c.ID] = c
	r.leaseTaken++
	return true, nil
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func (r *fakeRepo) SetESPState(_ context.Context, id string, state campaign.ESPState, at time.Time, errMsg string, a audit.Entry) (campaign.Campaign, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.campaigns[id]
	if !ok {
		return campaign.Campaign{}, campaign.ErrNotFound
	}
	c.ESPState, c.ESPStateAt, c.ESPError, c.ESPBusyUntil = state, &at, errMsg, nil
	r.campaigns[id] = c
	r.audit = append(r.audit, a)
	return c, nil
}

func (r *fakeRepo) Handed(_ context.Context, id string) ([]campaign.Handed, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.handed[id]), nil
}

func (r *fakeRepo) HandedFor(_ context.Context, ids []string) (map[string][]campaign.Handed, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]campaign.Handed, len(ids))
	for _, id := range ids {
		out[id] = slices.Clone(r.handed[id])
	}
	return out, nil
}

func (r *fakeRepo) CreateBrand(context.Context, campaign.Brand, audit.Entry) (campaign.Brand, error) {
	panic("not used")
}
func (r *fakeRepo) GetBrand(context.Context, string) (campaign.Brand, error) { panic("not used") }
func (r *fakeRepo) ListBrands(context.Context) ([]campaign.Brand, error)     { panic("not used") }
func (r *fakeRepo) CreateCampaign(context.Context, campaign.Campaign, audit.Entry) (campaign.Campaign, error) {
	panic("not used")
}
func (r *fakeRepo) ListCampaigns(context.Context, page.Request) ([]campaign.Campaign, page.Cursor, error) {
	panic("not used")
}
func (r *fakeRepo) AudienceFacts(context.Context, []string, int, []campaign.Tag) (campaign.AudienceFacts, error) {
	panic("not used")
}
func (r *fakeRepo) StartSend(context.Context, string, string, time.Time, audit.Entry, campaign.CautionRule) (campaign.Campaign, error) {
	panic("not used")
}
func (r *fakeRepo) Claim(context.Context, string, time.Time, time.Time, int) (campaign.ClaimResult, error) {
	panic("not used")
}
func (r *fakeRepo) Finish(context.Context, string, campaign.Outcome, string, string) error {
	panic("not used")
}
func (r *fakeRepo) AbandonExpired(context.Context, time.Time) (int, error) { panic("not used") }
func (r *fakeRepo) Sending(context.Context) ([]string, error)              { panic("not used") }
func (r *fakeRepo) ESPRetryDue(context.Context) ([]string, error)          { panic("not used") }
func (r *fakeRepo) RecipientOf(context.Context, string, string) (string, int, error) {
	panic("not used")
}

// espCall is one call SendGrid received: the batch and "pause", "cancel" or
// "clear" (ClearBatchStatus).
type espCall struct{ Batch, Status string }

// fakeScheduler is SendGrid's scheduled-sends API: it records every call and
// answers refuse (nil: accepted). When hold is set, each call first signals
// entered and then waits for hold to be closed, so a test can have a call in
// progress while another caller arrives.
type fakeScheduler struct {
	mu      sync.Mutex
	calls   []espCall
	refuse  error
	hold    chan struct{}
	entered chan struct{}
}

func (s *fakeScheduler) SetBatchStatus(ctx context.Context, batchID string, status esp.ScheduleStatus) error {
	return s.call(ctx, batchID, string(status))
}

func (s *fakeScheduler) ClearBatchStatus(ctx context.Context, batchID string) error {
	return s.call(ctx, batchID, "clear")
}

func (s *fakeScheduler) call(ctx context.Context, batchID, status string) error {
	s.mu.Lock()
	s.calls = append(s.calls, espCall{batchID, status})
	hold, entered, refuse := s.hold, s.entered, s.refuse
	s.mu.Unlock()
	if hold != nil {
		entered <- struct{}{}
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return refuse
}

func (s *fakeScheduler) got() []espCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *fakeScheduler) setRefuse(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = err
}

// fakeSender is esp.Sender; the pause paths never send mail.
type fakeSender struct{}

func (fakeSender) CreateBatch(context.Context) (string, error) { panic("not used") }
func (fakeSender) Send(context.Context, esp.Message) (esp.SendResult, error) {
	panic("not used")
}

// fakeJobs records the background work the service enqueues.
type fakeJobs struct {
	mu       sync.Mutex
	handOffs []string
	retries  []string
}

func (j *fakeJobs) HandOff(_ context.Context, id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.handOffs = append(j.handOffs, id)
	return nil
}

func (j *fakeJobs) HandOffAt(context.Context, string, time.Time) error { panic("not used") }

func (j *fakeJobs) RetryESP(_ context.Context, id string, _ time.Duration) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.retries = append(j.retries, id)
	return nil
}

func (j *fakeJobs) got() (handOffs, retries []string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.handOffs), slices.Clone(j.retries)
}

// env is a campaign.Service over the fakes.
type env struct {
	clock *fakeClock
	repo  *fakeRepo
	sched *fakeScheduler
	jobs  *fakeJobs
	svc   *campaign.Service
}

func newEnv(cs ...campaign.Campaign) *env {
	e := &env{clock: &fakeClock{t: t0}, sched: &fakeScheduler{}, jobs: &fakeJobs{}}
	e.repo = newFakeRepo(e.clock, cs...)
	e.svc = campaign.NewService(e.repo, fakeSender{}, e.sched, e.jobs, campaign.Config{Now: e.clock.Now})
	return e
}

// Compile-time checks that the fakes implement the ports.
var (
	_ campaign.Repo = (*fakeRepo)(nil)
	_ campaign.Jobs = (*fakeJobs)(nil)
	_ esp.Scheduler = (*fakeScheduler)(nil)
	_ esp.Sender    = fakeSender{}
)

func (r *fakeRepo) ReleaseInDoubt(context.Context, string, []campaign.Status, time.Time, error, audit.Entry) (campaign.InDoubtRelease, error) {
	panic("not used")
}
