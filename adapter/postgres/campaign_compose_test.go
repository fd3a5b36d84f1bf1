package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// composeMember is the id of test recipient n.
func composeMember(n int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", 7000+n) }

// seedComposeAudience stores eight recipients (c0@…c7@x.io, so ordered by
// address as by n) in segments a and b, and their suppressions:
//
//	c0 a      c1 a,b    c2 b      c3 a bounced
//	c4 b group 7 unsubscribe      c5 a group 8 unsubscribe
//	c6 other  c7 a,b manual suppression
//
// so segments a,b have 7 distinct members; for group 7, 3 of them suppressed
// (c3, c4, c7); for no group, 2 (c3, c7).
func seedComposeAudience(t *testing.T, db *sql.DB) {
	t.Helper()
	segs := []string{"{a}", "{a,b}", "{b}", "{a}", "{b}", "{a}", "{other}", "{a,b}"}
	for n, s := range segs {
		if _, err := db.Exec(`INSERT INTO recipients (id, email, first_name, segments, attributes) VALUES ($1, $2, $3, $4, $5)`,
			composeMember(n), fmt.Sprintf("c%d@x.io", n), fmt.Sprintf("<b>C%d</b>", n), s, fmt.Sprintf(`{"n":"%d"}`, n)); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO suppressions (email, kind, source) VALUES ('c3@x.io', 'bounce', 'webhook')`,
		`INSERT INTO suppressions (email, kind, group_id, source) VALUES ('c4@x.io', 'group_unsubscribe', 7, 'webhook')`,
		`INSERT INTO suppressions (email, kind, group_id, source) VALUES ('c5@x.io', 'group_unsubscribe', 8, 'webhook')`,
		`INSERT INTO suppressions (email, kind, source) VALUES ('c7@x.io', 'manual', 'api')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// composeCampaign stores a draft of segments a and b for ASM group 7.
func composeCampaign(t *testing.T, st *postgres.Store, group int) campaign.Campaign {
	t.Helper()
	var id string
	if err := st.SQL().QueryRow(`INSERT INTO campaigns (name, brand_id, subject, segments, send_buffer_seconds, asm_group_id)
		VALUES ('C', $1, 'Hi', '{a,b}', 0, NULLIF($2, 0)) RETURNING id`, addBrand(t, st.SQL()), group).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := st.GetCampaign(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sampleEmails(t *testing.T, st *postgres.Store, c campaign.Campaign, limit int) []string {
	t.Helper()
	ms, err := st.AudienceSample(context.Background(), c, limit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.ID != composeMember(int(m.Email[1]-'0')) {
			t.Errorf("member %+v: id and address do not belong together", m)
		}
		out = append(out, m.Email)
	}
	return out
}

func TestComposeAudienceOfADraftIsTheLiveAudienceWithoutSuppressed(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	seedComposeAudience(t, st.SQL())

	for _, tc := range []struct {
		group int
		want  []string
	}{
		{7, []string{"c0@x.io", "c1@x.io", "c2@x.io", "c5@x.io"}},            // c5's group unsubscribe is another group's
		{0, []string{"c0@x.io", "c1@x.io", "c2@x.io", "c4@x.io", "c5@x.io"}}, // no group: no group unsubscribe counts
	} {
		t.Run(fmt.Sprintf("group %d", tc.group), func(t *testing.T) {
			c := composeCampaign(t, st, tc.group)
			if got := sampleEmails(t, st, c, 25); !slices.Equal(got, tc.want) {
				t.Errorf("sample %v, want %v", got, tc.want)
			}
			if got := sampleEmails(t, st, c, 2); !slices.Equal(got, tc.want[:2]) {
				t.Errorf("sample of 2 %v, want %v", got, tc.want[:2])
			}
			for _, n := range []int{3, 6, 7} { // bounced, outside the segments, manually suppressed
				if _, err := st.AudienceMember(ctx, c, composeMember(n)); !errors.Is(err, campaign.ErrRecipientNotInAudience) {
					t.Errorf("c%d: %v, want recipient_not_in_audience", n, err)
				}
			}
			if tc.group == 7 {
				if _, err := st.AudienceMember(ctx, c, composeMember(4)); !errors.Is(err, campaign.ErrRecipientNotInAudience) {
					t.Errorf("c4, unsubscribed from group 7: %v, want recipient_not_in_audience", err)
				}
			}
			r, err := st.AudienceMember(ctx, c, "")
			if err != nil || r.ID != composeMember(0) || r.Values.Email != "c0@x.io" || r.Values.FirstName != "<b>C0</b>" ||
				r.Values.Attributes["n"] != "0" {
				t.Errorf("first member %+v %v", r, err)
			}
			if r, err := st.AudienceMember(ctx, c, composeMember(2)); err != nil || r.Values.Email != "c2@x.io" {
				t.Errorf("c2: %+v %v", r, err)
			}
			facts, err := st.AudienceFacts(ctx, c.Segments, c.ASMGroupID, nil)
			if err != nil || facts.Size != len(tc.want) {
				t.Errorf("preflight counts %d (%v), the preview lists %d: one audience", facts.Size, err, len(tc.want))
			}
		})
	}
}

func TestComposeAudienceOnceSentIsTheSnapshot(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	seedComposeAudience(t, db)
	c := composeCampaign(t, st, 7)
	if _, err := st.StartSend(ctx, c.ID, "batch", time.Now(), audit.Entry{Actor: audit.System, Action: "campaign.send",
		SubjectType: "campaign", SubjectID: c.ID}, nil); err != nil {
		t.Fatal(err)
	}
	c, err := st.GetCampaign(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// After the snapshot: c0 is renamed, c1 unsubscribes, c6 joins segment a,
	// c3's bounce is removed. The snapshot is what was (or will be) sent.
	for _, q := range []string{
		`UPDATE recipients SET first_name = 'Renamed' WHERE email = 'c0@x.io'`,
		`INSERT INTO suppressions (email, kind, source) VALUES ('c1@x.io', 'unsubscribe', 'webhook')`,
		`UPDATE recipients SET segments = '{a}' WHERE email = 'c6@x.io'`,
		`DELETE FROM suppressions WHERE email = 'c3@x.io'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := sampleEmails(t, st, c, 25), []string{"c0@x.io", "c1@x.io", "c2@x.io", "c5@x.io"}; !slices.Equal(got, want) {
		t.Errorf("sample of the sent campaign %v, want the snapshot %v", got, want)
	}
	if r, err := st.AudienceMember(ctx, c, ""); err != nil || r.Values.FirstName != "<b>C0</b>" {
		t.Errorf("first member %+v %v, want the merge values as snapshotted", r, err)
	}
	if _, err := st.AudienceMember(ctx, c, composeMember(6)); !errors.Is(err, campaign.ErrRecipientNotInAudience) {
		t.Errorf("c6, not in the snapshot: %v", err)
	}
}

func TestComposeEmptyAudience(t *testing.T) {
	st := open(t)
	c := composeCampaign(t, st, 0)
	ctx := context.Background()
	if ms, err := st.AudienceSample(ctx, c, 25); err != nil || len(ms) != 0 {
		t.Errorf("sample %v %v", ms, err)
	}
	if _, err := st.AudienceMember(ctx, c, ""); !errors.Is(err, campaign.ErrEmptyAudience) {
		t.Errorf("first of nobody: %v, want empty_audience", err)
	}
	if _, err := st.AudienceMember(ctx, c, composeMember(1)); !errors.Is(err, campaign.ErrRecipientNotInAudience) {
		t.Errorf("someone of nobody: %v, want recipient_not_in_audience", err)
	}
}

func seg(name string, members int) campaign.SegmentCount {
	return campaign.SegmentCount{Name: name, Members: members}
}

func TestEstimateAudienceCountsEachAddressOnceInTwoStatements(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	seedComposeAudience(t, st.SQL())
	rec := postgres.RecordStatements(st)
	for _, tc := range []struct {
		segments []string
		group    int
		want     campaign.AudienceEstimate
	}{
		{[]string{"a", "b"}, 7, campaign.AudienceEstimate{Segments: []campaign.SegmentCount{seg("a", 5), seg("b", 4)},
			Members: 7, Suppressed: 3, Audience: 4}},
		{[]string{"b", "a"}, 0, campaign.AudienceEstimate{Segments: []campaign.SegmentCount{seg("b", 4), seg("a", 5)},
			Members: 7, Suppressed: 2, Audience: 5}},
		{[]string{"a", "b"}, 8, campaign.AudienceEstimate{Segments: []campaign.SegmentCount{seg("a", 5), seg("b", 4)},
			Members: 7, Suppressed: 3, Audience: 4}}, // c5's group, not c4's
		{[]string{"b", "nobody", "other", "x", "y"}, 0, campaign.AudienceEstimate{Segments: []campaign.SegmentCount{
			seg("b", 4), seg("nobody", 0), seg("other", 1), seg("x", 0), seg("y", 0)}, Members: 5, Suppressed: 1, Audience: 4}},
	} {
		rec.Reset()
		got, err := st.EstimateAudience(ctx, tc.segments, tc.group)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Segments, tc.want.Segments) || got.Members != tc.want.Members ||
			got.Suppressed != tc.want.Suppressed || got.Audience != tc.want.Audience {
			t.Errorf("%v group %d: %+v, want %+v", tc.segments, tc.group, got, tc.want)
		}
		if n := len(rec.All()); n > 2 {
			t.Errorf("%v: %d statements, want at most 2 whatever the number of segments", tc.segments, n)
		}
		facts, err := st.AudienceFacts(ctx, tc.segments, tc.group, nil)
		if err != nil || facts.Size != got.Audience {
			t.Errorf("%v group %d: preflight's audience %d (%v), the estimate's %d", tc.segments, tc.group, facts.Size, err, got.Audience)
		}
	}
}

func TestComposeUserEmail(t *testing.T) {
	st := open(t)
	actor := addActor(t, st)
	ctx := context.Background()
	if email, err := st.UserEmail(ctx, actor.UserID); err != nil || email != "m@example.com" {
		t.Errorf("user's address %q %v", email, err)
	}
	for _, id := range []string{composeMember(1), "not-an-id"} {
		if _, err := st.UserEmail(ctx, id); !errors.Is(err, campaign.ErrNoTestAddress) {
			t.Errorf("%s: %v, want no_test_address", id, err)
		}
	}
}
