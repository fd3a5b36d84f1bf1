package communication

import (
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/errs"
)

// The approval errors (DESIGN.md "Communicate (step 5)", invariants 4 and 7).
var (
	// ErrNotInReview: an approval or rejection of a communication that is not
	// waiting for one (a draft, approved, or already sending).
	ErrNotInReview = errs.New(errs.Conflict, "not_in_review",
		"This communication is not in review: only a submitted communication can be approved or rejected.")
	// ErrNotSubmittable: a submit of a communication that is not a draft.
	ErrNotSubmittable = errs.New(errs.Conflict, "not_a_draft",
		"Only a draft can be submitted for review; edit it first if it was rejected.")
	// ErrAuthorCannotApprove: the author reviewing their own text.
	ErrAuthorCannotApprove = errs.New(errs.Forbidden, "author_cannot_approve",
		"The author of a communication cannot approve or reject it: a different person must review it.")
	// ErrNoReviewRole: the caller holds none of the roles still needed
	// (admin alone does not count).
	ErrNoReviewRole = errs.New(errs.Forbidden, "review_role_required",
		"Approving needs a role this communication still needs an approval from (legal or security); admin alone does not count.")
	// ErrNotOwnAct: a token minted for the reviewer by somebody else.
	ErrNotOwnAct = errs.New(errs.Forbidden, "approval_not_own_act",
		"An approval must be the reviewer's own act: sign in yourself, or use a token you created.")
	// ErrAlreadyApproved: every role the caller holds is approved already, by
	// them or by somebody else.
	ErrAlreadyApproved = errs.New(errs.Conflict, "already_approved",
		"Your role has already approved this text (a person counts once, whatever roles they hold).")
	// ErrContentChanged: the caller reviewed a text that has since changed.
	ErrContentChanged = errs.New(errs.Conflict, "content_changed",
		"The communication changed since you loaded it: review the current text (its content_hash) and decide again.")
)

// Decision is an approval's verdict.
type Decision string

// The decisions.
const (
	Approve Decision = "approved"
	Reject  Decision = "rejected"
)

// Reviewer is who approves or rejects: the user, their roles, and whether
// this request is their own act (auth.Principal.ActsForSelf).
type Reviewer struct {
	Actor  audit.Actor
	Roles  []auth.Role
	OwnAct bool
}

// ReviewInput is a reviewer's decision on the text they saw.
type ReviewInput struct {
	Decision Decision
	Comment  string
	// ContentHash is the hash of the text the reviewer saw; empty means "the
	// current one" (API clients that do not send it).
	ContentHash string
}

// Review is what a decision does to a communication: its new status, the
// decision row to store, whether the round's earlier decisions are withdrawn,
// and the audit entries for the incident's timeline.
type Review struct {
	Status      Status
	Add         *Approval
	WithdrawAll string // non-empty: withdraw every active decision, for this reason
	Entries     []audit.Entry
}

// pending returns the required roles no active approval covers yet.
func pending(c Communication, active []Approval) []string {
	var out []string
	for _, role := range c.RequiredApprovals {
		if !slices.ContainsFunc(active, func(a Approval) bool { return a.Decision == string(Approve) && a.Role == role }) {
			out = append(out, role)
		}
	}
	return out
}

// PendingFor returns the required roles r could still approve on c: roles
// r holds that nobody approved yet, none if r is the author or has already
// approved it for another role.
func PendingFor(c Communication, active []Approval, userID string, roles []auth.Role) []string {
	if userID == "" || userID == c.AuthorID {
		return nil
	}
	if slices.ContainsFunc(active, func(a Approval) bool { return a.Decision == string(Approve) && a.UserID == userID }) {
		return nil
	}
	var out []string
	for _, role := range pending(c, active) {
		if slices.Contains(roles, auth.Role(role)) {
			out = append(out, role)
		}
	}
	return out
}

// decide applies a reviewer's decision to c (locked by the caller, with its
// active decisions). Approving records one approval for the first role still
// needed that the reviewer holds; when none is needed any more c is approved.
// Rejecting needs a reason, returns c to draft and withdraws the round.
func decide(c Communication, active []Approval, r Reviewer, in ReviewInput, now time.Time) (Review, error) {
	if in.Decision == Reject && strings.TrimSpace(in.Comment) == "" {
		return Review{}, errs.Invalidf("reason: is required: say what must change")
	}
	if len(in.Comment) > 4000 {
		return Review{}, errs.Invalidf("comment: is longer than 4000 characters")
	}
	if c.Status != InReview {
		return Review{}, ErrNotInReview
	}
	if r.Actor.UserID == "" || r.Actor.UserID == c.AuthorID {
		return Review{}, ErrAuthorCannotApprove
	}
	if !r.OwnAct {
		return Review{}, ErrNotOwnAct
	}
	if in.ContentHash != "" && in.ContentHash != c.ContentHash {
		return Review{}, ErrContentChanged
	}
	var holds []string
	for _, role := range c.RequiredApprovals {
		if slices.Contains(r.Roles, auth.Role(role)) {
			holds = append(holds, role)
		}
	}
	if len(holds) == 0 {
		return Review{}, ErrNoReviewRole
	}
	roles := PendingFor(c, active, r.Actor.UserID, r.Roles)
	if in.Decision == Reject && len(roles) == 0 {
		roles = holds // a reviewer who approved may still reject: the round starts again
	}
	if len(roles) == 0 {
		return Review{}, ErrAlreadyApproved
	}
	a := &Approval{Role: roles[0], UserID: r.Actor.UserID, Decision: string(in.Decision),
		Comment: strings.TrimSpace(in.Comment), At: now.UTC(), ContentHash: c.ContentHash}
	data := map[string]any{"role": a.Role, "comment": a.Comment}
	if in.Decision == Reject {
		return Review{Status: Draft, Add: a, WithdrawAll: "rejected",
			Entries: []audit.Entry{entry(r.Actor, "communication.reject", c, audit.With(data, "reason", a.Comment))}}, nil
	}
	rv := Review{Status: InReview, Add: a, Entries: []audit.Entry{entry(r.Actor, "communication.approve", c, data)}}
	if len(pending(c, append(slices.Clone(active), *a))) == 0 {
		rv.Status = Approved
		rv.Entries = append(rv.Entries, entry(r.Actor, "communication.approved", c,
			map[string]any{"roles": c.RequiredApprovals}))
	}
	return rv, nil
}

// CheckApprovals is the send gate (invariant 4 and 7), run by the store in
// the transaction that starts the send, under the communication's row lock:
// every required role has an active approval for the current content hash,
// each by a different person who is not the author.
func CheckApprovals(c Communication, active []Approval) error {
	if len(c.RequiredApprovals) == 0 {
		return nil
	}
	if c.Status != Approved {
		return ErrApprovalRequired
	}
	seen := map[string]bool{}
	for _, role := range c.RequiredApprovals {
		i := slices.IndexFunc(active, func(a Approval) bool {
			return a.Decision == string(Approve) && a.Role == role && a.ContentHash == c.ContentHash &&
				a.UserID != "" && a.UserID != c.AuthorID && !seen[a.UserID]
		})
		if i < 0 {
			return ErrApprovalRequired
		}
		seen[active[i].UserID] = true
	}
	return nil
}
