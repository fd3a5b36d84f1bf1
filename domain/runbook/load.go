package runbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Roles are the roles a runbook may name (escalation, task owners, approvers):
// DESIGN.md's roles, the same as auth.Roles (a test keeps them equal; this
// package imports nothing but the stdlib and yaml).
var Roles = []string{"marketer", "legal", "security", "admin"}

// Shipped are the runbooks Firebreak itself opens or whose rules it enforces
// (a dashboard pause opens triage, the webhook deliverability-spike; invariants
// 3 and 4 hang on stale-suppression-list and data-breach), so every set Load
// accepts, embedded or from FIREBREAK_RUNBOOKS_DIR, has all of them.
var Shipped = []string{Triage, WrongSegment, BrokenPersonalization, WrongContent, DataBreach, StaleSuppressionList, DeliverabilitySpike}

// DefaultDeadline is how long an incident may stay unacknowledged when a
// runbook does not say: the golden five minutes.
const DefaultDeadline = 5 * time.Minute

// maxFileSize bounds what Load parses; a runbook is a few kilobytes.
const maxFileSize = 1 << 20

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Set is a validated, immutable set of runbooks. Get and All hand out deep
// copies, so callers may keep or change what they get; a Set is safe for
// concurrent use. The nil *Set is empty.
type Set struct {
	byID map[string]Runbook
	ids  []string // sorted
}

// Get returns the runbook with id.
func (s *Set) Get(id string) (Runbook, bool) {
	if s == nil {
		return Runbook{}, false
	}
	r, ok := s.byID[id]
	if !ok {
		return Runbook{}, false
	}
	return r.clone(), true
}

// All returns every runbook, sorted by id.
func (s *Set) All() []Runbook {
	if s == nil {
		return nil
	}
	out := make([]Runbook, len(s.ids))
	for i, id := range s.ids {
		out[i] = s.byID[id].clone()
	}
	return out
}

func (r Runbook) clone() Runbook {
	r.Acknowledge.Escalation = slices.Clone(r.Acknowledge.Escalation)
	r.Triggers = slices.Clone(r.Triggers)
	r.Tasks = slices.Clone(r.Tasks)
	r.Apology.RequiresApproval = slices.Clone(r.Apology.RequiresApproval)
	cl := make(map[string][]string, len(r.Checklists))
	for k, v := range r.Checklists {
		cl[k] = slices.Clone(v)
	}
	r.Checklists = cl
	if r.Templates != nil {
		tm := make(map[string]Template, len(r.Templates))
		for k, v := range r.Templates {
			tm[k] = v
		}
		r.Templates = tm
	}
	return r
}

// Problem is one thing wrong in a runbook file. Line is 1-based; 0 when the
// problem is about the file as a whole.
type Problem struct {
	File    string
	Line    int
	Message string
}

// String is "file:line: message" (or "file: message" without a line), the
// form editors and CI logs link to.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Problems is Load's error when runbooks do not validate: every problem found
// in every file, sorted by file and line, so one run shows them all.
type Problems struct {
	List []Problem
}

func (e *Problems) Error() string {
	lines := make([]string, len(e.List))
	for i, p := range e.List {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (e *Problems) add(file string, line int, format string, args ...any) {
	e.List = append(e.List, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// loaded is one decoded file with the lines the cross-file checks point at.
type loaded struct {
	file   string
	rb     Runbook
	idLine int
	lines  map[string]int // "triggers[1].suggests" -> line
}

// Load reads every *.yaml file in the root of fsys as one runbook, and the
// runbooks' step-5 templates under templates/ (templates.go), and validates the set: unknown keys, bad values, ids that do not match their
// file names, duplicates, dangling suggests, missing shipped runbooks and the
// runbook rules behind DESIGN.md's invariants 3 and 4. Any problem fails the
// whole load with a *Problems naming file:line for each; other errors (an
// unreadable directory) are returned as they are.
func Load(fsys fs.FS) (*Set, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read runbooks: %w", err)
	}
	ps := &Problems{}
	var files []loaded
	seenFile := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if strings.HasSuffix(name, ".yml") {
			ps.add(name, 0, "runbooks must end in .yaml; this file is not read (rename it)")
			continue
		}
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		seenFile[name] = true
		data, err := readFile(fsys, name)
		if err != nil {
			ps.add(name, 0, "%v", err)
			continue
		}
		if l, ok := decodeFile(name, data, ps); ok {
			files = append(files, l)
		}
	}
	checkSet(files, seenFile, ps)
	loadTemplates(fsys, files, ps)
	if len(ps.List) > 0 {
		sort.SliceStable(ps.List, func(i, j int) bool {
			a, b := ps.List[i], ps.List[j]
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Line < b.Line
		})
		return nil, ps
	}
	s := &Set{byID: make(map[string]Runbook, len(files))}
	for _, l := range files {
		s.byID[l.rb.ID] = l.rb
		s.ids = append(s.ids, l.rb.ID)
	}
	sort.Strings(s.ids)
	return s, nil
}

func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes; a runbook is a few kilobytes", maxFileSize)
	}
	return data, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeFile parses one file and decodes its runbook, adding every problem
// to ps; ok is false when the file held nothing decodable.
func decodeFile(file string, data []byte, ps *Problems) (l loaded, ok bool) {
	defer func() {
		// yaml.v3 has panicked on crafted input before; a bad file must
		// never take the process down.
		if r := recover(); r != nil {
			ps.add(file, 0, "cannot parse YAML: %v", r)
			ok = false
		}
	}()
	syntax := func(err error) {
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			msg := m[2]
			if strings.HasPrefix(msg, "did not find expected") {
				// yaml.v3 names the line where the enclosing block starts.
				msg += " in the block that starts here (check the indentation below it)"
			}
			ps.add(file, n, "YAML syntax: %s", msg)
			return
		}
		ps.add(file, 0, "YAML syntax: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			ps.add(file, 0, "file is empty")
		} else {
			syntax(err)
		}
		return loaded{}, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps.add(file, extra.Line, "a second YAML document; one runbook per file")
	} else if !errors.Is(err, io.EOF) {
		syntax(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		ps.add(file, 0, "file is empty")
		return loaded{}, false
	}
	d := &decoder{file: file, ps: ps, lines: map[string]int{}}
	rb := d.runbook(doc.Content[0])
	return loaded{file: file, rb: rb, idLine: d.lines["id"], lines: d.lines}, true
}

// checkSet runs the checks that need more than one file.
func checkSet(files []loaded, seenFile map[string]bool, ps *Problems) {
	// A file whose id matches its name owns that id; another file claiming
	// it has a mismatch (already reported) and is a duplicate.
	byID := map[string]loaded{}
	for _, l := range files {
		if l.file == l.rb.ID+".yaml" {
			byID[l.rb.ID] = l
		}
	}
	for _, l := range files {
		if prev, dup := byID[l.rb.ID]; dup && prev.file != l.file {
			ps.add(l.file, l.idLine, "duplicate id %q: %s:%d has it too", short(l.rb.ID), prev.file, prev.idLine)
		}
	}
	rules := map[string]string{} // rule -> "file:line" of its first definition
	for _, l := range files {
		for i, t := range l.rb.Triggers {
			if t.Rule == "" {
				continue
			}
			line := l.lines[fmt.Sprintf("triggers[%d].rule", i)]
			if prev, dup := rules[t.Rule]; dup {
				ps.add(l.file, line, "triggers[%d].rule: %q is also defined at %s; rule names must be unique across runbooks", i, short(t.Rule), prev)
				continue
			}
			rules[t.Rule] = fmt.Sprintf("%s:%d", l.file, line)
		}
	}
	for _, l := range files {
		for i, t := range l.rb.Triggers {
			if t.Suggests == "" {
				continue
			}
			line := l.lines[fmt.Sprintf("triggers[%d].suggests", i)]
			if _, ok := byID[t.Suggests]; !ok && !seenFile[t.Suggests+".yaml"] {
				ps.add(l.file, line, "triggers[%d].suggests: no runbook %q (known: %s)", i, short(t.Suggests), strings.Join(sortedIDs(byID), ", "))
			}
		}
	}
	for _, id := range Shipped {
		if !seenFile[id+".yaml"] {
			ps.add(id+".yaml", 0, "missing: Firebreak opens or enforces the %s runbook itself, so every runbooks directory needs it (start from the shipped runbooks/%s.yaml)", id, id)
		}
	}
}

func sortedIDs(m map[string]loaded) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		if id != "" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
