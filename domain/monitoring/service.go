package monitoring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// Incidents is what step 6 needs from the incident use-cases
// (incident.Service): the rules of reopening and of completing step 6 stay
// in domain/incident.
type Incidents interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	ReopenForAlert(ctx context.Context, id string, a incident.MonitoringAlert) (incident.Incident, bool, error)
	CloseWatch(ctx context.Context, id string, end time.Time) (incident.Incident, error)
	RecordWatchStart(ctx context.Context, id string, start, end time.Time, note string) error
	RecordNotification(ctx context.Context, id, about string, d incident.Delivery, err error) error
}

// CampaignPauser pauses a campaign on both planes (campaign.Service).
type CampaignPauser interface {
	Pause(ctx context.Context, actor audit.Actor, id, reason string) (campaign.View, error)
}

// CommunicationPauser pauses a communication on both planes (communication.Service).
type CommunicationPauser interface {
	Pause(ctx context.Context, actor audit.Actor, id string) (communication.View, error)
}

// Runbooks is the loaded runbook set (the window's length).
type Runbooks interface {
	Get(id string) (runbook.Runbook, bool)
}

// Users finds the owner's address for the alert notification.
type Users interface {
	UserEmail(ctx context.Context, userID string) (string, error)
}

// DefaultWindow is the watch window of a runbook that sets none.
const DefaultWindow = 14 * 24 * time.Hour

// RecoverStartsFor bounds how far back the tick looks for a resolved
// incident whose window failed to start: long enough to outlast a worker
// outage, short enough that incidents resolved long before step 6 existed
// are not watched (and their old sends paused) after an upgrade.
const RecoverStartsFor = 7 * 24 * time.Hour

// Deps wires a Service.
type Deps struct {
	Store          Store
	Incidents      Incidents
	Campaigns      CampaignPauser
	Communications CommunicationPauser
	Runbooks       Runbooks
	Users          Users
	Notifier       incident.Notifier // nil: no notification
	Now            func() time.Time
	Log            *slog.Logger
}

// Service is step 6's use-cases: start a window on resolve, the periodic
// tick, and the monitoring read.
type Service struct{ d Deps }

// NewService returns the use-cases.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d}
}

var _ incident.Watcher = (*Service)(nil)

// StartWatch opens the resolved incident's watch window (incident.Watcher):
// from its resolve for the runbook's monitoring.window, judged by the
// brand's baseline as of now (a snapshot, so later sends never move the
// thresholds). Idempotent: an incident's first window stays.
func (s *Service) StartWatch(ctx context.Context, inc incident.Incident) error {
	if inc.Status != incident.Resolved || inc.ResolvedAt == nil {
		return nil
	}
	length := DefaultWindow
	if rb, ok := s.d.Runbooks.Get(inc.Runbook); ok && rb.Monitoring.Window > 0 {
		length = rb.Monitoring.Window
	}
	brand, err := s.d.Store.BrandOfCampaign(ctx, inc.CampaignID)
	if err != nil {
		return err
	}
	b, err := s.baseline(ctx, brand, inc)
	if err != nil {
		return err
	}
	w, started, err := s.d.Store.StartWatchWindow(ctx, NewWindow(inc.ID, brand, inc.CampaignID, *inc.ResolvedAt, length, b))
	if err != nil {
		return err
	}
	if !started {
		return nil
	}
	s.d.Log.InfoContext(ctx, "watch window started", "incident_id", inc.ID, "brand_id", brand,
		"ends_at", w.End, "enough_history", b.EnoughHistory)
	// the timeline entry is a record, not the truth (the window row is): a
	// failure is logged and not retried
	if err := s.d.Incidents.RecordWatchStart(ctx, inc.ID, w.Start, w.End, w.Baseline.Note); err != nil {
		s.d.Log.WarnContext(ctx, "record the watch window's start", "incident_id", inc.ID, "err", err.Error())
	}
	return nil
}

// baseline is the brand's baseline for the incident, read now.
func (s *Service) baseline(ctx context.Context, brand string, inc incident.Incident) (Baseline, error) {
	sends, err := s.d.Store.BrandSends(ctx, brand, "", inc.DetectedAt.AddDate(0, 0, -BaselineDays), inc.DetectedAt)
	if err != nil {
		return Baseline{}, err
	}
	return ComputeBaseline(sends, inc.DetectedAt, inc.CampaignID), nil
}

// Tick is one run of the periodic monitoring:tick task. It re-derives
// everything from Postgres, so a lost, repeated or late tick (a flushed
// Redis, a restarted worker) loses nothing and doubles nothing:
//   - an incident resolved without a window (its start failed) gets one;
//   - each watching window's sends are judged (Evaluate); a crossing is
//     stored once per send and metric, and every stored alert not yet
//     handled pauses its send on both planes, reopens the incident (or is
//     recorded on the campaign's other open incident), notifies the owner,
//     and moves the window to alert;
//   - a window past its end with no alert moves to clear and completes step 6.
//
// The windows' sends and alerts are read for all windows at once (two
// statements whatever their number); a window with nothing to store or act
// on — the common case — costs no further statement.
//
// A window's failure is logged and the others go on; the first error is
// returned so the task is retried.
func (s *Service) Tick(ctx context.Context) error {
	now := s.d.Now()
	var first error
	keep := func(err error, msg string, args ...any) {
		if err == nil {
			return
		}
		s.d.Log.WarnContext(ctx, msg, append(args, "err", err.Error())...)
		if first == nil {
			first = err
		}
	}
	missing, err := s.d.Store.ResolvedWithoutWindow(ctx, now.Add(-RecoverStartsFor))
	keep(err, "list resolved incidents without a window")
	for _, id := range missing {
		inc, err := s.d.Incidents.Get(ctx, id)
		if err == nil {
			err = s.StartWatch(ctx, inc)
		}
		keep(err, "start a missing watch window", "incident_id", id)
	}
	windows, err := s.d.Store.ListWatchingWindows(ctx)
	if err != nil {
		return err
	}
	if len(windows) == 0 {
		return first
	}
	sends, err := s.d.Store.WindowSends(ctx, windows)
	if err != nil {
		return err
	}
	ids := make([]string, len(windows))
	for i, w := range windows {
		ids[i] = w.IncidentID
	}
	raised, err := s.d.Store.WindowAlerts(ctx, ids)
	if err != nil {
		return err
	}
	for _, w := range windows {
		keep(s.tickWindow(ctx, w, sends[w.IncidentID], raised[w.IncidentID], now),
			"monitoring tick of a window", "incident_id", w.IncidentID)
	}
	return first
}

// tickWindow judges one window from its sends and the alerts it had raised
// (read for all windows by Tick).
func (s *Service) tickWindow(ctx context.Context, w Window, sends []Send, raised []Alert, now time.Time) error {
	out := Evaluate(w, sends, raised, now)
	pending := unhandled(raised)
	if len(out.Alerts) > 0 || len(pending) > 0 {
		// something to store or act on: store, then act on every alert not
		// handled as Postgres has it now (a crash between the two is
		// finished by the next tick)
		if _, err := s.d.Store.InsertMonitoringAlerts(ctx, w.IncidentID, out.Alerts); err != nil {
			return err
		}
		all, err := s.d.Store.ListMonitoringAlerts(ctx, w.IncidentID)
		if err != nil {
			return err
		}
		if pending = unhandled(all); len(pending) > 0 {
			return s.handle(ctx, w, pending, now)
		}
	}
	if out.CloseClear {
		if _, err := s.d.Incidents.CloseWatch(ctx, w.IncidentID, w.End); err != nil {
			return err
		}
		if _, err := s.d.Store.CloseWatchWindow(ctx, w.IncidentID, Clear, now); err != nil {
			return err
		}
		s.d.Log.InfoContext(ctx, "watch window closed clear", "incident_id", w.IncidentID)
	}
	return nil
}

// unhandled are the alerts not handled yet.
func unhandled(alerts []Alert) []Alert {
	var out []Alert
	for _, a := range alerts {
		if !a.Handled {
			out = append(out, a)
		}
	}
	return out
}

// handle acts on alerts stored but not handled: pause, reopen, notify; then
// marks them handled and the window alert. Every step is safe to repeat.
func (s *Service) handle(ctx context.Context, w Window, alerts []Alert, now time.Time) error {
	var on incident.Incident
	reopened := false
	for _, a := range alerts {
		ia := toIncidentAlert(a)
		if err := s.pause(ctx, a, ia); err != nil {
			return err
		}
		inc, r, err := s.d.Incidents.ReopenForAlert(ctx, w.IncidentID, ia)
		if err != nil {
			return fmt.Errorf("reopen incident %s: %w", w.IncidentID, err)
		}
		on, reopened = inc, reopened || r
	}
	s.notify(ctx, w, on, reopened, alerts)
	if err := s.d.Store.MarkAlertsHandled(ctx, w.IncidentID, now); err != nil {
		return err
	}
	if _, err := s.d.Store.CloseWatchWindow(ctx, w.IncidentID, Alerted, now); err != nil {
		return err
	}
	s.d.Log.WarnContext(ctx, "step 6 alert", "incident_id", w.IncidentID, "recorded_on", on.ID,
		"reopened", reopened, "alerts", len(alerts))
	return nil
}

// pause stops the send on both planes; a send that is no longer sending
// (drafted again, cancelled, failed) has nothing left to pause.
func (s *Service) pause(ctx context.Context, a Alert, ia incident.MonitoringAlert) error {
	var err error
	switch a.SendKind {
	case KindCampaign:
		_, err = s.d.Campaigns.Pause(ctx, audit.System, a.SendID, "step 6 alert: "+ia.Describe())
		if errors.Is(err, campaign.ErrNotSending) {
			err = nil
		}
	case KindCommunication:
		_, err = s.d.Communications.Pause(ctx, audit.System, a.SendID)
		if errors.Is(err, communication.ErrNotSending) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("pause %s %s: %w", a.SendKind, a.SendID, err)
	}
	return nil
}

// notify tells the incident's owner (or, with no owner, the Slack channel
// alone) what crossed, like an escalation; a failure is logged, not retried
// (the alert is on the timeline and the incident open). The attempt is on the
// timeline too (incident.notify): who was told, why not, or that no channel
// is configured.
func (s *Service) notify(ctx context.Context, w Window, on incident.Incident, reopened bool, alerts []Alert) {
	const about = "step 6 alert"
	if s.d.Notifier == nil {
		s.record(ctx, on.ID, about, incident.Delivery{}, nil)
		return
	}
	n := incident.Notification{Slack: true, Category: "monitoring"}
	if on.OwnerID != "" && s.d.Users != nil {
		if email, err := s.d.Users.UserEmail(ctx, on.OwnerID); err == nil {
			n.Emails = []string{email}
		}
	}
	what := "recorded on"
	if reopened {
		what = "reopened"
	}
	n.Subject = fmt.Sprintf("[Firebreak %s] Step 6 alert: incident %s %s", on.Severity, on.ID, what)
	lines := []string{fmt.Sprintf("A send of the brand crossed a threshold in the watch window of incident %s (%s to %s); the send is paused.",
		w.IncidentID, w.Start.Format(time.RFC3339), w.End.Format(time.RFC3339))}
	if on.ID != w.IncidentID {
		lines = append(lines, fmt.Sprintf("The campaign has another open incident, %s: the alert is recorded there.", on.ID))
	}
	for _, a := range alerts {
		lines = append(lines, "- "+toIncidentAlert(a).Describe())
	}
	n.Text = strings.Join(lines, "\n")
	d, err := s.d.Notifier.Notify(ctx, n)
	if err != nil {
		s.d.Log.WarnContext(ctx, "notify step 6 alert", "incident_id", on.ID, "err", err.Error())
	}
	s.record(ctx, on.ID, about, d, err)
}

// record puts a notification attempt on the timeline; failing to is logged
// (the alert itself is recorded already).
func (s *Service) record(ctx context.Context, id, about string, d incident.Delivery, notifyErr error) {
	if err := s.d.Incidents.RecordNotification(ctx, id, about, d, notifyErr); err != nil {
		s.d.Log.WarnContext(ctx, "record step 6 notification", "incident_id", id, "err", err.Error())
	}
}

func toIncidentAlert(a Alert) incident.MonitoringAlert {
	return incident.MonitoringAlert{At: a.At, Metric: string(a.Metric), Value: a.Value, Baseline: a.Baseline,
		Threshold: a.Threshold, SendKind: string(a.SendKind), SendID: a.SendID, SendName: a.SendName, Delivered: a.Delivered}
}
