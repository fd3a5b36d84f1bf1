package errs_test

import (
	"errors"
	"testing"

	"github.com/firebreak/firebreak/domain/errs"
)

func TestFieldsErr(t *testing.T) {
	var f errs.Fields
	if f.Err() != nil {
		t.Fatal("empty Fields must give a nil error")
	}
	f.Add("email", "is required")
	f.Add("email", "second problem is dropped")
	f.Add("name", "is too long")
	err := f.Err()
	if !errors.Is(err, errs.Invalid) {
		t.Fatalf("want Invalid kind, got %v", err)
	}
	var fe *errs.FieldError
	if !errors.As(err, &fe) || fe.Fields["email"] != "is required" {
		t.Fatalf("want field errors, got %#v", err)
	}
	if got, want := err.Error(), "invalid input: email: is required; name: is too long"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
