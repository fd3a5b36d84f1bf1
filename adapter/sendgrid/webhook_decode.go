package sendgrid

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/ids"
)

// Decode reads a webhook body: a JSON array of objects. It accepts the shapes
// SendGrid is known to send — category as a string or an array, attempt and
// asm_group_id as strings or numbers, timestamps in seconds or milliseconds,
// missing status/sg_message_id/ip — and keeps each object's raw bytes.
// A missing sg_event_id is replaced by the natural key.
//
// The body must be one JSON array of objects and valid UTF-8 throughout
// (Postgres refuses invalid UTF-8 text, so such a body is malformed rather
// than a batch that can never be stored). Postgres text cannot hold NUL
// either, but a \u0000 is valid JSON that SendGrid passes on from what it was
// given (a user agent, a clicked URL): every decoded string reads it as
// U+FFFD, the replacement character, rather than dropping it, so that
// "a\u0000@x.com" never becomes the different address a@x.com. Raw keeps the
// \u0000 escape as posted (the store replaces it there for jsonb). Each Event.Raw is a sub-slice of
// body, not a copy: body must not be modified while the events are in use.
//
// Decode is a single pass over the body (webhook ingest is hot): it checks all
// of the JSON, as encoding/json would, but reads only the keys it needs, with
// encoding/json's meaning — the last of duplicate keys wins, strings are
// unescaped alike — so the events are the ones encoding/json would give.
func Decode(body []byte, now time.Time) ([]event.Event, error) {
	d := decoder{data: body}
	evs, err := d.batch(now)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", event.ErrMalformed, err)
	}
	return evs, nil
}

// maxDepth is encoding/json's limit on nested arrays and objects, the batch
// array counting as the first.
const maxDepth = 10000

// typicalEventSize sizes the first allocation of the events from the body's
// length. SendGrid's event objects are some 250–800 bytes, most under 500
// with Firebreak's custom args: a guess on the high side rarely has to grow,
// and a body of tiny objects cannot reserve much more than its own size.
const typicalEventSize = 400

// decoder reads one body. It checks each value as it passes and notes where
// the values of the keys Decode needs are; only those are turned into strings.
type decoder struct {
	data  []byte
	pos   int // the next byte to read
	depth int // arrays and objects open at pos

	// The strings of an event are cut from one copy of its object, obj, at
	// objStart in data: one allocation per event rather than one per field,
	// and a kept string holds on to no more than its own event.
	obj      string
	objStart int
}

// span is where one value is in the body. kind is its first byte ('"', '{',
// '[', 't', 'f', 'n', '-' or a digit), 0 when the key is absent.
type span struct {
	start, end int
	kind       byte
	escaped    bool // a string with backslash escapes
}

// The keys Decode reads; fields holds where their values are in one object.
const (
	keyEmail = iota
	keyEvent
	keySGEventID
	keySGMessageID
	keyTimestamp
	keyCategory
	keyReason
	keyStatus
	keyResponse
	keyAttempt
	keyType
	keyClassification
	keyURL
	keyASMGroupID
	keyMachineOpen
	keyCampaignID
	keyRecipientID
	keyCommunicationID
	numKeys
)

type fields [numKeys]span

// keyOf returns the key constant for an (unescaped) object key, -1 for keys
// Decode does not read.
func keyOf(k []byte) int {
	switch string(k) {
	case "email":
		return keyEmail
	case "event":
		return keyEvent
	case "sg_event_id":
		return keySGEventID
	case "sg_message_id":
		return keySGMessageID
	case "timestamp":
		return keyTimestamp
	case "category":
		return keyCategory
	case "reason":
		return keyReason
	case "status":
		return keyStatus
	case "response":
		return keyResponse
	case "attempt":
		return keyAttempt
	case "type":
		return keyType
	case "bounce_classification":
		return keyClassification
	case "url":
		return keyURL
	case "asm_group_id":
		return keyASMGroupID
	case "sg_machine_open":
		return keyMachineOpen
	case "firebreak_campaign_id":
		return keyCampaignID
	case "firebreak_recipient_id":
		return keyRecipientID
	case "firebreak_communication_id":
		return keyCommunicationID
	}
	return -1
}

// batch reads the whole body: whitespace, one array of objects, whitespace.
func (d *decoder) batch(now time.Time) ([]event.Event, error) {
	d.space()
	if d.pos == len(d.data) {
		return nil, errors.New("empty body")
	}
	if d.data[d.pos] != '[' {
		if bytes.HasPrefix(d.data[d.pos:], []byte("null")) {
			return nil, errors.New("null")
		}
		return nil, errors.New("the body is not a JSON array")
	}
	d.pos++
	d.depth = 1
	out := make([]event.Event, 0, len(d.data)/typicalEventSize+1)
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
	} else {
		for i := 0; ; i++ {
			e, err := d.item(i, now)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
			if done, err := d.next(']'); err != nil {
				return nil, err
			} else if done {
				break
			}
		}
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, errors.New("data after the array")
	}
	return out, nil
}

// item reads the i-th element of the batch, which must be an event object.
func (d *decoder) item(i int, now time.Time) (event.Event, error) {
	d.space()
	if d.pos == len(d.data) {
		return event.Event{}, d.unexpected("")
	}
	if c := d.data[d.pos]; c != '{' {
		if !startsValue(c) {
			return event.Event{}, d.unexpected("in the array")
		}
		return event.Event{}, fmt.Errorf("item %d is not an object", i)
	}
	start := d.pos
	var f fields
	if err := d.object(&f); err != nil {
		return event.Event{}, err
	}
	raw := d.data[start:d.pos:d.pos] // clipped: appending to Raw never writes into body
	d.obj, d.objStart = string(raw), start
	return d.event(&f, raw, now), nil
}

// event builds the event.Event from the values of its object's keys (raw).
func (d *decoder) event(f *fields, raw []byte, now time.Time) event.Event {
	e := event.Event{Raw: raw}
	e.Email = strings.ToLower(strings.TrimSpace(d.text(f[keyEmail])))
	e.Event = strings.TrimSpace(d.text(f[keyEvent]))
	e.SGEventID = event.BoundedKey(d.text(f[keySGEventID]))
	e.SGMessageID = d.text(f[keySGMessageID])
	e.MessagePrefix, _, _ = strings.Cut(e.SGMessageID, ".")
	e.Timestamp = timestamp(d.text(f[keyTimestamp]), now)
	e.Categories = d.strs(f[keyCategory])
	e.Reason, e.Status, e.Response = d.text(f[keyReason]), d.text(f[keyStatus]), d.text(f[keyResponse])
	e.Attempt, e.Type, e.Classification = d.text(f[keyAttempt]), d.text(f[keyType]), d.text(f[keyClassification])
	e.URL = d.text(f[keyURL])
	e.ASMGroupID = groupID(num(d.text(f[keyASMGroupID])))
	e.MachineOpen = boolean(d.text(f[keyMachineOpen]))
	// The custom args count only as a pair (a campaign or communication id
	// with the recipient id); a malformed id is none, and only this event's.
	if id := d.text(f[keyRecipientID]); ids.Valid(id) {
		e.RecipientID = strings.ToLower(id)
	}
	if id := d.text(f[keyCampaignID]); ids.Valid(id) && e.RecipientID != "" {
		e.CampaignID = strings.ToLower(id)
	}
	if id := d.text(f[keyCommunicationID]); ids.Valid(id) && e.RecipientID != "" {
		e.CommunicationID = strings.ToLower(id)
	}
	if e.CampaignID == "" && e.CommunicationID == "" {
		e.RecipientID = ""
	}
	if e.SGEventID == "" {
		e.SGEventID = "nk:" + e.NaturalKey()
	}
	return e
}

// text reads a value of the current event as the string SendGrid meant: a
// string unescaped, the text of a number as written, "true" or "false"; "" for
// null, objects, arrays and absent keys (as encoding/json into a string, else
// json.Number, else bool).
func (d *decoder) text(v span) string {
	switch v.kind {
	case 0, 'n', '{', '[':
		return ""
	case 't':
		return "true"
	case 'f':
		return "false"
	case '"':
		if v.escaped {
			return unescape(d.data[v.start+1 : v.end-1])
		}
		return d.obj[v.start+1-d.objStart : v.end-1-d.objStart]
	}
	return d.obj[v.start-d.objStart : v.end-d.objStart] // a number
}

// strs reads a string or an array of strings (nulls in it read as ""). An
// array holding anything else reads as nothing, as encoding/json fails to
// decode it into a []string.
func (d *decoder) strs(v span) []string {
	switch v.kind {
	case 0, 'n':
		return nil
	case '[':
		return d.stringArray(v)
	}
	if s := d.text(v); s != "" {
		return []string{s}
	}
	return nil
}

// stringArray reads the array at v, which has been checked already: an empty
// array gives an empty, non-nil slice, as encoding/json does.
func (d *decoder) stringArray(v span) []string {
	var buf [8]string // categories are few: no growing on the heap
	out := buf[:0]
	a := *d
	a.pos = v.start + 1
	for {
		a.space()
		var s string
		switch a.data[a.pos] {
		case ']':
			return slices.Clone(out)
		case ',':
			a.pos++
			continue
		case '"':
			start := a.pos
			escaped, _ := a.string()
			s = a.text(span{start: start, end: a.pos, kind: '"', escaped: escaped})
		case 'n':
			a.pos += len("null")
		default:
			return nil
		}
		out = append(out, s)
	}
}

// num reads a number, 0 when s is none (strconv's error for "" would cost
// an allocation for each absent key).
func num(s string) float64 {
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// groupID reads an unsubscribe group id. SendGrid's are positive and within
// int32 (the store's group_id columns are integer): any other value is no
// group (0) rather than one wrapped into another group's id — 4294967301 is
// not group 5. A fraction is cut off, as it always was.
func groupID(f float64) int {
	if f < 1 || f > math.MaxInt32 {
		return 0
	}
	return int(f)
}

// boolean reads true, false and strconv.ParseBool's other spellings of them.
func boolean(s string) bool {
	if s == "" {
		return false
	}
	v, _ := strconv.ParseBool(s)
	return v
}

// timestamp reads Unix seconds, or milliseconds when the value is too large to
// be seconds (one SendGrid doc example uses ms); missing or absurd (beyond the
// year 5000 in either unit, which would also overflow the store's time): now.
func timestamp(s string, now time.Time) time.Time {
	v := num(s)
	if v <= 0 || v > 1e14 {
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
