// Package devstack runs private Postgres and Redis servers as child processes, on free
// ports, with their data in a directory the caller chooses.
//
// It exists so that tests, the browser tests and `make demo` work on machines without
// Docker and without touching anything the machine already runs: devstack never uses a
// system service, a default port or a shared socket directory. Every server is started
// in its own process group (a terminal's Ctrl-C does not reach it; the caller decides
// when it stops) with a parent-death signal of SIGKILL, so a parent that is killed hard
// does not leave servers behind. Stop is the orderly way out and is idempotent.
package devstack

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. It listens on
// port 0, reads the port the kernel chose and closes the listener, so another process
// may take the port before the caller binds it; StartPostgres and StartRedis retry with
// a new port when that happens and the caller let them choose (Port 0).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	return port, nil
}

// errPortInUse marks a server that exited because its port was taken between FreePort
// and its bind; the start functions retry on it.
var errPortInUse = errors.New("port already in use")

// server is one child process that devstack started and is responsible for stopping.
type server struct {
	name     string
	cmd      *exec.Cmd
	tail     *tailBuffer
	done     chan struct{} // closed once cmd.Wait has returned
	waitErr  error         // cmd.Wait's result; read only after done is closed
	stopOnce sync.Once
	stopErr  error
}

// startServer starts cmd in its own process group with a SIGKILL parent-death signal,
// its stdout and stderr going to log (nil: discarded) and to an in-memory tail used in
// error messages.
func startServer(name string, cmd *exec.Cmd, log io.Writer) (*server, error) {
	if log == nil {
		log = io.Discard
	}
	s := &server{name: name, cmd: cmd, tail: newTailBuffer(8 << 10), done: make(chan struct{})}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	out := io.MultiWriter(s.tail, log)
	cmd.Stdout, cmd.Stderr = out, out
	// Backends that outlive a killed postmaster keep the output pipe open; do not let
	// them hold Wait (and so Stop) hostage.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// startOnPort calls start with port, or when port is 0 with a free port, retrying
// with another free port (three tries in all) when the chosen one was taken before
// the server could bind it.
func startOnPort(port int, start func(port int) (*server, error)) (*server, int, error) {
	for attempt := 1; ; attempt++ {
		p := port
		if p == 0 {
			var err error
			if p, err = FreePort(); err != nil {
				return nil, 0, err
			}
		}
		srv, err := start(p)
		if err == nil {
			return srv, p, nil
		}
		if port != 0 || attempt == 3 || !errors.Is(err, errPortInUse) {
			return nil, 0, err
		}
	}
}

// exited reports whether the process has already ended.
func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// exitError describes a process that ended when it should not have, with the tail of
// its output, which is where Postgres and Redis say why.
func (s *server) exitError() error {
	err := s.waitErr
	if err == nil {
		err = errors.New("exited with status 0")
	}
	tail := s.tail.String()
	if strings.Contains(tail, "Address already in use") {
		err = fmt.Errorf("%w: %w", errPortInUse, err)
	}
	return fmt.Errorf("%s exited during start: %w\n--- last output ---\n%s", s.name, err, tail)
}

// stop sends sig to the process, waits up to grace for it to exit and then kills its
// whole process group. Only the first call acts; later calls return its result.
func (s *server) stop(sig syscall.Signal, grace time.Duration) error {
	s.stopOnce.Do(func() {
		if s.exited() {
			return
		}
		pid := s.cmd.Process.Pid
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			s.stopErr = fmt.Errorf("stop %s: signal %d: %w", s.name, pid, err)
		}
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-s.done:
			return
		case <-timer.C:
		}
		if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			s.stopErr = fmt.Errorf("stop %s: kill group %d: %w", s.name, pid, err)
		}
		<-s.done
	})
	return s.stopErr
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// openLog returns log if it is set, else a log file named name in dir, appended to
// across runs; closeWhenDone closes that file once srv has exited.
func openLog(log io.Writer, dir, name string) (io.Writer, *os.File, error) {
	if log != nil {
		return log, nil, nil
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("open log: %w", err)
	}
	return f, f, nil
}

// closeWhenDone closes f (if any) after srv (if any) has exited, or now when srv is nil.
func closeWhenDone(srv *server, f *os.File) {
	if f == nil {
		return
	}
	if srv == nil {
		_ = f.Close()
		return
	}
	go func() {
		<-srv.done
		_ = f.Close()
	}()
}
