package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/errs"
)

// want is DESIGN.md's role list written out as a grid, independently of the
// table in permissions.go: columns marketer, legal, security, admin.
// Changing who may do what means changing both, on purpose.
const want = `
read                   Y Y Y Y
campaign.create        Y . . Y
campaign.send          Y . . Y
campaign.pause         Y . Y Y
campaign.resume        Y . . Y
campaign.cancel        Y . . Y
recipients.import      Y . . Y
incident.declare       Y . . Y
incident.acknowledge   Y . . Y
incident.assess        Y . Y Y
incident.assess_legal  . Y Y Y
incident.plan          Y Y Y Y
incident.resolve       Y . . Y
incident.note          Y Y Y Y
communication.draft    Y . . Y
notice.approve         . Y Y Y
brand.manage           . . . Y
user.manage            . . . Y
token.manage           . . . Y
suppression.manage     . . . Y
breach.register        . Y . Y
`

func TestEveryRoleTimesEveryPermission(t *testing.T) {
	roles := []auth.Role{auth.Marketer, auth.Legal, auth.Security, auth.Admin}
	rows := map[auth.Permission][]bool{}
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("bad grid line %q", line)
		}
		var cells []bool
		for _, c := range f[1:] {
			cells = append(cells, c == "Y")
		}
		rows[auth.Permission(f[0])] = cells
	}
	if got := len(auth.Permissions()); got != len(rows) {
		t.Fatalf("table has %d permissions, grid has %d: add the new permission to the grid", got, len(rows))
	}
	for _, p := range auth.Permissions() {
		cells, ok := rows[p]
		if !ok {
			t.Errorf("permission %s is missing from the grid", p)
			continue
		}
		for i, r := range roles {
			if got := auth.Can([]auth.Role{r}, p); got != cells[i] {
				t.Errorf("Can(%s, %s) = %v, want %v", r, p, got, cells[i])
			}
			err := auth.Require([]auth.Role{r}, p)
			if cells[i] != (err == nil) {
				t.Errorf("Require(%s, %s) = %v", r, p, err)
			}
			if err != nil && !errors.Is(err, errs.Forbidden) {
				t.Errorf("Require error is not Forbidden: %v", err)
			}
		}
		if auth.Can(nil, p) {
			t.Errorf("no roles must grant nothing, but %s was granted", p)
		}
	}
}

func TestRolesCombine(t *testing.T) {
	both := []auth.Role{auth.Legal, auth.Marketer}
	if !auth.Can(both, auth.CampaignSend) || !auth.Can(both, auth.NoticeApprove) {
		t.Fatal("a user with two roles holds the permissions of both")
	}
	if auth.Can(both, auth.UserManage) {
		t.Fatal("marketer+legal must not manage users")
	}
	if auth.Can([]auth.Role{"root"}, auth.Read) {
		t.Fatal("an unknown role grants nothing")
	}
	if auth.Can([]auth.Role{auth.Admin}, "no.such.permission") {
		t.Fatal("an unknown permission is never granted, even to admin")
	}
}

func TestParseRoles(t *testing.T) {
	tests := []struct {
		in      []string
		want    string
		wantErr bool
	}{
		{in: []string{"marketer,legal"}, want: "marketer,legal"},
		{in: []string{" Admin ", "marketer", "admin"}, want: "marketer,admin"},
		{in: []string{"security,marketer"}, want: "marketer,security"},
		{in: []string{""}, want: ""},
		{in: []string{"marketer,root"}, wantErr: true},
	}
	for _, tc := range tests {
		got, err := auth.ParseRoles(tc.in...)
		if tc.wantErr {
			if !errors.Is(err, errs.Invalid) {
				t.Errorf("ParseRoles(%q) err = %v, want Invalid", tc.in, err)
			}
			continue
		}
		if err != nil || strings.Join(auth.Strings(got), ",") != tc.want {
			t.Errorf("ParseRoles(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}
