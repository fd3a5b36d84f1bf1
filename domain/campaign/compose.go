package campaign

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/ids"
)

// The compose use-cases: what a marketer checks while writing a campaign,
// before anyone receives it — the message as one audience member would get it
// (Preview), one real message of it in their own inbox (SendTest), and who a
// choice of segments reaches (Audience). None of them changes the campaign.

// Errors of the compose use-cases.
var (
	ErrRecipientNotInAudience = errs.New(errs.NotFound, "recipient_not_in_audience",
		"That recipient is not in this campaign's audience.")
	ErrEmptyAudience = errs.New(errs.NotFound, "empty_audience",
		"This campaign's audience is empty: nobody to preview it as.")
	// ErrNoTestAddress: the caller is not a user with an address (a test goes
	// to the signed-in user's own address, never to anyone else).
	ErrNoTestAddress = errs.New(errs.Forbidden, "no_test_address",
		"A test is sent to the signed-in user's own address, and this caller has none.")
	// ErrTestSendUnavailable is what every *TestSendError is (503).
	ErrTestSendUnavailable = errs.New(errs.Unavailable, "esp_unavailable",
		"SendGrid refused the test or could not be reached; nothing was sent (details say what SendGrid answered).")
)

// PreviewRecipients is how many audience members a preview lists to choose from.
const PreviewRecipients = 25

// TestSubjectPrefix starts the subject of every test message.
const TestSubjectPrefix = "[TEST] "

// TestCategory marks a test message at SendGrid (with "firebreak"), in place
// of the real message's "campaign-<id>".
const TestCategory = "campaign-test"

// Member is one audience member as the preview's chooser lists it.
type Member struct {
	ID    string
	Email string
}

// ComposeRepo is the storage the compose use-cases need (adapter/postgres).
//
// A campaign's audience here is what its send hands over: for a draft the live
// audience — members of its segments minus every address suppressed now (any
// kind; group unsubscribes only of its ASM group), exactly what StartSend
// would snapshot now; once sent, the snapshot itself with the merge values it
// froze. Members are ordered by address.
type ComposeRepo interface {
	// AudienceSample lists the first limit members of c's audience.
	AudienceSample(ctx context.Context, c Campaign, limit int) ([]Member, error)
	// AudienceMember is one member of c's audience with its merge values:
	// recipientID (a valid id, checked by the caller), or the first when it is
	// empty. ErrRecipientNotInAudience when there is no such member, and
	// ErrEmptyAudience when recipientID is empty and the audience is.
	AudienceMember(ctx context.Context, c Campaign, recipientID string) (Recipient, error)
	// EstimateAudience counts the live audience of segments (distinct names)
	// for asmGroupID, as AudienceFacts and StartSend select it, in at most two
	// statements whatever the number of segments.
	EstimateAudience(ctx context.Context, segments []string, asmGroupID int) (AudienceEstimate, error)
	// UserEmail is the address of a user, by id: where a test goes.
	// ErrNoTestAddress when there is no such user.
	UserEmail(ctx context.Context, userID string) (string, error)
	// Audit appends an entry that belongs to no state change (a test send).
	Audit(ctx context.Context, e audit.Entry) error
}

// Preview is a campaign as one audience member would receive it.
type Preview struct {
	RecipientID string
	Email       string
	Subject     string // merge tags resolved, fallbacks applied
	HTML        string // the same, each value HTML-escaped
	Text        string
	// Recipients are the first PreviewRecipients of the audience, to choose from.
	Recipients []Member
}

// Preview renders campaign id for recipientID, a member of its audience (the
// first by address when empty): every merge tag resolved with its fallback as
// SendGrid will render it from the real message (RenderText for the subject
// and text, RenderHTML for the HTML part, whose values are escaped). Tags that
// cannot resolve (malformed or unknown: preflight refuses them) are left as
// written, as SendGrid would leave them.
func (s *Service) Preview(ctx context.Context, id, recipientID string) (Preview, error) {
	c, err := s.repo.GetCampaign(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	sample, err := s.repo.AudienceSample(ctx, c, PreviewRecipients)
	if err != nil {
		return Preview{}, fmt.Errorf("preview of campaign %s: %w", id, err)
	}
	if len(sample) == 0 {
		return Preview{}, ErrEmptyAudience
	}
	r, err := s.member(ctx, c, recipientID)
	if err != nil {
		return Preview{}, err
	}
	tags, _ := c.Tags()
	return Preview{RecipientID: r.ID, Email: r.Values.Email, Subject: RenderText(c.Subject, tags, r.Values),
		HTML: RenderHTML(c.HTML, tags, r.Values), Text: RenderText(c.Text, tags, r.Values), Recipients: sample}, nil
}

// member is AudienceMember with the id's form checked first: something that
// is no id names nobody in any audience.
func (s *Service) member(ctx context.Context, c Campaign, recipientID string) (Recipient, error) {
	if recipientID != "" && !ids.Valid(recipientID) {
		return Recipient{}, ErrRecipientNotInAudience
	}
	r, err := s.repo.AudienceMember(ctx, c, strings.ToLower(recipientID))
	if err != nil {
		return Recipient{}, fmt.Errorf("audience member of campaign %s: %w", c.ID, err)
	}
	return r, nil
}

// TestSend is the test SendGrid accepted: where it went, whose merge values it
// carried and SendGrid's X-Message-Id.
type TestSend struct {
	To          string
	RecipientID string
	MessageID   string
}

// TestSendError is a test send SendGrid refused or that never reached it: 503
// esp_unavailable, with what SendGrid said (a sender identity not verified is
// worth reading, not retrying blindly).
type TestSendError struct{ Err error }

func (e *TestSendError) Error() string {
	return "sendgrid refused the test or could not be reached: " + e.Err.Error()
}

// Unwrap makes it ErrTestSendUnavailable (503) and keeps the cause.
func (e *TestSendError) Unwrap() []error { return []error{ErrTestSendUnavailable, e.Err} }

// Code is the error code of the refusal.
func (e *TestSendError) Code() string { return "esp_unavailable" }

// Details are SendGrid's status and messages, when it answered.
func (e *TestSendError) Details() map[string]any {
	d := map[string]any{}
	var pe *esp.Error
	if errors.As(e.Err, &pe) {
		d["esp_status"], d["esp_kind"] = pe.Status, pe.Kind.String()
		if len(pe.Messages) > 0 {
			d["esp_messages"] = slices.Clone(pe.Messages)
		}
	}
	return d
}

// SendTest sends one message of campaign id to the caller's own address, and
// only there: the real message (Service.message: from, reply-to, unsubscribe
// group and headers, merge values substituted by SendGrid) built for one
// audience member (recipientID, or the first), then marked as a test —
// subject prefixed TestSubjectPrefix, categories firebreak and TestCategory,
// no batch id (a pause or cancel of the campaign's batch is not about it) and
// no send_at (it goes now). Its custom args carry no firebreak_campaign_id nor
// firebreak_recipient_id, so the webhook stores its events unattributed and
// never counts them on the campaign, nor on the member it was rendered for.
// Its one-click unsubscribe link names the caller instead of the member
// (the link of a sent campaign's member would unsubscribe that member): it
// leads to "not a valid link", never to anyone's unsubscribe.
//
// Any campaign may be tested, whatever its status. A failed send is
// *TestSendError (503); each test is audited as campaign.test_sent.
func (s *Service) SendTest(ctx context.Context, actor audit.Actor, id, recipientID string) (TestSend, error) {
	if actor.UserID == "" {
		return TestSend{}, ErrNoTestAddress
	}
	c, err := s.repo.GetCampaign(ctx, id)
	if err != nil {
		return TestSend{}, err
	}
	b, err := s.repo.GetBrand(ctx, c.BrandID)
	if err != nil {
		return TestSend{}, err
	}
	r, err := s.member(ctx, c, recipientID)
	if err != nil {
		return TestSend{}, err
	}
	to, err := s.repo.UserEmail(ctx, actor.UserID)
	if err != nil {
		return TestSend{}, err
	}
	m := s.testMessage(c, b, r, actor.UserID, to)
	sctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
	defer cancel()
	res, err := s.mail.Send(sctx, m)
	if err != nil {
		return TestSend{}, fmt.Errorf("test of campaign %s: %w", id, &TestSendError{Err: err})
	}
	out := TestSend{To: to, RecipientID: r.ID, MessageID: res.MessageID}
	if err := s.repo.Audit(ctx, audit.Entry{Actor: actor, Action: "campaign.test_sent", SubjectType: "campaign",
		SubjectID: c.ID, Data: map[string]any{"to": to, "recipient_id": r.ID, "message_id": res.MessageID}}); err != nil {
		return TestSend{}, fmt.Errorf("audit test of campaign %s (sent as %s): %w", id, res.MessageID, err)
	}
	return out, nil
}

// testMessage is the real message of c for member r, re-addressed to the
// caller and marked as a test (see SendTest). The custom args are replaced,
// not edited, so whatever the real message ever carries to join events back
// to a campaign never rides on a test.
func (s *Service) testMessage(c Campaign, b Brand, r Recipient, userID, to string) esp.Message {
	m := s.message(&Claim{Campaign: c, Brand: b, Recipients: []Recipient{{ID: userID, Values: r.Values}}})
	m.BatchID, m.SendAt = "", time.Time{}
	m.Subject = TestSubjectPrefix + m.Subject
	m.Categories = []string{"firebreak", TestCategory}
	p := &m.Personalizations[0]
	p.To = esp.Address{Email: to}
	p.CustomArgs = map[string]string{"firebreak_test_of": c.ID}
	return m
}

// AudienceEstimate is the live audience of some segments, as a send would
// snapshot it now.
type AudienceEstimate struct {
	// Segments are the asked segments, each once in the order asked, with
	// their members (suppressed or not; 0 for an unknown name).
	Segments []SegmentCount
	// Members are the distinct addresses in any of the segments.
	Members int
	// Suppressed are those of Members suppressed now: any kind, group
	// unsubscribes only of the ASM group asked.
	Suppressed int
	// Audience is Members − Suppressed.
	Audience int
}

// SegmentCount is one segment and its members.
type SegmentCount struct {
	Name    string
	Members int
}

// Audience estimates who a campaign of segments and asmGroupID (0: none)
// would reach if sent now. Segments are required and named (a name given
// twice counts once); a bad group id is a field error. The counts are the
// store's, in SQL: nothing is loaded.
func (s *Service) Audience(ctx context.Context, segments []string, asmGroupID int) (AudienceEstimate, error) {
	var f errs.Fields
	var names []string
	seen := make(map[string]bool, len(segments))
	for _, name := range segments {
		if strings.TrimSpace(name) == "" {
			f.Add("segment", "segment names must not be empty")
			continue
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	if len(segments) == 0 {
		f.Add("segment", "at least one segment is required")
	}
	if asmGroupID < 0 || asmGroupID > MaxASMGroupID {
		f.Add("asm_group_id", fmt.Sprintf("must be a SendGrid unsubscribe group id (1 to %d), or 0 for none", MaxASMGroupID))
	}
	if err := f.Err(); err != nil {
		return AudienceEstimate{}, err
	}
	est, err := s.repo.EstimateAudience(ctx, names, asmGroupID)
	if err != nil {
		return AudienceEstimate{}, fmt.Errorf("estimate audience of %v: %w", names, err)
	}
	return est, nil
}
