// Package postmortem assembles what an incident leaves behind: the
// postmortem report of one incident (summary, timeline, time to acknowledge /
// pause / resolve, blast radius, cost, tasks, communications with their
// approvals and counts, the watch window's outcome) and the breach register
// (every data-breach incident, notified or not: GDPR Art. 33(5)).
//
// It only reads, through the services that already own each part (incident,
// campaign, communication, monitoring): a report shows exactly what the
// dashboard's own pages show. It lives beside package incident, not in it,
// because communication imports incident.
//
// Output is deterministic: every list keeps its source's stable order (the
// timeline by audit id, tasks as the store lists them, communications oldest
// first), times are UTC, and no map is iterated unsorted.
package postmortem

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/monitoring"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/domain/user"
)

// Incidents is what a report reads of an incident (incident.Service).
type Incidents interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	List(ctx context.Context, status, campaignID string) ([]incident.Incident, error)
	Timeline(ctx context.Context, id string) ([]audit.Entry, error)
	GetAssessment(ctx context.Context, id string) (incident.AssessmentView, error)
	Tasks(ctx context.Context, id string) ([]incident.Task, error)
}

// Campaigns reads the incident's campaign, for its name and live counts
// (campaign.Service).
type Campaigns interface {
	Get(ctx context.Context, id string) (campaign.View, error)
}

// Communications lists an incident's communications with their approvals
// and counts, oldest first (communication.Service).
type Communications interface {
	List(ctx context.Context, incidentID string) ([]communication.View, error)
}

// Monitor answers the watch window of an incident (the monitoring service,
// once it exists; until then nil, and the report says not_started).
type Monitor interface {
	Monitoring(ctx context.Context, incidentID string) (monitoring.View, error)
}

// People turns a user id into the address a reader recognises
// (user.Service).
type People interface {
	GetUser(ctx context.Context, id string) (user.User, error)
}

// Runbooks names the incident's runbook.
type Runbooks interface {
	Get(id string) (runbook.Runbook, bool)
}

// Deps wires a Service. Monitor may be nil (not_started); People may be nil
// (user ids are shown as they are).
type Deps struct {
	Incidents      Incidents
	Campaigns      Campaigns
	Communications Communications
	Monitor        Monitor
	People         People
	Runbooks       Runbooks
	Now            func() time.Time
}

// Service builds reports and the breach register.
type Service struct{ d Deps }

// NewService returns the report use-cases.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// Report is the postmortem of one incident.
type Report struct {
	Incident    incident.Incident
	GeneratedAt time.Time
	// Summary is the incident in one paragraph of words.
	Summary        string
	Durations      Durations
	Timeline       []audit.Entry
	Assessment     *incident.AssessmentView // nil when the incident has none
	Tasks          []incident.Task
	Communications []communication.View
	Monitoring     monitoring.View

	RunbookName  string
	CampaignName string
	// PossiblyReceived: the computed blast radius (targeted − held), else
	// the campaign's live counts.
	PossiblyReceived int
	// Names maps every user id the report mentions to an address (lookups
	// only: never iterated).
	Names map[string]string
}

// Durations are the response times from detected_at; nil when the moment
// has not happened.
type Durations struct {
	ToAcknowledge *time.Duration
	ToPause       *time.Duration
	ToResolve     *time.Duration
}

// DurationsOf computes the response times of inc.
func DurationsOf(inc incident.Incident) Durations {
	since := func(t *time.Time) *time.Duration {
		if t == nil {
			return nil
		}
		d := t.Sub(inc.DetectedAt)
		return &d
	}
	return Durations{ToAcknowledge: since(inc.AcknowledgedAt), ToPause: since(inc.PausedAt), ToResolve: since(inc.ResolvedAt)}
}

// NotStarted is the watch window of an incident no monitoring service has
// watched: status not_started, every list empty.
func NotStarted() monitoring.View {
	return monitoring.View{Status: monitoring.NotStarted, Thresholds: []monitoring.Threshold{},
		Series: []monitoring.Point{}, Alerts: []monitoring.Alert{}, Sends: []monitoring.Send{}}
}

// Report assembles the postmortem of incident id (incident.ErrNotFound when
// there is none).
func (s *Service) Report(ctx context.Context, id string) (Report, error) {
	inc, err := s.d.Incidents.Get(ctx, id)
	if err != nil {
		return Report{}, err
	}
	r := Report{Incident: inc, GeneratedAt: s.d.Now().UTC(), Durations: DurationsOf(inc), Names: map[string]string{}}
	if r.Timeline, err = s.d.Incidents.Timeline(ctx, id); err != nil {
		return Report{}, fmt.Errorf("timeline of incident %s: %w", id, err)
	}
	switch a, err := s.d.Incidents.GetAssessment(ctx, id); {
	case err == nil:
		r.Assessment = &a
	case !errors.Is(err, errs.NotFound):
		return Report{}, fmt.Errorf("assessment of incident %s: %w", id, err)
	}
	if r.Tasks, err = s.d.Incidents.Tasks(ctx, id); err != nil {
		return Report{}, fmt.Errorf("tasks of incident %s: %w", id, err)
	}
	if s.d.Communications != nil {
		if r.Communications, err = s.d.Communications.List(ctx, id); err != nil {
			return Report{}, fmt.Errorf("communications of incident %s: %w", id, err)
		}
	}
	if r.Communications == nil {
		r.Communications = []communication.View{}
	}
	r.Monitoring = NotStarted()
	if s.d.Monitor != nil {
		if r.Monitoring, err = s.d.Monitor.Monitoring(ctx, id); err != nil {
			return Report{}, fmt.Errorf("monitoring of incident %s: %w", id, err)
		}
	}
	r.RunbookName = inc.Runbook
	if rb, ok := s.d.Runbooks.Get(inc.Runbook); ok && rb.Title != "" {
		r.RunbookName = rb.Title
	}
	v, err := s.d.Campaigns.Get(ctx, inc.CampaignID)
	if err != nil {
		return Report{}, fmt.Errorf("campaign of incident %s: %w", id, err)
	}
	r.CampaignName = v.Campaign.Name
	r.PossiblyReceived = possiblyReceived(r.Assessment, v)
	if err := s.names(ctx, r.Names, userIDs(r)...); err != nil {
		return Report{}, err
	}
	r.Summary = summarize(r)
	return r, nil
}

func possiblyReceived(a *incident.AssessmentView, v campaign.View) int {
	if a != nil && a.Computed != nil {
		return a.Computed.Totals.Targeted - a.Computed.Totals.Held
	}
	return v.Counts.PossiblyReceived
}

// userIDs are the ids a report shows: owner, task owners and finishers,
// approvers, authors, the legal confirmation.
func userIDs(r Report) []string {
	out := []string{r.Incident.OwnerID}
	if r.Incident.LegalConfirmation != nil {
		out = append(out, r.Incident.LegalConfirmation.By)
	}
	for _, t := range r.Tasks {
		out = append(out, t.OwnerID, t.CompletedBy)
	}
	for _, c := range r.Communications {
		out = append(out, c.AuthorID)
		for _, a := range c.Approvals {
			out = append(out, a.UserID)
		}
	}
	return out
}

// names fills names with the address of each id not in it yet; an id whose
// user is gone stays an id.
func (s *Service) names(ctx context.Context, names map[string]string, ids ...string) error {
	for _, id := range ids {
		if _, ok := names[id]; ok || id == "" {
			continue
		}
		names[id] = id
		if s.d.People == nil {
			continue
		}
		u, err := s.d.People.GetUser(ctx, id)
		if err != nil {
			if errors.Is(err, errs.NotFound) {
				continue
			}
			return fmt.Errorf("name of user %s: %w", id, err)
		}
		names[id] = u.Email
	}
	return nil
}

// Name is the address of user id as the report knows it ("" for none).
func (r Report) Name(id string) string {
	if n, ok := r.Names[id]; ok {
		return n
	}
	return id
}

// summarize says the incident in words: what, on which campaign, how bad,
// how many possibly received it, the cause, where it stands.
func summarize(r Report) string {
	inc := r.Incident
	var b strings.Builder
	fmt.Fprintf(&b, "%s (runbook %s) on campaign %q, severity %s, detected %s", r.RunbookName, inc.Runbook,
		r.CampaignName, inc.Severity, inc.DetectedAt.UTC().Format(timeFormat))
	if inc.Source == incident.SourceWebhook {
		b.WriteString(" from SendGrid's events")
	}
	fmt.Fprintf(&b, ": %s possibly received it.", plural(r.PossiblyReceived, "recipient", "recipients"))
	if r.Assessment != nil && r.Assessment.Cause != "" {
		fmt.Fprintf(&b, " Cause: %s.", strings.TrimRight(r.Assessment.Cause, "."))
	} else {
		b.WriteString(" Cause: not recorded.")
	}
	if inc.Status == incident.Resolved && inc.ResolvedAt != nil {
		fmt.Fprintf(&b, " Resolved after %s.", Words(*r.Durations.ToResolve))
		if s := ClosingSummary(r.Timeline); s != "" {
			fmt.Fprintf(&b, " Closing summary: %s", s)
		}
	} else {
		b.WriteString(" Still open.")
	}
	return b.String()
}

// ClosingSummary is what the resolver wrote when closing the incident: the
// summary of the latest incident.resolve entry ("" when none was given; an
// incident an alert reopened and resolved again has the later one).
func ClosingSummary(timeline []audit.Entry) string {
	for i := len(timeline) - 1; i >= 0; i-- {
		if e := timeline[i]; e.Action == incident.ActionResolve {
			s, _ := e.Data["summary"].(string)
			return s
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// timeFormat is how the report's words show a time (always UTC).
const timeFormat = "2006-01-02 15:04:05 UTC"

// Words says a duration the way a person reads it: "4 min 10 s",
// "2 h 5 min", "3 d 0 h 1 min" is "3 d 1 min"; zero parts are left out,
// seconds are whole (rounded down), and under a second is "0 s".
func Words(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	secs := int64(d / time.Second)
	parts := []struct {
		n    int64
		unit string
	}{{secs / 86400, "d"}, {secs % 86400 / 3600, "h"}, {secs % 3600 / 60, "min"}, {secs % 60, "s"}}
	var out []string
	for _, p := range parts {
		if p.n != 0 {
			out = append(out, fmt.Sprintf("%d %s", p.n, p.unit))
		}
	}
	if len(out) == 0 {
		return "0 s"
	}
	s := strings.Join(out, " ")
	if neg {
		return "−" + s
	}
	return s
}
