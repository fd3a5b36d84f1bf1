package delivery

import "fmt"

// code is an RFC 3463 enhanced status code, class.subject.detail.
type code struct{ class, subject, detail int }

// specific reports whether the code says more than "failed": SendGrid often
// sends the generic 5.0.0 / 4.0.0, which only carries the class.
func (c code) specific() bool { return c.subject != 0 }

// String renders the code as it is written on the wire, e.g. "5.1.1".
func (c code) String() string { return fmt.Sprintf("%d.%d.%d", c.class, c.subject, c.detail) }

// ParseStatus reads an RFC 3463 enhanced status code (class.subject.detail)
// out of a webhook event's status field, falling back to the reason (or
// response) text, because SendGrid's status is often missing or the generic
// 5.0.0 / 4.0.0 while the remote server's reply, e.g. "550 5.1.1 The email
// account … does not exist", carries the real code (SENDGRID.md §6.2, §8.1).
//
// The precedence, first match wins:
//  1. a specific code (subject not 0) in status;
//  2. a specific code in reason, when status has no code or one of the same class;
//  3. a generic code (x.0.y) in status, then in reason;
//  4. a basic SMTP reply code ("550", "421") opening status or reason, as
//     class.0.0.
//
// A code is recognised anywhere in the text: class 2, 4 or 5, then one to
// three digits for subject and for detail, not glued to other digits or dots,
// so an IP address such as 149.72.10.20 or 5.1.1.1 is never read as a code.
// ok is false when neither string holds a code; the numbers are then zero.
// ParseStatus never panics, whatever the input.
func ParseStatus(status, reason string) (class, subject, detail int, ok bool) {
	c, ok := parseCode(status, reason)
	return c.class, c.subject, c.detail, ok
}

// parseCode is ParseStatus returning a code.
func parseCode(status, reason string) (code, bool) {
	s, sok := findEnhanced(status)
	if sok && s.specific() {
		return s, true
	}
	r, rok := findEnhanced(reason)
	if rok && r.specific() && (!sok || r.class == s.class) {
		return r, true
	}
	if sok {
		return s, true
	}
	if rok {
		return r, true
	}
	if b, ok := basicReply(status); ok {
		return b, true
	}
	return basicReply(reason)
}

// findEnhanced returns the first enhanced status code in s.
func findEnhanced(s string) (code, bool) {
	for i := 0; i < len(s); i++ {
		if !isClass(s[i]) || (i > 0 && (isDigit(s[i-1]) || s[i-1] == '.')) {
			continue
		}
		j := i + 1
		if j >= len(s) || s[j] != '.' {
			continue
		}
		subject, n := leadingNumber(s[j+1:], 3)
		if n == 0 {
			continue
		}
		j += 1 + n
		if j >= len(s) || s[j] != '.' {
			continue
		}
		detail, m := leadingNumber(s[j+1:], 3)
		if m == 0 {
			continue
		}
		j += 1 + m
		if j < len(s) && isDigit(s[j]) {
			continue // a fourth digit: not a code
		}
		if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
			continue // a dotted quad (IP address or version), not a code
		}
		return code{class: int(s[i] - '0'), subject: subject, detail: detail}, true
	}
	return code{}, false
}

// basicReply reads a three-digit SMTP reply code (RFC 5321 §4.2) opening s,
// such as "550 mailbox unavailable", as a generic class.0.0 code.
func basicReply(s string) (code, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	s = s[i:]
	if len(s) < 3 || !isClass(s[0]) || s[1] < '0' || s[1] > '5' || !isDigit(s[2]) {
		return code{}, false
	}
	if len(s) > 3 && (isDigit(s[3]) || s[3] == '.') {
		return code{}, false
	}
	return code{class: int(s[0] - '0')}, true
}

// leadingNumber reads up to max leading decimal digits of s and returns
// their value and how many it read.
func leadingNumber(s string, max int) (value, n int) {
	for n < len(s) && n < max && isDigit(s[n]) {
		value = value*10 + int(s[n]-'0')
		n++
	}
	return value, n
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// isClass reports whether b opens a status code: 2 success, 4 transient, 5 permanent.
func isClass(b byte) bool { return b == '2' || b == '4' || b == '5' }

// codeLevel says whom a specific code blames, following RFC 3463's subjects
// and SENDGRID.md §8.2: addressing and mailbox problems are the recipient's,
// everything about the message, the network, the protocol or policy is ours.
// It returns "" for a generic code or one that is not a failure.
func codeLevel(c code) Level {
	if (c.class != 4 && c.class != 5) || !c.specific() {
		return ""
	}
	switch c.subject {
	case 1:
		if c.detail == 7 || c.detail == 8 {
			return Sender // bad *sender* mailbox or system address
		}
		return Address
	case 2:
		if c.detail == 3 {
			return Sender // message length exceeds the mailbox's limit
		}
		if c.detail == 1 && c.class == 4 {
			return Sender // mailbox busy: throttling, §8.2 groups it with 4.7.x
		}
		return Address
	case 3, 4, 5, 6, 7:
		return Sender
	}
	return ""
}

// codeText is a short human description of a specific code, "" otherwise.
func codeText(c code) string {
	if (c.class != 4 && c.class != 5) || !c.specific() {
		return ""
	}
	switch c.subject {
	case 1:
		switch c.detail {
		case 1:
			return "unknown mailbox"
		case 2:
			return "bad destination domain"
		case 3:
			return "bad address syntax"
		case 7, 8:
			return "bad sender address"
		case 10:
			return "domain accepts no mail (null MX)"
		}
		return "invalid address"
	case 2:
		switch c.detail {
		case 1:
			if c.class == 4 {
				return "mailbox busy"
			}
			return "mailbox disabled"
		case 2:
			return "mailbox full"
		case 3:
			return "message too large"
		}
		return "mailbox unavailable"
	case 3:
		if c.detail == 4 {
			return "message too large"
		}
		return "mail system problem"
	case 4:
		if c.detail == 7 {
			return "delivery time expired"
		}
		return "network or routing problem"
	case 5:
		return "protocol problem"
	case 6:
		return "content or media problem"
	case 7:
		if c.class == 4 {
			return "throttled or policy deferral"
		}
		return "policy refusal"
	}
	return ""
}
