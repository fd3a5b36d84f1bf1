package communication_test

import (
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
)

func shipped(t *testing.T) *runbook.Set {
	t.Helper()
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatalf("embedded runbooks: %v", err)
	}
	return set
}

func sampleFacts() communication.Facts {
	return communication.Facts{
		BrandName:       "Northwind Outfitters",
		OriginalSubject: "Your VIP preview: 40% off the winter range",
		CampaignName:    "winter-vip-2026",
		IncidentSummary: "A list of VIP customers was used in place of the newsletter list.",
		SentAt:          "1 December 2026",
		DataCategories:  []string{"your name", "your order number"},
		ContactEmail:    "care@northwind.example",
		DPO:             "Jo Smith, dpo@northwind.example",
		Correction:      "The winter range is 10% off for newsletter readers until 7 December.",
		Remedy:          "We will honour the 40% discount on orders placed before 3 December.",
	}
}

var (
	apologyWord = regexp.MustCompile(`(?i)\b(sorry|apologi[sz]e|apology)\b`)
	paragraph   = regexp.MustCompile(`(?s)<p>(.*?)</p>`)
	greeting    = regexp.MustCompile(`(?i)^(dear|hi|hello)\b`)
	breachHeads = []string{"What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do", "For More Information"}
)

// firstParagraphs are the first paragraph after the greeting of the HTML and
// of the text body: where the news and the apology must be.
func firstParagraphs(c communication.Content) (html, text string) {
	for _, m := range paragraph.FindAllStringSubmatch(c.HTML, -1) {
		if !greeting.MatchString(m[1]) {
			html = m[1]
			break
		}
	}
	for _, p := range strings.Split(c.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" && !greeting.MatchString(p) {
			text = p
			break
		}
	}
	return html, text
}

func TestDraftEveryShippedTemplate(t *testing.T) {
	set := shipped(t)
	n := 0
	for _, rb := range set.All() {
		for kind := range rb.Templates {
			n++
			t.Run(rb.ID+"/"+kind, func(t *testing.T) {
				c, err := communication.FromTemplate(rb, communication.Kind(kind), sampleFacts())
				if err != nil {
					t.Fatal(err)
				}
				for part, s := range map[string]string{"subject": c.Subject, "html": c.HTML, "text": c.Text} {
					if strings.TrimSpace(s) == "" {
						t.Errorf("%s is empty", part)
					}
					if strings.Contains(s, "[[") || strings.Contains(s, "]]") {
						t.Errorf("%s has an unresolved fact: %s", part, s)
					}
					if strings.Contains(strings.ToLower(s), "noreply") || strings.Contains(strings.ToLower(s), "no-reply") {
						t.Errorf("%s mentions a no-reply address", part)
					}
				}
				if communication.HasPlaceholder(c) {
					t.Errorf("an [EDIT: …] placeholder is left although every fact was given:\n%s", c.Text)
				}
				if strings.Contains(c.Subject, "\n") {
					t.Errorf("subject %q is not one line", c.Subject)
				}
				if !strings.Contains(c.HTML, "{{first_name|there}}") || !strings.Contains(c.Text, "{{first_name|there}}") {
					t.Error("the greeting's merge tag {{first_name|there}} did not reach the draft")
				}
				h, tx := firstParagraphs(c)
				if !apologyWord.MatchString(h) || !apologyWord.MatchString(tx) {
					t.Errorf("no apology in the first paragraph:\nhtml: %s\ntext: %s", h, tx)
				}
				if kind == string(communication.BreachNotice) {
					if c.Subject != "Notice of Data Breach" {
						t.Errorf("subject %q; California wants the title Notice of Data Breach", c.Subject)
					}
					for _, head := range breachHeads {
						if !strings.Contains(c.HTML, ">"+head+"</h2>") || !strings.Contains(c.Text, strings.ToUpper(head)) {
							t.Errorf("the breach notice has no %q heading", head)
						}
					}
					for _, advice := range []string{"password", "two-factor", "dpo@northwind.example", "care@northwind.example", "your order number"} {
						if !strings.Contains(c.HTML, advice) || !strings.Contains(c.Text, advice) {
							t.Errorf("the breach notice does not mention %q", advice)
						}
					}
				}
				if kind == string(communication.Correction) && !strings.HasPrefix(c.Subject, "Correction:") {
					t.Errorf("a correction's subject %q does not start with Correction:", c.Subject)
				}
			})
		}
	}
	if n < 6 {
		t.Fatalf("only %d shipped templates", n)
	}
}

func TestDraftTheCorrectionMail(t *testing.T) {
	rb, _ := shipped(t).Get(runbook.WrongSegment)
	c, err := communication.FromTemplate(rb, communication.Correction, sampleFacts())
	if err != nil {
		t.Fatal(err)
	}
	if want := "Correction: please disregard our previous email — Your VIP preview: 40% off the winter range"; c.Subject != want {
		t.Errorf("subject %q, want %q", c.Subject, want)
	}
	for _, s := range []string{"disregard", "The winter range is 10% off", "thank you"} {
		if !strings.Contains(c.HTML, s) || !strings.Contains(c.Text, s) {
			t.Errorf("the correction does not say %q", s)
		}
	}
}

func TestDraftWithoutFactsMarksWhatTheAuthorMustWrite(t *testing.T) {
	set := shipped(t)
	for _, tc := range []struct{ runbook, kind string }{
		{runbook.WrongContent, "correction"}, {runbook.WrongSegment, "apology"}, {runbook.DataBreach, "breach_notice"},
	} {
		rb, _ := set.Get(tc.runbook)
		c, err := communication.FromTemplate(rb, communication.Kind(tc.kind), communication.Facts{BrandName: "Northwind"})
		if err != nil {
			t.Fatal(err)
		}
		if !communication.HasPlaceholder(c) {
			t.Errorf("%s/%s without the correct information or the remedy has no [EDIT: …] marker:\n%s", tc.runbook, tc.kind, c.Text)
		}
	}
}

func TestDraftEscapesFactsInHTMLOnly(t *testing.T) {
	rb, _ := shipped(t).Get(runbook.WrongSegment)
	f := sampleFacts()
	f.OriginalSubject = `<script>alert(1)</script> & more`
	c, err := communication.FromTemplate(rb, communication.Apology, f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.HTML, "<script>") || !strings.Contains(c.HTML, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") {
		t.Errorf("the fact is not escaped in the HTML:\n%s", c.HTML)
	}
	if !strings.Contains(c.Text, f.OriginalSubject) || !strings.Contains(c.Subject, f.OriginalSubject) {
		t.Errorf("the fact is not as given in the text and subject: %q\n%s", c.Subject, c.Text)
	}
}

// custom builds a runbook with one template of its own.
func custom(allowed bool, kind string, tm runbook.Template) runbook.Runbook {
	return runbook.Runbook{ID: "custom", Apology: runbook.Apology{Allowed: allowed}, Templates: map[string]runbook.Template{kind: tm}}
}

func TestDraftLeavesMergeTagsForTheRecipient(t *testing.T) {
	rb := custom(true, "apology", runbook.Template{
		Subject: "Sorry, {{first_name|there}} — [[ .BrandName ]]",
		HTML:    `<p>Dear {{ first_name | there }}, <a href="https://x.example/?e={{email}}">[[ .BrandName ]]</a> {{attr.plan}}</p>`,
		Text:    "Dear {{first_name}}, [[ .BrandName ]] {{attr.plan|free}}",
	})
	c, err := communication.FromTemplate(rb, communication.Apology, communication.Facts{BrandName: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	want := communication.Content{
		Subject: "Sorry, {{first_name|there}} — Acme",
		HTML:    `<p>Dear {{ first_name | there }}, <a href="https://x.example/?e={{email}}">Acme</a> {{attr.plan}}</p>` + "\n",
		Text:    "Dear {{first_name}}, Acme {{attr.plan|free}}\n",
	}
	if c != want {
		t.Errorf("Draft = %+v\nwant    %+v", c, want)
	}
}

func TestDraftRefusals(t *testing.T) {
	set := shipped(t)
	stale, _ := set.Get(runbook.StaleSuppressionList)
	for _, kind := range communication.Kinds() {
		_, err := communication.FromTemplate(stale, kind, sampleFacts())
		var e *errs.E
		if !errors.Is(err, communication.ErrApologyNotAllowed) || !errors.Is(err, errs.Conflict) || !errors.As(err, &e) ||
			e.Code != "apology_not_allowed" || !strings.Contains(e.Message, "only adds complaints") {
			t.Errorf("%s for stale-suppression-list: %v; want 409 apology_not_allowed", kind, err)
		}
	}
	// Even a template smuggled into the runbook value does not make it allowed.
	rb := custom(false, "apology", runbook.Template{Subject: "Sorry", HTML: "<p>Sorry</p>", Text: "Sorry"})
	if _, err := communication.FromTemplate(rb, communication.Apology, sampleFacts()); !errors.Is(err, communication.ErrApologyNotAllowed) {
		t.Errorf("a forbidding runbook with a template: %v", err)
	}
	ws, _ := set.Get(runbook.WrongSegment)
	if _, err := communication.FromTemplate(ws, communication.BreachNotice, sampleFacts()); !errors.Is(err, communication.ErrNoTemplate) || !errors.Is(err, errs.Invalid) {
		t.Errorf("a breach notice for wrong-segment: %v; want ErrNoTemplate", err)
	}
	if _, err := communication.FromTemplate(ws, "refund", sampleFacts()); !errors.Is(err, errs.Invalid) {
		t.Errorf("an unknown kind: %v; want Invalid", err)
	}
	typo := custom(true, "apology", runbook.Template{Subject: "Sorry", HTML: "<p>[[ .OrignalSubject ]]</p>", Text: "x"})
	if _, err := communication.FromTemplate(typo, communication.Apology, sampleFacts()); !errors.Is(err, errs.Invalid) ||
		!strings.Contains(err.Error(), "OrignalSubject") || !strings.Contains(err.Error(), "templates/custom/apology.html") {
		t.Errorf("a template naming an unknown fact: %v; want Invalid naming the file and the field", err)
	}
}

func TestDraftFromAnOverridingDirectory(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, id := range runbook.Shipped {
		data, err := runbooks.FS.ReadFile(id + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		fsys[id+".yaml"] = &fstest.MapFile{Data: data}
	}
	fsys["templates/wrong-content/correction.subject.txt"] = &fstest.MapFile{Data: []byte("Correction from [[ .BrandName ]]\n")}
	fsys["templates/wrong-content/correction.html"] = &fstest.MapFile{Data: []byte("<p>Sorry, {{first_name|there}}.</p>\n")}
	fsys["templates/wrong-content/correction.txt"] = &fstest.MapFile{Data: []byte("Sorry, {{first_name|there}}.\n")}
	set, err := runbook.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := set.Get(runbook.WrongContent)
	c, err := communication.FromTemplate(rb, communication.Correction, sampleFacts())
	if err != nil || c.Subject != "Correction from Northwind Outfitters" {
		t.Errorf("Draft = %+v, %v; want the directory's template", c, err)
	}
}

func TestTemplateKindsAreTheKinds(t *testing.T) {
	var kinds []string
	for _, k := range communication.Kinds() {
		kinds = append(kinds, string(k))
	}
	if !slices.Equal(kinds, runbook.TemplateKinds) {
		t.Errorf("runbook.TemplateKinds %v, communication.Kinds %v", runbook.TemplateKinds, kinds)
	}
}

func TestCheckTemplates(t *testing.T) {
	if err := communication.CheckTemplates(shipped(t)); err != nil {
		t.Fatalf("the shipped templates: %v", err)
	}
	fsys := fstest.MapFS{}
	for _, id := range runbook.Shipped {
		data, err := runbooks.FS.ReadFile(id + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		fsys[id+".yaml"] = &fstest.MapFile{Data: data}
	}
	fsys["templates/wrong-content/correction.subject.txt"] = &fstest.MapFile{Data: []byte("Correction\n")}
	fsys["templates/wrong-content/correction.html"] = &fstest.MapFile{Data: []byte("<p>Sorry.</p>\n<p>[[ if .Remedy ]][[ .Remedy ]][[ else ]][[ .Remmedy ]][[ end ]]</p>\n")}
	fsys["templates/wrong-content/correction.txt"] = &fstest.MapFile{Data: []byte("Sorry.\n")}
	set, err := runbook.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	err = communication.CheckTemplates(set)
	var ps *runbook.Problems
	if !errors.As(err, &ps) || len(ps.List) != 1 {
		t.Fatalf("CheckTemplates = %v; want one problem", err)
	}
	p := ps.List[0]
	if p.File != "templates/wrong-content/correction.html" || p.Line != 2 || !strings.Contains(p.Message, "[[ .Remmedy ]] is not a fact") ||
		!strings.Contains(p.Message, "OriginalSubject") {
		t.Errorf("problem %q; want templates/wrong-content/correction.html:2 naming the unknown fact and the known ones", p)
	}
}

// FuzzTemplate feeds arbitrary text to Load as one part of a shipped template:
// Load fails only with *runbook.Problems, and whatever it accepts drafts and
// renders without panicking, or fails with errs.Invalid.
func FuzzTemplate(f *testing.F) {
	base := fstest.MapFS{}
	err := fs.WalkDir(runbooks.FS, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(runbooks.FS, name)
		base[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, part := range []string{".subject.txt", ".html", ".txt"} {
		f.Add(part, base["templates/wrong-segment/apology"+part].Data)
	}
	f.Add(".html", []byte(`<a href="[[ .ContactEmail ]]">[[ range .DataCategories ]]<script>var x = "[[ . ]]"</script>[[ end ]]`))
	f.Add(".txt", []byte(`[[ template "x" ]][[ define "x" ]][[ template "x" ]][[ end ]]`))
	f.Add(".html", []byte(`<style>p{color:[[ .BrandName ]]}</style>{{first_name}}`))
	f.Fuzz(func(t *testing.T, part string, data []byte) {
		if part != ".subject.txt" && part != ".html" && part != ".txt" {
			return
		}
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys["templates/wrong-segment/apology"+part] = &fstest.MapFile{Data: data}
		set, err := runbook.Load(fsys)
		if err != nil {
			var ps *runbook.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is not *Problems: %v", err)
			}
			return
		}
		rb, _ := set.Get(runbook.WrongSegment)
		c, err := communication.FromTemplate(rb, communication.Apology, sampleFacts())
		if err != nil {
			if !errors.Is(err, errs.Invalid) {
				t.Fatalf("Draft: %v; want errs.Invalid", err)
			}
			return
		}
		communication.RenderForRecipient(brand(), c, tagsOf(c), recipient(), unsubURL)
	})
}
