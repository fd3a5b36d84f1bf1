package campaign_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// The compose ports (campaign.ComposeRepo). fakeRepo has them so it is still
// a campaign.Repo; the pause tests never reach them, so they panic like its
// other unused methods. composeRepo is fakeRepo with a brand, an audience and
// users behind them, for the compose tests.

func (r *fakeRepo) AudienceSample(context.Context, campaign.Campaign, int) ([]campaign.Member, error) {
	panic("not used")
}
func (r *fakeRepo) AudienceMember(context.Context, campaign.Campaign, string) (campaign.Recipient, error) {
	panic("not used")
}
func (r *fakeRepo) EstimateAudience(context.Context, []string, int) (campaign.AudienceEstimate, error) {
	panic("not used")
}
func (r *fakeRepo) UserEmail(context.Context, string) (string, error) { panic("not used") }
func (r *fakeRepo) Audit(context.Context, audit.Entry) error          { panic("not used") }

// composeRepo keeps one brand, one audience (kept ordered by address, as the
// store orders it; the store decides who is in it, not the service) and the
// users' addresses; it records the estimates asked and the audit entries.
type composeRepo struct {
	*fakeRepo
	brand     campaign.Brand
	audience  []campaign.Recipient
	users     map[string]string // id -> email
	estimated [][]string        // the segments of each EstimateAudience call
	estimate  campaign.AudienceEstimate
}

func newComposeRepo(c campaign.Campaign, b campaign.Brand, audience ...campaign.Recipient) *composeRepo {
	audience = slices.Clone(audience)
	slices.SortFunc(audience, func(a, b campaign.Recipient) int { return strings.Compare(a.Values.Email, b.Values.Email) })
	return &composeRepo{fakeRepo: newFakeRepo(&fakeClock{t: t0}, c), brand: b, audience: audience, users: map[string]string{}}
}

func (r *composeRepo) GetBrand(_ context.Context, id string) (campaign.Brand, error) {
	if id != r.brand.ID {
		return campaign.Brand{}, campaign.ErrBrandNotFound
	}
	return r.brand, nil
}

func (r *composeRepo) AudienceSample(_ context.Context, _ campaign.Campaign, limit int) ([]campaign.Member, error) {
	var out []campaign.Member
	for _, m := range r.audience[:min(limit, len(r.audience))] {
		out = append(out, campaign.Member{ID: m.ID, Email: m.Values.Email})
	}
	return out, nil
}

func (r *composeRepo) AudienceMember(_ context.Context, _ campaign.Campaign, id string) (campaign.Recipient, error) {
	if id == "" {
		if len(r.audience) == 0 {
			return campaign.Recipient{}, campaign.ErrEmptyAudience
		}
		return r.audience[0], nil
	}
	for _, m := range r.audience {
		if m.ID == id {
			return m, nil
		}
	}
	return campaign.Recipient{}, campaign.ErrRecipientNotInAudience
}

func (r *composeRepo) EstimateAudience(_ context.Context, segments []string, _ int) (campaign.AudienceEstimate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.estimated = append(r.estimated, slices.Clone(segments))
	return r.estimate, nil
}

func (r *composeRepo) UserEmail(_ context.Context, id string) (string, error) {
	email, ok := r.users[id]
	if !ok {
		return "", campaign.ErrNoTestAddress
	}
	return email, nil
}

func (r *composeRepo) Audit(_ context.Context, e audit.Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.audit = append(r.audit, e)
	return nil
}

// mailbox is esp.Sender for the test send: it records every message and
// answers refuse (nil: accepted as message "msg-N").
type mailbox struct {
	mu     sync.Mutex
	sent   []esp.Message
	refuse error
}

func (m *mailbox) CreateBatch(context.Context) (string, error) { panic("not used") }

func (m *mailbox) Send(_ context.Context, msg esp.Message) (esp.SendResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	if m.refuse != nil {
		return esp.SendResult{}, m.refuse
	}
	return esp.SendResult{MessageID: "msg-" + strconv.Itoa(len(m.sent))}, nil
}

func (m *mailbox) got() []esp.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// newComposeService is a campaign.Service over r and mail.
func newComposeService(r *composeRepo, mail esp.Sender) *campaign.Service {
	return campaign.NewService(r, mail, &fakeScheduler{}, &fakeJobs{}, campaign.Config{Now: func() time.Time { return t0 },
		PublicURL: "https://fb.example", UnsubscribeKey: []byte("k")})
}

var _ campaign.Repo = (*composeRepo)(nil)

// The series ports (campaign.SeriesRepo): the service tests do not reach them.
func (r *fakeRepo) OutcomeSpan(context.Context, string) (*time.Time, *time.Time, error) {
	panic("not used")
}
func (r *fakeRepo) OutcomeSeries(context.Context, string, time.Duration, time.Time, time.Time, int) ([]campaign.SeriesBucket, error) {
	panic("not used")
}
