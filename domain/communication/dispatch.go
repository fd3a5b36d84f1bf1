package communication

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// Recipient is one snapshot member as a claim hands it over.
type Recipient struct {
	ID     string
	Values campaign.Values
}

// Claim is one mail-send request of a communication, written to its ledger
// with its recipients before anything is sent.
type Claim struct {
	RequestID     string
	Communication Communication
	Brand         campaign.Brand
	CampaignID    string // the incident's campaign: the unsubscribe links are signed for it
	SendAt        time.Time
	Deadline      time.Time
	Recipients    []Recipient
}

// ClaimResult is a claim, or none when the communication is not sending
// (Status) or nothing is pending. A claim without recipients means the whole
// batch was suppressed since the snapshot: claim again.
type ClaimResult struct {
	Claim  *Claim
	Status Status
}

// SendConfig are the sending settings (the campaign service's, shared).
type SendConfig struct {
	SendBuffer  time.Duration // FIREBREAK_SEND_BUFFER: send_at = claim time + buffer
	SendTimeout time.Duration // one mail-send request; default 15s
	BatchSize   int           // at most esp.MaxPersonalizations
}

// Send starts sending a communication: the runbook must still allow it
// (ErrApologyNotAllowed, 409), every required approval must be there
// (ErrApprovalRequired, 409: approved, each required role by a different
// person who is not the author, for the current content hash — checked in
// the store's send transaction under the row lock, so an edit racing the
// send either lands first and withdraws them or is refused), the preflight must find nothing blocking (PreflightError, 422
// preflight_failed; skipped when Deps.Facts is nil), then a SendGrid batch is
// created, the audience is snapshotted and the handoff is queued. A second
// send is ErrAlreadySending.
func (s *Service) Send(ctx context.Context, actor audit.Actor, id string) (View, error) {
	if s.d.Mail == nil || s.d.Jobs == nil {
		return View{}, fmt.Errorf("send communication %s: %w", id, errNoSending)
	}
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return View{}, err
	}
	inc, rb, err := s.incidentOf(ctx, c.IncidentID)
	if err != nil {
		return View{}, err
	}
	if !allows(rb, c.Kind) {
		return View{}, &NotAllowedError{Runbook: rb.ID, Kind: c.Kind}
	}
	if c.Status == InReview {
		return View{}, ErrApprovalRequired // still waiting for its reviewers
	}
	if c.Status != Draft && c.Status != Approved {
		return View{}, ErrAlreadySending
	}
	// The approvals are checked again, against the current content hash, in
	// the transaction that starts the send (StartSendCommunication); this early
	// check only spares SendGrid a batch for a send that cannot start.
	if len(NeedsApproval(c.Kind, rb.Apology.RequiresApproval)) > 0 || len(c.RequiredApprovals) > 0 {
		if s.d.Review == nil || c.Status != Approved {
			return View{}, ErrApprovalRequired
		}
	}
	if s.d.Facts != nil {
		pf, err := s.preflight(ctx, c, inc.CampaignID)
		if err != nil {
			return View{}, err
		}
		if !pf.OK {
			return View{}, &PreflightError{Preflight: pf}
		}
	}
	batch, err := s.d.Mail.CreateBatch(ctx)
	if err != nil {
		return View{}, fmt.Errorf("create a batch for communication %s: %w", id, err)
	}
	c, err = s.d.Repo.StartSendCommunication(ctx, id, inc.CampaignID, batch, s.d.Now(), entry(actor, "communication.send", c, nil))
	if err != nil {
		return View{}, err
	}
	if err := s.d.Jobs.HandOffCommunication(ctx, id); err != nil {
		return View{}, fmt.Errorf("queue the handoff of communication %s (the reconciler retries): %w", id, err)
	}
	return s.view(ctx, inc, c)
}

// HandOff hands a sending communication's snapshot to SendGrid, a claim of
// at most BatchSize at a time, until none is left, it stops sending, or ctx
// ends. Mark-then-send as for campaigns (campaign.Service.HandOff): each claim
// re-checks the suppression list for its recipients inside the claim
// statement, so someone suppressed since the snapshot is skipped and counted
// in skipped_suppressed, never handed over; a request whose outcome is
// unknown leaves its recipients in doubt, never resent.
func (s *Service) HandOff(ctx context.Context, id string) error {
	if s.d.Mail == nil {
		return fmt.Errorf("hand off communication %s: %w", id, errNoSending)
	}
	cfg := s.d.Send
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 15 * time.Second
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > esp.MaxPersonalizations {
		cfg.BatchSize = esp.MaxPersonalizations
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := s.d.Now()
		res, err := s.d.Repo.ClaimCommunication(ctx, id, now, now.Add(cfg.SendBuffer), now.Add(cfg.SendTimeout+2*time.Second), cfg.BatchSize)
		if err != nil {
			return err
		}
		if res.Claim == nil {
			return nil
		}
		if len(res.Claim.Recipients) == 0 { // every one of that batch was suppressed since the snapshot
			continue
		}
		out, msgID, reason := s.send(ctx, res.Claim)
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = s.d.Repo.FinishCommunication(fctx, res.Claim.RequestID, out, msgID, reason)
		cancel()
		if err != nil {
			return fmt.Errorf("record communication handoff %s: %w", res.Claim.RequestID, err)
		}
		if out == campaign.Retry {
			return fmt.Errorf("sendgrid refused communication %s for now: %s", id, reason) // asynq retries with backoff
		}
	}
}

func (s *Service) send(ctx context.Context, cl *Claim) (out campaign.Outcome, msgID, reason string) {
	sctx, cancel := context.WithDeadline(ctx, cl.Deadline.Add(-time.Second))
	defer cancel()
	res, err := s.d.Mail.Send(sctx, s.message(cl))
	if err == nil {
		return campaign.Accepted, res.MessageID, ""
	}
	var e *esp.Error
	if !errors.As(err, &e) {
		return campaign.Uncertain, "", err.Error()
	}
	switch e.Kind {
	case esp.RateLimited, esp.Unreachable:
		return campaign.Retry, "", e.Error()
	case esp.Permanent:
		return campaign.RequestFailed, "", e.Error()
	default:
		return campaign.Uncertain, "", e.Error()
	}
}

// message builds one mail-send request: the content inside the brand's
// template (Wrap), with merge values resolved per recipient (HTML-escaped in
// the HTML part: campaign's MergeContent) and each recipient's one-click
// unsubscribe link (UnsubscribeSubstitutions, and the RFC 8058
// List-Unsubscribe / List-Unsubscribe-Post headers, as campaigns send them),
// the brand's sender, the communication's reply-to (else the brand's), and
// the custom args that count its events on the communication.
func (s *Service) message(cl *Claim) esp.Message {
	c := cl.Communication
	w := Wrap(cl.Brand, c.Content)
	content := campaign.NewMergeContent(w.Subject, w.Text, w.HTML)
	m := esp.Message{BatchID: c.BatchID, SendAt: cl.SendAt,
		From:    esp.Address{Email: cl.Brand.FromEmail, Name: cl.Brand.FromName},
		ReplyTo: esp.Address{Email: w.ReplyTo}, Subject: content.Subject, Text: content.Text, HTML: content.HTML,
		Categories: []string{"firebreak", "communication-" + c.ID}}
	m.Personalizations = make([]esp.Personalization, len(cl.Recipients))
	for i, r := range cl.Recipients {
		subs := content.PersonalizationSubstitutions(r.Values)
		if subs == nil {
			subs = map[string]string{}
		}
		url := s.unsubscribeURL(cl.CampaignID, r.ID)
		for k, v := range UnsubscribeSubstitutions(url) {
			subs[k] = v
		}
		p := esp.Personalization{To: esp.Address{Email: r.Values.Email}, Substitutions: subs,
			CustomArgs: map[string]string{"firebreak_communication_id": c.ID, "firebreak_recipient_id": r.ID}}
		if url != "" {
			p.Headers = map[string]string{"List-Unsubscribe": "<" + url + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
		}
		m.Personalizations[i] = p
	}
	return m
}

// Reconcile re-derives the handoff from Postgres, for the maintenance
// reconciler: requests abandoned by a killed worker become uncertain (their
// recipients in doubt, never resent), and every sending communication gets
// its handoff task again (an extra one is harmless: claims never overlap) and
// its spike rules run again (Detect).
func (s *Service) Reconcile(ctx context.Context) error {
	if s.d.Jobs == nil {
		return nil
	}
	if _, err := s.d.Repo.AbandonExpiredCommunications(ctx, s.d.Now()); err != nil {
		return err
	}
	ids, err := s.d.Repo.SendingCommunications(ctx)
	if err != nil {
		return err
	}
	var detectErr error
	for _, id := range ids {
		if err := s.d.Jobs.HandOffCommunication(ctx, id); err != nil {
			return err
		}
		// The spike rules again from Postgres (a lost communication:detect
		// task loses nothing); an error here does not stop the others.
		if err := s.Detect(ctx, id); err != nil && detectErr == nil {
			detectErr = fmt.Errorf("detect on communication %s: %w", id, err)
		}
	}
	// SendGrid refused a pause, resume or cancel: ask again (pause.go).
	if repo, ok := s.d.Repo.(StatusRepo); ok && s.d.Sched != nil {
		failed, err := repo.ESPFailedCommunications(ctx)
		if err != nil {
			return err
		}
		for _, id := range failed {
			_ = s.RetryESP(ctx, id) // still refused: recorded, retried next round
		}
	}
	return detectErr
}
