package assess

import (
	"cmp"
	"slices"
	"strings"
)

// ForCampaign marks the segments the campaign targeted (its own list, fixed
// at send) and orders BySegment for reading: the targeted segments first, then
// the recipients' other memberships — segments the campaign did not target
// that some of its recipients also belong to, which would otherwise read as if
// the campaign had been sent to them — each group largest first. A targeted
// segment none of the audience is in (every member suppressed, say) gets a
// row of zeros, so every segment the campaign named is answered for. The
// counts do not change: a recipient still counts in every segment it belongs
// to, and Totals count it once.
func (b BlastRadius) ForCampaign(targeted []string) BlastRadius {
	in := make(map[string]bool, len(targeted))
	for _, s := range targeted {
		in[s] = true
	}
	out := b
	out.BySegment = make([]Segment, 0, len(b.BySegment)+len(targeted))
	seen := map[string]bool{}
	for _, s := range b.BySegment {
		s.TargetedByCampaign = in[s.Segment]
		seen[s.Segment] = true
		out.BySegment = append(out.BySegment, s)
	}
	for _, name := range targeted {
		if !seen[name] {
			seen[name] = true
			out.BySegment = append(out.BySegment, Segment{Segment: name, TargetedByCampaign: true})
		}
	}
	slices.SortStableFunc(out.BySegment, func(x, y Segment) int {
		if x.TargetedByCampaign != y.TargetedByCampaign {
			if x.TargetedByCampaign {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(y.Targeted, x.Targeted); c != 0 {
			return c
		}
		return strings.Compare(x.Segment, y.Segment)
	})
	return out
}

// Rates are a row's outcomes as ratios (0.004 = 0.4 %), over the same
// denominators as the campaign's own counters and the detection rules: what
// SendGrid could deliver for delivered and bounced (handed over), what reached
// an inbox for complaints and unsubscribes (delivered). A rate is nil when its
// denominator is 0 — nothing to measure yet, which is not a rate of 0.
type Rates struct {
	DeliveredRate   *float64 `json:"delivered_rate"`   // delivered / handed over
	BounceRate      *float64 `json:"bounce_rate"`      // bounced or blocked / handed over
	ComplaintRate   *float64 `json:"complaint_rate"`   // spam reports / delivered
	UnsubscribeRate *float64 `json:"unsubscribe_rate"` // unsubscribes / delivered
}

// Rates computes n's rates.
func (n Numbers) Rates() Rates {
	return Rates{DeliveredRate: ratio(n.Delivered, n.HandedToESP), BounceRate: ratio(n.Bounced, n.HandedToESP),
		ComplaintRate: ratio(n.Complained, n.Delivered), UnsubscribeRate: ratio(n.Unsubscribed, n.Delivered)}
}

func ratio(part, whole int) *float64 {
	if whole <= 0 {
		return nil
	}
	r := float64(part) / float64(whole)
	return &r
}
