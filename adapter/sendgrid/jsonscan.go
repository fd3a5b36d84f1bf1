package sendgrid

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

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
