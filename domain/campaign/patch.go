package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/esp"
)

// Errors of a change.
var (
	ErrSendingPauseFirst = errs.New(errs.Conflict, "campaign_sending",
		"This campaign is being sent: pause it first, then correct it.")
	ErrFixPending = errs.New(errs.Conflict, "fix_pending",
		"The campaign's content was corrected since it was handed to SendGrid: resume it as a fix.")
	ErrContentChangedMeanwhile = errs.New(errs.Conflict, "content_changed",
		"The content was corrected again while the campaign was resuming; review it and resume again.")
)

// Patch is a change of a campaign's fields; nil fields stay as they are.
type Patch struct {
	Name, Subject, HTML, Text *string
	// Draft only.
	Segments          *[]string
	SendBufferSeconds *int
	CanaryPercent     *float64
	CanaryHoldSeconds *int
	ASMGroupID        *int
}

// DraftOnlyError names the fields only a draft may change (the audience and
// the sending settings are fixed once the audience is snapshotted).
type DraftOnlyError struct{ Fields errs.Fields }

func (e *DraftOnlyError) Error() string {
	return "only a draft's audience and sending settings can change: " + strings.Join(e.names(), ", ")
}

func (e *DraftOnlyError) names() []string {
	out := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		out = append(out, k)
	}
	return out
}

// Unwrap makes it an Invalid error (422).
func (e *DraftOnlyError) Unwrap() error { return errs.Invalid }

// Code is the API error code.
func (e *DraftOnlyError) Code() string { return "not_draft_field" }

// Details carries the fields.
func (e *DraftOnlyError) Details() map[string]any {
	return map[string]any{"fields": map[string]string(e.Fields)}
}

// ContentFields are the fields a correction may change after send.
var ContentFields = []string{"subject", "html", "text"}

// Apply returns c changed by p, and which content fields changed. A draft may
// change everything; a paused campaign only its name and content (a content
// change after send is a correction: ContentVersion goes up, and the next
// Resume withdraws what SendGrid holds with the old content). A campaign
// being sent is ErrSendingPauseFirst; a cancelled or failed one ErrFinished.
func (c Campaign) Apply(p Patch) (Campaign, []string, error) {
	switch c.Status {
	case Draft, Paused:
	case Sending, Sent:
		return c, nil, ErrSendingPauseFirst
	default:
		return c, nil, ErrFinished
	}
	if c.Status != Draft {
		var f errs.Fields
		if p.Segments != nil {
			f.Add("segments", "the audience was snapshotted when the campaign was sent; it cannot change")
		}
		if p.SendBufferSeconds != nil {
			f.Add("send_buffer_seconds", "can only change on a draft")
		}
		if p.CanaryPercent != nil {
			f.Add("canary_percent", "can only change on a draft")
		}
		if p.CanaryHoldSeconds != nil {
			f.Add("canary_hold_seconds", "can only change on a draft")
		}
		if p.ASMGroupID != nil {
			f.Add("asm_group_id", "can only change on a draft")
		}
		if len(f) > 0 {
			return c, nil, &DraftOnlyError{Fields: f}
		}
	}
	next := c
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&next.Name, p.Name)
	set(&next.Subject, p.Subject)
	set(&next.HTML, p.HTML)
	set(&next.Text, p.Text)
	if p.Segments != nil {
		next.Segments = *p.Segments
	}
	if p.SendBufferSeconds != nil {
		next.SendBufferSeconds = *p.SendBufferSeconds
	}
	if p.CanaryPercent != nil {
		next.CanaryPercent = *p.CanaryPercent
	}
	if p.CanaryHoldSeconds != nil {
		next.CanaryHoldSeconds = *p.CanaryHoldSeconds
	}
	if p.ASMGroupID != nil {
		next.ASMGroupID = *p.ASMGroupID
	}
	if err := next.Validate(); err != nil {
		return c, nil, err
	}
	changed := ChangedContent(Content{c.Subject, c.HTML, c.Text}, Content{next.Subject, next.HTML, next.Text})
	if c.Status != Draft && len(changed) > 0 {
		next.ContentVersion = c.ContentVersion + 1
	}
	return next, changed, nil
}

// Content is what a campaign says: what a correction changes.
type Content struct{ Subject, HTML, Text string }

// ChangedContent lists the content fields that differ, in ContentFields order.
func ChangedContent(a, b Content) []string {
	var out []string
	if a.Subject != b.Subject {
		out = append(out, "subject")
	}
	if a.HTML != b.HTML {
		out = append(out, "html")
	}
	if a.Text != b.Text {
		out = append(out, "text")
	}
	return out
}

// FixPending reports whether the campaign's content was corrected since its
// current batch was handed over (the next Resume is a fix).
func (c Campaign) FixPending() bool { return c.ContentVersion > c.HandedVersion }

// Update changes a draft, or corrects a paused campaign, with its audit entry
// (a correction's entry carries the diff and goes on the incident's timeline
// too: Repo.UpdateCampaign).
func (s *Service) Update(ctx context.Context, actor audit.Actor, id string, p Patch) (View, error) {
	now := s.cfg.Now()
	c, err := s.repo.UpdateCampaign(ctx, id, func(cur Campaign) (Campaign, *audit.Entry, error) {
		next, changed, err := cur.Apply(p)
		if err != nil {
			return cur, nil, err
		}
		data := map[string]any{"status": string(cur.Status)}
		action := "campaign.update"
		if next.ContentVersion != cur.ContentVersion {
			action = "campaign.fix"
			next.ContentChangedAt, next.ContentChangedBy = &now, actor.Name
			data["version"] = next.ContentVersion
			data["fields"] = changed
			data["diff"] = ContentDiff(Content{cur.Subject, cur.HTML, cur.Text}, Content{next.Subject, next.HTML, next.Text})
		} else if changed == nil && next.Name == cur.Name && cur.Status != Draft {
			return next, nil, nil // nothing changed: no entry
		}
		return next, &audit.Entry{Actor: actor, Action: action, SubjectType: "campaign", SubjectID: id, Data: data}, nil
	})
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

// FixRepo is the storage of edits and of Fix, then resume.
type FixRepo interface {
	// UpdateCampaign changes the campaign under its row lock: change gets the
	// current row and returns the next one and its audit entry (nil: nothing
	// to record or write). The entry of a correction after send goes on the
	// campaign's open incident's timeline too, and the content it replaces is
	// kept (HandedContent).
	UpdateCampaign(ctx context.Context, id string, change func(Campaign) (Campaign, *audit.Entry, error)) (Campaign, error)
	// HandedContent is the content of a version of the campaign (the one its
	// current batch carries).
	HandedContent(ctx context.Context, campaignID string, version int) (Content, error)
	// SnapshotFacts is AudienceFacts over the campaign's snapshot.
	SnapshotFacts(ctx context.Context, campaignID string, tags []Tag) (AudienceFacts, error)
	// LatestSendAt is the latest send_at of the batch's requests that may be
	// at SendGrid (zero when none).
	LatestSendAt(ctx context.Context, campaignID, batchID string) (time.Time, error)
	// ReleaseESP releases the caller's lease (LeaseESP) without changing
	// SendGrid's plane, recording entry (on the incident's timeline too).
	ReleaseESP(ctx context.Context, campaignID string, entry audit.Entry) error
	// ResumeFixed withdraws, hands back to the dispatcher and resumes, in one
	// transaction, a paused campaign still at fr.Version (else
	// ErrContentChangedMeanwhile; not paused: ErrNotPaused).
	ResumeFixed(ctx context.Context, fr FixResume) (Campaign, error)
	CancelledBatchesDue(ctx context.Context, now time.Time) ([]CancelledBatch, error)
	// MarkBatchReleased records the removal of a cancellation (errMsg empty)
	// or SendGrid's refusal (kept for the next try).
	MarkBatchReleased(ctx context.Context, b CancelledBatch, at time.Time, errMsg string) error
}

// Fix is what the next Resume of a corrected, paused campaign will do.
type Fix struct {
	ChangedAt time.Time `json:"changed_at"`
	ChangedBy string    `json:"changed_by"`
	Fields    []string  `json:"fields"`
	// Withdraw: held at SendGrid with the old content; cancelled and handed
	// over again. HandOver: never handed over. NotResent: possibly received
	// the old version.
	Withdraw  int       `json:"withdraw"`
	HandOver  int       `json:"hand_over"`
	NotResent int       `json:"not_resent"`
	Preflight Preflight `json:"preflight"`
}

// withdrawFrom is the send_at from which the current batch's messages are
// still held at SendGrid (or, the pause not accepted, would be caught by a
// cancel asked now); nil when nothing can be.
func (c Campaign) withdrawFrom(now time.Time) time.Time {
	if (c.ESPState == ESPPaused || c.ESPState == ESPCancelled) && c.ESPStateAt != nil {
		return c.ESPStateAt.Add(CatchWindow)
	}
	return now.Add(CatchWindow)
}

// fixOf describes the pending fix of c; nil when none is.
func (s *Service) fixOf(ctx context.Context, c Campaign, counts Counts, handed []Handed) (*Fix, error) {
	if c.Status != Paused || !c.FixPending() {
		return nil, nil
	}
	old, err := s.repo.HandedContent(ctx, c.ID, c.HandedVersion)
	if err != nil {
		return nil, err
	}
	pf, err := s.fixPreflight(ctx, c)
	if err != nil {
		return nil, err
	}
	from := c.withdrawFrom(s.cfg.Now())
	f := &Fix{ChangedBy: c.ContentChangedBy, Fields: ChangedContent(old, Content{c.Subject, c.HTML, c.Text}),
		HandOver: max(c.Remaining(), 0), Preflight: pf}
	if f.Fields == nil {
		f.Fields = []string{}
	}
	if c.ContentChangedAt != nil {
		f.ChangedAt = *c.ContentChangedAt
	}
	for _, h := range handed {
		if !h.SendAt.Before(from) {
			f.Withdraw += h.Count
		}
	}
	f.NotResent = max(counts.HandedToESP+counts.InDoubt-f.Withdraw, 0)
	return f, nil
}

// fixPreflight checks the corrected content against the campaign's snapshot
// (its audience no longer changes): every tag resolves, subject and reply-to.
func (s *Service) fixPreflight(ctx context.Context, c Campaign) (Preflight, error) {
	b, err := s.repo.GetBrand(ctx, c.BrandID)
	if err != nil {
		return Preflight{}, err
	}
	facts, err := s.repo.SnapshotFacts(ctx, c.ID, needyTags(c))
	if err != nil {
		return Preflight{}, err
	}
	return CheckPreflight(c, b, facts), nil
}

func needyTags(c Campaign) []Tag {
	tags, _ := c.Tags()
	var needy []Tag
	for _, t := range tags {
		if !t.HasFallback {
			needy = append(needy, t)
		}
	}
	return needy
}

// FixResume is the ledger change of a fixed campaign's resume.
type FixResume struct {
	CampaignID string
	Version    int    // the content version that was preflighted
	OldBatch   string // cancelled at SendGrid when Cancelled
	NewBatch   string
	Cancelled  bool
	// WithdrawFrom: the old batch's messages with send_at at or after it are
	// withdrawn (held or caught by the cancel); zero when not Cancelled.
	WithdrawFrom time.Time
	// ReleaseAfter: the cancellation may be removed at SendGrid after this
	// (every message of the old batch past its send_at, so discarded).
	ReleaseAfter time.Time
	Now          time.Time
	Entry        audit.Entry
}

// resumeFixed resumes a paused campaign whose content was corrected: the
// corrected content passes preflight, SendGrid cancels the old batch (so
// nothing it holds with the old content is ever sent), and one transaction
// withdraws the held messages, hands their recipients back to the dispatcher
// under a new batch id and moves the campaign to sending. A refusal at
// SendGrid leaves everything as it was (paused, nothing withdrawn) and is
// recorded on the campaign's and the incident's timeline.
func (s *Service) resumeFixed(ctx context.Context, actor audit.Actor, c Campaign) (View, error) {
	pf, err := s.fixPreflight(ctx, c)
	if err != nil {
		return View{}, err
	}
	if !pf.OK {
		return View{}, &PreflightError{Preflight: pf}
	}
	fr := FixResume{CampaignID: c.ID, Version: c.ContentVersion, OldBatch: c.BatchID, NewBatch: c.BatchID}
	latest, err := s.repo.LatestSendAt(ctx, c.ID, c.BatchID)
	if err != nil {
		return View{}, err
	}
	if c.needsCancel(latest, s.cfg.Now()) {
		bctx, cancel := context.WithTimeout(ctx, s.cfg.ESPTimeout*3)
		fr.NewBatch, err = s.mail.CreateBatch(bctx)
		cancel()
		if err != nil {
			return View{}, fmt.Errorf("create SendGrid batch: %w: %w", errs.Unavailable, err)
		}
		won, err := s.repo.LeaseESP(ctx, c, s.cfg.ESPTimeout+2*time.Second)
		if err != nil {
			return View{}, err
		}
		if !won {
			return View{}, ErrResumeBusy
		}
		ectx, cancel := context.WithTimeout(ctx, s.cfg.ESPTimeout)
		err = s.sched.SetBatchStatus(ectx, c.BatchID, esp.StatusCancel)
		cancel()
		now := s.cfg.Now()
		if err != nil {
			rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer rcancel()
			if rerr := s.repo.ReleaseESP(rctx, c.ID, audit.Entry{Actor: actor, Action: "campaign.fix_refused",
				SubjectType: "campaign", SubjectID: c.ID,
				Data: map[string]any{"batch_id": c.BatchID, "error": err.Error()}}); rerr != nil {
				return View{}, rerr
			}
			return View{}, &FixRefusedError{Cause: err}
		}
		fr.Cancelled = true
		fr.WithdrawFrom = c.withdrawFrom(now)
		fr.ReleaseAfter = maxTime(latest, now).Add(CatchWindow)
	}
	fr.Now = s.cfg.Now()
	fr.Entry = audit.Entry{Actor: actor, Action: "campaign.resume", SubjectType: "campaign", SubjectID: c.ID,
		Data: map[string]any{"fix": true, "version": c.ContentVersion, "old_batch_id": c.BatchID, "batch_id": fr.NewBatch,
			"old_batch_cancelled": fr.Cancelled}}
	c, err = s.repo.ResumeFixed(ctx, fr)
	if err != nil {
		return View{}, err
	}
	if err := s.jobs.HandOff(ctx, c.ID); err != nil {
		s.cfg.Log.Warn("enqueue handoff", "campaign_id", c.ID, "err", err.Error())
	}
	return s.view(ctx, c)
}

// ErrResumeBusy: another caller is talking to SendGrid about the batch.
var ErrResumeBusy = errs.New(errs.Conflict, "resume_in_progress",
	"Another pause or resume of this campaign is talking to SendGrid right now; try again in a few seconds.")

// FixRefusedError: SendGrid did not cancel the old batch, so nothing was
// withdrawn or re-sent and the campaign stays paused.
type FixRefusedError struct{ Cause error }

func (e *FixRefusedError) Error() string {
	return "SendGrid did not cancel the old batch, so nothing was re-sent and the campaign stays paused: " + e.Cause.Error()
}

// Unwrap: Unavailable (503) and the SendGrid error.
func (e *FixRefusedError) Unwrap() []error { return []error{errs.Unavailable, e.Cause} }

// Code is batch_limit when SendGrid's limit of paused or cancelled batches is
// reached, else esp_unavailable.
func (e *FixRefusedError) Code() string {
	if isBatchLimit(e.Cause) {
		return "batch_limit"
	}
	return "esp_unavailable"
}

// Details carries SendGrid's answer.
func (e *FixRefusedError) Details() map[string]any {
	return map[string]any{"sendgrid": e.Cause.Error()}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ReleaseCancelledBatches removes at SendGrid the cancellations of batches a
// fix replaced once they no longer matter (every message of the batch past its
// send_at, so discarded), freeing SendGrid's slots (10 at once). A refusal is
// kept on the batch and retried on the next run; it returns how many it freed.
func (s *Service) ReleaseCancelledBatches(ctx context.Context) (int, error) {
	due, err := s.repo.CancelledBatchesDue(ctx, s.cfg.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range due {
		ectx, cancel := context.WithTimeout(ctx, s.cfg.ESPTimeout)
		err := s.sched.ClearBatchStatus(ectx, b.BatchID)
		cancel()
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if rerr := s.repo.MarkBatchReleased(ctx, b, s.cfg.Now(), msg); rerr != nil {
			return n, rerr
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}

// CancelledBatch is a batch a fix cancelled at SendGrid.
type CancelledBatch struct {
	BatchID, CampaignID string
	CancelledAt         time.Time
	ReleaseAfter        time.Time
}

// needsCancel reports whether SendGrid may hold (or still catch) anything of
// the current batch: a pause it accepted or may have, or a message whose
// send_at is far enough ahead. A send_buffer_seconds 0 campaign handed over
// before its pause has nothing to cancel, and takes none of SendGrid's 10
// paused-or-cancelled slots.
func (c Campaign) needsCancel(latestSendAt, now time.Time) bool {
	if c.BatchID == "" || c.nothingAtESP() {
		return false
	}
	switch c.ESPState {
	case ESPPaused, ESPCancelled, ESPPending:
		return true
	}
	return !latestSendAt.Before(now.Add(CatchWindow))
}

func isBatchLimit(err error) bool {
	var e *esp.Error
	return errors.As(err, &e) && e.Kind == esp.BatchLimit
}
