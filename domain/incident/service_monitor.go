package incident

import (
	"context"
	"errors"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
)

// Watcher starts step 6's watch window of a just-resolved incident
// (monitoring.Service). Starting is idempotent; the monitoring tick starts
// any window a failed call left out, so Resolve only logs its error.
type Watcher interface {
	StartWatch(ctx context.Context, inc Incident) error
}

// SetWatcher sets the Watcher after construction: the composition root
// builds the monitoring service from this one, so it cannot be in Deps then.
// Call it before the service is used.
func (s *Service) SetWatcher(w Watcher) { s.watch = w }

// startWatch runs after a committed resolve.
func (s *Service) startWatch(ctx context.Context, inc Incident) {
	if s.watch == nil || inc.Status != Resolved {
		return
	}
	if err := s.watch.StartWatch(ctx, inc); err != nil {
		s.log.Warn("start watch window (the monitoring tick will retry)", "incident_id", inc.ID, "err", err.Error())
	}
}

// ReopenForAlert puts a step-6 alert raised by incident id's watch window on
// the right incident, by the system actor:
//   - id is resolved and its campaign has no other open incident: id is
//     reopened (Incident.ReopenForAlert; reopened true);
//   - its campaign has another open incident (incidents_one_open_per_campaign
//     forbids a second): the alert is recorded on that one, naming id, and
//     id stays resolved;
//   - id is open already (an earlier alert reopened it): the alert is
//     recorded on it.
//
// It returns the incident the alert was recorded on.
func (s *Service) ReopenForAlert(ctx context.Context, id string, a MonitoringAlert) (Incident, bool, error) {
	cur, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return Incident{}, false, err
	}
	target := id
	if cur.Status == Resolved {
		other, err := s.repo.OpenIncidentFor(ctx, cur.CampaignID)
		switch {
		case err == nil && other.ID != id:
			target, a.WindowOf = other.ID, id
		case err != nil && !errors.Is(err, ErrNotFound):
			return Incident{}, false, err
		}
	}
	reopened := false
	inc, err := s.update(ctx, audit.System, target, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.ReopenForAlert(a, now)
		reopened = ch.Action == ActionReopen
		return next, ch, nil, err
	})
	return inc, reopened, err
}

// CloseWatch completes step 6 on the incident when its watch window closed
// with no alert (system actor, on the timeline); a repeat changes nothing.
func (s *Service) CloseWatch(ctx context.Context, id string, end time.Time) (Incident, error) {
	inc, err := s.update(ctx, audit.System, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.CloseWatch(end, now)
		return next, ch, nil, err
	})
	if errors.Is(err, ErrNoChange) {
		return s.repo.GetIncident(ctx, id)
	}
	return inc, err
}

// RecordWatchStart puts the start of step 6's watch window on the timeline
// (incident.watch_started, system actor): when it ends and what the
// baseline's note says. It changes nothing else, resolved or not.
func (s *Service) RecordWatchStart(ctx context.Context, id string, start, end time.Time, note string) error {
	_, err := s.update(ctx, audit.System, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		return cur, Change{Action: ActionWatchStart, Data: map[string]any{"start": start, "end": end, "baseline": note}}, nil, nil
	})
	return err
}

// ActionNotify is a notification sent about an incident other than an
// escalation (a step-6 alert): what it was about and DeliveryData.
const ActionNotify = "incident.notify"

// RecordNotification puts one notification attempt on the incident's timeline
// (incident.notify, system actor): about what, who was told, why a channel
// failed, or NoChannel. It changes nothing else, resolved or not.
func (s *Service) RecordNotification(ctx context.Context, id, about string, d Delivery, notifyErr error) error {
	_, err := s.update(ctx, audit.System, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		data := DeliveryData(d, notifyErr)
		data["about"] = about
		return cur, Change{Action: ActionNotify, Data: data}, nil, nil
	})
	return err
}
