// Package delivery holds the rules for what a SendGrid delivery event means:
// whether a bounce, block, deferral or drop says the recipient's address is
// bad (suppress it) or says something about us, the sender (reputation,
// content, authentication, volume: an incident signal, never a suppression).
//
// It is pure and stateless: the webhook ingest calls Classify per event and
// decides what to store; incident detection counts Sender-level results.
// The rules follow SENDGRID.md §8: type and bounce_classification first, the
// enhanced status code and the reply text only as detail, because SendGrid's
// status is often missing or the generic 5.0.0 / 4.0.0.
package delivery

import "strings"

// Kind is how a delivery attempt failed.
type Kind string

// The kinds. The zero Kind means the event is not a failure of delivery.
const (
	// Hard is a permanent rejection of the recipient's address: SendGrid has
	// put it on its bounce list (bounce event, type "bounce"; or no type and
	// an address classification or 5.x.x code).
	Hard Kind = "hard"
	// Soft is a temporary failure that SendGrid keeps retrying for up to 72 h
	// (deferred event, or a 4.x.x bounce without a type).
	Soft Kind = "soft"
	// Block is a rejection SendGrid does not suppress (type "blocked", or a
	// bounce classified as a sender problem). Later sends are attempted.
	Block Kind = "block"
)

// Level is whom a failure blames.
type Level string

// The levels. The zero Level means no one is blamed.
const (
	// Address: the recipient's address or mailbox is the problem. With
	// Suppress it must never be mailed again; without, it is worth watching
	// (a block or deferral that may repeat).
	Address Level = "address"
	// Sender: our reputation, content, authentication or volume is the
	// problem. It is an incident signal, never a reason to suppress the
	// recipient.
	Sender Level = "sender"
)

// The bounce_classification values SendGrid sends on bounce events
// (SENDGRID.md §6.2, §8.1). Classify compares them case-insensitively.
const (
	InvalidAddress     = "Invalid Address"
	MailboxUnavailable = "Mailbox Unavailable"
	TechnicalFailure   = "Technical Failure"
	Content            = "Content"
	Reputation         = "Reputation"
	FrequencyOrVolume  = "Frequency or Volume Too High"
	Unclassified       = "Unclassified"
)

// Class is what a bounce-like event means for the address and for the sender.
// The zero Class means the event says nothing about either (delivered, open,
// click, processed, …).
//
// Invariants, kept by Classify and checked by its fuzz test: a Block or Soft
// never has Suppress; Suppress always comes with Level Address; a non-zero
// Kind always has a Level and a Reason.
type Class struct {
	Kind     Kind
	Level    Level
	Suppress bool   // add the address to our suppression list
	Reason   string // short human reason, e.g. "invalid address (5.1.1)"
}

// bucket is what Firebreak makes of one bounce_classification value.
type bucket struct {
	level Level
	text  string
}

// buckets maps a normalized bounce_classification to its level. Unclassified
// and unknown values are absent: the status code and reply text decide then.
var buckets = map[string]bucket{
	normalize(InvalidAddress):     {Address, "invalid address"},
	normalize(MailboxUnavailable): {Address, "mailbox unavailable"},
	normalize(TechnicalFailure):   {Sender, "technical failure"},
	normalize(Content):            {Sender, "content rejected"},
	normalize(Reputation):         {Sender, "sender reputation"},
	normalize(FrequencyOrVolume):  {Sender, "frequency or volume too high"},
}

// Classify says what one Event Webhook event means. Its arguments are the
// event's event, type, bounce_classification, status and reason fields, any
// of which may be empty; for a deferred event that has no reason, pass its
// response (the remote server's reply, which holds the status code).
//
// The rules (SENDGRID.md §8):
//   - bounce, type "bounce": Hard, Address, Suppress (SendGrid bounce-lists
//     it), unless the classification is a sender one (Reputation, Content,
//     Technical Failure, Frequency or Volume Too High): then Block, Sender.
//   - bounce, type "blocked" (or "block"): Block, never Suppress (blocks are not a
//     suppression list). Level from the classification; when it is
//     Unclassified or missing, from the status code (5.1.x and 5.2.x →
//     Address, except 5.1.7/5.1.8 bad sender address and 5.2.3 message too
//     big; 5.7.x, 4.7.x, 5.4.x, 4.4.x and the rest → Sender), then from the
//     reply text ("mailbox unavailable", "user unknown", "mailbox full" →
//     Address; throttling words → Sender), else Sender.
//   - bounce without a type: the classification decides (Address → Hard,
//     Suppress; Sender → Block); else the status class: 5.x.x is Hard,
//     Address, Suppress unless its subject blames the sender (then Block);
//     4.x.x is Soft. With no code at all: Block, Sender if the text speaks of
//     throttling, else Hard, Address, Suppress.
//   - deferred: Soft, never Suppress. Address for a full or unknown mailbox
//     (4.2.2), Sender for throttling and policy (4.7.x, 4.2.1, "rate limit",
//     "try again later", "too many") and network trouble (4.4.x), and by
//     default.
//   - dropped: not a new failure, Kind "". Reason "Invalid" is an invalid
//     address: Address, Suppress. "Bounced Address", "Unsubscribed Address"
//     and "Spam Reporting Address" are already suppressed: Level "". "Spam
//     Content", "Invalid SMTPAPI header" and "Recipient List over Package
//     Quota" are our own doing: Level Sender.
//   - anything else: the zero Class.
//
// Event, type and classification are compared case-insensitively. The
// Reason never repeats provider text, except a dropped event's unknown
// reason, cleaned and cut to 80 characters.
func Classify(event, typ, classification, status, reason string) Class {
	switch strings.ToLower(strings.TrimSpace(event)) {
	case "bounce":
		return classifyBounce(strings.ToLower(strings.TrimSpace(typ)), classification, status, reason)
	case "deferred":
		return classifyDeferred(classification, status, reason)
	case "dropped":
		return classifyDropped(reason)
	}
	return Class{}
}

// evidence is what the status code and the reply text say, in that order.
type evidence struct {
	code    code
	hasCode bool
	level   Level  // from the specific code, else the text; "" if neither says
	text    string // description from the same source
}

func gather(status, reason string) evidence {
	e := evidence{}
	e.code, e.hasCode = parseCode(status, reason)
	if l := codeLevel(e.code); l != "" {
		e.level, e.text = l, codeText(e.code)
		return e
	}
	if h, ok := textHint(reason); ok {
		e.level, e.text = h.level, h.text
	}
	return e
}

// describe builds a Reason from the first non-empty text (callers end the
// list with a fixed fallback), with the specific status code appended.
func (e evidence) describe(texts ...string) string {
	text := ""
	for _, t := range texts {
		if t != "" {
			text = t
			break
		}
	}
	if e.code.specific() {
		return text + " (" + e.code.String() + ")"
	}
	return text
}

func classifyBounce(typ, classification, status, reason string) Class {
	b := buckets[normalize(classification)]
	e := gather(status, reason)
	switch typ {
	case "bounce":
		if b.level == Sender {
			return Class{Block, Sender, false, e.describe(b.text)}
		}
		return Class{Hard, Address, true, e.describe(b.text, e.text, "bounce")}
	case "blocked", "block":
		level, text := b.level, b.text
		if level == "" {
			level, text = e.level, e.text
		}
		if level == "" {
			level = Sender
		}
		return Class{Block, level, false, e.describe(text, "blocked")}
	}
	// No (known) type: classification, then the status class, then the text.
	switch b.level {
	case Address:
		return Class{Hard, Address, true, e.describe(b.text)}
	case Sender:
		return Class{Block, Sender, false, e.describe(b.text)}
	}
	if e.hasCode && e.code.class == 4 {
		level := e.level
		if level == "" {
			level = Sender
		}
		return Class{Soft, level, false, e.describe(e.text, "temporary failure")}
	}
	if e.hasCode && e.code.class == 5 && e.code.specific() {
		if e.level == Sender {
			return Class{Block, Sender, false, e.describe(e.text, "blocked")}
		}
		return Class{Hard, Address, true, e.describe(e.text, "bounce")}
	}
	// A generic 5.0.0, a 2.x.x, or no code: a bounce is a permanent
	// rejection, about the address unless the text speaks of throttling.
	if e.level == Sender {
		return Class{Block, Sender, false, e.describe(e.text, "blocked")}
	}
	return Class{Hard, Address, true, e.describe(e.text, "bounce")}
}

func classifyDeferred(classification, status, reason string) Class {
	b := buckets[normalize(classification)]
	e := gather(status, reason)
	level, text := b.level, b.text
	if level == "" {
		level, text = e.level, e.text
	}
	if level == "" {
		level = Sender
	}
	return Class{Soft, level, false, e.describe(text, "deferred")}
}

// drops maps a normalized dropped reason (SENDGRID.md §6.2) to its meaning.
var drops = map[string]Class{
	"invalid":                           {Level: Address, Suppress: true, Reason: "invalid address (dropped)"},
	"bounced address":                   {Reason: "already suppressed: bounced address"},
	"unsubscribed address":              {Reason: "already suppressed: unsubscribed"},
	"spam reporting address":            {Reason: "already suppressed: spam report"},
	"spam content":                      {Level: Sender, Reason: "dropped: spam content"},
	"invalid smtpapi header":            {Level: Sender, Reason: "dropped: invalid SMTPAPI header"},
	"recipient list over package quota": {Level: Sender, Reason: "dropped: over plan quota"},
}

func classifyDropped(reason string) Class {
	if c, ok := drops[normalize(reason)]; ok {
		return c
	}
	if r := echo(reason); r != "" {
		return Class{Reason: "dropped: " + r}
	}
	return Class{Reason: "dropped"}
}
