package campaign

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// Step 6, cautious next sends (DESIGN.md): while a brand has an open watch
// window (an incident of the brand was resolved and is being watched), a new
// campaign of that brand goes out with the window's canary wave — the
// runbook's monitoring.canary_percent of the audience first, the rest only
// after monitoring.canary_hold — and says why. An admin may send it without
// that canary, with a reason, audited. The decision is taken inside the
// transaction that starts the send (Repo.StartSend calls a CautionRule with
// the windows it read under a share lock), so a window closing or opening at
// the same moment is either applied in full or not at all.

// ErrCautionOverrideForbidden: only an admin may send without the canary.
var ErrCautionOverrideForbidden = errs.New(errs.Forbidden, "caution_override_forbidden",
	"Only an admin may send a campaign without the canary its brand's watch window imposes.")

// MaxOverrideReasonLen bounds an override's reason (characters).
const MaxOverrideReasonLen = 2000

// Watch is one open watch window over a brand, as a send sees it.
type Watch struct {
	IncidentID      string
	IncidentSummary string
	Runbook         string
	BrandID         string
	BrandName       string
	End             time.Time
	// Alert: a spike in the window reopened the incident (the window is in
	// alert until the incident is resolved again).
	Alert bool
}

// Caution is what a brand's watch does to a campaign. On a draft it is
// computed live (what send will do); once sent it is what the send did,
// stored with the campaign, so it stays true after the window closes.
// CanaryPercent and CanaryHoldSeconds are the watch's canary; the canary the
// campaign really went out with is its own CanaryPercent and
// CanaryHoldSeconds, which the send sets (a stronger canary of its own kept).
type Caution struct {
	IncidentID        string
	Runbook           string
	WindowEnd         time.Time
	Reason            string
	CanaryPercent     float64
	CanaryHoldSeconds int
	Overridden        bool
	OverrideReason    string
	OverriddenBy      string
	OverriddenAt      *time.Time
}

// CautionOverride asks to send without the watch's canary: Reason says why
// (required), Admin whether the caller holds the admin role.
type CautionOverride struct {
	Reason string
	Admin  bool
}

// CautionRepo is what the cautious send needs from the store.
type CautionRepo interface {
	// OpenWatches lists the watch windows still watching and ending after
	// now, of the given brands (all brands when none is given), the latest
	// end first.
	OpenWatches(ctx context.Context, brandIDs []string, now time.Time) ([]Watch, error)
}

// CautionRule decides, inside StartSend's transaction and under its locks,
// what the brand's open windows (open, read in that transaction) do to the
// draft c. An error aborts the send (nothing is stored).
type CautionRule func(c Campaign, open []Watch) (CautionDecision, error)

// CautionDecision is what StartSend stores: Campaign is the draft with the
// canary it goes out with; Caution is nil when no window applies; Audit are
// the entries to write with the send (the campaign's and the watched
// incident's).
type CautionDecision struct {
	Campaign Campaign
	Caution  *Caution
	Audit    []audit.Entry
}

// Runbooks is the loaded runbook set (*runbook.Set): each window's canary.
type Runbooks interface {
	Get(id string) (runbook.Runbook, bool)
}

// watchCanary is the canary the runbook's watch imposes.
func watchCanary(rbs Runbooks, runbookID string) (float64, int) {
	pct, hold := float64(runbook.DefaultCanaryPercent), runbook.DefaultCanaryHold
	if rbs != nil {
		if rb, ok := rbs.Get(runbookID); ok && rb.Monitoring.CanaryPercent > 0 {
			pct, hold = rb.Monitoring.CanaryPercent, rb.Monitoring.CanaryHold
		}
	}
	return pct, int(hold / time.Second)
}

// Cautious is the pure rule of step 6's cautious sends. Given the brand's
// open windows, it returns the caution (nil when none is open) and c with the
// canary it goes out with. With several windows open, the one ending last is
// named and the strongest canary of them applies (smallest share, longest
// hold). The watch's canary is at least as strong as the runbook says: a
// canary of the campaign's own with a smaller share or a longer hold keeps
// that part. An override keeps the campaign's own canary (none if it has
// none) and records who, when and why. sent says whether the send happens
// now (the reason's tense).
func Cautious(c Campaign, open []Watch, rbs Runbooks, o *CautionOverride, actor audit.Actor, now time.Time, sent bool) (*Caution, Campaign) {
	if len(open) == 0 {
		return nil, c
	}
	named := open[0]
	pct, hold := watchCanary(rbs, named.Runbook)
	for _, w := range open {
		if (w.Alert && !named.Alert) || (w.Alert == named.Alert && w.End.After(named.End)) {
			named = w
		}
		p, h := watchCanary(rbs, w.Runbook)
		pct, hold = min(pct, p), max(hold, h)
	}
	cau := &Caution{IncidentID: named.IncidentID, Runbook: named.Runbook, WindowEnd: named.End.UTC(),
		CanaryPercent: pct, CanaryHoldSeconds: hold}
	head := fmt.Sprintf("Watching %s after incident “%s” until %s: ", named.BrandName, incidentName(named),
		named.End.UTC().Format("2 Jan"))
	if named.Alert {
		head = fmt.Sprintf("Incident “%s” of %s was reopened by a deliverability alert: ", incidentName(named),
			named.BrandName)
	}
	if o != nil {
		at := now.UTC()
		cau.Overridden, cau.OverrideReason, cau.OverriddenBy, cau.OverriddenAt = true, strings.TrimSpace(o.Reason), actor.Name, &at
		verb := "sent"
		if !sent {
			verb = "will be sent"
		}
		cau.Reason = fmt.Sprintf("%s%s without the watch's %s, overridden by %s: “%s”.", head, verb,
			describeCanary(pct, hold), actor.Name, cau.OverrideReason)
		return cau, c
	}
	out := c
	if out.CanaryPercent <= 0 || out.CanaryPercent > pct {
		out.CanaryPercent = pct
	}
	out.CanaryHoldSeconds = max(out.CanaryHoldSeconds, hold)
	verb := "sent as"
	if !sent {
		verb = "send goes out as"
	}
	cau.Reason = head + verb + " a " + describeCanary(out.CanaryPercent, out.CanaryHoldSeconds)
	if out.CanaryPercent != pct || out.CanaryHoldSeconds != hold {
		cau.Reason += fmt.Sprintf(" (the watch's is a %s; the campaign's own stronger setting is kept)", describeCanary(pct, hold))
	}
	cau.Reason += "."
	return cau, out
}

// validateOverride refuses an override before anything is sent: only an
// admin (403), only with a reason (422), only while a window applies (422,
// the same check StartSend repeats under its locks).
func validateOverride(o *CautionOverride, open []Watch) error {
	if o == nil {
		return nil
	}
	if !o.Admin {
		return ErrCautionOverrideForbidden
	}
	var f errs.Fields
	switch r := strings.TrimSpace(o.Reason); {
	case r == "":
		f.Add("override_caution_reason", "is required: say why this campaign may go out without the watch's canary")
	case utf8.RuneCountInString(r) > MaxOverrideReasonLen:
		f.Add("override_caution_reason", fmt.Sprintf("must be at most %d characters", MaxOverrideReasonLen))
	case len(open) == 0:
		f.Add("override_caution_reason", "no watch window applies to this campaign's brand: send it without override_caution_reason")
	}
	return f.Err()
}

// cautionRule is the CautionRule of one Send by actor: Cautious over what
// StartSend read, and the audit entries of what it decided.
func (s *Service) cautionRule(actor audit.Actor, o *CautionOverride, now time.Time) CautionRule {
	return func(c Campaign, open []Watch) (CautionDecision, error) {
		if err := validateOverride(o, open); err != nil {
			return CautionDecision{}, err
		}
		cau, out := Cautious(c, open, s.cfg.Runbooks, o, actor, now, true)
		d := CautionDecision{Campaign: out, Caution: cau}
		if cau == nil {
			return d, nil
		}
		action, data := "campaign.caution_applied", map[string]any{"incident_id": cau.IncidentID,
			"runbook": cau.Runbook, "window_end": cau.WindowEnd, "reason": cau.Reason,
			"watch_canary_percent": cau.CanaryPercent, "watch_canary_hold_seconds": cau.CanaryHoldSeconds,
			"canary_percent": out.CanaryPercent, "canary_hold_seconds": out.CanaryHoldSeconds,
			"own_canary_percent": c.CanaryPercent, "own_canary_hold_seconds": c.CanaryHoldSeconds}
		if cau.Overridden {
			action = "campaign.caution_override"
			data["override_reason"] = cau.OverrideReason
		}
		d.Audit = []audit.Entry{
			{Actor: actor, Action: action, SubjectType: "campaign", SubjectID: c.ID, Data: data},
			// the watched incident's timeline says which later campaigns went
			// out cautiously, and which an admin let out without the canary
			{Actor: actor, Action: action, SubjectType: "incident", SubjectID: cau.IncidentID,
				Data: audit.With(clone(data), "campaign_id", c.ID, "campaign_name", c.Name)},
		}
		return d, nil
	}
}

// liveCaution is a draft's caution as of now (what send would do); nil for
// a campaign that is not a draft (its stored caution stands) or whose brand
// is not watched.
func (s *Service) liveCaution(ctx context.Context, c Campaign) (*Caution, error) {
	if c.Status != Draft {
		return c.Caution, nil
	}
	open, err := s.repo.OpenWatches(ctx, []string{c.BrandID}, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	cau, _ := Cautious(c, open, s.cfg.Runbooks, nil, audit.Actor{}, s.cfg.Now(), false)
	return cau, nil
}

// liveCautions sets the live caution of every draft in vs with one read.
func (s *Service) liveCautions(ctx context.Context, vs []View) error {
	var brands []string
	for _, v := range vs {
		if v.Campaign.Status == Draft {
			brands = append(brands, v.Campaign.BrandID)
		}
	}
	if len(brands) == 0 {
		return nil
	}
	open, err := s.repo.OpenWatches(ctx, brands, s.cfg.Now())
	if err != nil {
		return err
	}
	for i := range vs {
		c := vs[i].Campaign
		if c.Status != Draft {
			continue
		}
		var mine []Watch
		for _, w := range open {
			if w.BrandID == c.BrandID {
				mine = append(mine, w)
			}
		}
		vs[i].Campaign.Caution, _ = Cautious(c, mine, s.cfg.Runbooks, nil, audit.Actor{}, s.cfg.Now(), false)
	}
	return nil
}

// checkOverride refuses a bad override before preflight and before a
// SendGrid batch is opened (StartSend checks the window again under lock).
func (s *Service) checkOverride(ctx context.Context, c Campaign, override []CautionOverride) (*CautionOverride, error) {
	if len(override) == 0 {
		return nil, nil
	}
	o := override[0]
	if !o.Admin {
		return nil, ErrCautionOverrideForbidden
	}
	open, err := s.repo.OpenWatches(ctx, []string{c.BrandID}, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	return &o, validateOverride(&o, open)
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func incidentName(w Watch) string {
	if s := strings.TrimSpace(w.IncidentSummary); s != "" {
		if utf8.RuneCountInString(s) > 80 {
			s = string([]rune(s)[:80]) + "…"
		}
		return s
	}
	return w.Runbook
}

// describeCanary is "10 % canary held 1 h".
func describeCanary(pct float64, holdSeconds int) string {
	return fmt.Sprintf("%s %% canary held %s", strconv.FormatFloat(pct, 'f', -1, 64), describeHold(holdSeconds))
}

// describeHold writes seconds as "1 h", "1 h 30 min", "2 d", "45 s".
func describeHold(sec int) string {
	if sec <= 0 {
		return "0 s"
	}
	var parts []string
	for _, u := range []struct {
		n    int
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}} {
		if sec >= u.n {
			parts = append(parts, fmt.Sprintf("%d %s", sec/u.n, u.name))
			sec %= u.n
		}
	}
	return strings.Join(parts, " ")
}
