package assess_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/firebreak/firebreak/domain/assess"
)

func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("want %s\n got %s", show(want), show(got))
}

func show(v any) string {
	if r, ok := v.(assess.Rates); ok {
		p := func(f *float64) string {
			if f == nil {
				return "nil"
			}
			return fmt.Sprint(*f)
		}
		return fmt.Sprintf("{delivered %s bounce %s complaint %s unsubscribe %s}", p(r.DeliveredRate), p(r.BounceRate), p(r.ComplaintRate), p(r.UnsubscribeRate))
	}
	return fmt.Sprintf("%+v", v)
}

func TestForCampaignPutsTargetedSegmentsFirstAndMarksTheRest(t *testing.T) {
	br := assess.BlastRadius{BySegment: []assess.Segment{
		{Segment: "newsletter", Numbers: assess.Numbers{Targeted: 900}},
		{Segment: "vip", Numbers: assess.Numbers{Targeted: 400}},
		{Segment: "spring", Numbers: assess.Numbers{Targeted: 1200}},
		{Segment: "staff", Numbers: assess.Numbers{Targeted: 5}},
	}}
	got := br.ForCampaign([]string{"vip", "spring", "empty"})
	want := []assess.Segment{
		{Segment: "spring", TargetedByCampaign: true, Numbers: assess.Numbers{Targeted: 1200}},
		{Segment: "vip", TargetedByCampaign: true, Numbers: assess.Numbers{Targeted: 400}},
		{Segment: "empty", TargetedByCampaign: true},
		{Segment: "newsletter", Numbers: assess.Numbers{Targeted: 900}},
		{Segment: "staff", Numbers: assess.Numbers{Targeted: 5}},
	}
	if d := diff(want, got.BySegment); d != "" {
		t.Errorf("by segment %s", d)
	}
	if len(br.BySegment) != 4 || br.BySegment[0].TargetedByCampaign {
		t.Errorf("the receiver changed: %+v", br.BySegment)
	}
	// Marking twice (a stored assessment read again) changes nothing.
	if d := diff(want, got.ForCampaign([]string{"vip", "spring", "empty"}).BySegment); d != "" {
		t.Errorf("twice %s", d)
	}
}

func TestRatesUseTheCountersDenominators(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name string
		n    assess.Numbers
		want assess.Rates
	}{
		{"handed and delivered", assess.Numbers{HandedToESP: 1000, Delivered: 950, Bounced: 40, Complained: 19, Unsubscribed: 38},
			assess.Rates{DeliveredRate: f(0.95), BounceRate: f(0.04), ComplaintRate: f(0.02), UnsubscribeRate: f(0.04)}},
		{"handed, nothing delivered yet", assess.Numbers{HandedToESP: 10, Bounced: 1},
			assess.Rates{DeliveredRate: f(0), BounceRate: f(0.1)}},
		{"nothing handed over", assess.Numbers{Targeted: 10, Held: 10}, assess.Rates{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := diff(c.want, c.n.Rates()); d != "" {
				t.Errorf("%s", d)
			}
		})
	}
}
