package communication

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// ErrNoTemplate is a kind the runbook allows but has no template for (a
// breach notice for a wrong-segment incident): the author writes the subject
// and bodies, or reclassifies the incident to the runbook that has one.
var ErrNoTemplate = errs.New(errs.Invalid, "no_template",
	"This incident's runbook has no template for that kind; write the subject and the bodies yourself.")

// Facts are the incident's facts a runbook template is filled with, written
// in a template as [[ .OriginalSubject ]] (runbook.LeftDelim/RightDelim, so a
// recipient merge tag such as {{first_name|there}} passes through to the draft
// untouched). The caller fills them from the incident, its campaign and its
// brand; an empty fact renders empty, so templates guard the optional ones with
// [[ if .DPO ]]…[[ end ]]. Facts are text: escaped for HTML in the HTML body,
// as is in the subject and text body. A merge tag inside a fact (an original
// subject of "{{first_name}}, your offer") stays a merge tag.
type Facts struct {
	BrandName       string   // who apologises: the brand's name
	OriginalSubject string   // the subject of the mail that went wrong
	CampaignName    string   // the campaign's internal name
	IncidentSummary string   // one or two plain sentences: what went wrong
	SentAt          string   // when the wrong mail went out, as the reader should see it ("1 December 2026")
	DataCategories  []string // breach notice: the kinds of personal data exposed ("your name", "your order number")
	ContactEmail    string   // where people can ask questions (a person's or a team's inbox, never a no-reply)
	DPO             string   // breach notice: the data protection officer, name and how to reach them
	Correction      string   // correction: the correct information, in a sentence
	Remedy          string   // what the company will do or honour ("we will honour the price you saw")
}

// Placeholder starts the marker a shipped template writes where a fact the
// caller did not give must be written by the author ("[EDIT: the correct
// price]"). A draft still containing it is not ready to send; HasPlaceholder
// finds it.
const Placeholder = "[EDIT:"

// HasPlaceholder reports whether c still contains a Placeholder marker.
func HasPlaceholder(c Content) bool {
	return strings.Contains(c.Subject, Placeholder) || strings.Contains(c.HTML, Placeholder) || strings.Contains(c.Text, Placeholder)
}

// FromTemplate renders a new draft of kind for an incident of runbook rb from the
// runbook's template, with f filled in: the subject (one line), the HTML body
// (a fragment that Wrap puts inside the brand's template) and the text body,
// merge tags unresolved. ReplyTo is left empty: the brand's applies unless the
// author sets one. It fails with ErrApologyNotAllowed when rb forbids step-5
// mail, with ErrNoTemplate when rb has no template for kind, and with a
// *TemplateError (errs.Invalid) when the template names a fact Facts does not
// have (CheckTemplates finds those at start-up).
// Templates cannot read files or call out: they get no functions beyond the
// text/template builtins.
func FromTemplate(rb runbook.Runbook, kind Kind, f Facts) (Content, error) {
	if !kind.Valid() {
		return Content{}, errs.Invalidf("unknown kind %q (want apology, correction or breach_notice)", kind)
	}
	if !rb.Apology.Allowed {
		return Content{}, ErrApologyNotAllowed
	}
	t, ok := rb.Templates[string(kind)]
	if !ok {
		return Content{}, ErrNoTemplate
	}
	name := "templates/" + rb.ID + "/" + string(kind)
	subject, err := execText(name+".subject.txt", t.Subject, f)
	if err != nil {
		return Content{}, err
	}
	text, err := execText(name+".txt", t.Text, f)
	if err != nil {
		return Content{}, err
	}
	html, err := execHTML(name+".html", t.HTML, f)
	if err != nil {
		return Content{}, err
	}
	return Content{Subject: oneLine(subject), HTML: strings.TrimSpace(html) + "\n", Text: strings.TrimSpace(text) + "\n"}, nil
}

func execText(name, src string, f Facts) (string, error) {
	t, err := texttemplate.New(name).Delims(runbook.LeftDelim, runbook.RightDelim).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", templateError(name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, f); err != nil {
		return "", templateError(name, err)
	}
	return b.String(), nil
}

func execHTML(name, src string, f Facts) (string, error) {
	t, err := htmltemplate.New(name).Delims(runbook.LeftDelim, runbook.RightDelim).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", templateError(name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, f); err != nil {
		return "", templateError(name, err)
	}
	return b.String(), nil
}

// TemplateError is a runbook template that does not render: the file, the
// line when known, and what is wrong. It is errs.Invalid.
type TemplateError struct {
	File    string
	Line    int
	Message string
}

func (e *TemplateError) Error() string {
	return runbook.Problem{File: e.File, Line: e.Line, Message: e.Message}.String()
}

// Unwrap makes errors.Is(err, errs.Invalid) true.
func (e *TemplateError) Unwrap() error { return errs.Invalid }

var (
	templatePos = regexp.MustCompile(`^(?:html/)?template: ?[^:]*:(\d+):(?:\d+:)? ?(.*)$`)
	noField     = regexp.MustCompile(`can't evaluate field (\w+)`)
)

func templateError(file string, err error) *TemplateError {
	e := &TemplateError{File: file, Message: err.Error()}
	if m := templatePos.FindStringSubmatch(e.Message); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Message = m[2]
	}
	if m := noField.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("[[ .%s ]] is not a fact (the facts are %s)", m[1], strings.Join(factNames(), ", "))
	}
	return e
}

func factNames() []string {
	t := reflect.TypeOf(Facts{})
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Name
	}
	return out
}

// CheckTemplates drafts every template in set twice, with every fact given
// and with none, so a template that names a fact Facts does not have
// ([[ .OrignalSubject ]]), in either branch of an [[ if ]], fails where
// runbooks are validated (start-up, firebreak runbooks validate) instead of
// when someone drafts an apology. Its error is a *runbook.Problems naming
// each file and line, like runbook.Load's.
func CheckTemplates(set *runbook.Set) error {
	full := Facts{DataCategories: []string{"x"}}
	v := reflect.ValueOf(&full).Elem()
	for i := range v.NumField() {
		if v.Field(i).Kind() == reflect.String {
			v.Field(i).SetString("x")
		}
	}
	ps := &runbook.Problems{}
	for _, rb := range set.All() {
		for _, kind := range runbook.TemplateKinds {
			if _, ok := rb.Templates[kind]; !ok {
				continue
			}
			for _, f := range []Facts{full, {}} {
				_, err := FromTemplate(rb, Kind(kind), f)
				var te *TemplateError
				if errors.As(err, &te) {
					ps.List = append(ps.List, runbook.Problem{File: te.File, Line: te.Line, Message: te.Message})
					break
				} else if err != nil {
					ps.List = append(ps.List, runbook.Problem{File: "templates/" + rb.ID + "/" + kind, Message: err.Error()})
					break
				}
			}
		}
	}
	if len(ps.List) > 0 {
		return ps
	}
	return nil
}

// oneLine joins a subject's lines and spaces: a header is one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
