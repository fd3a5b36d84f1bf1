package campaign

import (
	"testing"
	"time"
)

func TestComputeMessagesPlacesEveryRecipientOnce(t *testing.T) {
	now := time.Date(2026, 12, 2, 21, 40, 0, 0, time.UTC)
	paused := now.Add(-time.Minute)
	cases := []struct {
		name   string
		counts Counts
		handed []Handed
		paused *time.Time
		want   Messages
	}{
		{
			name:   "just sent: everything at SendGrid, stoppable for the send buffer",
			counts: Counts{Audience: 3500, HandedToESP: 3500},
			handed: []Handed{{SendAt: now.Add(15 * time.Minute), Count: 3500}},
			want:   Messages{Stoppable: 3500, StoppableUntil: ptr(now.Add(5 * time.Minute))},
		},
		{
			name:   "paused at SendGrid in time: held there, nothing stoppable any more",
			counts: Counts{Audience: 3500, HandedToESP: 3500},
			handed: []Handed{{SendAt: now.Add(15 * time.Minute), Count: 3500}},
			paused: &paused,
			want:   Messages{HeldAtSendGrid: 3500},
		},
		{
			name: "handing over: some still in Firebreak, one request in doubt, one refused",
			counts: Counts{Audience: 1000, HandedToESP: 600, InDoubt: 100, Failed: 50, Delivered: 200, Bounced: 5,
				Dropped: 3, Blocked: 2},
			handed: []Handed{{SendAt: now.Add(-time.Hour), Count: 300}, {SendAt: now.Add(5 * time.Minute), Count: 100},
				{SendAt: now.Add(20 * time.Minute), Count: 200}},
			want: Messages{NotHanded: 250, Stoppable: 200, StoppableUntil: ptr(now.Add(10 * time.Minute)),
				Unstoppable: 190, Delivered: 200, NotDelivered: 10, InDoubt: 100, Failed: 50},
		},
		{
			name:   "delivered: outcomes for all that went out",
			counts: Counts{Audience: 3500, HandedToESP: 3500, Delivered: 3431, HardBounced: 60, Bounced: 69},
			handed: []Handed{{SendAt: now.Add(-time.Hour), Count: 3500}},
			want:   Messages{Delivered: 3431, NotDelivered: 69},
		},
		{
			name:   "paused too late for SendGrid: the messages are out of reach",
			counts: Counts{Audience: 100, HandedToESP: 100},
			handed: []Handed{{SendAt: paused.Add(9 * time.Minute), Count: 100}},
			paused: &paused,
			want:   Messages{Unstoppable: 100},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeMessages(tc.counts, tc.handed, tc.paused, now)
			if !sameMessages(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got.Total() != tc.counts.Audience {
				t.Fatalf("the stages add up to %d, the audience is %d", got.Total(), tc.counts.Audience)
			}
		})
	}
}

func TestComputeMessagesAgreesWithHeldAndPossiblyReceived(t *testing.T) {
	// counts.held and counts.possibly_received (the API's older pair) are
	// sums of stages: held = not handed + refused + held at SendGrid.
	now := time.Date(2026, 12, 2, 21, 40, 0, 0, time.UTC)
	paused := now.Add(-2 * time.Minute)
	c := Counts{Audience: 1000, HandedToESP: 800, InDoubt: 20, Failed: 30, Delivered: 100}
	handed := []Handed{{SendAt: now.Add(-time.Hour), Count: 300}, {SendAt: now.Add(30 * time.Minute), Count: 500}}
	ComputeHeld(&c, handed, &paused)
	m := ComputeMessages(c, handed, &paused, now)
	if held := m.NotHanded + m.Failed + m.HeldAtSendGrid; held != c.Held {
		t.Fatalf("held %d, stages say %d (%+v)", c.Held, held, m)
	}
	if pr := m.Stoppable + m.Unstoppable + m.Delivered + m.NotDelivered + m.InDoubt; pr != c.PossiblyReceived {
		t.Fatalf("possibly received %d, stages say %d (%+v)", c.PossiblyReceived, pr, m)
	}
}

func ptr[T any](v T) *T { return &v }

func sameMessages(a, b Messages) bool {
	if (a.StoppableUntil == nil) != (b.StoppableUntil == nil) {
		return false
	}
	if a.StoppableUntil != nil && !a.StoppableUntil.Equal(*b.StoppableUntil) {
		return false
	}
	a.StoppableUntil, b.StoppableUntil = nil, nil
	return a == b
}
