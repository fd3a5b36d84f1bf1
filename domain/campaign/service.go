package campaign

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/page"
)

// Config are the service's settings.
type Config struct {
	DefaultSendBuffer time.Duration // FIREBREAK_SEND_BUFFER
	SendTimeout       time.Duration // one mail-send request; default 15s
	ESPTimeout        time.Duration // one pause/resume call at SendGrid; default 3s
	BatchSize         int           // personalizations per mail/send; default (and at most) 1000
	PublicURL         string        // base of the unsubscribe links
	UnsubscribeKey    []byte        // signs unsubscribe links
	InDoubtWait       time.Duration // FIREBREAK_IN_DOUBT_WAIT; default DefaultInDoubtWait (indoubt.go)
	Runbooks          Runbooks      // each watch window's canary (caution.go); nil: the runbook defaults
	Now               func() time.Time
	Log               *slog.Logger
}

// Service is the campaign use-cases: brands, campaigns, preflight, send, and
// the two-plane pause, resume and cancel.
type Service struct {
	repo  Repo
	mail  esp.Sender
	sched esp.Scheduler
	jobs  Jobs
	cfg   Config
}

// NewService wires the use-cases.
func NewService(repo Repo, mail esp.Sender, sched esp.Scheduler, jobs Jobs, cfg Config) *Service {
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 15 * time.Second
	}
	if cfg.ESPTimeout <= 0 {
		cfg.ESPTimeout = 3 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > BatchSize {
		cfg.BatchSize = BatchSize
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{repo: repo, mail: mail, sched: sched, jobs: jobs, cfg: cfg}
}

// PreflightError refuses a send and carries the whole preflight as details.
type PreflightError struct{ Preflight Preflight }

func (e *PreflightError) Error() string {
	return fmt.Sprintf("preflight failed with %d problems", len(e.Preflight.Problems))
}

// Unwrap makes it an Invalid error (422).
func (e *PreflightError) Unwrap() error { return errs.Invalid }

// Code and Details let the HTTP layer show the problems.
func (e *PreflightError) Code() string { return "preflight_failed" }

// Details returns the preflight for the error body.
func (e *PreflightError) Details() map[string]any {
	return map[string]any{"preflight": e.Preflight}
}

// CreateBrand validates and stores a brand.
func (s *Service) CreateBrand(ctx context.Context, actor audit.Actor, b Brand) (Brand, error) {
	if err := b.Validate(); err != nil {
		return Brand{}, err
	}
	if sr := b.SecondReview; !sr.Enabled && sr.AudienceOver == 0 && sr.Mentions == nil { // not given: the defaults (off)
		b.SecondReview = DefaultSecondReview()
	}
	if err := b.SecondReview.Validate(); err != nil {
		return Brand{}, err
	}
	b.SecondReview = b.SecondReview.Normalized()
	return s.repo.CreateBrand(ctx, b, audit.Entry{Actor: actor, Action: "brand.create", SubjectType: "brand",
		Data: map[string]any{"name": b.Name, "from_email": b.FromEmail, "reply_to": b.ReplyTo, "second_review": b.SecondReview}})
}

// ListBrands lists brands.
func (s *Service) ListBrands(ctx context.Context) ([]Brand, error) { return s.repo.ListBrands(ctx) }

// NewCampaign is the input to CreateCampaign; nil pointers take defaults.
type NewCampaign struct {
	Campaign
	SendBufferSeconds *int
}

// CreateCampaign validates and stores a draft.
func (s *Service) CreateCampaign(ctx context.Context, actor audit.Actor, in NewCampaign) (Campaign, error) {
	c := in.Campaign
	c.SendBufferSeconds = int(s.cfg.DefaultSendBuffer / time.Second)
	if in.SendBufferSeconds != nil {
		c.SendBufferSeconds = *in.SendBufferSeconds
	}
	c.Status, c.ESPState, c.CreatedBy = Draft, ESPNone, actor.UserID
	if err := c.Validate(); err != nil {
		return Campaign{}, err
	}
	if _, err := s.repo.GetBrand(ctx, c.BrandID); err != nil {
		if errors.Is(err, errs.NotFound) {
			var f errs.Fields
			f.Add("brand_id", "no brand has this id")
			return Campaign{}, f.Err()
		}
		return Campaign{}, err
	}
	created, err := s.repo.CreateCampaign(ctx, c, audit.Entry{Actor: actor, Action: "campaign.create", SubjectType: "campaign",
		Data: map[string]any{"name": c.Name, "segments": c.Segments, "send_buffer_seconds": c.SendBufferSeconds,
			"canary_percent": c.CanaryPercent}})
	if err != nil {
		return Campaign{}, err
	}
	created.Caution, err = s.liveCaution(ctx, created)
	return created, err
}

// View is a campaign with its counts and stoppability, as the API shows it.
type View struct {
	Campaign     Campaign
	Counts       Counts
	Stoppability Stoppability
	// Messages is where each message is in its life (messages.go).
	Messages Messages
	// Fix is what the next Resume does with corrected content; nil unless
	// the campaign is paused with a correction pending.
	Fix *Fix
	// Review is the second pair of eyes (review.go): on a draft, the one it
	// needs; once sent, the one it was sent with; nil when none.
	Review *Review
}

// Get returns a campaign with its live counts.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	c, err := s.repo.GetCampaign(ctx, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

func (s *Service) view(ctx context.Context, c Campaign) (View, error) {
	handed, err := s.repo.Handed(ctx, c.ID)
	if err != nil {
		return View{}, err
	}
	v := s.viewOf(c, handed)
	if v.Campaign.Caution, err = s.liveCaution(ctx, c); err != nil {
		return View{}, err
	}
	if v.Fix, err = s.fixOf(ctx, c, v.Counts, handed); err != nil {
		return View{}, err
	}
	v.Review, err = s.ReviewOf(ctx, c)
	return v, err
}

// viewOf is the view of c given its accepted requests (Repo.Handed).
func (s *Service) viewOf(c Campaign, handed []Handed) View {
	counts := c.Counts()
	var pausedAt *time.Time
	if c.ESPState == ESPPaused || c.ESPState == ESPCancelled {
		pausedAt = c.ESPStateAt
	}
	ComputeHeld(&counts, handed, pausedAt)
	now := s.cfg.Now()
	return View{Campaign: c, Counts: counts, Stoppability: ComputeStoppability(handed, now),
		Messages: ComputeMessages(counts, handed, pausedAt, now)}
}

// List lists one page of campaigns, newest first, with their counts but
// without their bodies (Get has them), and the cursor of the next page. The
// dashboard polls it every few seconds, so a page costs two queries whatever
// its size: the campaigns, and the accepted requests of all of them.
func (s *Service) List(ctx context.Context, p page.Request) ([]View, page.Cursor, error) {
	cs, next, err := s.repo.ListCampaigns(ctx, p)
	if err != nil {
		return nil, page.Cursor{}, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	handed, err := s.repo.HandedFor(ctx, ids)
	if err != nil {
		return nil, page.Cursor{}, err
	}
	reviews, err := s.reviewsOf(ctx, cs)
	if err != nil {
		return nil, page.Cursor{}, err
	}
	out := make([]View, 0, len(cs))
	for _, c := range cs {
		v := s.viewOf(c, handed[c.ID])
		v.Review = reviews[c.ID]
		// A campaign paused with a correction pending (a handful at most)
		// costs three more reads (its bodies, the replaced content, the
		// preflight); the others none.
		if c.Status == Paused && c.FixPending() {
			full, err := s.repo.GetCampaign(ctx, c.ID)
			if err != nil {
				return nil, page.Cursor{}, err
			}
			if v.Fix, err = s.fixOf(ctx, full, v.Counts, handed[c.ID]); err != nil {
				return nil, page.Cursor{}, err
			}
		}
		out = append(out, v)
	}
	if err := s.liveCautions(ctx, out); err != nil {
		return nil, page.Cursor{}, err
	}
	return out, next, nil
}

// Preflight checks a campaign against its live audience without sending.
func (s *Service) Preflight(ctx context.Context, id string) (Preflight, error) {
	c, err := s.repo.GetCampaign(ctx, id)
	if err != nil {
		return Preflight{}, err
	}
	return s.preflight(ctx, c)
}

func (s *Service) preflight(ctx context.Context, c Campaign) (Preflight, error) {
	b, err := s.repo.GetBrand(ctx, c.BrandID)
	if err != nil {
		return Preflight{}, err
	}
	tags, _ := c.Tags()
	var needy []Tag
	for _, t := range tags {
		if !t.HasFallback {
			needy = append(needy, t)
		}
	}
	facts, err := s.repo.AudienceFacts(ctx, c.Segments, c.ASMGroupID, needy)
	if err != nil {
		return Preflight{}, err
	}
	return CheckPreflight(c, b, facts), nil
}

// Send runs preflight, gets a SendGrid batch id, snapshots the audience and
// starts the handoff. A campaign is sent once: a second Send is ErrAlreadySent.
// While the brand has an open watch window it goes out with the window's
// canary, unless override (at most one: an admin's, with a reason) says to
// send without it (caution.go).
func (s *Service) Send(ctx context.Context, actor audit.Actor, id string, override ...CautionOverride) (Campaign, error) {
	c, err := s.repo.GetCampaign(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	if c.Status != Draft {
		return Campaign{}, ErrAlreadySent
	}
	ov, err := s.checkOverride(ctx, c, override)
	if err != nil {
		return Campaign{}, err
	}
	pf, err := s.preflight(ctx, c)
	if err != nil {
		return Campaign{}, err
	}
	if !pf.OK {
		return Campaign{}, &PreflightError{Preflight: pf}
	}
	if err := s.checkReview(ctx, c, pf.Audience); err != nil { // the second pair of eyes (review.go)
		return Campaign{}, err
	}
	bctx, cancel := context.WithTimeout(ctx, s.cfg.ESPTimeout*3)
	defer cancel()
	batchID, err := s.mail.CreateBatch(bctx)
	if err != nil {
		return Campaign{}, fmt.Errorf("create SendGrid batch: %w: %w", errs.Unavailable, err)
	}
	c, err = s.repo.StartSend(ctx, id, batchID, s.cfg.Now(), audit.Entry{Actor: actor, Action: "campaign.send",
		SubjectType: "campaign", SubjectID: id, Data: map[string]any{"batch_id": batchID}}, s.cautionRule(actor, ov, s.cfg.Now()))
	if err != nil {
		return Campaign{}, err
	}
	if err := s.jobs.HandOff(ctx, id); err != nil {
		// Postgres has the truth; the reconciler enqueues it within a minute.
		s.cfg.Log.Warn("enqueue handoff", "campaign_id", id, "err", err.Error())
	}
	return c, nil
}
