package campaign

// An internal test, as message_test.go: the test message is the real message
// builder's output for the same member, changed only where a test must differ.

import (
	"maps"
	"testing"
	"time"
)

func TestTestMessageIsTheRealMessageMarkedAsATest(t *testing.T) {
	s := &Service{cfg: Config{PublicURL: "https://fb.example", UnsubscribeKey: []byte("k"), Now: time.Now}}
	c := Campaign{ID: "c1", Subject: "Hi {{first_name|there}}", HTML: "<p>{{first_name|friend}} {{email}}</p>",
		Text: "Dear {{first_name|friend}}", BatchID: "batch-real", SendBufferSeconds: 900, ASMGroupID: 7}
	b := Brand{FromEmail: "news@acme.example", FromName: "Acme", ReplyTo: "help@acme.example"}
	member := Recipient{ID: "r1", Values: Values{Email: "eve@example.com", FirstName: "<i>Eve</i>"}}
	sendAt := time.Date(2026, 11, 23, 9, 15, 0, 0, time.UTC)
	real := s.message(&Claim{Campaign: c, Brand: b, SendAt: sendAt, Recipients: []Recipient{member}})
	test := s.testMessage(c, b, member, "u1", "me@acme.example")

	if real.BatchID == "" || real.SendAt.IsZero() {
		t.Fatalf("the real message should have a batch and send_at: %+v", real)
	}
	if test.BatchID != "" || !test.SendAt.IsZero() || test.Subject != "[TEST] "+real.Subject {
		t.Errorf("test: batch %q, send_at %v, subject %q", test.BatchID, test.SendAt, test.Subject)
	}
	if test.From != real.From || test.ReplyTo != real.ReplyTo || test.ASMGroupID != real.ASMGroupID ||
		test.Text != real.Text || !maps.Equal(test.Headers, real.Headers) {
		t.Errorf("from/reply-to/group/text/headers differ from the real message:\n test %+v\n real %+v", test, real)
	}
	tp, rp := test.Personalizations[0], real.Personalizations[0]
	if len(test.Personalizations) != 1 || tp.To.Email != "me@acme.example" {
		t.Errorf("personalizations %+v, want one, to the caller", test.Personalizations)
	}
	rs, rt, rh := delivered(real, 0)
	ts, tt, th := delivered(test, 0)
	if ts != "[TEST] "+rs || tt != rt || th != rh {
		t.Errorf("as delivered, the test is\n %q %q %q\nthe real message\n %q %q %q", ts, tt, th, rs, rt, rh)
	}
	if _, ok := tp.CustomArgs["firebreak_campaign_id"]; ok || tp.CustomArgs["firebreak_recipient_id"] != "" {
		t.Errorf("custom args %v join the test to the campaign", tp.CustomArgs)
	}
	if len(tp.Headers) != len(rp.Headers) || tp.Headers["List-Unsubscribe-Post"] != rp.Headers["List-Unsubscribe-Post"] ||
		tp.Headers["List-Unsubscribe"] != "<"+s.UnsubscribeURL("c1", "u1")+">" {
		t.Errorf("headers %v, want the real ones (%v) with the caller's link", tp.Headers, rp.Headers)
	}
}
