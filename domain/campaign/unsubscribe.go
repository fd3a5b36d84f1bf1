package campaign

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/suppression"
)

// UnsubscribeURL is the one-click unsubscribe link of one recipient of one
// campaign: /u/{campaign}/{recipient}/{signature}. The signature (HMAC-SHA256
// with a server secret) stops anyone from unsubscribing other people.
func (s *Service) UnsubscribeURL(campaignID, recipientID string) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + "/u/" + campaignID + "/" + recipientID + "/" +
		signUnsubscribe(s.cfg.UnsubscribeKey, campaignID, recipientID)
}

// VerifyUnsubscribe reports whether sig is the signature of the pair.
func (s *Service) VerifyUnsubscribe(campaignID, recipientID, sig string) bool {
	want := signUnsubscribe(s.cfg.UnsubscribeKey, campaignID, recipientID)
	return hmac.Equal([]byte(want), []byte(sig))
}

func signUnsubscribe(key []byte, campaignID, recipientID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(campaignID + "/" + recipientID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Suppressor records suppressions (the suppression service).
type Suppressor interface {
	Add(ctx context.Context, actor audit.Actor, e suppression.Entry) (suppression.Entry, error)
}

// ErrBadUnsubscribeLink: the link was altered or is not Firebreak's.
var ErrBadUnsubscribeLink = errs.New(errs.NotFound, "bad_unsubscribe_link", "This unsubscribe link is not valid.")

// Unsubscribe records the one-click unsubscribe of a recipient (RFC 8058): a
// group unsubscribe when the campaign used a SendGrid unsubscribe group, else
// a global one. Repeating it is harmless.
func (s *Service) Unsubscribe(ctx context.Context, sup Suppressor, campaignID, recipientID, sig string) (string, error) {
	if !s.VerifyUnsubscribe(campaignID, recipientID, sig) {
		return "", ErrBadUnsubscribeLink
	}
	email, group, err := s.repo.RecipientOf(ctx, campaignID, recipientID)
	if err != nil {
		return "", ErrBadUnsubscribeLink
	}
	e := suppression.Entry{Email: email, Kind: suppression.Unsubscribe, Source: suppression.FromUnsubscribe,
		Reason: "one-click unsubscribe from campaign " + campaignID}
	if group > 0 {
		e.Kind, e.GroupID = suppression.GroupUnsubscribe, group
	}
	if _, err := sup.Add(ctx, audit.Actor{Name: "unsubscribe_link"}, e); err != nil {
		return "", err
	}
	return email, nil
}
