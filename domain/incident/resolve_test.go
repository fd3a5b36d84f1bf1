package incident_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

func TestResolve(t *testing.T) {
	admin := func(id string) incident.Caller { return incident.Caller{UserID: id, IsAdmin: true} }
	legal := func(id string) incident.Caller { return incident.Caller{UserID: id, IsLegal: true} }
	// Step 6 (monitor) never counts: resolving starts its watch window.
	all := []string{incident.StepAssess, incident.StepPlan, incident.StepCommunicate}
	tests := []struct {
		name      string
		state     string // alice owns it when own is done
		runbook   string // default triage
		confirmed bool   // a legal user confirmed before
		caller    incident.Caller
		reason    string
		wantErr   error
		pending   []string // the steps the error or the change lists
	}{
		{name: "owner, every step done", state: "DDDDDD", caller: as(alice), pending: []string{}},
		{name: "owner, skipped steps count as finished", state: "DDSSSS", caller: as(alice), pending: []string{}},
		{name: "owner, steps pending, with a reason", state: "DDAPPP", caller: as(alice), reason: "handled by phone", pending: all},
		{name: "owner, steps pending, no reason", state: "DDAPPP", caller: as(alice), wantErr: incident.ErrStepsPending, pending: all},
		{name: "owner, steps pending, blank reason", state: "DDAPPP", caller: as(alice), reason: "  ", wantErr: incident.ErrStepsPending, pending: all},
		{name: "an earlier step left pending is listed", state: "DDPDDA", caller: as(alice), wantErr: incident.ErrStepsPending,
			pending: []string{incident.StepAssess}},
		{name: "only monitor left: no reason needed", state: "DDDDDA", caller: as(alice), pending: []string{}},
		{name: "admin who is not the owner", state: "DDDDDD", caller: admin(bob), pending: []string{}},
		{name: "admin, steps pending, no reason", state: "DDAPPP", caller: admin(bob), wantErr: incident.ErrStepsPending, pending: all},
		{name: "someone else", state: "DDDDDD", caller: as(bob), wantErr: incident.ErrNotOwner},
		{name: "someone else, even with legal", state: "DDDDDD", caller: legal(bob), wantErr: incident.ErrNotOwner},
		{name: "unacknowledged, by anyone", state: "ADPPPP", caller: as(bob), reason: "r", wantErr: incident.ErrNotAcknowledged},
		{name: "unacknowledged, by an admin", state: "APPPPP", caller: admin(bob), reason: "r", wantErr: incident.ErrNotAcknowledged},
		{name: "no actor", state: "DDDDDD", caller: incident.Caller{IsAdmin: true}, wantErr: errs.Invalid},

		{name: "data breach, owner, nobody from legal confirmed", state: "DDDDDD", runbook: runbook.DataBreach, caller: as(alice),
			wantErr: incident.ErrLegalConfirmationRequired},
		{name: "data breach, admin alone is not legal", state: "DDDDDD", runbook: runbook.DataBreach, caller: admin(bob),
			wantErr: incident.ErrLegalConfirmationRequired},
		{name: "data breach, unconfirmed, steps pending, with a reason", state: "DDAPPP", runbook: runbook.DataBreach,
			caller: as(alice), reason: "r", wantErr: incident.ErrLegalConfirmationRequired},
		{name: "data breach, confirmed by legal", state: "DDDDDD", runbook: runbook.DataBreach, confirmed: true, caller: as(alice),
			pending: []string{}},
		{name: "data breach, confirmed, steps pending, no reason", state: "DDAPPP", runbook: runbook.DataBreach, confirmed: true,
			caller: as(alice), wantErr: incident.ErrStepsPending, pending: all},
		{name: "data breach, confirmed, steps pending, with a reason", state: "DDAPPP", runbook: runbook.DataBreach, confirmed: true,
			caller: as(alice), reason: "regulator told us to close", pending: all},
		{name: "data breach resolved by an owner who holds legal", state: "DDDDDD", runbook: runbook.DataBreach, caller: legal(alice),
			pending: []string{}},
	}
	now := t0.Add(2 * time.Hour)
	confirmedAt := t0.Add(time.Hour)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := build(t, tc.state)
			if tc.runbook != "" {
				in.Runbook = tc.runbook
			}
			if tc.confirmed {
				in.LegalConfirmation = &incident.LegalConfirmation{By: lee, At: confirmedAt, Comment: "regulator notified"}
			}
			before := clone(in)
			got, ch, err := in.Resolve(tc.caller, tc.reason, "", now)
			unchanged(t, "Resolve (receiver)", in, before)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if errors.Is(err, incident.ErrStepsPending) {
					if code, d := details(err); code != "steps_pending" || !reflect.DeepEqual(d["pending"], tc.pending) {
						t.Errorf("code %q details %v, want steps_pending with pending %v", code, d, tc.pending)
					}
				}
				unchanged(t, "a refused Resolve", got, before)
				if !ch.IsZero() {
					t.Errorf("change = %+v", ch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != incident.Resolved || got.ResolvedAt == nil || !got.ResolvedAt.Equal(now) {
				t.Errorf("got %s at %v", got.Status, got.ResolvedAt)
			}
			if render(got) != tc.state {
				t.Errorf("resolving changed the steps: %s", render(got))
			}
			if ch.Action != incident.ActionResolve || ch.Data["as_admin"] != (tc.caller.UserID != alice) ||
				!reflect.DeepEqual(ch.Data["unfinished_steps"], tc.pending) {
				t.Errorf("change = %+v", ch)
			}
			if r, ok := ch.Data["reason"]; tc.reason != "" && r != tc.reason || tc.reason == "" && ok {
				t.Errorf("change reason = %v, want %q", r, tc.reason)
			}
			switch {
			case tc.confirmed:
				if ch.Data["legal_confirmed_by"] != lee || ch.Data["legal_confirmed_at"] != confirmedAt {
					t.Errorf("the resolve does not say who confirmed for legal: %v", ch.Data)
				}
			case tc.runbook == runbook.DataBreach:
				if ch.Data["legal_confirmed_by"] != alice || ch.Data["legal_confirmed_at"] != now {
					t.Errorf("a legal resolver's resolve is the confirmation: %v", ch.Data)
				}
			default:
				if _, ok := ch.Data["legal_confirmed_by"]; ok {
					t.Errorf("a confirmation nobody needed is on the change: %v", ch.Data)
				}
			}
		})
	}
	if !errors.Is(incident.ErrNotOwner, errs.Forbidden) || !errors.Is(incident.ErrStepsPending, errs.Invalid) ||
		!errors.Is(incident.ErrLegalConfirmationRequired, errs.Conflict) {
		t.Error("wrong kinds: ErrNotOwner Forbidden, ErrStepsPending Invalid, ErrLegalConfirmationRequired Conflict")
	}
}

// The closing summary is kept (trimmed) on the resolve's change, and does not
// stand in for the reason: with steps pending and only a summary, the resolve
// is still steps_pending.
func TestResolveKeepsTheClosingSummary(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	_, ch, err := build(t, "DDDDDD").Resolve(as(alice), "", "  Apology sent; export fixed \n", now)
	if err != nil || ch.Data["summary"] != "Apology sent; export fixed" {
		t.Fatalf("err %v, change %+v", err, ch)
	}
	if _, ok := ch.Data["reason"]; ok {
		t.Errorf("a reason nobody gave: %+v", ch.Data)
	}
	if _, ch, _ := build(t, "DDDDDD").Resolve(as(alice), "", "   ", now); ch.Data == nil || ch.Data["summary"] != nil {
		t.Errorf("a blank summary is kept: %+v", ch.Data)
	}
	if _, _, err := build(t, "DDAPPP").Resolve(as(alice), "", "All handled", now); !errors.Is(err, incident.ErrStepsPending) {
		t.Errorf("a summary is not a reason: err %v", err)
	}
	long := strings.Repeat("é", incident.MaxClosingSummary+1)
	in := build(t, "DDDDDD")
	got, _, err := in.Resolve(as(alice), "", long, now)
	if !errors.Is(err, errs.Invalid) || got.Status == incident.Resolved {
		t.Errorf("too long a summary: err %v, status %s", err, got.Status)
	}
	if _, _, err := in.Resolve(as(alice), "", long[:len(long)-2], now); err != nil {
		t.Errorf("exactly MaxClosingSummary characters: %v", err)
	}
}

func TestConfirmLegal(t *testing.T) {
	legal := func(id string) incident.Caller { return incident.Caller{UserID: id, IsLegal: true} }
	tests := []struct {
		name    string
		prior   *incident.LegalConfirmation
		caller  incident.Caller
		comment string
		wantErr error
		field   string
		noop    bool
	}{
		{name: "a legal user confirms", caller: legal(lee), comment: "  Regulator notified on day 2, ref 88-1  "},
		{name: "a legal user who is also the owner", caller: legal(alice), comment: "no notification needed"},
		{name: "another legal user confirms again", prior: &incident.LegalConfirmation{By: lee, At: t0, Comment: "first"},
			caller: legal(carol), comment: "second look: still fine"},
		{name: "the same confirmation repeated", prior: &incident.LegalConfirmation{By: lee, At: t0, Comment: "same"},
			caller: legal(lee), comment: "same", noop: true},
		{name: "an admin without legal", caller: incident.Caller{UserID: bob, IsAdmin: true, CanTakeOver: true}, comment: "ok",
			wantErr: incident.ErrLegalRoleRequired},
		{name: "the owner without legal", caller: as(alice), comment: "ok", wantErr: incident.ErrLegalRoleRequired},
		{name: "without a comment", caller: legal(lee), comment: " ", wantErr: errs.Invalid, field: "comment"},
		{name: "no actor", caller: incident.Caller{IsLegal: true}, comment: "ok", wantErr: errs.Invalid},
	}
	now := t0.Add(3 * time.Hour)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := build(t, "DDDAPP")
			in.Runbook = runbook.DataBreach
			in.LegalConfirmation = tc.prior
			before := clone(in)
			got, ch, err := in.ConfirmLegal(tc.comment, tc.caller, now)
			unchanged(t, "ConfirmLegal (receiver)", in, before)
			if tc.wantErr != nil || tc.noop {
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if tc.noop && err != nil {
					t.Fatal(err)
				}
				var fe *errs.FieldError
				if tc.field != "" && (!errors.As(err, &fe) || fe.Fields[tc.field] == "") {
					t.Errorf("err = %v, want a field error on %s", err, tc.field)
				}
				unchanged(t, "a refused or repeated confirmation", got, before)
				if !ch.IsZero() {
					t.Errorf("change = %+v", ch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := incident.LegalConfirmation{By: tc.caller.UserID, At: now, Comment: strings.TrimSpace(tc.comment)}
			if got.LegalConfirmation == nil || *got.LegalConfirmation != want {
				t.Errorf("confirmation = %+v, want %+v", got.LegalConfirmation, want)
			}
			if ch.Action != incident.ActionLegalConfirm || ch.Data["comment"] != want.Comment {
				t.Errorf("change = %+v", ch)
			}
			if render(got) != "DDDAPP" || got.Status != incident.Open || got.OwnerID != alice {
				t.Errorf("confirming changed more than the confirmation: %+v", got)
			}
		})
	}
	if !errors.Is(incident.ErrLegalRoleRequired, errs.Forbidden) {
		t.Error("ErrLegalRoleRequired must be Forbidden")
	}

	// A confirmation is for the incident as it was classified: reclassifying
	// withdraws it (on the change), so a triage sign-off never closes a breach.
	in := build(t, "DDAPPP")
	in, _, err := in.ConfirmLegal("nothing to notify", legal(lee), now)
	if err != nil {
		t.Fatal(err)
	}
	got, ch, err := in.Reclassify(runbook.Runbook{ID: runbook.DataBreach, Severity: "sev1"}, alice, now.Add(time.Minute))
	if err != nil || got.LegalConfirmation != nil || ch.Data["legal_confirmation_withdrawn"] != true {
		t.Fatalf("reclassify kept the confirmation: err %v, %+v, change %v", err, got.LegalConfirmation, ch.Data)
	}
	if _, _, err := got.Resolve(as(alice), "", "", now.Add(2*time.Minute)); !errors.Is(err, incident.ErrLegalConfirmationRequired) {
		t.Errorf("resolve after the withdrawal: err = %v, want ErrLegalConfirmationRequired", err)
	}
}
