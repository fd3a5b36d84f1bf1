package delivery_test

import (
	"fmt"
	"testing"

	"github.com/firebreak/firebreak/domain/delivery"
)

func TestParseStatus(t *testing.T) {
	cases := []struct {
		name, status, reason string
		want                 string // "c.s.d", or "" for not ok
	}{
		{"plain", "5.1.1", "", "5.1.1"},
		{"padded", "  4.2.2\n", "", "4.2.2"},
		{"three-digit detail", "4.7.28", "", "4.7.28"},
		{"two-digit detail", "5.1.10", "", "5.1.10"},
		{"success", "2.0.0", "", "2.0.0"},
		{"generic status, specific reason", "5.0.0", "550 5.1.1 The email account that you tried to reach does not exist.", "5.1.1"},
		{"generic status, reason of other class", "5.0.0", "452 4.2.2 full", "5.0.0"},
		{"generic status, generic reason", "4.0.0", "421 4.0.0 later", "4.0.0"},
		{"no status, code in reason", "", "554 5.7.1 Service unavailable; Client host [149.72.10.20] blocked", "5.7.1"},
		{"specific status wins over reason", "5.7.1", "550 5.1.1 user unknown", "5.7.1"},
		{"dash-joined multi-line reply", "", "421-4.7.0 [1.2.3.4] Our system has detected", "4.7.0"},
		{"code ending a sentence", "", "rejected with 5.7.26.", "5.7.26"},
		{"code in brackets", "", "bounce (#5.1.1)", "5.1.1"},
		{"first of several codes", "", "4.4.1 then 5.4.7", "4.4.1"},
		{"basic reply code in reason", "", "550 Requested action not taken", "5.0.0"},
		{"basic reply code with dash", "", "421-Too many connections", "4.0.0"},
		{"basic reply code in status", "550", "", "5.0.0"},
		{"basic reply code must open the text", "", "rejected: 550 go away", ""},
		{"basic reply code bad second digit", "", "590 nope", ""},
		{"generic status beats basic reply", "4.0.0", "550 nope", "4.0.0"},
		{"status only whitespace", "   ", "", ""},
		{"empty", "", "", ""},
		{"garbage", "abc", "def", ""},
		{"class only", "5", "", ""},
		{"class and subject", "5.1", "", ""},
		{"trailing dot", "5.1.", "", ""},
		{"bad class", "3.1.1", "", ""},
		{"class 9", "9.1.1", "", ""},
		{"four-digit subject", "5.1111.1", "", ""},
		{"four-digit detail", "5.1.1111", "", ""},
		{"IPv4 address", "", "Client host [149.72.10.20] blocked", ""},
		{"IPv4 starting like a code", "5.1.1.1", "", ""},
		{"preceded by a digit", "15.1.1", "", ""},
		{"preceded by a dot", ".5.1.1", "", ""},
		{"version number", "", "Postfix 2.11.3.4", ""},
		{"timestamp digits", "", "OK 1763899206 a1b2", ""},
		{"non-UTF-8 around a code", "\xff5.2.2\xfe", "", "5.2.2"},
		{"leading zeros", "5.01.001", "", "5.1.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s, d, ok := delivery.ParseStatus(tc.status, tc.reason)
			got := ""
			if ok {
				got = fmt.Sprintf("%d.%d.%d", c, s, d)
			} else if c != 0 || s != 0 || d != 0 {
				t.Errorf("not ok but numbers %d.%d.%d", c, s, d)
			}
			if got != tc.want {
				t.Errorf("ParseStatus(%q, %q) = %q, want %q", tc.status, tc.reason, got, tc.want)
			}
		})
	}
}
