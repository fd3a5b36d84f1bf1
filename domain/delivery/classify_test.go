package delivery_test

import (
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/delivery"
)

// classifyCase is one call of Classify and what it must return.
type classifyCase struct {
	name                                       string
	event, typ, classification, status, reason string
	want                                       delivery.Class
}

// Shorthands for the wanted classes; the Reason is filled in per case.
func hard(reason string) delivery.Class {
	return delivery.Class{Kind: delivery.Hard, Level: delivery.Address, Suppress: true, Reason: reason}
}

func block(level delivery.Level, reason string) delivery.Class {
	return delivery.Class{Kind: delivery.Block, Level: level, Reason: reason}
}

func soft(level delivery.Level, reason string) delivery.Class {
	return delivery.Class{Kind: delivery.Soft, Level: level, Reason: reason}
}

// statusTableCases are the rows of SENDGRID.md §8.2, each as the event(s)
// the "Typical SendGrid outcome" column says it arrives as.
var statusTableCases = []classifyCase{
	// 5.1.x: bad address → bounce, Invalid Address: suppress.
	{"5.1.1 user unknown", "bounce", "bounce", "Invalid Address", "5.1.1",
		"550 5.1.1 The email account that you tried to reach does not exist.", hard("invalid address (5.1.1)")},
	{"5.1.2 bad domain", "bounce", "bounce", "Invalid Address", "5.1.2",
		"550 5.1.2 Host unknown, domain example.invalid not found", hard("invalid address (5.1.2)")},
	{"5.1.3 bad syntax", "bounce", "bounce", "Invalid Address", "5.1.3",
		"501 5.1.3 Bad recipient address syntax", hard("invalid address (5.1.3)")},
	{"5.1.10 null MX", "bounce", "bounce", "Invalid Address", "5.1.10",
		"556 5.1.10 Recipient address has null MX", hard("invalid address (5.1.10)")},
	// 5.2.1: mailbox disabled → bounce, Mailbox Unavailable or Invalid Address.
	{"5.2.1 disabled, Mailbox Unavailable", "bounce", "bounce", "Mailbox Unavailable", "5.2.1",
		"550 5.2.1 The email account that you tried to reach is disabled.", hard("mailbox unavailable (5.2.1)")},
	{"5.2.1 disabled, Invalid Address", "bounce", "bounce", "Invalid Address", "5.2.1",
		"550 5.2.1 mailbox disabled", hard("invalid address (5.2.1)")},
	// 4.2.2: mailbox full → deferred, then (72 h) a block.
	{"4.2.2 mailbox full deferred", "deferred", "", "", "",
		"452 4.2.2 The recipient's inbox is out of storage space.", soft(delivery.Address, "mailbox full (4.2.2)")},
	{"4.2.2 mailbox full expired to block", "bounce", "blocked", "Mailbox Unavailable", "4.2.2",
		"452 4.2.2 Mailbox full", block(delivery.Address, "mailbox unavailable (4.2.2)")},
	// 5.2.2: mailbox full, permanent → bounce, Mailbox Unavailable.
	{"5.2.2 mailbox full permanent", "bounce", "bounce", "Mailbox Unavailable", "5.2.2",
		"552 5.2.2 Mailbox full", hard("mailbox unavailable (5.2.2)")},
	// 4.2.1 / 4.7.x throttling → deferred; after 72 h a Frequency or Volume block.
	{"4.2.1 mailbox busy", "deferred", "", "", "",
		"450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please try again later.",
		soft(delivery.Sender, "mailbox busy (4.2.1)")},
	{"4.7.28 rate limited", "deferred", "", "", "",
		"421 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.",
		soft(delivery.Sender, "throttled or policy deferral (4.7.28)")},
	{"4.7.x throttling expired to block", "bounce", "blocked", "Frequency or Volume Too High", "4.7.0",
		"421 4.7.0 Try again later, closing connection.", block(delivery.Sender, "frequency or volume too high (4.7.0)")},
	// 4.4.x / 5.4.x network and routing → deferred, then block, Technical Failure.
	{"4.4.1 no answer deferred", "deferred", "", "", "",
		"4.4.1 Connection timed out", soft(delivery.Sender, "network or routing problem (4.4.1)")},
	{"4.4.x expired to block", "bounce", "blocked", "Technical Failure", "4.4.1",
		"4.4.1 Connection timed out", block(delivery.Sender, "technical failure (4.4.1)")},
	{"5.4.7 delivery time expired", "bounce", "blocked", "Technical Failure", "5.4.7",
		"5.4.7 Delivery time expired", block(delivery.Sender, "technical failure (5.4.7)")},
	// 5.3.4 / 5.2.3 message too big → block, Content or Technical Failure.
	{"5.3.4 too big, Content", "bounce", "blocked", "Content", "5.3.4",
		"552 5.3.4 Message size exceeds fixed limit", block(delivery.Sender, "content rejected (5.3.4)")},
	{"5.2.3 admin limit, Technical Failure", "bounce", "blocked", "Technical Failure", "5.2.3",
		"552 5.2.3 Message exceeds local size limit", block(delivery.Sender, "technical failure (5.2.3)")},
	// 5.7.x policy → block, Reputation / Content / Technical Failure.
	{"5.7.1 Reputation", "bounce", "blocked", "Reputation", "5.7.1",
		"554 5.7.1 Service unavailable; Client host [149.72.10.20] blocked using a reputation list",
		block(delivery.Sender, "sender reputation (5.7.1)")},
	{"5.7.1 Content", "bounce", "blocked", "Content", "5.7.1",
		"550 5.7.1 Message rejected as spam by Content Filtering", block(delivery.Sender, "content rejected (5.7.1)")},
	{"5.7.26 DMARC, Technical Failure", "bounce", "blocked", "Technical Failure", "5.7.26",
		"550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
		block(delivery.Sender, "technical failure (5.7.26)")},
	// 4.7.x temporary policy (greylisting, reputation throttling) → deferred.
	{"4.7.1 greylisted", "deferred", "", "", "",
		"451 4.7.1 Greylisting in action, please come back later", soft(delivery.Sender, "throttled or policy deferral (4.7.1)")},
}

// ruleCases pin each rule of the brief that the samples and §8.2 leave open.
var ruleCases = []classifyCase{
	// type=bounce with a sender classification is a block, not a suppression.
	{"bounce Reputation", "bounce", "bounce", "Reputation", "5.7.1", "550 5.7.1 blocked",
		block(delivery.Sender, "sender reputation (5.7.1)")},
	{"bounce Content", "bounce", "bounce", "Content", "5.0.0", "550 message looks like spam",
		block(delivery.Sender, "content rejected")},
	{"bounce Technical Failure", "bounce", "bounce", "Technical Failure", "", "",
		block(delivery.Sender, "technical failure")},
	{"bounce Frequency", "bounce", "bounce", "Frequency or Volume Too High", "", "",
		block(delivery.Sender, "frequency or volume too high")},
	{"bounce Unclassified stays hard", "bounce", "bounce", "Unclassified", "5.7.1", "",
		hard("policy refusal (5.7.1)")},
	{"bounce no classification no status", "bounce", "bounce", "", "", "", hard("bounce")},

	// type=blocked: classification, then code, then text, else sender.
	{"blocked Invalid Address", "bounce", "blocked", "Invalid Address", "5.0.0", "",
		block(delivery.Address, "invalid address")},
	{"blocked Mailbox Unavailable", "bounce", "blocked", "Mailbox Unavailable", "", "",
		block(delivery.Address, "mailbox unavailable")},
	{"blocked Unclassified 5.1.1", "bounce", "blocked", "Unclassified", "5.1.1", "",
		block(delivery.Address, "unknown mailbox (5.1.1)")},
	{"blocked Unclassified 5.2.1", "bounce", "blocked", "Unclassified", "5.2.1", "",
		block(delivery.Address, "mailbox disabled (5.2.1)")},
	{"blocked missing 5.7.1", "bounce", "blocked", "", "5.7.1", "",
		block(delivery.Sender, "policy refusal (5.7.1)")},
	{"blocked missing 4.7.0", "bounce", "blocked", "", "4.7.0", "",
		block(delivery.Sender, "throttled or policy deferral (4.7.0)")},
	{"blocked missing 5.4.4", "bounce", "blocked", "", "5.4.4", "",
		block(delivery.Sender, "network or routing problem (5.4.4)")},
	{"blocked missing 4.4.7", "bounce", "blocked", "", "4.4.7", "",
		block(delivery.Sender, "delivery time expired (4.4.7)")},
	{"blocked 5.1.8 blames the sender address", "bounce", "blocked", "", "5.1.8", "",
		block(delivery.Sender, "bad sender address (5.1.8)")},
	{"blocked generic, code in reason", "bounce", "blocked", "Unclassified", "5.0.0",
		"550 5.1.1 <x@example.com>: Recipient address rejected: User unknown", block(delivery.Address, "unknown mailbox (5.1.1)")},
	{"blocked generic, nothing else", "bounce", "blocked", "Unclassified", "4.0.0",
		"unable to resolve MX record for example.com: servfail", block(delivery.Sender, "blocked")},
	{"blocked nothing at all", "bounce", "blocked", "", "", "", block(delivery.Sender, "blocked")},
	{"blocked unknown classification", "bounce", "blocked", "Something New", "5.7.1", "",
		block(delivery.Sender, "policy refusal (5.7.1)")},

	// Missing type: classification, then status class, then text.
	{"no type Invalid Address", "bounce", "", "Invalid Address", "", "", hard("invalid address")},
	{"no type Mailbox Unavailable", "bounce", "", "Mailbox Unavailable", "5.2.2", "", hard("mailbox unavailable (5.2.2)")},
	{"no type Reputation", "bounce", "", "Reputation", "5.7.1", "", block(delivery.Sender, "sender reputation (5.7.1)")},
	{"no type 5.1.1", "bounce", "", "", "5.1.1", "", hard("unknown mailbox (5.1.1)")},
	{"no type 5.0.0", "bounce", "", "Unclassified", "5.0.0", "", hard("bounce")},
	{"no type 5.7.1", "bounce", "", "", "5.7.1", "", block(delivery.Sender, "policy refusal (5.7.1)")},
	{"no type 4.2.2", "bounce", "", "", "4.2.2", "", soft(delivery.Address, "mailbox full (4.2.2)")},
	{"no type 4.7.0", "bounce", "", "", "4.7.0", "", soft(delivery.Sender, "throttled or policy deferral (4.7.0)")},
	{"no type 4.0.0", "bounce", "", "", "4.0.0", "", soft(delivery.Sender, "temporary failure")},
	{"no type basic 550 reply", "bounce", "", "", "", "550 Requested action not taken: mailbox unavailable",
		hard("mailbox unavailable")},
	{"no type basic 421 reply", "bounce", "", "", "", "421 Too many connections", soft(delivery.Sender, "throttled")},
	{"no type throttling words", "bounce", "", "", "", "rate limit exceeded", block(delivery.Sender, "throttled")},
	{"no type nothing", "bounce", "", "", "", "", hard("bounce")},
	{"no type undefined subject", "bounce", "", "", "5.9.9", "", hard("bounce (5.9.9)")},
	{"no type undefined subject, throttled", "bounce", "", "", "5.9.9", "too many messages", block(delivery.Sender, "throttled (5.9.9)")},
	{"unknown type is a missing type", "bounce", "weird", "", "5.1.1", "", hard("unknown mailbox (5.1.1)")},

	// deferred: level from code, then words, else sender; never suppress.
	{"deferred throttling words", "deferred", "", "", "", "Too many connections from your IP", soft(delivery.Sender, "throttled")},
	{"deferred try again later", "deferred", "", "", "4.0.0", "Temporary failure, try again later", soft(delivery.Sender, "throttled")},
	{"deferred rate limit", "deferred", "", "", "", "Rate limit exceeded for sender", soft(delivery.Sender, "throttled")},
	{"deferred mailbox full words", "deferred", "", "", "", "Mailbox is full", soft(delivery.Address, "mailbox full")},
	{"deferred 4.4.2", "deferred", "", "", "", "421 4.4.2 Connection dropped", soft(delivery.Sender, "network or routing problem (4.4.2)")},
	{"deferred unknown", "deferred", "", "", "", "something odd happened", soft(delivery.Sender, "deferred")},
	{"deferred empty", "deferred", "", "", "", "", soft(delivery.Sender, "deferred")},
	{"deferred with status field", "deferred", "", "", "4.2.2", "", soft(delivery.Address, "mailbox full (4.2.2)")},

	// dropped: not a new failure; only Invalid suppresses.
	{"dropped Invalid", "dropped", "", "", "", "Invalid",
		delivery.Class{Level: delivery.Address, Suppress: true, Reason: "invalid address (dropped)"}},
	{"dropped invalid lower case", "dropped", "", "", "", " invalid ",
		delivery.Class{Level: delivery.Address, Suppress: true, Reason: "invalid address (dropped)"}},
	{"dropped Bounced Address", "dropped", "", "", "5.0.0", "Bounced Address",
		delivery.Class{Reason: "already suppressed: bounced address"}},
	{"dropped Unsubscribed Address", "dropped", "", "", "", "Unsubscribed Address",
		delivery.Class{Reason: "already suppressed: unsubscribed"}},
	{"dropped Spam Reporting Address", "dropped", "", "", "", "Spam Reporting Address",
		delivery.Class{Reason: "already suppressed: spam report"}},
	{"dropped Spam Content", "dropped", "", "", "", "Spam Content",
		delivery.Class{Level: delivery.Sender, Reason: "dropped: spam content"}},
	{"dropped Invalid SMTPAPI header is not Invalid", "dropped", "", "", "", "Invalid SMTPAPI header",
		delivery.Class{Level: delivery.Sender, Reason: "dropped: invalid SMTPAPI header"}},
	{"dropped over quota", "dropped", "", "", "", "Recipient List over Package Quota",
		delivery.Class{Level: delivery.Sender, Reason: "dropped: over plan quota"}},
	{"dropped unknown reason echoed", "dropped", "", "", "", "  Something\tnew\x00 ",
		delivery.Class{Reason: "dropped: Something new"}},
	{"dropped empty reason", "dropped", "", "", "", "", delivery.Class{Reason: "dropped"}},
	{"dropped ignores type and classification", "dropped", "bounce", "Invalid Address", "5.1.1", "Bounced Address",
		delivery.Class{Reason: "already suppressed: bounced address"}},

	// Not failures.
	{"processed", "processed", "", "", "", "", delivery.Class{}},
	{"delivered with 5.x text", "delivered", "bounce", "Invalid Address", "5.1.1", "550 5.1.1 nope", delivery.Class{}},
	{"open", "open", "", "", "", "", delivery.Class{}},
	{"click", "click", "", "", "", "", delivery.Class{}},
	{"spamreport", "spamreport", "", "", "", "", delivery.Class{}},
	{"unsubscribe", "unsubscribe", "", "", "", "", delivery.Class{}},
	{"group_unsubscribe", "group_unsubscribe", "", "", "", "", delivery.Class{}},
	{"account_status_change", "account_status_change", "", "", "", "", delivery.Class{}},
	{"expired is not documented as an event", "expired", "", "", "", "", delivery.Class{}},
}

// edgeCases: empty and garbage input, and the case-insensitive matching.
var edgeCases = []classifyCase{
	{"all empty", "", "", "", "", "", delivery.Class{}},
	{"garbage event", "bounc", "bounce", "Invalid Address", "5.1.1", "", delivery.Class{}},
	{"event mixed case and padded", " Bounce ", "BOUNCE", "invalid address", "5.1.1", "", hard("invalid address (5.1.1)")},
	{"type mixed case", "bounce", "Blocked", "REPUTATION", "5.7.1", "", block(delivery.Sender, "sender reputation (5.7.1)")},
	{"classification odd spacing", "bounce", "bounce", "  frequency  OR volume_too high ", "", "",
		block(delivery.Sender, "frequency or volume too high")},
	{"classification mixed case address", "bounce", "blocked", "mailbox UNAVAILABLE", "", "",
		block(delivery.Address, "mailbox unavailable")},
	{"deferred upper case", "DEFERRED", "", "", "", "452 4.2.2 full", soft(delivery.Address, "mailbox full (4.2.2)")},
	{"garbage status, no reason", "bounce", "blocked", "", "abc", "", block(delivery.Sender, "blocked")},
	{"garbage status, code in reason", "bounce", "blocked", "", "x.y.z", "550 5.1.1 no such user",
		block(delivery.Address, "unknown mailbox (5.1.1)")},
	{"status is an IP address", "bounce", "blocked", "", "5.1.1.1", "", block(delivery.Sender, "blocked")},
	{"status too many digits", "bounce", "", "", "5.1111.1", "", hard("bounce")},
	{"status class 9", "bounce", "", "", "9.1.1", "", hard("bounce")},
	{"status 2.0.0 on a bounce", "bounce", "", "", "2.0.0", "", hard("bounce")},
	{"status subject out of range", "bounce", "blocked", "", "5.9.9", "", block(delivery.Sender, "blocked (5.9.9)")},
	{"status padded", "bounce", "bounce", "", " 5.1.1 ", "", hard("unknown mailbox (5.1.1)")},
	{"reason with IP only", "bounce", "blocked", "", "", "Client host [149.72.10.20] refused", block(delivery.Sender, "blocked")},
	{"non-UTF-8 reason", "bounce", "blocked", "", "", "\xff\xfe 550 5.7.1 \xff", block(delivery.Sender, "policy refusal (5.7.1)")},
}

func TestClassify(t *testing.T) {
	for _, group := range []struct {
		name  string
		cases []classifyCase
	}{{"status table", statusTableCases}, {"rules", ruleCases}, {"edge", edgeCases}} {
		for _, tc := range group.cases {
			t.Run(group.name+"/"+tc.name, func(t *testing.T) {
				got := delivery.Classify(tc.event, tc.typ, tc.classification, tc.status, tc.reason)
				if got != tc.want {
					t.Errorf("Classify(%q, %q, %q, %q, %q)\n got %#v\nwant %#v",
						tc.event, tc.typ, tc.classification, tc.status, tc.reason, got, tc.want)
				}
				checkInvariants(t, tc.event, got)
			})
		}
	}
}

// TestClassifyDroppedEchoIsShort: an unknown drop reason is repeated, but
// cut, so a hostile or broken payload cannot bloat what we store and show.
func TestClassifyDroppedEchoIsShort(t *testing.T) {
	got := delivery.Classify("dropped", "", "", "", strings.Repeat("é", 500))
	if n := len([]rune(got.Reason)); n != len("dropped: ")+80 {
		t.Errorf("Reason has %d runes, want %d: %q", n, len("dropped: ")+80, got.Reason)
	}
	if !strings.HasSuffix(got.Reason, "…") {
		t.Errorf("a cut Reason ends in an ellipsis: %q", got.Reason)
	}
}

// checkInvariants are the promises of Class's doc comment; the fuzz test
// checks them on arbitrary input.
func checkInvariants(t *testing.T, event string, c delivery.Class) {
	t.Helper()
	switch c.Kind {
	case "", delivery.Hard, delivery.Soft, delivery.Block:
	default:
		t.Errorf("unknown Kind %q", c.Kind)
	}
	switch c.Level {
	case "", delivery.Address, delivery.Sender:
	default:
		t.Errorf("unknown Level %q", c.Level)
	}
	if c.Suppress && (c.Kind == delivery.Block || c.Kind == delivery.Soft) {
		t.Errorf("%s must never suppress: %#v", c.Kind, c)
	}
	if c.Suppress && c.Level != delivery.Address {
		t.Errorf("Suppress without Level address: %#v", c)
	}
	if c.Reason != strings.TrimSpace(c.Reason) || strings.HasPrefix(c.Reason, "(") {
		t.Errorf("Reason must start with words: %q", c.Reason)
	}
	if c.Kind != "" && (c.Level == "" || c.Reason == "") {
		t.Errorf("a failure needs a Level and a Reason: %#v", c)
	}
	switch strings.ToLower(strings.TrimSpace(event)) {
	case "bounce", "deferred":
		if c.Kind == "" {
			t.Errorf("a %s event must be a failure: %#v", event, c)
		}
	case "dropped":
		if c.Kind != "" || c.Reason == "" {
			t.Errorf("a dropped event is not a new failure but has a reason: %#v", c)
		}
	default:
		if c != (delivery.Class{}) {
			t.Errorf("event %q must give the zero Class, got %#v", event, c)
		}
	}
}
