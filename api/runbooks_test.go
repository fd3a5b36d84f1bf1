package api_test

import (
	"encoding/json"
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

// TestRunbookSaysTheCanaryOfItsWatch: a runbook tells the dashboard which
// canary a watched brand's next campaigns go out with (step 6).
func TestRunbookSaysTheCanaryOfItsWatch(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	tok := f.addUser("lee@example.com", "legal")
	for id, want := range map[string]string{
		"triage":               `{"window":"72h0m0s","window_seconds":259200,"canary_percent":10,"canary_hold":"1h0m0s","canary_hold_seconds":3600}`,
		"deliverability-spike": `{"window":"336h0m0s","window_seconds":1209600,"canary_percent":5,"canary_hold":"2h0m0s","canary_hold_seconds":7200}`,
	} {
		var rb struct {
			Monitoring json.RawMessage `json:"monitoring"`
		}
		r := f.do(call{method: "GET", path: "/api/v1/runbooks/" + id, token: tok})
		if r.status != 200 {
			t.Fatalf("runbook %s: %d %s", id, r.status, r.body)
		}
		r.json(t, &rb)
		if string(rb.Monitoring) != want {
			t.Errorf("%s: monitoring %s, want %s", id, rb.Monitoring, want)
		}
	}
}
