package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ErrNotInstalled is wrapped by the start functions when a server's binaries are not
// on this machine; the message says which package to install.
var ErrNotInstalled = errors.New("server binary not installed")

// findPostgres returns the directory holding postgres and initdb: the highest
// version under /usr/lib/postgresql (Debian's layout, not on PATH), else PATH.
func findPostgres() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int { return -cmpFloat(version(a), version(b)) })
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "postgres")) && isExecutable(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		d := filepath.Dir(p)
		if isExecutable(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("postgres and initdb not found in /usr/lib/postgresql/*/bin or PATH: "+
		"install postgresql (apt-get install postgresql): %w", ErrNotInstalled)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// runAs returns the credential postgres and initdb must run with, nil when not root.
// Both refuse to run as root, so as root dir's tree is handed to the postgres system
// user (nobody if there is none) after checking that the user can reach dir at all.
func runAs(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		if u, err = user.Lookup("nobody"); err != nil {
			return nil, fmt.Errorf("running as root and neither user postgres nor nobody exists: %w", err)
		}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user %s: %w", u.Username, err)
	}
	if err := checkTraversable(dir, int(uid), int(gid), u.Username); err != nil {
		return nil, err
	}
	err = filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(uid), int(gid))
	})
	if err != nil {
		return nil, fmt.Errorf("hand %s to user %s: %w", dir, u.Username, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// checkTraversable fails when a parent of dir lacks the search (x) permission for
// uid/gid, which would make initdb fail with a confusing "permission denied".
func checkTraversable(dir string, uid, gid int, name string) error {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("check %s: %w", p, err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		var bit fs.FileMode = 0o001
		switch {
		case ok && int(st.Uid) == uid:
			bit = 0o100
		case ok && int(st.Gid) == gid:
			bit = 0o010
		}
		if mode&bit == 0 {
			return fmt.Errorf("postgres runs as user %s, which cannot enter %s (mode %v): "+
				"put the data under a directory it can reach, such as os.MkdirTemp(\"\", …) (not t.TempDir())",
				name, p, mode)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// initCluster runs initdb into pgdata unless it already holds a cluster. It asks for
// the C.UTF-8 locale (byte-order collation, UTF-8 text) and falls back to C where that
// locale is missing. initdb writes into a scratch directory renamed into place at the
// end, so an interrupted initdb never leaves a half-made cluster in a kept Dir.
func initCluster(ctx context.Context, bin, pgdata, dir string, cred *syscall.Credential, log io.Writer) error {
	if _, err := os.Stat(filepath.Join(pgdata, "PG_VERSION")); err == nil {
		return nil
	}
	scratch := pgdata + ".initdb"
	var err error
	for _, locale := range []string{"C.UTF-8", "C"} {
		if err := os.RemoveAll(scratch); err != nil {
			return fmt.Errorf("initdb: %w", err)
		}
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
			"-D", scratch, "-U", "postgres", "--auth=trust", "-E", "UTF8",
			"--locale="+locale, "--no-sync", "--no-instructions")
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
		cmd.Stdout = &out
		if log != nil {
			cmd.Stdout = io.MultiWriter(&out, log)
		}
		cmd.Stderr = cmd.Stdout
		if err = cmd.Run(); err == nil {
			if err := os.Rename(scratch, pgdata); err != nil {
				return fmt.Errorf("initdb: %w", err)
			}
			return nil
		}
		err = fmt.Errorf("initdb --locale=%s: %w\n--- output ---\n%s", locale, err, out.String())
	}
	_ = os.RemoveAll(scratch)
	return err
}

// removeStalePID removes pgdata/postmaster.pid when the process it names is not a
// running postgres. A run that was killed hard leaves the file behind; postgres itself
// ignores it when the pid is gone or belongs to another user, but refuses to start
// when the pid has been reused by another process of its own user, which in a
// container (small, restarting pids, one user) is common.
func removeStalePID(pgdata string) error {
	path := filepath.Join(pgdata, "postmaster.pid")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err == nil && pid > 0 && pidIsPostgres(pid) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", path, err)
	}
	return nil
}

func pidIsPostgres(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist) // cannot tell: assume it is live
	}
	return strings.HasPrefix(string(comm), "postgres")
}
