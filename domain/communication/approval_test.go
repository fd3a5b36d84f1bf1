package communication

import (
	"errors"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
)

func reviewer(id string, roles ...auth.Role) Reviewer {
	return Reviewer{Actor: audit.Actor{UserID: id, Name: id}, Roles: roles, OwnAct: true}
}

// TestDecide is the approval rule's table: who may approve which text, and
// what each decision does to the status.
func TestDecide(t *testing.T) {
	c := Communication{ID: "c", IncidentID: "i", Kind: BreachNotice, Status: InReview, AuthorID: "author",
		RequiredApprovals: []string{"legal", "security"}, ContentHash: "h1"}
	legalOK := Approval{Role: "legal", UserID: "lee", Decision: string(Approve), ContentHash: "h1"}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		c      Communication
		active []Approval
		r      Reviewer
		in     ReviewInput
		want   error
		status Status
		role   string
	}{
		{name: "legal first", c: c, r: reviewer("lee", auth.Legal), in: ReviewInput{Decision: Approve}, status: InReview, role: "legal"},
		{name: "security completes it", c: c, active: []Approval{legalOK}, r: reviewer("sam", auth.Security),
			in: ReviewInput{Decision: Approve}, status: Approved, role: "security"},
		{name: "the author holding legal", c: c, r: reviewer("author", auth.Legal, auth.Marketer), in: ReviewInput{Decision: Approve}, want: ErrAuthorCannotApprove},
		{name: "admin alone", c: c, r: reviewer("root", auth.Admin), in: ReviewInput{Decision: Approve}, want: ErrNoReviewRole},
		{name: "a marketer", c: c, r: reviewer("mo", auth.Marketer), in: ReviewInput{Decision: Approve}, want: ErrNoReviewRole},
		{name: "legal again", c: c, active: []Approval{legalOK}, r: reviewer("lee2", auth.Legal), in: ReviewInput{Decision: Approve}, want: ErrAlreadyApproved},
		{name: "one person with both roles, twice", c: c, active: []Approval{legalOK}, r: reviewer("lee", auth.Legal, auth.Security),
			in: ReviewInput{Decision: Approve}, want: ErrAlreadyApproved},
		{name: "one person with both roles, first: counts for legal only", c: c, r: reviewer("bo", auth.Legal, auth.Security),
			in: ReviewInput{Decision: Approve}, status: InReview, role: "legal"},
		{name: "stale hash", c: c, r: reviewer("lee", auth.Legal), in: ReviewInput{Decision: Approve, ContentHash: "h0"}, want: ErrContentChanged},
		{name: "not in review", c: func() Communication { d := c; d.Status = Draft; return d }(), r: reviewer("lee", auth.Legal),
			in: ReviewInput{Decision: Approve}, want: ErrNotInReview},
		{name: "a token minted by somebody else", c: c, r: Reviewer{Actor: audit.Actor{UserID: "lee"}, Roles: []auth.Role{auth.Legal}},
			in: ReviewInput{Decision: Approve}, want: ErrNotOwnAct},
		{name: "reject without a reason", c: c, r: reviewer("lee", auth.Legal), in: ReviewInput{Decision: Reject}, want: errInvalid},
		{name: "reject by a reviewer who approved", c: c, active: []Approval{legalOK}, r: reviewer("lee", auth.Legal),
			in: ReviewInput{Decision: Reject, Comment: "on second thought"}, status: Draft, role: "legal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rv, err := decide(tc.c, tc.active, tc.r, tc.in, now)
			if tc.want != nil {
				if tc.want == errInvalid {
					if err == nil || err.Error() == "" || errors.Is(err, ErrNotInReview) {
						t.Fatalf("got %v, want a field error", err)
					}
					return
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rv.Status != tc.status || rv.Add == nil || rv.Add.Role != tc.role || rv.Add.ContentHash != tc.c.ContentHash {
				t.Fatalf("review %+v (add %+v), want status %s role %s", rv, rv.Add, tc.status, tc.role)
			}
		})
	}
}

var errInvalid = errors.New("a field error")

// TestCheckApprovals is the send gate: every role, for the current hash, by
// different people, none the author.
func TestCheckApprovals(t *testing.T) {
	c := Communication{Status: Approved, AuthorID: "author", RequiredApprovals: []string{"legal", "security"}, ContentHash: "h1"}
	ok := func(role, user, hash string) Approval {
		return Approval{Role: role, UserID: user, Decision: string(Approve), ContentHash: hash}
	}
	for _, tc := range []struct {
		name   string
		c      Communication
		active []Approval
		pass   bool
	}{
		{"both roles, two people", c, []Approval{ok("legal", "lee", "h1"), ok("security", "sam", "h1")}, true},
		{"one role missing", c, []Approval{ok("legal", "lee", "h1")}, false},
		{"an approval for another text", c, []Approval{ok("legal", "lee", "h1"), ok("security", "sam", "h0")}, false},
		{"one person for both roles", c, []Approval{ok("legal", "bo", "h1"), ok("security", "bo", "h1")}, false},
		{"the author approved", c, []Approval{ok("legal", "author", "h1"), ok("security", "sam", "h1")}, false},
		{"a rejection is no approval", c, []Approval{ok("legal", "lee", "h1"), {Role: "security", UserID: "sam", Decision: string(Reject), ContentHash: "h1"}}, false},
		{"not approved yet", func() Communication { d := c; d.Status = InReview; return d }(),
			[]Approval{ok("legal", "lee", "h1"), ok("security", "sam", "h1")}, false},
		{"nothing required", Communication{Status: Draft}, nil, true},
	} {
		err := CheckApprovals(tc.c, tc.active)
		if (err == nil) != tc.pass {
			t.Errorf("%s: %v, want pass=%v", tc.name, err, tc.pass)
		}
	}
}
