package campaign

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/firebreak/firebreak/domain/esp"
)

// BatchSize is how many personalizations go in one mail-send request.
const BatchSize = esp.MaxPersonalizations

// HandOff hands a sending campaign's pending recipients to SendGrid until none
// is left, the campaign stops sending, or ctx ends. Several HandOff calls may run
// for one campaign at once: each request claims its own recipients.
//
// Mark-then-send: recipients are claimed into a ledger row before the request
// leaves, and marked with its outcome after. A recipient is therefore handed
// over at most once, across retries, crashes and restarts: a request whose
// outcome is unknown (timeout, 5xx, a worker killed mid-call) leaves its
// recipients in doubt — counted, never resent automatically.
func (s *Service) HandOff(ctx context.Context, campaignID string) error {
	backoff := time.Second
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := s.cfg.Now()
		res, err := s.repo.Claim(ctx, campaignID, now, now.Add(s.cfg.SendTimeout+2*time.Second), s.cfg.BatchSize)
		if err != nil {
			return err
		}
		if res.Claim == nil {
			if res.CanaryReleaseAt != nil && res.Status == Sending {
				return s.jobs.HandOffAt(ctx, campaignID, *res.CanaryReleaseAt)
			}
			return nil
		}
		out, msgID, reason, retryAt := s.send(ctx, res.Claim)
		// Record the outcome even if ctx ended meanwhile: the ledger must not
		// keep a request "sending" that is in fact settled.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = s.repo.Finish(fctx, res.Claim.RequestID, out, msgID, reason)
		cancel()
		if err != nil {
			return fmt.Errorf("record handoff %s: %w", res.Claim.RequestID, err)
		}
		if out != Retry {
			backoff = time.Second
			continue
		}
		wait := backoff + time.Duration(rand.Int64N(int64(backoff/2)+1))
		if !retryAt.IsZero() && retryAt.Sub(now) > 0 && retryAt.Sub(now) < 2*time.Minute {
			wait = retryAt.Sub(now)
		}
		backoff = min(backoff*2, 30*time.Second)
		s.cfg.Log.Warn("sendgrid refused a handoff for now; retrying", "campaign_id", campaignID,
			"reason", reason, "wait", wait.String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// send makes the one mail-send request of a claim and classifies its outcome.
func (s *Service) send(ctx context.Context, cl *Claim) (out Outcome, msgID, reason string, retryAt time.Time) {
	sctx, cancel := context.WithDeadline(ctx, cl.Deadline.Add(-time.Second))
	defer cancel()
	res, err := s.mail.Send(sctx, s.message(cl))
	if err == nil {
		return Accepted, res.MessageID, "", time.Time{}
	}
	var e *esp.Error
	if !errors.As(err, &e) {
		return Uncertain, "", err.Error(), time.Time{}
	}
	switch e.Kind {
	case esp.RateLimited, esp.Unreachable:
		return Retry, "", e.Error(), e.RetryAt
	case esp.Permanent:
		return RequestFailed, "", e.Error(), time.Time{}
	default:
		return Uncertain, "", e.Error(), time.Time{}
	}
}

// message builds the mail-send request: shared content, and per recipient the
// merge values (plain in the subject and text, HTML-escaped in the HTML part:
// MergeContent), the custom args that join events back, and the RFC 8058
// one-click unsubscribe headers.
func (s *Service) message(cl *Claim) esp.Message {
	c := cl.Campaign
	content := NewMergeContent(c.Subject, c.Text, c.HTML)
	m := esp.Message{
		BatchID:    c.BatchID,
		From:       esp.Address{Email: cl.Brand.FromEmail, Name: cl.Brand.FromName},
		ReplyTo:    esp.Address{Email: cl.Brand.ReplyTo},
		Subject:    content.Subject,
		Text:       content.Text,
		HTML:       content.HTML,
		Categories: []string{"firebreak", "campaign-" + c.ID},
		ASMGroupID: c.ASMGroupID,
	}
	if c.SendBufferSeconds > 0 {
		m.SendAt = cl.SendAt
	}
	m.Personalizations = make([]esp.Personalization, len(cl.Recipients))
	for i, r := range cl.Recipients {
		url := s.UnsubscribeURL(c.ID, r.ID)
		m.Personalizations[i] = esp.Personalization{
			To:            esp.Address{Email: r.Values.Email},
			Substitutions: content.PersonalizationSubstitutions(r.Values),
			CustomArgs:    map[string]string{"firebreak_campaign_id": c.ID, "firebreak_recipient_id": r.ID},
			Headers: map[string]string{
				"List-Unsubscribe":      "<" + url + ">",
				"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			},
		}
	}
	return m
}
