package assess_test

import (
	"errors"
	"testing"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/errs"
)

func TestParseAffectedQuery(t *testing.T) {
	id := "0B2F3C4D-0000-4000-8000-00000000000A"
	cases := []struct {
		name                         string
		state, segment, after, limit string
		want                         assess.AffectedQuery
		badFields                    []string
	}{
		{name: "defaults", want: assess.AffectedQuery{Limit: 100}},
		{name: "every filter", state: "opened", segment: "vip", after: id, limit: "1000",
			want: assess.AffectedQuery{State: assess.Opened, Segment: "vip", After: "0b2f3c4d-0000-4000-8000-00000000000a", Limit: 1000}},
		{name: "unknown state", state: "sent", badFields: []string{"state"}},
		{name: "limit zero", limit: "0", badFields: []string{"limit"}},
		{name: "limit too large", limit: "1001", badFields: []string{"limit"}},
		{name: "limit not a number", limit: "ten", badFields: []string{"limit"}},
		{name: "after not an id", after: "eyJpIjoiMSJ9", badFields: []string{"after"}},
		{name: "all wrong at once", state: "x", after: "y", limit: "-1", badFields: []string{"state", "after", "limit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := assess.ParseAffectedQuery(c.state, c.segment, c.after, c.limit)
			if len(c.badFields) == 0 {
				if err != nil || got != c.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
				}
				return
			}
			var fe *errs.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, errs.Invalid) {
				t.Fatalf("want a field error, got %v", err)
			}
			for _, f := range c.badFields {
				if fe.Fields[f] == "" {
					t.Errorf("field %q not named: %v", f, fe.Fields)
				}
			}
			if len(fe.Fields) != len(c.badFields) {
				t.Errorf("fields %v, want only %v", fe.Fields, c.badFields)
			}
		})
	}
}
