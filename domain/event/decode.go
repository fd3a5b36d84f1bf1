package event

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

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
func Decode(body []byte, now time.Time) ([]Event, error) {
	d := decoder{data: body}
	evs, err := d.batch(now)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
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
	}
	return -1
}

// batch reads the whole body: whitespace, one array of objects, whitespace.
func (d *decoder) batch(now time.Time) ([]Event, error) {
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
	out := make([]Event, 0, len(d.data)/typicalEventSize+1)
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
func (d *decoder) item(i int, now time.Time) (Event, error) {
	d.space()
	if d.pos == len(d.data) {
		return Event{}, d.unexpected("")
	}
	if c := d.data[d.pos]; c != '{' {
		if !startsValue(c) {
			return Event{}, d.unexpected("in the array")
		}
		return Event{}, fmt.Errorf("item %d is not an object", i)
	}
	start := d.pos
	var f fields
	if err := d.object(&f); err != nil {
		return Event{}, err
	}
	raw := d.data[start:d.pos:d.pos] // clipped: appending to Raw never writes into body
	d.obj, d.objStart = string(raw), start
	return d.event(&f, raw, now), nil
}

// event builds the Event from the values of its object's keys (raw).
func (d *decoder) event(f *fields, raw []byte, now time.Time) Event {
	e := Event{Raw: raw}
	e.Email = strings.ToLower(strings.TrimSpace(d.text(f[keyEmail])))
	e.Event = strings.TrimSpace(d.text(f[keyEvent]))
	e.SGEventID = boundedKey(d.text(f[keySGEventID]))
	e.SGMessageID = d.text(f[keySGMessageID])
	e.MessagePrefix, _, _ = strings.Cut(e.SGMessageID, ".")
	e.Timestamp = timestamp(d.text(f[keyTimestamp]), now)
	e.Categories = d.strs(f[keyCategory])
	e.Reason, e.Status, e.Response = d.text(f[keyReason]), d.text(f[keyStatus]), d.text(f[keyResponse])
	e.Attempt, e.Type, e.Classification = d.text(f[keyAttempt]), d.text(f[keyType]), d.text(f[keyClassification])
	e.URL = d.text(f[keyURL])
	e.ASMGroupID = groupID(num(d.text(f[keyASMGroupID])))
	e.MachineOpen = boolean(d.text(f[keyMachineOpen]))
	if id := d.text(f[keyCampaignID]); ids.Valid(id) {
		e.CampaignID = strings.ToLower(id)
	}
	if id := d.text(f[keyRecipientID]); ids.Valid(id) {
		e.RecipientID = strings.ToLower(id)
	}
	if e.CampaignID == "" || e.RecipientID == "" {
		e.CampaignID, e.RecipientID = "", ""
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

// object checks the object at d.pos and moves past it, noting in f (when not
// nil) where the values of the keys Decode reads are; a later duplicate key
// replaces an earlier one, as in a map.
func (d *decoder) object(f *fields) error {
	if err := d.open(); err != nil {
		return err
	}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.space()
		if d.pos == len(d.data) || d.data[d.pos] != '"' {
			return d.unexpected("where an object key was expected")
		}
		kstart := d.pos
		kescaped, err := d.string()
		if err != nil {
			return err
		}
		k := d.data[kstart+1 : d.pos-1]
		d.space()
		if d.pos == len(d.data) || d.data[d.pos] != ':' {
			return d.unexpected("after an object key")
		}
		d.pos++
		d.space()
		v := span{start: d.pos}
		if d.pos < len(d.data) {
			v.kind = d.data[d.pos]
		}
		if v.escaped, err = d.value(); err != nil {
			return err
		}
		v.end = d.pos
		if f != nil {
			if kescaped {
				k = []byte(unescape(k))
			}
			if i := keyOf(k); i >= 0 {
				f[i] = v
			}
		}
		if done, err := d.next('}'); err != nil {
			return err
		} else if done {
			return nil
		}
	}
}

// array checks the array at d.pos and moves past it.
func (d *decoder) array() error {
	if err := d.open(); err != nil {
		return err
	}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.space()
		if _, err := d.value(); err != nil {
			return err
		}
		if done, err := d.next(']'); err != nil {
			return err
		} else if done {
			return nil
		}
	}
}

// open enters an array or object, refusing nesting deeper than encoding/json's.
func (d *decoder) open() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errorf("nested more than %d deep", maxDepth)
	}
	d.pos++
	return nil
}

// next moves past the comma after an element, or past the closing bracket of
// its array or object (done).
func (d *decoder) next(closing byte) (done bool, err error) {
	d.space()
	if d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ',':
			d.pos++
			return false, nil
		case closing:
			d.pos++
			d.depth--
			return true, nil
		}
	}
	return false, d.unexpected("after a value")
}

// value checks the value at d.pos and moves past it; escaped tells whether a
// string has backslash escapes.
func (d *decoder) value() (escaped bool, err error) {
	if d.pos == len(d.data) {
		return false, d.unexpected("")
	}
	switch c := d.data[d.pos]; c {
	case '"':
		return d.string()
	case '{':
		return false, d.object(nil)
	case '[':
		return false, d.array()
	case 't':
		return false, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return false, d.literal("null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return false, d.number()
	}
	return false, d.unexpected("where a value was expected")
}

func (d *decoder) literal(word string) error {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		return d.errorf("invalid literal (%s expected)", word)
	}
	d.pos += len(word)
	return nil
}

// number checks a number (RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?).
func (d *decoder) number() error {
	if d.peek() == '-' {
		d.pos++
	}
	switch c := d.peek(); {
	case c == '0':
		d.pos++
	case '1' <= c && c <= '9':
		d.digits()
	default:
		return d.unexpected("in a number")
	}
	if d.peek() == '.' {
		d.pos++
		if !isDigit(d.peek()) {
			return d.unexpected("after the decimal point")
		}
		d.digits()
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.pos++
		if c := d.peek(); c == '+' || c == '-' {
			d.pos++
		}
		if !isDigit(d.peek()) {
			return d.unexpected("in an exponent")
		}
		d.digits()
	}
	return nil
}

func (d *decoder) digits() {
	for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
		d.pos++
	}
}

// string checks the string at d.pos (its opening quote) and moves past it:
// no control characters, only JSON's escapes, valid UTF-8.
func (d *decoder) string() (escaped bool, err error) {
	d.pos++
	for {
		for d.pos < len(d.data) && plain[d.data[d.pos]] {
			d.pos++
		}
		if d.pos == len(d.data) {
			return false, d.unexpected("in a string")
		}
		switch c := d.data[d.pos]; {
		case c == '"':
			d.pos++
			return escaped, nil
		case c == '\\':
			if err := d.escape(); err != nil {
				return false, err
			}
			escaped = true
		case c < ' ':
			return false, d.errorf("control character %#02x in a string", c)
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				return false, d.errorf("invalid UTF-8")
			}
			d.pos += size
		}
	}
}

// escape checks the backslash escape at d.pos and moves past it.
func (d *decoder) escape() error {
	d.pos++
	switch d.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.pos++
		return nil
	case 'u':
		if hex4(d.data[d.pos+1:]) < 0 {
			return d.errorf(`\u not followed by four hex digits`)
		}
		d.pos += 5
		return nil
	}
	return d.unexpected("in a string escape")
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek is the byte at d.pos, 0 at the end (never a valid byte there).
func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", d.pos, fmt.Sprintf(format, args...))
}

// unexpected reports the byte at d.pos (or the end of the body) as out of place.
func (d *decoder) unexpected(where string) error {
	if where != "" {
		where = " " + where
	}
	switch {
	case d.pos >= len(d.data):
		return d.errorf("unexpected end of the body%s", where)
	case d.data[d.pos] < utf8.RuneSelf:
		return d.errorf("unexpected %q%s", d.data[d.pos], where)
	}
	return d.errorf("unexpected byte %#02x%s", d.data[d.pos], where)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// startsValue reports whether c may begin a JSON value.
func startsValue(c byte) bool {
	return strings.IndexByte(`"{[tfn-0123456789`, c) >= 0
}

// plain marks the bytes a string holds as they are: printable ASCII but the
// quote and the backslash.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hex4 reads the four hex digits that start b, -1 if they do not.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unescape decodes the inside of a checked JSON string as encoding/json does:
// a \u escape of a lone or mismatched surrogate becomes U+FFFD, and the
// escape after it is read on its own. Unlike encoding/json, \u0000 becomes
// U+FFFD too (the only way a NUL can get into a checked string).
func unescape(s []byte) string {
	b := make([]byte, 0, len(s)) // escapes never grow: \uXXXX is 6 bytes, at most 3 in UTF-8
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch c = s[i+1]; c {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if len(s) >= i+6 && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if r = utf16.DecodeRune(r, r2); r != utf8.RuneError {
					i += 6
				}
			}
			if r == 0 { // see Decode: NUL reads as U+FFFD
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // '"', '\\', '/'
			b = append(b, c)
		}
		i += 2
	}
	return string(b)
}
