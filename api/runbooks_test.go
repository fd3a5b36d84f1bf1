package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/api"
)

// TestRunbookSaysWhatStep5OffersAndWhyNot: the dashboard takes the kinds it
// offers and the reason it shows instead of a button from the runbook, as the
// server decides them (also for runbooks loaded from FIREBREAK_RUNBOOKS_DIR).
func TestRunbookSaysWhatStep5OffersAndWhyNot(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	tok := f.addUser("lee@example.com", "legal")
	type apology struct {
		Allowed bool     `json:"allowed"`
		Kinds   []string `json:"kinds"`
		Reason  string   `json:"reason"`
	}
	get := func(id string) apology {
		var rb struct {
			Apology apology `json:"apology"`
		}
		r := f.do(call{method: "GET", path: "/api/v1/runbooks/" + id, token: tok})
		if r.status != 200 {
			t.Fatalf("runbook %s: %d %s", id, r.status, r.body)
		}
		r.json(t, &rb)
		return rb.Apology
	}
	if a := get("stale-suppression-list"); a.Allowed || len(a.Kinds) != 0 || !strings.Contains(a.Reason, "only adds complaints") {
		t.Errorf("stale-suppression-list: %+v", a)
	}
	if a := get("data-breach"); !a.Allowed || !slices.Equal(a.Kinds, []string{"apology", "correction", "breach_notice"}) || a.Reason != "" {
		t.Errorf("data-breach: %+v", a)
	}
	if a := get("wrong-segment"); !slices.Equal(a.Kinds, []string{"apology", "correction"}) || a.Reason != "" {
		t.Errorf("wrong-segment: %+v", a)
	}
}
