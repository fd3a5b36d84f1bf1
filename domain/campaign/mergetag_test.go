package campaign_test

import (
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
)

func TestParseTags(t *testing.T) {
	tests := []struct {
		name     string
		texts    []string
		tags     []string // Field|Fallback|HasFallback
		problems []string // Raw
	}{
		{"plain", []string{"Dear {{first_name}}, your {{attr.plan}} plan"}, []string{"first_name||false", "attr.plan||false"}, nil},
		{"fallback", []string{"Hi {{ first_name | there }}!"}, []string{"first_name|there|true"}, nil},
		{"empty fallback", []string{"Hi {{first_name|}}"}, []string{"first_name||true"}, nil},
		{"dedup across texts", []string{"{{email}}", "x {{email}} y"}, []string{"email||false"}, nil},
		{"unknown", []string{"Dear {{FirstName}}"}, nil, []string{"{{FirstName}}"}},
		{"unclosed", []string{"Dear {{first_name, welcome"}, nil, []string{"{{first_name, welcome"}},
		{"unclosed then good", []string{"{{first_name {{last_name}}"}, []string{"last_name||false"}, []string{"{{first_name "}},
		{"empty", []string{"{{}}"}, nil, []string{"{{}}"}},
		{"attr without name", []string{"{{attr.}}"}, nil, []string{"{{attr.}}"}},
		{"no tags", []string{"Hello, world { } {x}"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tags, problems := campaign.ParseTags(tc.texts...)
			var got []string
			for _, tg := range tags {
				got = append(got, tg.Field+"|"+tg.Fallback+"|"+map[bool]string{true: "true", false: "false"}[tg.HasFallback])
			}
			if strings.Join(got, ",") != strings.Join(tc.tags, ",") {
				t.Errorf("tags %v, want %v", got, tc.tags)
			}
			var raws []string
			for _, p := range problems {
				raws = append(raws, p.Raw)
			}
			if strings.Join(raws, ",") != strings.Join(tc.problems, ",") {
				t.Errorf("problems %v, want %v", raws, tc.problems)
			}
		})
	}
}

func TestUnknownTagSuggestsTheKnownOne(t *testing.T) {
	_, problems := campaign.ParseTags("Dear {{FirstName}}")
	if len(problems) != 1 || !strings.Contains(problems[0].Problem, "did you mean {{first_name}}") {
		t.Fatalf("%+v", problems)
	}
}

func TestResolve(t *testing.T) {
	tags, _ := campaign.ParseTags("Dear {{first_name|friend}}, {{last_name}} ({{attr.city}}) {{email}}")
	ana := campaign.Values{Email: "ana@x.io", FirstName: " Ana ", Attributes: map[string]string{"city": "Porto"}}
	nameless := campaign.Values{Email: "bo@x.io", FirstName: "  "}
	for i, want := range []string{"Ana", "", "Porto", "ana@x.io"} {
		if v, _ := campaign.Resolve(tags[i], ana); v != want {
			t.Errorf("%s = %q, want %q", tags[i].Raw, v, want)
		}
	}
	if _, ok := campaign.Resolve(tags[1], ana); ok {
		t.Fatal("an empty last_name without fallback must not resolve")
	}
	if v, ok := campaign.Resolve(tags[0], nameless); !ok || v != "friend" {
		t.Fatalf("blank first_name must use the fallback: %q %v", v, ok)
	}
}

func FuzzParseTags(f *testing.F) {
	for _, s := range []string{"Dear {{first_name|there}}", "{{", "}}{{", "{{attr.x}}{{attr.}}", "{{{{}}}}", "{{a|b|c}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, problems := campaign.ParseTags(s)
		for _, tg := range tags {
			if !strings.HasPrefix(tg.Raw, "{{") || !strings.HasSuffix(tg.Raw, "}}") || !strings.Contains(s, tg.Raw) {
				t.Fatalf("tag %q is not a {{…}} span of the input", tg.Raw)
			}
		}
		for _, p := range problems {
			if p.Problem == "" || !strings.Contains(s, p.Raw) {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
