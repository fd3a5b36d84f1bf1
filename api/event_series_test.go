package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/firebreak/firebreak/api"
)

// seriesAnswer is GET …/event-series as the dashboard reads it.
type seriesAnswer struct {
	Bucket        string         `json:"bucket"`
	BucketSeconds int            `json:"bucket_seconds"`
	Totals        map[string]int `json:"totals"`
	Buckets       []struct {
		At         time.Time `json:"at"`
		Delivered  int       `json:"delivered"`
		Bounced    int       `json:"bounced"`
		Complained int       `json:"complained"`
	} `json:"buckets"`
}

// TestEventSeriesTotalsAreTheCountersOverTheWholeCampaign: 1,500 recipients
// delivered over 25 minutes (more events than the 1,000 the events list
// pages), a complaint spike in one minute, a bounce that replaces an earlier
// delivery, repeated opens and a webhook retry: the series covers the whole
// campaign, every bucket from the first outcome to the last, and its totals
// are exactly the campaign's counters.
func TestEventSeriesTotalsAreTheCountersOverTheWholeCampaign(t *testing.T) {
	const n = 1500
	h := newHookFixture(t, api.Config{}, n)
	tok := h.admin()
	start := int64(1763899200) // 2025-11-23 12:00:00 UTC
	var events []map[string]any
	for i := range n {
		at := start + int64(i)*60*25/n // spread over 25 minutes
		events = append(events, h.event(i, "delivered", map[string]any{"timestamp": at}))
		if i%3 == 0 {
			events = append(events, h.event(i, "open", map[string]any{"timestamp": at + 30}),
				h.event(i, "open", map[string]any{"timestamp": at + 90, "sg_event_id": fmt.Sprintf("open2-%d", i)}))
		}
		if i%10 == 0 {
			events = append(events, h.event(i, "click", map[string]any{"timestamp": at + 100}))
		}
	}
	// The spike: 40 spam reports between 12:30:00 and 12:30:59.
	for i := range 40 {
		events = append(events, h.event(i*7, "spamreport", map[string]any{"timestamp": start + 30*60 + int64(i)}))
	}
	// A bounce that replaces an earlier delivery, a deferral, an unsubscribe.
	events = append(events, h.event(5, "bounce", map[string]any{"timestamp": start + 20*60, "type": "bounce",
		"bounce_classification": "Invalid Address"}),
		h.event(6, "deferred", map[string]any{"timestamp": start + 60}),
		h.event(8, "unsubscribe", map[string]any{"timestamp": start + 26*60}))
	for from := 0; from < len(events); from += 500 {
		batch := events[from:min(from+500, len(events))]
		if r := h.post(batch...); r.status != 200 {
			t.Fatalf("webhook: %d %s", r.status, r.body)
		}
		if from == 0 { // SendGrid retries a batch: nothing counts twice
			if r := h.post(batch...); r.status != 200 {
				t.Fatalf("webhook retry: %d %s", r.status, r.body)
			}
		}
	}

	var camp struct{ Counts map[string]any }
	if r := h.do(call{method: "GET", path: "/api/v1/campaigns/" + h.campaignID, token: tok}); r.status != 200 {
		t.Fatalf("campaign: %d %s", r.status, r.body)
	} else {
		r.json(t, &camp)
	}
	var s seriesAnswer
	r := h.do(call{method: "GET", path: "/api/v1/campaigns/" + h.campaignID + "/event-series", token: tok})
	if r.status != 200 {
		t.Fatalf("series: %d %s", r.status, r.body)
	}
	r.json(t, &s)

	for _, k := range []string{"delivered", "bounced", "blocked", "dropped", "deferred", "opened", "clicked", "complained", "unsubscribed"} {
		if want := int(camp.Counts[k].(float64)); s.Totals[k] != want {
			t.Errorf("totals.%s = %d, the counter says %d", k, s.Totals[k], want)
		}
	}
	if s.Totals["delivered"] != n-1 || s.Totals["complained"] != 40 || s.Totals["bounced"] != 1 || s.Totals["opened"] != n/3 {
		t.Errorf("totals %v", s.Totals)
	}
	// The span 12:00 to 12:30:39 in 180 buckets at most: whole minutes, each of them there.
	if s.Bucket != "1m" || s.BucketSeconds != 60 || len(s.Buckets) != 31 {
		t.Fatalf("bucket %s (%ds), %d buckets", s.Bucket, s.BucketSeconds, len(s.Buckets))
	}
	sum := 0
	for i, b := range s.Buckets {
		if want := time.Unix(start, 0).UTC().Add(time.Duration(i) * time.Minute); !b.At.Equal(want) {
			t.Errorf("bucket %d at %s, want %s", i, b.At, want)
		}
		sum += b.Delivered
	}
	if sum != s.Totals["delivered"] {
		t.Errorf("the buckets add up to %d delivered, totals say %d", sum, s.Totals["delivered"])
	}
	if spike := s.Buckets[30]; spike.Complained != 40 || spike.Delivered != 0 {
		t.Errorf("12:30: %+v, want the 40 complaints", spike)
	}
	if s.Buckets[27].Delivered+s.Buckets[27].Complained != 0 {
		t.Errorf("12:27 should be an empty bucket: %+v", s.Buckets[27])
	}

	// A size asked for: 5 minutes.
	r = h.do(call{method: "GET", path: "/api/v1/campaigns/" + h.campaignID + "/event-series?bucket=5m", token: tok})
	r.json(t, &s)
	if r.status != 200 || s.BucketSeconds != 300 || len(s.Buckets) != 7 || s.Totals["delivered"] != n-1 {
		t.Errorf("5m: %d, %ds, %d buckets, %v", r.status, s.BucketSeconds, len(s.Buckets), s.Totals)
	}
}

func TestEventSeriesRefusals(t *testing.T) {
	h := newHookFixture(t, api.Config{}, 1)
	tok := h.admin()
	// No outcome yet: no buckets, zeros.
	var s seriesAnswer
	r := h.do(call{method: "GET", path: "/api/v1/campaigns/" + h.campaignID + "/event-series", token: tok})
	r.json(t, &s)
	if r.status != 200 || len(s.Buckets) != 0 || s.Totals["delivered"] != 0 || s.Bucket != "1m" {
		t.Errorf("empty: %d %s", r.status, r.body)
	}
	// A span too long for the size asked: 3 days in minutes.
	if r := h.post(h.event(0, "delivered", nil), h.event(0, "open", map[string]any{"timestamp": 1763899200 + 3*86400})); r.status != 200 {
		t.Fatal(r.status)
	}
	r = h.do(call{method: "GET", path: "/api/v1/campaigns/" + h.campaignID + "/event-series?bucket=1m", token: tok})
	if e := r.errorBody(t); r.status != 422 || e.Code != "validation_failed" || e.Details["fields"] == nil {
		t.Errorf("too fine: %d %s", r.status, r.body)
	}
	r = h.do(call{method: "GET", path: "/api/v1/campaigns/" + h.campaignID + "/event-series", token: tok})
	r.json(t, &s)
	if r.status != 200 || s.Bucket != "1h" || len(s.Buckets) != 73 {
		t.Errorf("auto over 3 days: %d %s, %d buckets", r.status, s.Bucket, len(s.Buckets))
	}
	cases := []struct {
		name, path string
		status     int
		code       string
	}{
		{"unknown size", "/api/v1/campaigns/" + h.campaignID + "/event-series?bucket=2m", 422, "validation_failed"},
		{"unknown campaign", "/api/v1/campaigns/00000000-0000-0000-0000-00000000dead/event-series", 404, "campaign_not_found"},
		{"not an id", "/api/v1/campaigns/nope/event-series", 404, "campaign_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(call{method: "GET", path: c.path, token: tok})
			if e := r.errorBody(t); r.status != c.status || e.Code != c.code {
				t.Errorf("%d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
		})
	}
	if r := h.do(call{method: "GET", path: "/api/v1/campaigns/" + h.campaignID + "/event-series"}); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}
}
