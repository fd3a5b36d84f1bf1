// Package cli is the firebreak command tree: the API server and worker
// (serve, api, worker), schema migrations, the SendGrid simulator and operator
// commands for users, tokens, suppressions and runbooks. Every command reads
// its settings from the environment (DESIGN.md, docs/configuration.md) into
// one Config and says what it does with --help. It is also the composition
// root: only this package constructs adapters (adapter/…) and wires them into
// the services, the HTTP layer and the worker.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// env is what a command may touch, so tests run commands in-process.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one node of the command tree: a leaf has run, a group has subs.
type command struct {
	name    string
	summary string
	usage   string // arguments after the command path, for --help
	flags   func(*flag.FlagSet) any
	run     func(e env, fs *flag.FlagSet, opts any) error
	subs    []*command
}

// usageError is a mistake in the command line: exit status 2 with help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func root() *command {
	return &command{
		name:    "firebreak",
		summary: "Incident runbooks for marketing email: pause a bad campaign at Firebreak and SendGrid, assess, plan and communicate.",
		subs: []*command{
			serveCommand("serve", "Run the HTTP API, the asynq worker and the scheduler in one process (the default on one machine).", modeAll),
			serveCommand("api", "Run only the HTTP API (scale-out: run workers apart with `firebreak worker`).", modeAPI),
			serveCommand("worker", "Run only the asynq worker and the scheduler (scale-out).", modeWorker),
			migrateCommand(),
			userCommand(),
			tokenCommand(),
			sgsimCommand(),
			demoCommand(),
			suppressionsCommand(),
			runbooksCommand(),
		},
	}
}

// Main runs the command line of this process (os.Args, the environment,
// SIGINT/SIGTERM ending the command's context) and returns its exit status.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Stdin, os.Stdout, os.Stderr, os.Getenv, os.Args[1:])
}

// Run executes one command line with the given streams and environment and
// returns its exit status (0 done, 1 failed, 2 bad usage or configuration):
// whole-stack tests run commands in-process through it.
func Run(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, args []string) int {
	return run(env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}, args)
}

// run executes the command line and returns the exit status: 0 done, 1 failed,
// 2 bad usage or configuration.
func run(e env, args []string) int {
	cmd, path := root(), "firebreak"
	for {
		if len(cmd.subs) == 0 {
			break
		}
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			printGroupHelp(e.stdout, path, cmd)
			if len(args) == 0 {
				return 2
			}
			return 0
		}
		next := find(cmd.subs, args[0])
		if next == nil {
			fmt.Fprintf(e.stderr, "%s: unknown command %q\n", path, args[0])
			printGroupHelp(e.stderr, path, cmd)
			return 2
		}
		cmd, path, args = next, path+" "+args[0], args[1:]
	}
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts any
	if cmd.flags != nil {
		opts = cmd.flags(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printLeafHelp(e.stdout, path, cmd, fs)
			return 0
		}
		fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
		printLeafHelp(e.stderr, path, cmd, fs)
		return 2
	}
	err := cmd.run(e, fs, opts)
	var ue *usageError
	var ce *configError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
		printLeafHelp(e.stderr, path, cmd, fs)
		return 2
	case errors.As(err, &ce):
		fmt.Fprintf(e.stderr, "firebreak: configuration: %v\n", err)
		return 2
	default:
		fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
		return 1
	}
}

func find(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

func printGroupHelp(w io.Writer, path string, c *command) {
	fmt.Fprintf(w, "%s\n\nUsage: %s <command> [flags]\n\nCommands:\n", c.summary, path)
	names := make([]string, 0, len(c.subs))
	for _, s := range c.subs {
		names = append(names, s.name)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, find(c.subs, n).summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> --help' for more.\n", path)
}

func printLeafHelp(w io.Writer, path string, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\n\nUsage: %s", c.summary, path)
	if c.usage != "" {
		fmt.Fprintf(w, " %s", c.usage)
	}
	fmt.Fprintln(w)
	var flags []string
	fs.VisitAll(func(f *flag.Flag) {
		line := fmt.Sprintf("  --%s", f.Name)
		if name, _ := flag.UnquoteUsage(f); name != "" {
			line += " " + name
		}
		line += "\n      " + f.Usage
		if f.DefValue != "" && f.DefValue != "false" {
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		flags = append(flags, line)
	})
	if len(flags) > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s\n", strings.Join(flags, "\n"))
	}
	fmt.Fprintln(w, "\nSettings come from the environment; see docs/configuration.md.")
}
