package communication

import (
	"slices"
	"testing"
)

func TestNeedsApproval(t *testing.T) {
	for _, tc := range []struct {
		kind     Kind
		requires []string
		want     []string
	}{
		{BreachNotice, nil, []string{"legal", "security"}},
		{BreachNotice, []string{"security"}, []string{"legal", "security"}},
		{BreachNotice, []string{"Security", " legal ", "dpo"}, []string{"legal", "security", "dpo"}},
		{Apology, nil, []string{}},
		{Correction, []string{}, []string{}},
		{Apology, []string{"legal"}, []string{"legal"}},
		{Correction, []string{"security", "legal", "security"}, []string{"legal", "security"}},
		{Apology, []string{"", "marketer"}, []string{"marketer"}},
	} {
		got := NeedsApproval(tc.kind, tc.requires)
		if got == nil || !slices.Equal(got, tc.want) {
			t.Errorf("NeedsApproval(%s, %q) = %#v, want %q", tc.kind, tc.requires, got, tc.want)
		}
	}
}
