package runbook_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/firebreak/firebreak/domain/runbook"
)

func TestRunbookEmbeddedTemplates(t *testing.T) {
	set := loadEmbedded(t)
	want := map[string][]string{
		runbook.WrongSegment:          {"apology", "correction"},
		runbook.BrokenPersonalization: {"apology"},
		runbook.WrongContent:          {"correction"},
		runbook.DataBreach:            {"breach_notice", "correction"},
		runbook.Triage:                nil,
		runbook.DeliverabilitySpike:   nil,
		runbook.StaleSuppressionList:  nil,
	}
	for id, kinds := range want {
		r := get(t, set, id)
		got := slices.Sorted(maps.Keys(r.Templates))
		if !slices.Equal(got, kinds) {
			t.Errorf("%s: templates %v, want %v", id, got, kinds)
		}
		for kind, tm := range r.Templates {
			if strings.TrimSpace(tm.Subject) == "" || strings.TrimSpace(tm.HTML) == "" || strings.TrimSpace(tm.Text) == "" {
				t.Errorf("%s/%s: a part is empty: %+v", id, kind, tm)
			}
		}
		if len(r.Templates) > 0 && !r.Apology.Allowed {
			t.Errorf("%s has templates but does not allow an apology", id)
		}
	}
}

// withFiles is the embedded set plus (or minus, for nil data) some files.
func withFiles(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	fsys := embeddedMap(t)
	for name, data := range files {
		if data == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestRunbookTemplateProblemsNameTheFile(t *testing.T) {
	const ok = "Sorry [[ .BrandName ]]\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		file  string
		line  int
		says  string
	}{
		{"stale-suppression-list may have no apology", map[string]string{
			"templates/stale-suppression-list/apology.html": "<p>Sorry</p>",
		}, "templates/stale-suppression-list/apology.html", 0, "only adds complaints"},
		{"stale-suppression-list may have no correction", map[string]string{
			"templates/stale-suppression-list/correction.subject.txt": ok,
		}, "templates/stale-suppression-list/correction.subject.txt", 0, "apology.allowed: false"},
		{"triage forbids step-5 mail too", map[string]string{
			"templates/triage/apology.txt": "Sorry",
		}, "templates/triage/apology.txt", 0, "apology.allowed: false"},
		{"no runbook of that name", map[string]string{
			"templates/wrong-segmnt/apology.txt": "Sorry",
		}, "templates/wrong-segmnt", 0, `no runbook "wrong-segmnt"`},
		{"unknown kind", map[string]string{
			"templates/wrong-segment/refund.html": "<p>x</p>",
		}, "templates/wrong-segment/refund.html", 0, "not a template file"},
		{"a part missing", map[string]string{
			"templates/wrong-segment/apology.txt": "",
		}, "templates/wrong-segment/apology.txt", 0, "missing"},
		{"a template that does not parse", map[string]string{
			"templates/wrong-segment/apology.txt": "Dear {{first_name}},\n\n[[ if .SentAt ]]on [[ .SentAt ]]",
		}, "templates/wrong-segment/apology.txt", 3, "template: unexpected EOF"},
		{"a template has no functions to read files with", map[string]string{
			"templates/wrong-segment/apology.html": "<p>Dear {{first_name}},</p>\n\n<pre>[[ readFile \"/etc/passwd\" ]]</pre>\n",
		}, "templates/wrong-segment/apology.html", 3, `function "readFile" not defined`},
		{"HTML that leaves a fact inside an unfinished attribute", map[string]string{
			"templates/wrong-segment/apology.html": "<p>Dear {{first_name}},</p>\n<a href=\"mailto:[[ .ContactEmail ]]\n",
		}, "templates/wrong-segment/apology.html", 0, "ends inside a tag, an attribute or a comment"},
		{"an empty subject", map[string]string{
			"templates/wrong-segment/apology.subject.txt": " \n",
		}, "templates/wrong-segment/apology.subject.txt", 0, "subject is empty"},
		{"a subject of two lines", map[string]string{
			"templates/wrong-segment/apology.subject.txt": "Sorry\nreally\n",
		}, "templates/wrong-segment/apology.subject.txt", 0, "one line"},
		{"a file beside the runbook directories", map[string]string{
			"templates/apology.html": "<p>x</p>",
		}, "templates/apology.html", 0, "one directory per runbook"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := runbook.Load(withFiles(t, tc.files))
			var ps *runbook.Problems
			if !errors.As(err, &ps) || set != nil {
				t.Fatalf("Load = %v, %v; want nil and *Problems", set, err)
			}
			if len(ps.List) != 1 {
				t.Errorf("%d problems, want 1:\n%s", len(ps.List), ps)
			}
			p := ps.List[0]
			if p.File != tc.file || p.Line != tc.line || !strings.Contains(p.Message, tc.says) {
				t.Errorf("problem %q; want %s:%d containing %q", p, tc.file, tc.line, tc.says)
			}
		})
	}
}

func TestRunbookTemplatesAreOptionalAndOverridable(t *testing.T) {
	fsys := embeddedMap(t)
	for name := range fsys {
		if strings.HasPrefix(name, "templates/") {
			delete(fsys, name)
		}
	}
	set, err := runbook.Load(fsys)
	if err != nil {
		t.Fatalf("a directory without templates: %v", err)
	}
	if r := get(t, set, runbook.WrongSegment); len(r.Templates) != 0 {
		t.Errorf("templates %v from a directory without any", r.Templates)
	}
	fsys["templates/wrong-segment/apology.subject.txt"] = &fstest.MapFile{Data: []byte("Our own apology\n")}
	fsys["templates/wrong-segment/apology.html"] = &fstest.MapFile{Data: []byte("<p>Sorry, {{first_name|there}}</p>")}
	fsys["templates/wrong-segment/apology.txt"] = &fstest.MapFile{Data: []byte("Sorry, {{first_name|there}}")}
	fsys["templates/README.md"] = &fstest.MapFile{Data: []byte("notes")}
	if set, err = runbook.Load(fsys); err != nil {
		t.Fatal(err)
	}
	r := get(t, set, runbook.WrongSegment)
	if got := r.Templates["apology"]; got.Subject != "Our own apology\n" || got.HTML != "<p>Sorry, {{first_name|there}}</p>" {
		t.Errorf("apology %+v; want the directory's", got)
	}
	r.Templates["apology"] = runbook.Template{}
	if get(t, set, runbook.WrongSegment).Templates["apology"].Subject == "" {
		t.Error("changing a runbook's templates from Get changed the set")
	}
}
