// Package event is SendGrid's Event Webhook as Firebreak reads it: signature
// verification over the raw body, a tolerant decoder that keeps every key, and
// the keys that make each event count once however often SendGrid posts it.
// Pure Go: the store makes events durable, the HTTP layer answers SendGrid.
package event

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
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

// Event is one decoded webhook event.
type Event struct {
	SGEventID      string
	SGMessageID    string
	MessagePrefix  string // the X-Message-Id part of sg_message_id
	Email          string // lower-case
	Event          string
	Timestamp      time.Time
	Categories     []string
	Reason         string
	Status         string
	Response       string
	Attempt        string
	Type           string // bounce: "bounce" or "blocked"
	Classification string // bounce_classification
	URL            string
	ASMGroupID     int // 1..math.MaxInt32, 0 for none (absent or out of that range)
	MachineOpen    bool
	CampaignID     string // firebreak_campaign_id, when a valid id
	RecipientID    string // firebreak_recipient_id, when a valid id
	// Raw is the event object exactly as posted: unknown keys (custom args,
	// future fields) are kept, nothing is lost.
	Raw json.RawMessage
}

// NaturalKey identifies an event by what happened rather than by sg_event_id:
// a retried event has been seen to arrive with a new sg_event_id (sendgrid-
// nodejs #1435), so counters are keyed on message + event + time (+ url).
func (e Event) NaturalKey() string {
	msg := e.SGMessageID
	if msg == "" {
		msg = "email:" + e.Email
	}
	k := msg + "|" + e.Event + "|" + strconv.FormatInt(e.Timestamp.Unix(), 10)
	if e.Event == "click" {
		k += "|" + e.URL
	}
	return k
}

// ErrMalformed: the body is not a JSON array of event objects.
var ErrMalformed = errs.New(errs.Invalid, "malformed_events", "The body is not a JSON array of event objects.")
