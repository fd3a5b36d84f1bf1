package campaign

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

// The "second pair of eyes" (step 6 prevention; PLAYBOOK.md: "a colleague's
// second check for mails with large amounts or contract terms"): a brand may
// require that a draft with a large audience, or whose content mentions
// prices, codes or attachments, is approved by a second marketer before it is
// sent. An approval is bound to the content hash the reviewer saw and counts
// only while the draft still has that content (DESIGN.md invariant 7 in
// spirit). The rules here are pure; review_service.go applies them and the
// store re-checks them in the transaction that starts the send.

// Mention is a kind of content that needs a second look.
type Mention string

// The mentions a brand can ask a review for.
const (
	MentionPrices      Mention = "prices"      // amounts with a currency, "% off"
	MentionCodes       Mention = "codes"       // discount, promo, coupon, voucher codes
	MentionAttachments Mention = "attachments" // attached files, links to PDFs, ZIPs, documents
)

// Mentions lists every mention in its canonical order.
var Mentions = []Mention{MentionPrices, MentionCodes, MentionAttachments}

// DefaultAudienceOver is the audience size above which a draft needs a review
// unless the brand says otherwise.
const DefaultAudienceOver = 10000

// MaxReviewComment bounds an approval's comment (characters).
const MaxReviewComment = 4000

// SecondReview is a brand's setting: which drafts need a second marketer's
// approval before send. The zero value is off; DefaultSecondReview is what a
// new brand gets and what a watch window applies.
type SecondReview struct {
	Enabled bool `json:"enabled"`
	// AudienceOver: a draft whose live audience is larger needs a review
	// (0: every draft).
	AudienceOver int       `json:"audience_over"`
	Mentions     []Mention `json:"mentions"`
}

// DefaultSecondReview is off, over 10,000 recipients, every mention.
func DefaultSecondReview() SecondReview {
	return SecondReview{AudienceOver: DefaultAudienceOver, Mentions: slices.Clone(Mentions)}
}

// Validate checks a setting an admin sends (field names as in the API).
func (s SecondReview) Validate() error {
	var f errs.Fields
	if s.AudienceOver < 0 || s.AudienceOver > math.MaxInt32 {
		f.Add("second_review.audience_over", fmt.Sprintf("must be from 0 to %d", math.MaxInt32))
	}
	if s.Mentions == nil {
		f.Add("second_review.mentions", "is required: a list of prices, codes, attachments (may be empty)")
	}
	for _, m := range s.Mentions {
		if !slices.Contains(Mentions, m) {
			f.Add("second_review.mentions", fmt.Sprintf("%q is not one of prices, codes, attachments", string(m)))
		}
	}
	return f.Err()
}

// Normalized is s with its mentions de-duplicated, in canonical order.
func (s SecondReview) Normalized() SecondReview {
	out := SecondReview{Enabled: s.Enabled, AudienceOver: s.AudienceOver, Mentions: []Mention{}}
	for _, m := range Mentions {
		if slices.Contains(s.Mentions, m) {
			out.Mentions = append(out.Mentions, m)
		}
	}
	return out
}

// ReviewMode is what applies to a brand's drafts now.
type ReviewMode string

// The modes: off; on (an admin enabled it); watch_window (the brand has an
// open watch window after an incident, whatever its setting).
const (
	ReviewOff         ReviewMode = "off"
	ReviewOn          ReviewMode = "on"
	ReviewWatchWindow ReviewMode = "watch_window"
)

// ActiveReview is the mode that applies to the brand's drafts and the setting
// they are judged by. In a watch window that is the defaults, made stricter
// by the brand's own setting when it is enabled (a lower audience threshold,
// more mentions): a watch window never loosens what the brand asked for.
func (b Brand) ActiveReview() (ReviewMode, SecondReview) {
	own := b.SecondReview.Normalized()
	if !b.Watched {
		if own.Enabled {
			return ReviewOn, own
		}
		return ReviewOff, own
	}
	eff := DefaultSecondReview()
	eff.Enabled = true
	if own.Enabled {
		eff.AudienceOver = min(eff.AudienceOver, own.AudienceOver)
	}
	return ReviewWatchWindow, eff
}

// ReviewReason is one reason a draft needs a review.
type ReviewReason struct {
	Code   string `json:"code"` // audience_over, mentions_prices, mentions_codes, mentions_attachments
	Detail string `json:"detail"`
}

// ReviewApproval is a second marketer's approval of one content hash.
type ReviewApproval struct {
	UserID      string    `json:"user_id"`
	Name        string    `json:"name"`
	At          time.Time `json:"at"`
	Comment     string    `json:"comment"`
	ContentHash string    `json:"content_hash"`
}

// Review is the second pair of eyes on a draft (or, once sent, what it was
// sent with): why, in which mode, the current content hash, and the approval
// that counts for that content (nil until there is one).
type Review struct {
	Reasons     []ReviewReason  `json:"reasons"`
	Mode        ReviewMode      `json:"mode"`
	ContentHash string          `json:"content_hash"`
	Approval    *ReviewApproval `json:"approval"`
}

// ReviewState is what the store knows about a campaign's review: its live
// approvals (not withdrawn, any hash), who else wrote part of it, and the
// review it was sent with (nil for a draft, or when none was needed).
type ReviewState struct {
	Approvals []ReviewApproval
	// Editors changed the draft's subject, bodies or segments after its
	// creator; like the creator they cannot approve it.
	Editors []string
	Sent    *Review
}

// ContentHash is the hash an approval is bound to: the subject, both bodies
// and the segments (in any order), length-prefixed so no two contents share
// an encoding.
func ContentHash(c Campaign) string {
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put(c.Subject)
	put(c.HTML)
	put(c.Text)
	segs := slices.Clone(c.Segments)
	slices.Sort(segs)
	put(strings.Join(segs, "\x00"))
	return hex.EncodeToString(h.Sum(nil))
}

// ReviewReasons lists why c, with this live audience, needs a review under s
// (enabled or not: the caller decides the mode), in a fixed order.
func ReviewReasons(c Campaign, audience int, s SecondReview) []ReviewReason {
	out := []ReviewReason{}
	if audience > s.AudienceOver {
		out = append(out, ReviewReason{Code: "audience_over",
			Detail: fmt.Sprintf("%s recipients (over %s)", thousands(audience), thousands(s.AudienceOver))})
	}
	found := FindMentions(c.Subject, c.HTML, c.Text)
	words := map[Mention]string{MentionPrices: "a price", MentionCodes: "a code", MentionAttachments: "an attachment"}
	for _, m := range s.Normalized().Mentions {
		hits := found[m]
		if len(hits) == 0 {
			continue
		}
		d := fmt.Sprintf("mentions %s: “%s”", words[m], hits[0])
		if len(hits) > 1 {
			d += fmt.Sprintf(" and %d more", len(hits)-1)
		}
		out = append(out, ReviewReason{Code: "mentions_" + string(m), Detail: d})
	}
	return out
}

// IsAuthor reports whether userID wrote c: its creator, or an editor of its
// content. An unknown user (empty id: the CLI, the system) is never a reviewer.
func IsAuthor(c Campaign, st ReviewState, userID string) bool {
	return userID == "" || userID == c.CreatedBy || slices.Contains(st.Editors, userID)
}

// EvaluateReview is the review a draft needs with this live audience and
// brand: nil when the brand's mode is off or no reason applies. Its Approval
// is the earliest live approval of the current content by someone who did
// not write it.
func EvaluateReview(c Campaign, audience int, b Brand, st ReviewState) *Review {
	mode, eff := b.ActiveReview()
	if mode == ReviewOff {
		return nil
	}
	reasons := ReviewReasons(c, audience, eff)
	if len(reasons) == 0 {
		return nil
	}
	r := &Review{Reasons: reasons, Mode: mode, ContentHash: ContentHash(c)}
	for _, a := range st.Approvals {
		if a.ContentHash == r.ContentHash && !IsAuthor(c, st, a.UserID) {
			if r.Approval == nil || a.At.Before(r.Approval.At) {
				cp := a
				r.Approval = &cp
			}
		}
	}
	return r
}

// CheckReview is the send gate: the review c is sent with (nil when none is
// needed), or a *ReviewRequiredError when one is needed and no approval
// counts for the current content. The store runs it again under the
// campaign's row lock in the transaction that starts the send, with the
// audience it snapshots, so an edit racing the send cannot slip through.
func CheckReview(c Campaign, audience int, b Brand, st ReviewState) (*Review, error) {
	r := EvaluateReview(c, audience, b, st)
	if r != nil && r.Approval == nil {
		return r, &ReviewRequiredError{Review: *r}
	}
	return r, nil
}

// ReviewRequiredError refuses a send that needs a second marketer's approval
// for its current content first (409 review_required, details.review).
type ReviewRequiredError struct{ Review Review }

func (e *ReviewRequiredError) Error() string {
	return "this draft needs a second marketer's approval for its current content before it is sent"
}

// Unwrap makes it a Conflict (409).
func (e *ReviewRequiredError) Unwrap() error { return errs.Conflict }

// Code is the API error code.
func (e *ReviewRequiredError) Code() string { return "review_required" }

// Details carries the review (reasons, mode, content hash).
func (e *ReviewRequiredError) Details() map[string]any { return map[string]any{"review": e.Review} }

// ContentChangedError refuses an approval given for content the draft no
// longer has (409 content_changed, details.content_hash is the current one).
type ContentChangedError struct{ ContentHash string }

func (e *ContentChangedError) Error() string {
	return "the draft changed since you looked at it: review its current content and approve that"
}

// Unwrap makes it a Conflict (409).
func (e *ContentChangedError) Unwrap() error { return errs.Conflict }

// Code is the API error code.
func (e *ContentChangedError) Code() string { return "content_changed" }

// Details carries the current hash.
func (e *ContentChangedError) Details() map[string]any {
	return map[string]any{"content_hash": e.ContentHash}
}

// Errors of an approval.
var (
	ErrOwnCampaign = errs.New(errs.Forbidden, "own_campaign",
		"You created or edited this draft: a second pair of eyes is someone else's.")
	ErrReviewNotOwnAct = errs.New(errs.Forbidden, "approval_not_own_act",
		"An approval must be the reviewer's own act: sign in yourself, or use a token you created.")
	ErrReviewNotDraft = errs.New(errs.Conflict, "not_draft",
		"Only a draft is reviewed: this campaign has already been sent.")
	ErrReviewNotRequired = errs.New(errs.Conflict, "review_not_required",
		"This draft needs no second pair of eyes: its brand does not ask for one, or no reason applies.")
)

// thousands writes n with comma separators: 12400 -> "12,400".
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
