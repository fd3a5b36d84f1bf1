package user

import (
	"errors"
	"testing"

	"github.com/firebreak/firebreak/domain/errs"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"  Ana@Example.COM ": "ana@example.com",
		"a.b+tag@x.io":       "a.b+tag@x.io",
		"":                   "",
		"not an email":       "",
		"Ana <ana@x.io>":     "",
		"ana@":               "",
	} {
		got, err := NormalizeEmail(in)
		if want == "" && err == nil {
			t.Errorf("NormalizeEmail(%q) = %q, want an error", in, got)
		}
		if want != "" && (err != nil || got != want) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNewUserValidation(t *testing.T) {
	tests := []struct {
		name   string
		in     NewUser
		fields []string
	}{
		{"ok", NewUser{Email: "a@x.io", Name: "A", Roles: []string{"legal"}}, nil},
		{"ok with password", NewUser{Email: "a@x.io", Name: "A", Roles: []string{"legal,admin"}, Password: "0123456789"}, nil},
		{"everything wrong", NewUser{Email: "nope", Name: " ", Roles: []string{"root"}, Password: "short"}, []string{"email", "name", "roles", "password"}},
		{"no roles", NewUser{Email: "a@x.io", Name: "A"}, []string{"roles"}},
	}
	for _, tc := range tests {
		_, _, _, err := tc.in.normalize()
		if len(tc.fields) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var fe *errs.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, errs.Invalid) {
			t.Fatalf("%s: %v, want field errors", tc.name, err)
		}
		for _, f := range tc.fields {
			if fe.Fields[f] == "" {
				t.Errorf("%s: no problem reported for %s: %v", tc.name, f, fe.Fields)
			}
		}
		if len(fe.Fields) != len(tc.fields) {
			t.Errorf("%s: fields %v, want exactly %v", tc.name, fe.Fields, tc.fields)
		}
	}
}

func TestSecretsAreRandomAndHashed(t *testing.T) {
	a, ha := newSecret(tokenPrefix)
	b, hb := newSecret(tokenPrefix)
	if a == b || string(ha) == string(hb) || len(ha) != 32 {
		t.Fatal("two secrets must differ and hash to 32 bytes")
	}
	if string(HashSecret(" "+a+"\n")) != string(ha) {
		t.Fatal("surrounding white space (a pasted token) must not change the hash")
	}
}
