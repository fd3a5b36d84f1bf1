package delivery_test

import (
	"testing"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/delivery"
)

// FuzzClassify feeds arbitrary event fields to Classify. Whatever SendGrid
// (or a broken proxy) sends, Classify must not panic, must be deterministic,
// must never suppress on a block, and must keep Class's documented invariants.
func FuzzClassify(f *testing.F) {
	for _, group := range [][]classifyCase{statusTableCases, ruleCases, edgeCases} {
		for _, tc := range group {
			f.Add(tc.event, tc.typ, tc.classification, tc.status, tc.reason)
		}
	}
	f.Fuzz(func(t *testing.T, event, typ, classification, status, reason string) {
		got := delivery.Classify(event, typ, classification, status, reason)
		if got.Kind == delivery.Block && got.Suppress {
			t.Fatalf("a block must never suppress: %#v", got)
		}
		checkInvariants(t, event, got)
		if !utf8.ValidString(got.Reason) {
			t.Errorf("Reason is not valid UTF-8: %q", got.Reason)
		}
		if n := utf8.RuneCountInString(got.Reason); n > 120 {
			t.Errorf("Reason has %d runes: %q", n, got.Reason)
		}
		if again := delivery.Classify(event, typ, classification, status, reason); again != got {
			t.Errorf("not deterministic: %#v then %#v", got, again)
		}
	})
}

// FuzzParseStatus checks the status parser's contract on arbitrary text:
// no panic, a class of 2, 4 or 5 and at most three digits per part when ok,
// zeros when not.
func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{"5.1.1", "4.7.28", "5.0.0", "550 5.1.1 user unknown", "149.72.10.20",
		"5.1.1.1", "421-4.7.0 try later", "550", "", "\xff5.2.2"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, status, reason string) {
		c, s, d, ok := delivery.ParseStatus(status, reason)
		if !ok {
			if c != 0 || s != 0 || d != 0 {
				t.Fatalf("not ok but %d.%d.%d", c, s, d)
			}
			return
		}
		if c != 2 && c != 4 && c != 5 {
			t.Errorf("class %d", c)
		}
		if s < 0 || s > 999 || d < 0 || d > 999 {
			t.Errorf("subject %d, detail %d out of range", s, d)
		}
	})
}
