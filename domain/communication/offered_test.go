package communication_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/runbook"
)

// TestOfferedAndNotAllowedReason: what the dashboard offers per shipped
// runbook, and why the ones that forbid an apology do.
func TestOfferedAndNotAllowedReason(t *testing.T) {
	set := shipped(t)
	want := map[string][]communication.Kind{
		runbook.WrongSegment:         {communication.Apology, communication.Correction},
		runbook.DataBreach:           {communication.Apology, communication.Correction, communication.BreachNotice},
		runbook.StaleSuppressionList: {},
		runbook.Triage:               {},
	}
	for id, kinds := range want {
		rb, ok := set.Get(id)
		if !ok {
			t.Fatalf("runbook %s not shipped", id)
		}
		if got := communication.Offered(rb); !slices.Equal(got, kinds) {
			t.Errorf("%s offers %v, want %v", id, got, kinds)
		}
		reason := communication.NotAllowedReason(rb)
		if rb.Apology.Allowed != (reason == "") {
			t.Errorf("%s: allowed %v but reason %q", id, rb.Apology.Allowed, reason)
		}
	}
	stale, _ := set.Get(runbook.StaleSuppressionList)
	if r := communication.NotAllowedReason(stale); !strings.Contains(r, "only adds complaints") {
		t.Errorf("stale list reason %q", r)
	}
}
