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

// Segment is the blast radius within one segment. A recipient counts in every
// segment it belongs to; Totals count each recipient once.
type Segment struct {
	Segment string `json:"segment"`
	Numbers
}

// BlastRadius is the computed part of an assessment.
type BlastRadius struct {
	ComputedAt time.Time `json:"computed_at"`
	Totals     Numbers   `json:"totals"`
	BySegment  []Segment `json:"by_segment"`
}
