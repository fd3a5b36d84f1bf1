package incident_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
)

// details is what the API answers as error details (the Code/Details
// interface of the package's rich errors), or nil when err has none.
func details(err error) (string, map[string]any) {
	var rich interface {
		Code() string
		Details() map[string]any
	}
	if !errors.As(err, &rich) {
		return "", nil
	}
	return rich.Code(), rich.Details()
}

// TestAcknowledgeAgainKeepsTheOwner: once acknowledged, acknowledge never
// moves the owner. Asking for the owner it already has changes nothing (a
// retry, a double click); asking for anyone else is refused with the current
// owner in the details — reassigning is Reassign, with a reason.
func TestAcknowledgeAgainKeepsTheOwner(t *testing.T) {
	tests := []struct {
		name    string
		ownerID string // the acknowledge's owner_id ("" = the caller)
		by      string
		refused bool
	}{
		{name: "the owner again", ownerID: "", by: alice},
		{name: "the owner naming herself", ownerID: alice, by: alice},
		{name: "someone naming the current owner", ownerID: alice, by: bob},
		{name: "someone else, for themselves", ownerID: "", by: bob, refused: true},
		{name: "someone else, naming a third user", ownerID: carol, by: bob, refused: true},
		{name: "the owner naming someone else", ownerID: bob, by: alice, refused: true},
	}
	now := t0.Add(time.Hour)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := build(t, "DDAPPP") // alice owns it
			before := clone(in)
			got, ch, err := in.Acknowledge(tc.ownerID, tc.by, now)
			unchanged(t, "Acknowledge (receiver)", in, before)
			unchanged(t, "acknowledging an acknowledged incident", got, before)
			if !ch.IsZero() {
				t.Errorf("change = %+v, want none", ch)
			}
			if !tc.refused {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if !errors.Is(err, incident.ErrAlreadyAcknowledged) || !errors.Is(err, errs.Conflict) {
				t.Fatalf("err = %v, want ErrAlreadyAcknowledged (a Conflict)", err)
			}
			if code, d := details(err); code != "already_acknowledged" || d["owner_id"] != alice {
				t.Errorf("code %q details %v, want already_acknowledged naming owner %s", code, d, alice)
			}
		})
	}
}

func TestReassign(t *testing.T) {
	marketer := func(id string) incident.Caller { return incident.Caller{UserID: id, CanTakeOver: true} }
	tests := []struct {
		name    string
		state   string // alice owns it when own is done
		ownerID string
		reason  string
		caller  incident.Caller
		wantErr error
		field   string // the field a FieldError must name
		noop    bool
	}{
		{name: "the owner hands it over", state: "DDAPPP", ownerID: bob, reason: "going off shift", caller: as(alice)},
		{name: "the owner hands it to a user of any role", state: "DDDAPP", ownerID: lee, reason: "legal owns the notices", caller: as(alice)},
		{name: "a user who may acknowledge takes it over", state: "DDAPPP", ownerID: bob, reason: "alice is out sick", caller: marketer(bob)},
		{name: "a user who may acknowledge gives it to a third", state: "DDAPPP", ownerID: carol, reason: "carol is on call", caller: marketer(bob)},
		{name: "an admin reassigns", state: "DDAPPP", ownerID: carol, reason: "escalated to carol", caller: incident.Caller{UserID: bob, IsAdmin: true}},
		{name: "someone who may not acknowledge", state: "DDAPPP", ownerID: bob, reason: "mine now", caller: as(bob), wantErr: incident.ErrReassignForbidden},
		{name: "legal is not a take-over role", state: "DDAPPP", ownerID: lee, reason: "mine now", caller: incident.Caller{UserID: lee, IsLegal: true}, wantErr: incident.ErrReassignForbidden},
		{name: "without a reason", state: "DDAPPP", ownerID: bob, reason: "", caller: as(alice), wantErr: errs.Invalid, field: "reason"},
		{name: "a blank reason", state: "DDAPPP", ownerID: bob, reason: " \t ", caller: as(alice), wantErr: errs.Invalid, field: "reason"},
		{name: "without a new owner", state: "DDAPPP", ownerID: "", reason: "r", caller: as(alice), wantErr: errs.Invalid, field: "owner_id"},
		{name: "nobody owns it yet", state: "ADPPPP", ownerID: bob, reason: "r", caller: marketer(alice), wantErr: incident.ErrNotAcknowledged},
		{name: "no actor", state: "DDAPPP", ownerID: bob, reason: "r", caller: incident.Caller{IsAdmin: true}, wantErr: errs.Invalid},
		{name: "to the current owner", state: "DDAPPP", ownerID: alice, reason: "r", caller: as(alice), noop: true},
	}
	now := t0.Add(2 * time.Hour)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := build(t, tc.state)
			before := clone(in)
			got, ch, err := in.Reassign(tc.ownerID, tc.reason, tc.caller, now)
			unchanged(t, "Reassign (receiver)", in, before)
			if tc.wantErr != nil || tc.noop {
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if tc.noop && err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				var fe *errs.FieldError
				if tc.field != "" && (!errors.As(err, &fe) || fe.Fields[tc.field] == "") {
					t.Errorf("err = %v, want a field error on %s", err, tc.field)
				}
				unchanged(t, "a refused or empty Reassign", got, before)
				if !ch.IsZero() {
					t.Errorf("change = %+v, want none", ch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.OwnerID != tc.ownerID {
				t.Errorf("owner = %s, want %s", got.OwnerID, tc.ownerID)
			}
			if !got.AcknowledgedAt.Equal(*before.AcknowledgedAt) || render(got) != tc.state {
				t.Errorf("reassigning moved acknowledged_at (%v) or the steps (%s)", got.AcknowledgedAt, render(got))
			}
			want := map[string]any{"from": alice, "to": tc.ownerID, "owner_id": tc.ownerID, "reason": tc.reason}
			if ch.Action != incident.ActionReassign || !reflect.DeepEqual(ch.Data, want) {
				t.Errorf("change = %s %v, want %s %v", ch.Action, ch.Data, incident.ActionReassign, want)
			}
		})
	}
	if !errors.Is(incident.ErrReassignForbidden, errs.Forbidden) {
		t.Error("ErrReassignForbidden must be Forbidden")
	}
}
