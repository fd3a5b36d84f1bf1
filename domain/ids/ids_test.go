package ids_test

import (
	"regexp"
	"testing"

	"github.com/firebreak/firebreak/domain/ids"
)

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"00000000-0000-0000-0000-0000000000c1":  true,
		"8F14E45F-CEEA-467F-A0E6-5B9A1D2C3E4F":  true,
		"8f14e45f-ceea-467f-a0e6-5b9a1d2c3e4f":  true,
		"":                                      false,
		"8f14e45fceea467fa0e65b9a1d2c3e4f":      false, // no dashes
		"8f14e45f-ceea-467f-a0e6-5b9a1d2c3e4":   false, // short
		"8f14e45f-ceea-467f-a0e6-5b9a1d2c3e4f0": false, // long
		"8f14e45f-ceea-467f-a0e6_5b9a1d2c3e4f":  false,
		"8f14e45f-ceea-467f-a0e6-5b9a1d2c3e4g":  false,
		"{8f14e45f-ceea-467f-a0e6-5b9a1d2c3e4}": false,
		"8f14e45f-ceea-467f-a0e6-5b9a1d2c3é4":   false,
	} {
		if got := ids.Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzValid checks the hand-written check against the id's regular expression.
func FuzzValid(f *testing.F) {
	re := regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	f.Add("00000000-0000-0000-0000-0000000000c1")
	f.Add("8f14e45f-ceea-467f-a0e6-5b9a1d2c3e4")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ids.Valid(s), re.MatchString(s); got != want {
			t.Errorf("Valid(%q) = %v, regexp says %v", s, got, want)
		}
	})
}
