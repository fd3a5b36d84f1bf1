// Package event is the delivery events Firebreak counts (SendGrid's Event
// Webhook, decoded and signature-checked by adapter/sendgrid): the model, the
// keys that make each event count once however often SendGrid posts it, and
// the ingest service that stores a batch, quarantines what Postgres refuses
// and hands the campaigns on to detection. Pure Go: the store makes events
// durable, the HTTP layer answers SendGrid.
package event

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

// Event is one decoded webhook event.
type Event struct {
	SGEventID      string // at most MaxKeyLen bytes: a longer one is digested like a natural key
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
	RecipientID    string // firebreak_recipient_id, when a valid id and a campaign or communication id is set
	// CommunicationID is firebreak_communication_id, when a valid id: the
	// event is about a step-5 communication's mail, counted on the
	// communication and never on a campaign.
	CommunicationID string
	// Raw is the event object exactly as posted: unknown keys (custom args,
	// future fields) are kept, nothing is lost.
	Raw json.RawMessage
}

// NaturalKey identifies an event by what happened rather than by sg_event_id:
// a retried event has been seen to arrive with a new sg_event_id (sendgrid-
// nodejs #1435), so counters are keyed on message + recipient + event + time
// (+ url). The recipient's address is always part of it, so two recipients
// never collapse into one event, even where an sg_message_id is shared (one
// X-Message-Id per request) or missing. It is at most MaxKeyLen bytes.
//
// Keys stored before the address was part of them differ from today's: a
// retry of such an event is still stored once, by its sg_event_id.
func (e Event) NaturalKey() string {
	k := e.SGMessageID + "|" + strings.ToLower(e.Email) + "|" + e.Event + "|" + strconv.FormatInt(e.Timestamp.Unix(), 10)
	if e.Event == "click" {
		k += "|" + e.URL
	}
	return BoundedKey(k)
}

// MaxKeyLen is the longest sg_event_id or natural key kept as it is. The store
// indexes both as unique, and an index entry holds about 2.7 kB: a longer key
// (a click on a long tracking URL, an absurd sg_event_id) would fail its whole
// batch on every retry. A longer key is replaced by "sha256:" and its hex
// digest: as unique as the key itself, and the same on every retry.
const MaxKeyLen = 2048

// BoundedKey is k when it is at most MaxKeyLen bytes, else "sha256:" and its
// hex digest: how an sg_event_id or natural key is stored.
func BoundedKey(k string) string {
	if len(k) <= MaxKeyLen {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// MaxAddressLen is the longest address that can be mailed (RFC 5321's path
// limit, in bytes). An event for a longer one is stored but never becomes a
// suppression: the suppression list indexes addresses, and nobody can be sent
// mail at such an address anyway.
const MaxAddressLen = 254

// ErrMalformed: the body is not a JSON array of event objects.
var ErrMalformed = errs.New(errs.Invalid, "malformed_events", "The body is not a JSON array of event objects.")
