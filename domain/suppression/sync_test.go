package suppression_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/suppression"
)

// fakeESP serves suppression lists from memory with SendGrid's paging rule.
type fakeESP struct {
	lists    map[string][]esp.Suppressed
	groups   []esp.Group
	members  map[int][]string
	gone     map[int]bool     // groups that answer 404
	fail     map[string]error // list name, or "groups" -> error
	requests []string         // "list offset limit" or "group:<id>"
}

func (f *fakeESP) ListSuppressions(_ context.Context, list string, offset, limit int) ([]esp.Suppressed, error) {
	f.requests = append(f.requests, fmt.Sprintf("%s %d %d", list, offset, limit))
	if err := f.fail[list]; err != nil {
		return nil, err
	}
	all := f.lists[list]
	return slices.Clone(all[min(offset, len(all)):min(offset+limit, len(all))]), nil
}

func (f *fakeESP) ListGroups(context.Context) ([]esp.Group, error) {
	f.requests = append(f.requests, "groups")
	if err := f.fail["groups"]; err != nil {
		return nil, err
	}
	return slices.Clone(f.groups), nil
}

func (f *fakeESP) ListGroupSuppressions(_ context.Context, id int) ([]string, error) {
	f.requests = append(f.requests, fmt.Sprintf("group:%d", id))
	if f.gone[id] {
		return nil, &esp.Error{Op: "asm/groups/suppressions", Kind: esp.Permanent, Status: http.StatusNotFound}
	}
	return slices.Clone(f.members[id]), nil
}

type key struct {
	email string
	kind  suppression.Kind
	group int
}

// fakeStore keeps entries by (email, kind, group) like the table's unique
// key, refuses what the table's checks would, and records every chunk.
type fakeStore struct {
	rows   map[key]suppression.Entry
	chunks []int
	audits []audit.Entry
	failAt int // 1-based chunk that fails; 0: none
}

func (s *fakeStore) UpsertSuppressions(_ context.Context, es []suppression.Entry, a audit.Entry) (int, error) {
	if s.failAt > 0 && len(s.chunks)+1 == s.failAt {
		return 0, errors.New("database is down")
	}
	if s.rows == nil {
		s.rows = map[key]suppression.Entry{}
	}
	added := 0
	for _, e := range es {
		if err := e.Validate(); err != nil {
			return 0, fmt.Errorf("entry %+v: %w", e, err)
		}
		if e.Email != strings.ToLower(e.Email) || e.Source != suppression.FromSync {
			return 0, fmt.Errorf("entry %+v: want a lower-case address from sendgrid_sync", e)
		}
		k := key{e.Email, e.Kind, e.GroupID}
		if _, ok := s.rows[k]; !ok {
			added++
		}
		s.rows[k] = e
	}
	s.chunks = append(s.chunks, len(es))
	s.audits = append(s.audits, a)
	return added, nil
}

func (s *fakeStore) keys() []key {
	return slices.SortedFunc(maps.Keys(s.rows), func(a, b key) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
}

func suppressed(emails ...string) []esp.Suppressed {
	out := make([]esp.Suppressed, len(emails))
	for i, e := range emails {
		out[i] = esp.Suppressed{Email: e, Created: time.Unix(1443651141, 0)}
	}
	return out
}

// many is n distinct addresses on the given domain.
func many(n int, domain string) []esp.Suppressed {
	out := make([]esp.Suppressed, n)
	for i := range out {
		out[i] = esp.Suppressed{Email: fmt.Sprintf("u%05d@%s", i, domain)}
	}
	return out
}

// Every list lands under its kind, groups under group_unsubscribe with their
// id; addresses are lower-cased, invalid ones skipped and counted, and
// reasons kept (a bounce's status when it has no reason).
func TestSyncMapsEveryList(t *testing.T) {
	f := &fakeESP{
		lists: map[string][]esp.Suppressed{
			esp.ListBounces: {
				{Email: "Bounce@Example.com", Reason: "550 5.1.1 no such user", Status: "5.1.1"},
				{Email: "nobody@example.org", Status: "5.1.2"},
			},
			esp.ListSpamReports:   suppressed("spam@example.com"),
			esp.ListInvalidEmails: append(suppressed("typo@example.com"), esp.Suppressed{Email: "not an address"}, esp.Suppressed{Email: "x@localhost"}),
			esp.ListUnsubscribes:  suppressed("UNSUB@example.com", "unsub@example.com"),
		},
		groups:  []esp.Group{{ID: 7, Name: "Newsletter"}, {ID: 9, Name: "Empty"}},
		members: map[int][]string{7: {"Group@Example.com", "bounce@example.com"}},
	}
	st := &fakeStore{}
	res, err := suppression.NewSyncer(f, st, suppression.SyncConfig{}).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[key]string{ // -> reason
		{"bounce@example.com", suppression.Bounce, 0}:           "550 5.1.1 no such user",
		{"nobody@example.org", suppression.Bounce, 0}:           "5.1.2",
		{"spam@example.com", suppression.SpamReport, 0}:         "",
		{"typo@example.com", suppression.Invalid, 0}:            "",
		{"unsub@example.com", suppression.Unsubscribe, 0}:       "",
		{"group@example.com", suppression.GroupUnsubscribe, 7}:  "",
		{"bounce@example.com", suppression.GroupUnsubscribe, 7}: "",
	}
	got := map[key]string{}
	for k, e := range st.rows {
		got[k] = e.Reason
	}
	if !maps.Equal(got, want) {
		t.Errorf("stored %v\nwant %v", got, want)
	}
	wantCounts := []suppression.ListCount{
		{List: "bounces", Kind: suppression.Bounce, Fetched: 2, Added: 2},
		{List: "spam_reports", Kind: suppression.SpamReport, Fetched: 1, Added: 1},
		{List: "invalid_emails", Kind: suppression.Invalid, Fetched: 3, Invalid: 2, Added: 1},
		{List: "unsubscribes", Kind: suppression.Unsubscribe, Fetched: 2, Added: 1},
		{List: "group:7", Kind: suppression.GroupUnsubscribe, GroupID: 7, GroupName: "Newsletter", Fetched: 2, Added: 2},
		{List: "group:9", Kind: suppression.GroupUnsubscribe, GroupID: 9, GroupName: "Empty"},
	}
	if !slices.Equal(res.Lists, wantCounts) {
		t.Errorf("result\n%+v\nwant\n%+v", res.Lists, wantCounts)
	}
	if res.Fetched() != 10 || res.Added() != 7 {
		t.Errorf("totals fetched %d added %d, want 10 and 7", res.Fetched(), res.Added())
	}
	// One chunk per non-empty list, each audited with the system actor.
	if !slices.Equal(st.chunks, []int{2, 1, 1, 2, 2}) {
		t.Errorf("chunks %v, want [2 1 1 2 2]", st.chunks)
	}
	for _, a := range st.audits {
		if a.Action != "suppression.sync" || a.Actor != audit.System || a.SubjectType != "suppression_list" || a.Data["source"] != "sendgrid_sync" {
			t.Errorf("audit entry %+v", a)
		}
	}
	if a := st.audits[4]; a.SubjectID != "group:7" || a.Data["group_id"] != 7 || a.Data["kind"] != "group_unsubscribe" || a.Data["entries"] != 2 {
		t.Errorf("group audit entry %+v", a)
	}
}

// Pages of 500 are read until one comes back short (an exact multiple ends
// with an empty page), and upserts go in chunks of at most 1000, one audit
// entry each.
func TestSyncPagesAndChunks(t *testing.T) {
	for _, tt := range []struct {
		name      string
		n         int
		wantPages []string
		wantChunk []int
	}{
		{"2345", 2345, []string{"0", "500", "1000", "1500", "2000"}, []int{1000, 1000, 345}},
		{"exactly1000", 1000, []string{"0", "500", "1000"}, []int{1000}},
		{"499", 499, []string{"0"}, []int{499}},
		{"empty", 0, []string{"0"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeESP{lists: map[string][]esp.Suppressed{esp.ListBounces: many(tt.n, "example.com")}}
			st := &fakeStore{}
			res, err := suppression.NewSyncer(f, st, suppression.SyncConfig{}).Sync(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var pages []string
			for _, r := range f.requests {
				if strings.HasPrefix(r, "bounces ") {
					var off, lim int
					fmt.Sscanf(r, "bounces %d %d", &off, &lim)
					if lim != 500 {
						t.Errorf("request %q: limit %d, want 500", r, lim)
					}
					pages = append(pages, fmt.Sprint(off))
				}
			}
			if !slices.Equal(pages, tt.wantPages) {
				t.Errorf("offsets %v, want %v", pages, tt.wantPages)
			}
			if !slices.Equal(st.chunks, tt.wantChunk) || len(st.audits) != len(tt.wantChunk) {
				t.Errorf("chunks %v with %d audit entries, want %v", st.chunks, len(st.audits), tt.wantChunk)
			}
			if l := res.Lists[0]; l.Fetched != tt.n || l.Added != tt.n || len(st.rows) != tt.n {
				t.Errorf("bounces %+v, stored %d; want %d fetched, added and stored", l, len(st.rows), tt.n)
			}
		})
	}
}

// Page and chunk sizes that do not divide each other still write every
// entry once, in chunks never over the limit.
func TestSyncUnevenChunks(t *testing.T) {
	f := &fakeESP{lists: map[string][]esp.Suppressed{esp.ListUnsubscribes: many(11, "example.net")}}
	st := &fakeStore{}
	res, err := suppression.NewSyncer(f, st, suppression.SyncConfig{PageSize: 2, ChunkSize: 3}).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.chunks, []int{3, 3, 3, 2}) || len(st.rows) != 11 || res.Added() != 11 {
		t.Errorf("chunks %v, %d stored, %d added; want [3 3 3 2] and 11", st.chunks, len(st.rows), res.Added())
	}
}

// A second sync over the same lists fetches everything again and adds
// nothing; a new address at SendGrid is the only thing the third adds.
func TestSyncIsIdempotent(t *testing.T) {
	f := &fakeESP{
		lists:   map[string][]esp.Suppressed{esp.ListBounces: many(1200, "example.com"), esp.ListSpamReports: suppressed("s@example.com")},
		groups:  []esp.Group{{ID: 3, Name: "Promo"}},
		members: map[int][]string{3: {"g@example.com"}},
	}
	st := &fakeStore{}
	s := suppression.NewSyncer(f, st, suppression.SyncConfig{Actor: audit.CLI})
	first, err := s.Sync(context.Background())
	if err != nil || first.Added() != 1202 {
		t.Fatalf("first sync added %d, %v; want 1202", first.Added(), err)
	}
	before := st.keys()
	second, err := s.Sync(context.Background())
	if err != nil || second.Added() != 0 || second.Fetched() != first.Fetched() {
		t.Fatalf("second sync fetched %d added %d, %v; want %d and 0", second.Fetched(), second.Added(), err, first.Fetched())
	}
	if !slices.Equal(st.keys(), before) {
		t.Error("second sync changed the stored set")
	}
	f.members[3] = append(f.members[3], "new@example.com")
	third, err := s.Sync(context.Background())
	if err != nil || third.Added() != 1 || third.Lists[len(third.Lists)-1].Added != 1 {
		t.Fatalf("third sync %+v, %v; want 1 added to group:3", third.Lists, err)
	}
	for _, a := range st.audits {
		if a.Actor != audit.CLI {
			t.Fatalf("audit actor %+v, want the configured CLI actor", a.Actor)
		}
	}
}

// A failure stops the sync with the error (kind kept) and the counts so
// far; what was written stays written.
func TestSyncStopsOnError(t *testing.T) {
	rateLimited := &esp.Error{Op: "suppression/spam_reports", Kind: esp.RateLimited, Status: http.StatusTooManyRequests}
	f := &fakeESP{
		lists: map[string][]esp.Suppressed{esp.ListBounces: suppressed("b@example.com")},
		fail:  map[string]error{esp.ListSpamReports: rateLimited},
	}
	st := &fakeStore{}
	res, err := suppression.NewSyncer(f, st, suppression.SyncConfig{}).Sync(context.Background())
	if esp.KindOf(err) != esp.RateLimited || !strings.Contains(err.Error(), "spam_reports") {
		t.Fatalf("err = %v, want the RateLimited error naming spam_reports", err)
	}
	if len(res.Lists) != 2 || res.Lists[0].Added != 1 || len(st.rows) != 1 {
		t.Errorf("result %+v, stored %d; want bounces done (1 added) and spam_reports started", res.Lists, len(st.rows))
	}
	if slices.Contains(f.requests, "groups") {
		t.Error("sync went on after the failure")
	}

	// A store failure on the second chunk: the first stays, the error says which list.
	f = &fakeESP{lists: map[string][]esp.Suppressed{esp.ListBounces: many(1500, "example.com")}}
	st = &fakeStore{failAt: 2}
	res, err = suppression.NewSyncer(f, st, suppression.SyncConfig{}).Sync(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bounces") || !strings.Contains(err.Error(), "database is down") {
		t.Fatalf("err = %v, want the store's error naming bounces", err)
	}
	if res.Lists[0].Added != 1000 || len(st.rows) != 1000 {
		t.Errorf("result %+v, stored %d; want the first chunk of 1000", res.Lists, len(st.rows))
	}
}

// A group deleted at SendGrid between listing groups and reading it (404)
// is skipped; other group errors stop the sync.
func TestSyncGroups(t *testing.T) {
	f := &fakeESP{
		groups:  []esp.Group{{ID: 1, Name: "Deleted"}, {ID: 2, Name: "Live"}},
		members: map[int][]string{1: {"x@example.com"}, 2: {"y@example.com"}},
		gone:    map[int]bool{1: true},
	}
	st := &fakeStore{}
	res, err := suppression.NewSyncer(f, st, suppression.SyncConfig{}).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if last := res.Lists[len(res.Lists)-1]; len(res.Lists) != 5 || last.GroupID != 2 || last.Added != 1 {
		t.Errorf("result %+v, want the four lists and group 2 only", res.Lists)
	}
	if _, ok := st.rows[key{"y@example.com", suppression.GroupUnsubscribe, 2}]; !ok || len(st.rows) != 1 {
		t.Errorf("stored %v, want y@example.com in group 2 only", st.keys())
	}

	f.fail = map[string]error{"groups": &esp.Error{Op: "asm/groups", Kind: esp.Uncertain, Status: 502}}
	if _, err := suppression.NewSyncer(f, st, suppression.SyncConfig{}).Sync(context.Background()); esp.KindOf(err) != esp.Uncertain {
		t.Errorf("err = %v, want the Uncertain group-list error", err)
	}
}
