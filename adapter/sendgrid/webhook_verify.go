package sendgrid

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/event"
)

// Headers of the Signed Event Webhook (SENDGRID.md §7).
const (
	SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature"
	TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp"
)

// Verify reports whether sig (base64 ASN.1 DER ECDSA) signs ts||body with pub.
// body must be the bytes exactly as received: re-encoding breaks the signature.
func Verify(pub *ecdsa.PublicKey, body []byte, sig, ts string) bool {
	if pub == nil || sig == "" || ts == "" {
		return false
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return false
	}
	h := sha256.New()
	h.Write([]byte(ts))
	h.Write(body)
	return ecdsa.VerifyASN1(pub, h.Sum(nil), der)
}

// Webhook is event.Webhook for SendGrid's Signed Event Webhook, verifying
// with the account's public key (SENDGRID_WEBHOOK_PUBLIC_KEY).
type Webhook struct{ Key *ecdsa.PublicKey }

var _ event.Webhook = Webhook{}

// Verify checks the post's signature headers over body (Verify).
func (w Webhook) Verify(body []byte, header func(string) string) bool {
	return Verify(w.Key, body, header(SignatureHeader), header(TimestampHeader))
}

// SignedAt reads the post's timestamp header (Unix seconds).
func (w Webhook) SignedAt(header func(string) string) (time.Time, bool) {
	sec, err := strconv.ParseInt(header(TimestampHeader), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// Decode reads a webhook body (Decode).
func (Webhook) Decode(body []byte, now time.Time) ([]event.Event, error) { return Decode(body, now) }
