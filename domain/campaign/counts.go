package campaign

import "time"

// CatchWindow is how long before send_at SendGrid must receive a pause for it
// to hold a message (SENDGRID.md §3).
const CatchWindow = 10 * time.Minute

// Handed is a group of handed-over messages that share a send_at: one accepted
// handoff request.
type Handed struct {
	SendAt time.Time
	Count  int
}

// Counts are a campaign's numbers. Held is what will not go out while paused:
// never handed over, or handed over with send_at at least CatchWindow after
// SendGrid accepted the pause. Everything else handed over is possibly received.
type Counts struct {
	Audience         int `json:"audience"`
	HandedToESP      int `json:"handed_to_esp"`
	Held             int `json:"held"`
	PossiblyReceived int `json:"possibly_received"`
	InDoubt          int `json:"in_doubt"`
	Failed           int `json:"failed"`
	// Withdrawn: held at SendGrid with content that was then corrected;
	// cancelled there (never sent) and handed over again (Fix, then resume).
	Withdrawn int `json:"withdrawn"`
	// From SendGrid's events: distinct recipients per outcome. Delivered,
	// bounced, blocked and dropped are each recipient's final delivery outcome
	// (a later bounce replaces an earlier delivered); deferred and the
	// engagements count every recipient that ever had one.
	Delivered     int   `json:"delivered"`
	Opened        int   `json:"opened"`
	MachineOpened int   `json:"machine_opened"` // Apple Mail Privacy Protection, not people
	Clicked       int   `json:"clicked"`
	Bounced       int   `json:"bounced"`
	HardBounced   int   `json:"hard_bounced"`
	Blocked       int   `json:"blocked"`
	Dropped       int   `json:"dropped"`
	Deferred      int   `json:"deferred"`
	Complained    int   `json:"complained"`
	Unsubscribed  int   `json:"unsubscribed"`
	Rates         Rates `json:"rates"`
}

// Rates are the rolling rates the incident detection rules read after every
// webhook batch: spam reports per delivered, hard bounces and drops per
// recipient handed over.
type Rates struct {
	Complaint  float64 `json:"complaint_rate"`
	HardBounce float64 `json:"hard_bounce_rate"`
	Drop       float64 `json:"drop_rate"`
}

// Outcomes are what SendGrid's events said, as distinct recipients per
// outcome; each webhook batch keeps them on the campaign row.
type Outcomes struct {
	Delivered, Opened, MachineOpened, Clicked, Bounced, HardBounced int
	Blocked, Dropped, Deferred, Complained, Unsubscribed            int
}

// Counts derives the campaign's counts from its own counters (the ledger's and
// the events'), with the rates; Held and PossiblyReceived need the handed-over
// groups (ComputeHeld).
func (c Campaign) Counts() Counts {
	o := c.Outcomes
	n := Counts{Audience: c.Audience, HandedToESP: c.HandedToESP, InDoubt: c.InDoubt, Failed: c.FailedRecipients,
		Withdrawn: c.Withdrawn, Delivered: o.Delivered, Opened: o.Opened, MachineOpened: o.MachineOpened, Clicked: o.Clicked,
		Bounced: o.Bounced, HardBounced: o.HardBounced, Blocked: o.Blocked, Dropped: o.Dropped,
		Deferred: o.Deferred, Complained: o.Complained, Unsubscribed: o.Unsubscribed}
	ComputeRates(&n)
	return n
}

// ComputeRates fills c.Rates from the counts.
func ComputeRates(c *Counts) {
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	c.Rates = Rates{Complaint: ratio(c.Complained, c.Delivered), HardBounce: ratio(c.HardBounced, c.HandedToESP),
		Drop: ratio(c.Dropped, c.HandedToESP)}
}

// Stoppability says how much of what was handed over SendGrid can still hold if
// a pause arrives now: messages whose send_at is more than CatchWindow away,
// and until when (the last moment a pause still catches any of them).
type Stoppability struct {
	Catchable      int        `json:"catchable"`
	CatchableUntil *time.Time `json:"catchable_until"`
	// NextDeadline is when the soonest catchable messages stop being catchable.
	NextDeadline *time.Time `json:"next_deadline"`
}

// ComputeHeld fills Held and PossiblyReceived. espPausedAt is when SendGrid
// accepted the pause (nil when it has not: then only what Firebreak never
// handed over is held).
func ComputeHeld(c *Counts, handed []Handed, espPausedAt *time.Time) {
	caught := 0
	if espPausedAt != nil {
		for _, h := range handed {
			if !h.SendAt.Before(espPausedAt.Add(CatchWindow)) {
				caught += h.Count
			}
		}
	}
	notHanded := c.Audience - c.HandedToESP - c.InDoubt
	c.Held = max(notHanded, 0) + caught
	c.PossiblyReceived = c.Audience - c.Held
}

// ComputeStoppability reads the handed-over groups at time now.
func ComputeStoppability(handed []Handed, now time.Time) Stoppability {
	var s Stoppability
	for _, h := range handed {
		deadline := h.SendAt.Add(-CatchWindow)
		if !deadline.After(now) {
			continue
		}
		s.Catchable += h.Count
		if s.CatchableUntil == nil || deadline.After(*s.CatchableUntil) {
			d := deadline
			s.CatchableUntil = &d
		}
		if s.NextDeadline == nil || deadline.Before(*s.NextDeadline) {
			d := deadline
			s.NextDeadline = &d
		}
	}
	return s
}
