package communication_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// fakeRepo keeps communications in a map and the audit entries in a slice.
type fakeRepo struct {
	comms   map[string]communication.Communication
	entries []audit.Entry
	known   []string // segments of the campaign
}

func (r *fakeRepo) CreateCommunication(_ context.Context, c communication.Communication, a audit.Entry) (communication.Communication, error) {
	c.ID = fmt.Sprintf("c%d", len(r.comms)+1)
	r.comms[c.ID] = c
	r.entries = append(r.entries, a)
	return c, nil
}

func (r *fakeRepo) GetCommunication(_ context.Context, id string) (communication.Communication, error) {
	c, ok := r.comms[id]
	if !ok {
		return c, communication.ErrNotFound
	}
	return c, nil
}

func (r *fakeRepo) ListCommunications(context.Context, string) ([]communication.Communication, error) {
	return nil, nil
}

func (r *fakeRepo) UpdateCommunication(_ context.Context, c communication.Communication, es []audit.Entry) (communication.Communication, error) {
	if !r.comms[c.ID].Status.Editable() {
		return c, communication.ErrNotEditable
	}
	r.comms[c.ID] = c
	r.entries = append(r.entries, es...)
	return c, nil
}

func (r *fakeRepo) UnknownSegments(_ context.Context, _ string, segs []string) ([]string, error) {
	var out []string
	for _, s := range segs {
		if !slices.Contains(r.known, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (r *fakeRepo) Audience(context.Context, communication.Communication, string) (communication.Audience, error) {
	return communication.Audience{}, nil
}

func (r *fakeRepo) StartSendCommunication(context.Context, string, string, string, time.Time, audit.Entry) (communication.Communication, error) {
	return communication.Communication{}, errors.New("not in these tests")
}

type fakeIncidents map[string]incident.Incident

func (f fakeIncidents) GetIncident(_ context.Context, id string) (incident.Incident, error) {
	i, ok := f[id]
	if !ok {
		return i, incident.ErrNotFound
	}
	return i, nil
}

type fakeRunbooks map[string]runbook.Runbook

func (f fakeRunbooks) Get(id string) (runbook.Runbook, bool) { r, ok := f[id]; return r, ok }

type fakeDrafter struct{ c communication.Content }

func (d fakeDrafter) Draft(context.Context, communication.DraftInput) (communication.Content, error) {
	return d.c, nil
}

func testIncidents() fakeIncidents {
	incs := fakeIncidents{}
	for _, rb := range []string{runbook.WrongSegment, runbook.StaleSuppressionList, runbook.DataBreach, runbook.Triage} {
		incs[rb] = incident.Incident{ID: rb, CampaignID: "camp", Runbook: rb, Status: incident.Open}
	}
	incs["resolved"] = incident.Incident{ID: "resolved", Runbook: runbook.WrongSegment, Status: incident.Resolved}
	return incs
}

func testRunbooks() fakeRunbooks {
	return fakeRunbooks{
		runbook.WrongSegment:         {ID: runbook.WrongSegment, Apology: runbook.Apology{Allowed: true}},
		runbook.StaleSuppressionList: {ID: runbook.StaleSuppressionList},
		runbook.Triage:               {ID: runbook.Triage},
		runbook.DataBreach:           {ID: runbook.DataBreach, Apology: runbook.Apology{Allowed: true, RequiresApproval: []string{"security", "legal"}}},
	}
}

func isNotAllowed(err error) bool { return errors.Is(err, communication.ErrApologyNotAllowed) }

func newService(drafter communication.Drafter) (*communication.Service, *fakeRepo) {
	repo := &fakeRepo{comms: map[string]communication.Communication{}, known: []string{"vip"}}
	return communication.NewService(communication.Deps{Repo: repo, Incidents: testIncidents(), Runbooks: testRunbooks(), Drafter: drafter}), repo
}

var body = communication.Content{Subject: "Sorry", Text: "We are sorry."}

func TestCreateFollowsTheRunbook(t *testing.T) {
	for _, tc := range []struct {
		incident string
		kind     communication.Kind
		wantErr  error
		approve  []string
	}{
		{runbook.WrongSegment, communication.Apology, nil, []string{}},
		{runbook.WrongSegment, communication.BreachNotice, nil, []string{"legal", "security"}},
		{runbook.StaleSuppressionList, communication.Apology, communication.ErrApologyNotAllowed, nil},
		{runbook.StaleSuppressionList, communication.Correction, communication.ErrApologyNotAllowed, nil},
		{runbook.StaleSuppressionList, communication.BreachNotice, nil, []string{"legal", "security"}},
		{runbook.Triage, communication.Apology, communication.ErrApologyNotAllowed, nil},
		{runbook.DataBreach, communication.Apology, nil, []string{"legal", "security"}},
		{"resolved", communication.Apology, incident.ErrResolved, nil},
	} {
		t.Run(tc.incident+"/"+string(tc.kind), func(t *testing.T) {
			s, repo := newService(nil)
			v, err := s.Create(context.Background(), audit.Actor{UserID: "u1", Name: "m@x"}, tc.incident,
				communication.NewDraft{Kind: tc.kind, Content: body})
			if !errors.Is(err, tc.wantErr) || (err != nil) != (tc.wantErr != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if len(repo.comms) != 0 {
					t.Error("a refused draft was stored")
				}
				return
			}
			if !slices.Equal(v.RequiredApprovals, tc.approve) {
				t.Errorf("required approvals %v, want %v", v.RequiredApprovals, tc.approve)
			}
			if v.Status != communication.Draft || v.Scope != communication.PossiblyReceived || v.AuthorID != "u1" || v.ContentHash == "" {
				t.Errorf("draft: %+v", v.Communication)
			}
			e := repo.entries[0]
			if e.SubjectType != "incident" || e.SubjectID != tc.incident || e.Action != "communication.create" {
				t.Errorf("audit entry %+v, want communication.create on the incident", e)
			}
		})
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		in          communication.NewDraft
	}{
		{"unknown kind", "kind", communication.NewDraft{Kind: "promo", Content: body}},
		{"empty body", "html", communication.NewDraft{Kind: communication.Apology, Content: communication.Content{Subject: "Sorry", HTML: "  "}}},
		{"big html", "html", communication.NewDraft{Kind: communication.Apology, Content: communication.Content{HTML: string(make([]byte, communication.MaxHTML+1))}}},
		{"unknown scope", "scope", communication.NewDraft{Kind: communication.Apology, Content: body, Scope: "all"}},
		{"unknown segment", "segments", communication.NewDraft{Kind: communication.Apology, Content: body, Segments: []string{"vip", "gone"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, repo := newService(nil)
			_, err := s.Create(context.Background(), audit.Actor{}, runbook.WrongSegment, tc.in)
			var fe *errs.FieldError
			if !errors.As(err, &fe) || fe.Fields[tc.field] == "" {
				t.Fatalf("err = %v, want a field error on %s", err, tc.field)
			}
			if len(repo.comms) != 0 {
				t.Error("stored")
			}
		})
	}
}

// TestCreateStartsFromTheTemplate: the Drafter fills only what the author left empty.
func TestCreateStartsFromTheTemplate(t *testing.T) {
	s, _ := newService(fakeDrafter{communication.Content{Subject: "Template subject", HTML: "<p>Template</p>", Text: "Template", ReplyTo: "help@acme.example"}})
	v, err := s.Create(context.Background(), audit.Actor{}, runbook.WrongSegment,
		communication.NewDraft{Kind: communication.Apology, Content: communication.Content{Subject: "Mine"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Subject != "Mine" || v.HTML != "<p>Template</p>" || v.Text != "Template" || v.ReplyTo != "help@acme.example" {
		t.Errorf("content %+v", v.Content)
	}
	// An author who wrote one part wrote the message: the template's other
	// part would say something else, so it is not taken.
	v, err = s.Create(context.Background(), audit.Actor{}, runbook.WrongSegment,
		communication.NewDraft{Kind: communication.Apology, Content: communication.Content{Text: "Sorry, my words."}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Subject != "Template subject" || v.HTML != "" || v.Text != "Sorry, my words." {
		t.Errorf("text only: content %+v, want the template's subject, no HTML part, the author's text", v.Content)
	}
}

// TestUpdateWithdrawsApprovals: an edit of an approved communication returns
// it to draft with both entries; an edit changing nothing writes nothing; a
// sending communication is not editable.
func TestUpdateWithdrawsApprovals(t *testing.T) {
	s, repo := newService(nil)
	ctx := context.Background()
	v, err := s.Create(ctx, audit.Actor{}, runbook.WrongSegment, communication.NewDraft{Kind: communication.Apology, Content: body})
	if err != nil {
		t.Fatal(err)
	}
	same := "Sorry"
	if _, err := s.Update(ctx, audit.Actor{}, v.ID, communication.Changes{Subject: &same}); err != nil || len(repo.entries) != 1 {
		t.Fatalf("no-op edit: %v, %d entries", err, len(repo.entries))
	}
	c := repo.comms[v.ID]
	c.Status = communication.Approved
	repo.comms[v.ID] = c
	incl := true
	u, err := s.Update(ctx, audit.Actor{}, v.ID, communication.Changes{IncludePrevious: &incl})
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != communication.Draft || u.ContentHash == v.ContentHash {
		t.Errorf("after edit: status %s, hash changed %v", u.Status, u.ContentHash != v.ContentHash)
	}
	if got := []string{repo.entries[1].Action, repo.entries[2].Action}; !slices.Equal(got, []string{"communication.update", "communication.approvals_withdrawn"}) {
		t.Errorf("entries %v", got)
	}
	c = repo.comms[v.ID]
	c.Status = communication.Sending
	repo.comms[v.ID] = c
	other := "Other"
	if _, err := s.Update(ctx, audit.Actor{}, v.ID, communication.Changes{Subject: &other}); !errors.Is(err, communication.ErrNotEditable) {
		t.Errorf("edit while sending: %v", err)
	}
}

// TestHashCoversEveryField: each field the hash is bound to changes it.
func TestHashCoversEveryField(t *testing.T) {
	base := communication.Communication{Content: communication.Content{Subject: "s", HTML: "h", Text: "t", ReplyTo: "r@x.io"},
		Scope: communication.PossiblyReceived, Segments: []string{"a"}}
	seen := map[string]bool{base.Hash(): true}
	for _, change := range []func(c *communication.Communication){
		func(c *communication.Communication) { c.Subject = "s2" },
		func(c *communication.Communication) { c.HTML = "h2" },
		func(c *communication.Communication) { c.Text = "t2" },
		func(c *communication.Communication) { c.ReplyTo = "q@x.io" },
		func(c *communication.Communication) { c.Scope = communication.Opened },
		func(c *communication.Communication) { c.Segments = []string{"b"} },
		func(c *communication.Communication) { c.IncludePrevious = true },
		func(c *communication.Communication) { c.Subject, c.HTML = "sh", "" }, // no ambiguity across fields
	} {
		c := base
		c.Segments = slices.Clone(base.Segments)
		change(&c)
		if h := c.Hash(); seen[h] {
			t.Errorf("hash did not change for %+v", c)
		} else {
			seen[h] = true
		}
	}
}

func (r *fakeRepo) ClaimCommunication(context.Context, string, time.Time, time.Time, time.Time, int) (communication.ClaimResult, error) {
	return communication.ClaimResult{}, errors.New("not in these tests")
}

func (r *fakeRepo) FinishCommunication(context.Context, string, campaign.Outcome, string, string) error {
	return errors.New("not in these tests")
}

func (r *fakeRepo) AbandonExpiredCommunications(context.Context, time.Time) (int, error) {
	return 0, nil
}
func (r *fakeRepo) SendingCommunications(context.Context) ([]string, error) { return nil, nil }
