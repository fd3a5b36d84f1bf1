package campaign

import "time"

// Messages says where each of a campaign's messages is in its life, in the
// words of docs/vocabulary.md: every recipient of the audience is in exactly
// one stage, so the stages add up to the audience (Counts.Audience). The
// dashboard shows these numbers, each once, instead of pairs that read as a
// contradiction ("Possibly received 3,500" next to "3,431 delivered").
//
//   - NotHanded: Firebreak has not handed it to SendGrid (the send buffer, the
//     canary's rest, or a pause in Firebreak keeps it); a pause keeps it here.
//   - HeldAtSendGrid: handed over, and SendGrid accepted a pause at least 10
//     minutes before its send_at: it will not go out while paused (discarded
//     when cancelled).
//   - Stoppable: handed over, not held, and its send_at is more than 10 minutes
//     away: a pause now still holds it (until StoppableUntil).
//   - Unstoppable: handed over, its send_at is within 10 minutes or past, and
//     SendGrid has reported no final outcome yet.
//   - Delivered, NotDelivered (bounced, blocked or dropped): SendGrid's final
//     outcome per recipient.
//   - InDoubt: the handoff request's answer never came; SendGrid may have it.
//   - Failed: SendGrid refused the handoff; it was never sent.
type Messages struct {
	NotHanded      int        `json:"not_handed"`
	HeldAtSendGrid int        `json:"held_at_sendgrid"`
	Stoppable      int        `json:"stoppable"`
	StoppableUntil *time.Time `json:"stoppable_until"`
	Unstoppable    int        `json:"unstoppable"`
	Delivered      int        `json:"delivered"`
	NotDelivered   int        `json:"not_delivered"`
	InDoubt        int        `json:"in_doubt"`
	Failed         int        `json:"failed"`
}

// ComputeMessages places c's audience in the stages at time now. handed are
// the accepted requests by send_at (Repo.Handed); espPausedAt is when SendGrid
// accepted a pause or cancel that still stands (nil otherwise), as for
// ComputeHeld. Outcomes only exist for messages whose send_at has passed, so
// they are taken out of Unstoppable; a count SendGrid reported beyond what
// Firebreak recorded (never expected) leaves Unstoppable at 0 rather than
// negative.
func ComputeMessages(c Counts, handed []Handed, espPausedAt *time.Time, now time.Time) Messages {
	m := Messages{Delivered: c.Delivered, NotDelivered: c.Bounced + c.Blocked + c.Dropped, InDoubt: c.InDoubt,
		Failed: c.Failed}
	past := 0
	for _, h := range handed {
		deadline := h.SendAt.Add(-CatchWindow)
		switch {
		case espPausedAt != nil && !h.SendAt.Before(espPausedAt.Add(CatchWindow)):
			m.HeldAtSendGrid += h.Count
		case deadline.After(now):
			m.Stoppable += h.Count
			if m.StoppableUntil == nil || deadline.After(*m.StoppableUntil) {
				d := deadline
				m.StoppableUntil = &d
			}
		default:
			past += h.Count
		}
	}
	m.Unstoppable = max(past-m.Delivered-m.NotDelivered, 0)
	m.NotHanded = max(c.Audience-c.HandedToESP-c.InDoubt-c.Failed, 0)
	return m
}

// Total is the number of recipients the stages hold: the audience, when the
// counters agree.
func (m Messages) Total() int {
	return m.NotHanded + m.HeldAtSendGrid + m.Stoppable + m.Unstoppable + m.Delivered + m.NotDelivered + m.InDoubt +
		m.Failed
}
