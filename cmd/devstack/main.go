// Command devstack runs one command against private Postgres and Redis servers, for
// `make demo` and browser tests on machines without Docker. It is a development tool,
// not part of the firebreak binary.
//
//	go run ./cmd/devstack run [--dir DIR] [--pg-port N] [--redis-port N] [--db NAME] -- CMD ARGS...
//
// It starts both servers on 127.0.0.1 (free ports unless given), creates database NAME
// if missing, runs CMD with DATABASE_URL and REDIS_URL added to its environment, and
// stops both servers when CMD ends, exiting with CMD's exit code. SIGINT and SIGTERM
// sent to devstack are forwarded to CMD's process group; CMD runs in a process group of
// its own (the terminal's foreground group when devstack owns the terminal), so a
// Ctrl-C reaches CMD exactly once and never the servers, which stop only after CMD.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
	"unsafe"

	"github.com/firebreak/firebreak/internal/devstack"
)

const usage = `devstack runs a command against private Postgres and Redis servers.

Usage:
  go run ./cmd/devstack run [flags] -- CMD [ARGS...]

It starts Postgres and Redis on 127.0.0.1 (never system services or default ports),
creates the database if missing, runs CMD with DATABASE_URL and REDIS_URL in its
environment, forwards SIGINT/SIGTERM to it, stops both servers when it ends and exits
with its exit code. Without --dir the data lives in a temporary directory that is
removed afterwards; with --dir it is kept across runs (a postmaster.pid left by a run
that was killed hard is cleaned up). Server logs go to postgres.log and redis/redis.log
in that directory.

Needs postgresql and redis-server installed (apt-get install postgresql redis-server).

Flags:
`

func main() { os.Exit(run(os.Args[1:])) }

// options are the parsed command line of `devstack run`.
type options struct {
	dir       string
	pgPort    int
	redisPort int
	db        string
	cmd       []string
}

func parse(args []string) (options, int, bool) {
	var o options
	fs := flag.NewFlagSet("devstack run", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", "", "keep the servers' data in `DIR` across runs (default: a temporary directory)")
	fs.IntVar(&o.pgPort, "pg-port", 0, "Postgres TCP `port` (default: a free port)")
	fs.IntVar(&o.redisPort, "redis-port", 0, "Redis TCP `port` (default: a free port)")
	fs.StringVar(&o.db, "db", "firebreak", "database `NAME` to create and put in DATABASE_URL")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "run" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
			fs.SetOutput(os.Stdout)
			fs.Usage()
			return o, 0, false
		}
		fs.Usage()
		return o, 2, false
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0, false
		}
		return o, 2, false
	}
	if o.cmd = fs.Args(); len(o.cmd) == 0 {
		fmt.Fprintln(os.Stderr, "devstack: no command given after --")
		fs.Usage()
		return o, 2, false
	}
	return o, 0, true
}

func run(args []string) int {
	o, code, ok := parse(args)
	if !ok {
		return code
	}
	// Registered before anything starts, so a Ctrl-C during startup still stops the
	// servers instead of killing devstack outright.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	begin := time.Now()
	started := make(chan error, 1)
	var st *stack
	go func() {
		var err error
		st, err = startStack(ctx, o)
		started <- err
	}()
	var err error
	select {
	case err = <-started:
	case sig := <-sigs:
		cancel()
		if err := <-started; err == nil {
			st.stop()
		}
		return 128 + int(sig.(syscall.Signal))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "devstack: %v\n", err)
		return 1
	}
	defer st.stop()
	fmt.Fprintf(os.Stderr, "devstack: DATABASE_URL=%s REDIS_URL=%s (data in %s, ready in %v)\n",
		st.pg.URL(o.db), st.redis.URL(), st.dir, time.Since(begin).Round(time.Millisecond))
	code, err = runCommand(o.cmd, []string{"DATABASE_URL=" + st.pg.URL(o.db), "REDIS_URL=" + st.redis.URL()}, sigs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "devstack: %v\n", err)
	}
	return code
}

// stack is the pair of servers and where their data lives.
type stack struct {
	pg    *devstack.Postgres
	redis *devstack.Redis
	dir   string
	temp  bool // dir is ours to remove
}

func startStack(ctx context.Context, o options) (_ *stack, err error) {
	st := &stack{dir: o.dir}
	if st.dir == "" {
		if st.dir, err = os.MkdirTemp("", "devstack-"); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		st.temp = true
	} else if st.dir, err = filepath.Abs(st.dir); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	defer func() {
		if err != nil {
			st.stop()
		}
	}()
	if st.pg, err = devstack.StartPostgres(ctx, devstack.PostgresConfig{Dir: st.dir, Port: o.pgPort}); err != nil {
		return nil, err
	}
	if err = st.pg.CreateDatabase(ctx, o.db, ""); err != nil {
		return nil, err
	}
	redisCfg := devstack.RedisConfig{Dir: filepath.Join(st.dir, "redis"), Port: o.redisPort}
	if st.redis, err = devstack.StartRedis(ctx, redisCfg); err != nil {
		return nil, err
	}
	return st, nil
}

// stop stops whichever servers started and removes a temporary data dir; errors are
// reported, not returned, because there is nothing left to do about them.
func (st *stack) stop() {
	report := func(err error) {
		if err != nil {
			fmt.Fprintf(os.Stderr, "devstack: %v\n", err)
		}
	}
	if st.redis != nil {
		report(st.redis.Stop())
	}
	if st.pg != nil {
		report(st.pg.Stop())
	}
	if st.temp {
		report(os.RemoveAll(st.dir))
	}
}

// runCommand runs argv with extra environment variables and the standard streams
// passed through, forwarding signals from sigs to its process group, and returns its
// exit code (128+N when killed by signal N). A third forwarded signal kills the group.
func runCommand(argv, env []string, sigs <-chan os.Signal) (int, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	tty, fg := foregroundTTY(os.Stdin)
	if fg {
		cmd.SysProcAttr.Foreground = true
		cmd.SysProcAttr.Ctty = tty
	}
	if err := cmd.Start(); err != nil {
		return 127, fmt.Errorf("start %s: %w", argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	forwarded := 0
	for {
		select {
		case sig := <-sigs:
			forwarded++
			s := sig.(syscall.Signal)
			if forwarded >= 3 {
				s = syscall.SIGKILL
			}
			_ = syscall.Kill(-cmd.Process.Pid, s)
		case err := <-done:
			if fg {
				reclaimTTY(tty)
			}
			return exitCode(err)
		}
	}
}

func exitCode(err error) (int, error) {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		if err != nil {
			return 1, err
		}
		return 0, nil
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return exit.ExitCode(), nil
}

// foregroundTTY reports whether f is a terminal whose foreground process group is
// ours, that is whether devstack may hand the terminal to its command.
func foregroundTTY(f *os.File) (int, bool) {
	fd := int(f.Fd())
	var pgrp int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp))); errno != 0 {
		return 0, false
	}
	return fd, int(pgrp) == syscall.Getpgrp()
}

// reclaimTTY makes devstack's process group the terminal's foreground group again.
// SIGTTOU is ignored meanwhile, since a background group may not otherwise do this;
// it is restored at once so that no later child inherits the ignored signal.
func reclaimTTY(fd int) {
	signal.Ignore(syscall.SIGTTOU)
	defer signal.Reset(syscall.SIGTTOU)
	pgrp := int32(syscall.Getpgrp())
	_, _, _ = syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCSPGRP, uintptr(unsafe.Pointer(&pgrp)))
}
