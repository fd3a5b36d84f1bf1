// Package event is SendGrid's Event Webhook as Firebreak reads it: signature
// verification over the raw body, a tolerant decoder that keeps every key, and
// the keys that make each event count once however often SendGrid posts it.
// Pure Go: the store makes events durable, the HTTP layer answers SendGrid.
package event

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/ids"
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
	ASMGroupID     int
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

// Decode reads a webhook body: a JSON array of objects. It accepts the shapes
// SendGrid is known to send — category as a string or an array, attempt and
// asm_group_id as strings or numbers, timestamps in seconds or milliseconds,
// missing status/sg_message_id/ip — and keeps each object's raw bytes.
// A missing sg_event_id is replaced by the natural key.
func Decode(body []byte, now time.Time) ([]Event, error) {
	var items []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&items); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the array", ErrMalformed)
	}
	if items == nil { // "null"
		return nil, fmt.Errorf("%w: null", ErrMalformed)
	}
	out := make([]Event, 0, len(items))
	for i, raw := range items {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return nil, fmt.Errorf("%w: item %d is not an object", ErrMalformed, i)
		}
		e := Event{Raw: raw}
		e.Email = strings.ToLower(strings.TrimSpace(str(m["email"])))
		e.Event = strings.TrimSpace(str(m["event"]))
		e.SGEventID = str(m["sg_event_id"])
		e.SGMessageID = str(m["sg_message_id"])
		e.MessagePrefix, _, _ = strings.Cut(e.SGMessageID, ".")
		e.Timestamp = timestamp(m["timestamp"], now)
		e.Categories = strs(m["category"])
		e.Reason, e.Status, e.Response = str(m["reason"]), str(m["status"]), str(m["response"])
		e.Attempt, e.Type, e.Classification = str(m["attempt"]), str(m["type"]), str(m["bounce_classification"])
		e.URL = str(m["url"])
		e.ASMGroupID = int(num(m["asm_group_id"]))
		e.MachineOpen = boolean(m["sg_machine_open"])
		if id := str(m["firebreak_campaign_id"]); ids.Valid(id) {
			e.CampaignID = strings.ToLower(id)
		}
		if id := str(m["firebreak_recipient_id"]); ids.Valid(id) {
			e.RecipientID = strings.ToLower(id)
		}
		if e.CampaignID == "" || e.RecipientID == "" {
			e.CampaignID, e.RecipientID = "", ""
		}
		if e.SGEventID == "" {
			e.SGEventID = "nk:" + e.NaturalKey()
		}
		out = append(out, e)
	}
	return out, nil
}

// str reads a JSON string, or the text of a number or bool; "" otherwise.
func str(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

func num(raw json.RawMessage) float64 {
	f, err := strconv.ParseFloat(str(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

func boolean(raw json.RawMessage) bool {
	v, _ := strconv.ParseBool(str(raw))
	return v
}

// strs reads a string or an array of strings.
func strs(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	if s := str(raw); s != "" {
		return []string{s}
	}
	return nil
}

// timestamp reads Unix seconds, or milliseconds when the value is too large to
// be seconds (one SendGrid doc example uses ms); missing or absurd: now.
func timestamp(raw json.RawMessage, now time.Time) time.Time {
	v := num(raw)
	if v <= 0 {
		return now.UTC().Truncate(time.Second)
	}
	if v > 1e12 {
		return time.UnixMilli(int64(v)).UTC()
	}
	if v > 1e11 { // beyond year 5000 in seconds: not a real timestamp
		return now.UTC().Truncate(time.Second)
	}
	return time.Unix(int64(v), 0).UTC()
}
