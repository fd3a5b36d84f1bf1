package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/assess"
)

// TestBlastRadiusCountsEveryNumberExactly builds a campaign with known segment
// overlaps and a known mix of handoff states and events, and compares every
// number of the totals and of each segment.
func TestBlastRadiusCountsEveryNumberExactly(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-0000000000b1', 'B', 'b@x.io')`)
	// The campaign targeted vip and sale; news is only another membership of some of its recipients.
	mustExec(`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status, segments) VALUES
		('00000000-0000-0000-0000-0000000000c1', 'C', '00000000-0000-0000-0000-0000000000b1', 900, 'paused', '{vip,sale}')`)
	pausedAt := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	early := pausedAt.Add(5 * time.Minute) // too close to the pause: possibly received
	late := pausedAt.Add(15 * time.Minute) // ≥ 10 min after the pause: held by SendGrid
	// id, segments, state, send_at, delivery_state, opened, clicked, complained, unsubscribed
	rows := []struct {
		segs                  string
		state                 string
		sendAt                *time.Time
		delivery              string
		open, click, spam, un bool
	}{
		{"{vip,news}", "handed", &early, "delivered", true, true, false, false}, // 1
		{"{vip}", "handed", &early, "delivered", true, false, true, true},       // 2
		{"{news}", "handed", &early, "bounced", false, false, false, false},     // 3
		{"{news}", "handed", &late, "", false, false, false, false},             // 4 held at SendGrid
		{"{vip,news,sale}", "handed", &late, "", false, false, false, false},    // 5 held at SendGrid
		{"{sale}", "pending", nil, "", false, false, false, false},              // 6 never handed: held
		{"{vip}", "in_doubt", nil, "", false, false, false, false},              // 7 possibly received
		{"{news}", "failed", nil, "", false, false, false, false},               // 8 never handed: held
		{"{sale}", "handed", &early, "blocked", false, false, false, false},     // 9
		{"{}", "handed", &early, "delivered", true, false, false, false},        // 10 in no segment: totals only
	}
	for i, r := range rows {
		rid := fmt.Sprintf("00000000-0000-0000-0000-%012d", 101+i)
		mustExec(`INSERT INTO recipients (id, email) VALUES ($1, $2)`, rid, fmt.Sprintf("r%d@x.io", i+1))
		var opened, clicked, spam, un any
		if r.open {
			opened = pausedAt
		}
		if r.click {
			clicked = pausedAt
		}
		if r.spam {
			spam = pausedAt
		}
		if r.un {
			un = pausedAt
		}
		mustExec(`INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, send_at)
			VALUES ('00000000-0000-0000-0000-0000000000c1', $1, $2, $3::text[], $4, $5)`,
			rid, fmt.Sprintf("r%d@x.io", i+1), r.segs, r.state, r.sendAt)
		if r.delivery != "" || opened != nil || clicked != nil || spam != nil || un != nil {
			mustExec(`INSERT INTO recipient_outcomes (campaign_id, recipient_id, segments, delivery_state, opened_at,
				clicked_at, complained_at, unsubscribed_at)
				VALUES ('00000000-0000-0000-0000-0000000000c1', $1, $2::text[], $3, $4, $5, $6, $7)`,
				rid, r.segs, r.delivery, opened, clicked, spam, un)
		}
	}
	br, err := st.BlastRadius(ctx, "00000000-0000-0000-0000-0000000000c1", &pausedAt)
	if err != nil {
		t.Fatal(err)
	}
	want := assess.Numbers{Targeted: 10, HandedToESP: 7, Held: 4, Delivered: 3, Opened: 3, Clicked: 1, Bounced: 2, Complained: 1, Unsubscribed: 1}
	if br.Totals != want {
		t.Errorf("totals\n got %+v\nwant %+v", br.Totals, want)
	}
	wantSeg := map[string]assess.Numbers{
		"vip":  {Targeted: 4, HandedToESP: 3, Held: 1, Delivered: 2, Opened: 2, Clicked: 1, Bounced: 0, Complained: 1, Unsubscribed: 1},
		"news": {Targeted: 5, HandedToESP: 4, Held: 3, Delivered: 1, Opened: 1, Clicked: 1, Bounced: 1},
		"sale": {Targeted: 3, HandedToESP: 2, Held: 2, Bounced: 1},
	}
	if len(br.BySegment) != 3 {
		t.Fatalf("segments %+v", br.BySegment)
	}
	for _, s := range br.BySegment {
		if s.Numbers != wantSeg[s.Segment] {
			t.Errorf("segment %s\n got %+v\nwant %+v", s.Segment, s.Numbers, wantSeg[s.Segment])
		}
	}
	// The targeted segments first (largest first), then the other memberships, marked apart.
	var order []string
	for _, s := range br.BySegment {
		order = append(order, fmt.Sprintf("%s:%v", s.Segment, s.TargetedByCampaign))
	}
	if got := fmt.Sprint(order); got != "[vip:true sale:true news:false]" {
		t.Errorf("segments in order %s, want [vip:true sale:true news:false]", got)
	}
	// Before SendGrid accepted a pause, only what was never handed over is held.
	br, _ = st.BlastRadius(ctx, "00000000-0000-0000-0000-0000000000c1", nil)
	if br.Totals.Held != 2 {
		t.Errorf("held without an ESP pause = %d, want 2", br.Totals.Held)
	}
}
