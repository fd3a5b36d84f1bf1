package cli

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
)

func runbooksCommand() *command {
	return &command{
		name:    "runbooks",
		summary: "Check and list the incident runbooks (the embedded set, FIREBREAK_RUNBOOKS_DIR, or a directory).",
		subs: []*command{
			{
				name: "validate",
				summary: "Validate the runbooks in DIR (default: FIREBREAK_RUNBOOKS_DIR when set, else the embedded set) " +
					"and print each id and title; on problems print every one as file:line: message and exit 1. " +
					"Run it in CI on a runbooks directory before pointing FIREBREAK_RUNBOOKS_DIR at it.",
				usage: "[DIR]",
				run: func(e env, fs *flag.FlagSet, _ any) error {
					set, source, err := loadRunbooks(e, fs)
					if err != nil {
						return err
					}
					all := set.All()
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					for _, r := range all {
						fmt.Fprintf(tw, "%s\t%s\n", r.ID, r.Title)
					}
					if err := tw.Flush(); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "%d runbooks valid (%s)\n", len(all), source)
					return nil
				},
			},
			{
				name:    "list",
				summary: "List the runbooks in DIR (default as for validate): severity, acknowledgement deadline, detection rules, apology policy and title.",
				usage:   "[DIR]",
				run: func(e env, fs *flag.FlagSet, _ any) error {
					set, _, err := loadRunbooks(e, fs)
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tSEVERITY\tACK\tRULES\tAPOLOGY\tTITLE")
					for _, r := range set.All() {
						rules := make([]string, len(r.Triggers))
						for i, t := range r.Triggers {
							rules[i] = t.Rule
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity,
							runbook.DurationString(r.Acknowledge.Deadline), orDash(strings.Join(rules, ",")),
							apologyPolicy(r.Apology), r.Title)
					}
					return tw.Flush()
				},
			},
		},
	}
}

// loadRunbooks loads the runbooks the command line names: the DIR argument,
// else FIREBREAK_RUNBOOKS_DIR (what serve would load), else the embedded set.
// Validation problems are printed to stderr, one file:line: message each, and
// answered with a plain error so the command exits 1.
func loadRunbooks(e env, flags *flag.FlagSet) (*runbook.Set, string, error) {
	if flags.NArg() > 1 {
		return nil, "", &usageError{"at most one directory"}
	}
	dir := flags.Arg(0)
	if dir == "" {
		dir = strings.TrimSpace(e.getenv("FIREBREAK_RUNBOOKS_DIR"))
	}
	source, fsys := "embedded", fs.FS(runbooks.FS)
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, "", fmt.Errorf("%q is not a readable directory", dir)
		}
		source, fsys = dir, os.DirFS(dir)
	}
	set, err := loadChecked(fsys)
	var ps *runbook.Problems
	if errors.As(err, &ps) {
		for _, p := range ps.List {
			if dir != "" {
				p.File = filepath.Join(dir, p.File)
			}
			fmt.Fprintln(e.stderr, p)
		}
		noun := "problems"
		if len(ps.List) == 1 {
			noun = "problem"
		}
		return nil, "", fmt.Errorf("%d %s in the runbooks (%s)", len(ps.List), noun, source)
	}
	if err != nil {
		return nil, "", err
	}
	return set, source, nil
}

// loadChecked is runbook.Load plus communication.CheckTemplates: the facts
// the step-5 templates name are checked where the runbooks are, so a typo
// stops start-up and validate rather than the first apology.
func loadChecked(fsys fs.FS) (*runbook.Set, error) {
	set, err := runbook.Load(fsys)
	if err == nil {
		err = communication.CheckTemplates(set)
	}
	if err != nil {
		return nil, err
	}
	return set, nil
}

func apologyPolicy(a runbook.Apology) string {
	switch {
	case !a.Allowed:
		return "never"
	case len(a.RequiresApproval) > 0:
		return "approval:" + strings.Join(a.RequiresApproval, "+")
	}
	return "allowed"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
