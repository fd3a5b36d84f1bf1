package runbook

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"
)

// TemplateKinds are the kinds of step-5 message a runbook may have a template
// for: communication.Kinds as strings (a test keeps them equal; this package
// cannot import communication, which imports it).
var TemplateKinds = []string{"apology", "correction", "breach_notice"}

// TemplateDir is where Load looks for templates, inside the runbooks directory.
const TemplateDir = "templates"

// The delimiters of the incident facts in a template. They are not Go's
// default {{ }} so that a recipient merge tag such as {{first_name|there}}
// is plain text to the template and reaches the draft untouched.
const (
	LeftDelim  = "[["
	RightDelim = "]]"
)

// Template is one runbook's draft for one kind of message, as written: the
// facts still as [[ .Field ]] actions (communication.Facts), merge tags as
// {{ }}. Subject and Text are text/template sources, HTML an html/template
// source (facts are escaped for HTML where they land).
type Template struct {
	Subject string
	HTML    string
	Text    string
}

// The three files of a template, by suffix after "<kind>".
var templateParts = []string{".subject.txt", ".html", ".txt"}

// maxTemplateSize bounds one template file; an email body is tens of kilobytes.
const maxTemplateSize = 256 << 10

var templateLine = regexp.MustCompile(`^template: [^:]*:(\d+):(?:\d+:)? ?(.*)$`)

// loadTemplates reads templates/<runbook-id>/<kind>.{subject.txt,html,txt}
// for the decoded files and sets each runbook's Templates. A directory with
// no runbook, a file that is not one of the three parts of a kind, a kind
// with a part missing, a template that does not parse, and any template for
// a runbook whose apology.allowed is false (it could never be sent:
// invariant 3 for stale-suppression-list) are problems naming the file.
// templates/ itself is optional; *.md files in it are notes and not read.
func loadTemplates(fsys fs.FS, files []loaded, ps *Problems) {
	dirs, err := fs.ReadDir(fsys, TemplateDir)
	if err != nil {
		if st, serr := fs.Stat(fsys, TemplateDir); serr == nil && st.IsDir() {
			ps.add(TemplateDir, 0, "%v", err)
		}
		return
	}
	byID := map[string]int{}
	for i, l := range files {
		if l.file == l.rb.ID+".yaml" {
			byID[l.rb.ID] = i
		}
	}
	// A runbook file with problems of its own may have decoded wrongly (its
	// apology policy, its id): its templates are checked once it is fixed.
	broken := map[string]bool{}
	for _, p := range ps.List {
		broken[p.File] = true
	}
	for _, d := range dirs {
		dir := path.Join(TemplateDir, d.Name())
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") {
			continue // notes for the people who edit templates
		}
		if !d.IsDir() {
			ps.add(dir, 0, "templates hold one directory per runbook (%s/<runbook-id>/<kind>.html); this file is not read", TemplateDir)
			continue
		}
		if broken[d.Name()+".yaml"] {
			continue
		}
		i, ok := byID[d.Name()]
		if !ok {
			ps.add(dir, 0, "no runbook %q for these templates (name the directory after a runbook id)", short(d.Name()))
			continue
		}
		if t := readTemplates(fsys, dir, files[i].rb, ps); len(t) > 0 {
			files[i].rb.Templates = t
		}
	}
}

func readTemplates(fsys fs.FS, dir string, rb Runbook, ps *Problems) map[string]Template {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		ps.add(dir, 0, "%v", err)
		return nil
	}
	parts := map[string]map[string]string{} // kind -> part -> source
	present := map[string]bool{}            // "<kind><part>" files found, good or bad
	for _, e := range entries {
		file := path.Join(dir, e.Name())
		kind, part := splitTemplateName(e.Name())
		switch {
		case !e.IsDir() && strings.HasSuffix(e.Name(), ".md"):
			continue
		case e.IsDir():
			ps.add(file, 0, "unexpected directory; a runbook's templates are files <kind>.subject.txt, <kind>.html and <kind>.txt")
			continue
		case part == "" || !slices.Contains(TemplateKinds, kind):
			ps.add(file, 0, "not a template file: want <kind>.subject.txt, <kind>.html or <kind>.txt with kind one of %s", strings.Join(TemplateKinds, ", "))
			continue
		case !rb.Apology.Allowed:
			ps.add(file, 0, "%s has apology.allowed: false, so it may have no %s template; remove the file (%s)", rb.ID, kind, notAllowedWhy(rb.ID))
			continue
		}
		present[kind+part] = true
		data, err := readTemplateFile(fsys, file)
		if err != nil {
			ps.add(file, 0, "%v", err)
			continue
		}
		if parseTemplate(file, part, data, ps) {
			if parts[kind] == nil {
				parts[kind] = map[string]string{}
			}
			parts[kind][part] = data
		}
	}
	out := map[string]Template{}
	for _, kind := range TemplateKinds {
		p := parts[kind]
		if !present[kind+".subject.txt"] && !present[kind+".html"] && !present[kind+".txt"] {
			continue
		}
		complete := true
		for _, suffix := range templateParts {
			if _, ok := p[suffix]; !ok {
				complete = false
				if !present[kind+suffix] { // a bad one has said why
					ps.add(path.Join(dir, kind+suffix), 0, "missing: a %s template needs all of %s.subject.txt, %s.html and %s.txt", kind, kind, kind, kind)
				}
			}
		}
		if complete {
			out[kind] = Template{Subject: p[".subject.txt"], HTML: p[".html"], Text: p[".txt"]}
		}
	}
	return out
}

func notAllowedWhy(id string) string {
	if id == StaleSuppressionList {
		return "mailing that list again only adds complaints, DESIGN.md invariant 3"
	}
	return "the runbook forbids step-5 mail"
}

// splitTemplateName splits "apology.subject.txt" into "apology" and ".subject.txt".
func splitTemplateName(name string) (kind, part string) {
	for _, suffix := range templateParts { // .subject.txt before .txt
		if k, ok := strings.CutSuffix(name, suffix); ok && k != "" {
			return k, suffix
		}
	}
	return "", ""
}

func readTemplateFile(fsys fs.FS, file string) (string, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTemplateSize+1))
	switch {
	case err != nil:
		return "", err
	case len(data) > maxTemplateSize:
		return "", fmt.Errorf("larger than %d KiB; a template is an email body", maxTemplateSize>>10)
	case !utf8.Valid(data):
		return "", fmt.Errorf("not UTF-8 text")
	}
	return string(data), nil
}

// parseTemplate checks that a part parses with the fact delimiters (html/template
// for the HTML part, whose markup must also leave every fact in a context it
// can escape), and that a subject is one non-empty line; whether the
// facts it names exist is checked when communication.FromTemplate renders it.
func parseTemplate(file, part, src string, ps *Problems) bool {
	var err error
	if part == ".html" {
		var t *htmltemplate.Template
		if t, err = htmltemplate.New(file).Delims(LeftDelim, RightDelim).Parse(src); err == nil {
			// The escaper runs before any fact is read: its errors (markup
			// that ends inside a tag or an attribute, an action where no
			// value can be escaped) show without facts; the missing data
			// fails later, and is not this check's business.
			var escErr *htmltemplate.Error
			if xerr := t.Execute(io.Discard, nil); errors.As(xerr, &escErr) {
				msg := escErr.Description
				if escErr.ErrorCode == htmltemplate.ErrEndContext {
					msg = "the HTML ends inside a tag, an attribute or a comment (look for an unclosed quote, < or <!--)"
				}
				ps.add(file, escErr.Line, "template: %s", msg)
				return false
			}
		}
	} else {
		_, err = texttemplate.New(file).Delims(LeftDelim, RightDelim).Parse(src)
	}
	if err != nil {
		line, msg := 0, err.Error()
		if m := templateLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		ps.add(file, line, "template: %s", msg)
		return false
	}
	if part == ".subject.txt" {
		s := strings.TrimSpace(src)
		switch {
		case s == "":
			ps.add(file, 0, "the subject is empty; a step-5 mail needs a clear subject")
			return false
		case strings.ContainsAny(s, "\r\n"):
			ps.add(file, 0, "the subject is one line")
			return false
		}
	}
	return true
}
