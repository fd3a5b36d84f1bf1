// Package assess is step 3 of the crisis response: the blast radius of a
// campaign, computed exactly from what was really handed to SendGrid (the
// handoff ledger) and what SendGrid reported (the webhook's per-recipient
// state), per segment and in total, plus the human fields a responder fills.
package assess

import "time"

// Numbers are one row of the blast radius.
type Numbers struct {
	Targeted     int `json:"targeted"`
	HandedToESP  int `json:"handed_to_esp"`
	Held         int `json:"held"`
	Delivered    int `json:"delivered"`
	Opened       int `json:"opened"`
	Clicked      int `json:"clicked"`
	Bounced      int `json:"bounced"`
	Complained   int `json:"complained"`
	Unsubscribed int `json:"unsubscribed"`
}

// Add returns n and m added number by number (parts of a blast radius
// counted apart: the audience, the outcomes).
func (n Numbers) Add(m Numbers) Numbers {
	return Numbers{Targeted: n.Targeted + m.Targeted, HandedToESP: n.HandedToESP + m.HandedToESP,
		Held: n.Held + m.Held, Delivered: n.Delivered + m.Delivered, Opened: n.Opened + m.Opened,
		Clicked: n.Clicked + m.Clicked, Bounced: n.Bounced + m.Bounced, Complained: n.Complained + m.Complained,
		Unsubscribed: n.Unsubscribed + m.Unsubscribed}
}

// Segment is the blast radius within one segment. A recipient counts in every
// segment it belongs to; Totals count each recipient once. TargetedByCampaign
// tells the segments the campaign was sent to from the recipients' other
// memberships (ForCampaign).
type Segment struct {
	Segment            string `json:"segment"`
	TargetedByCampaign bool   `json:"targeted_by_campaign"`
	Numbers
}

// BlastRadius is the computed part of an assessment.
type BlastRadius struct {
	ComputedAt time.Time `json:"computed_at"`
	Totals     Numbers   `json:"totals"`
	BySegment  []Segment `json:"by_segment"`
}
