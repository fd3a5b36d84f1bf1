package fbbench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// meter measures one phase: wall time, CPU time of this process and of the
// Postgres server (postmaster and every backend), and this process's peak RSS.
// On two cores Go and Postgres compete for the same CPUs, so the CPU split says
// more about where the time goes than any wall-clock breakdown.
type meter struct {
	postmaster int // pid; 0 when it could not be found (Postgres CPU then unknown)
	start      time.Time
	goCPU0     time.Duration
	pgCPU0     time.Duration
	sys0       sysCPU
	rssReset   bool
}

// usage is what a meter measured.
type usage struct {
	Wall     time.Duration
	GoCPU    time.Duration
	PGCPU    time.Duration // -1 when unknown
	Others   time.Duration // CPU the rest of the machine used meanwhile (other processes, kernel)
	Steal    time.Duration // CPU the hypervisor gave to other guests meanwhile
	PeakRSS  uint64        // bytes, VmHWM
	RSSReset bool          // false: PeakRSS is the peak since the process started
}

// begin starts a phase. It returns the Go heap to the OS first and resets the
// kernel's peak-RSS mark (writing 5 to /proc/self/clear_refs), so VmHWM at the
// end is this phase's peak rather than an earlier phase's.
func (m *meter) begin() {
	runtime.GC()
	debug.FreeOSMemory()
	m.rssReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	m.goCPU0 = selfCPU()
	m.pgCPU0 = m.pgCPU()
	m.sys0 = readSysCPU()
	m.start = time.Now()
}

// end finishes the phase.
func (m *meter) end() usage {
	u := usage{Wall: time.Since(m.start), GoCPU: selfCPU() - m.goCPU0, PGCPU: -1, RSSReset: m.rssReset}
	if m.postmaster != 0 {
		u.PGCPU = m.pgCPU() - m.pgCPU0
	}
	sys := readSysCPU()
	u.Others = max(0, sys.busy-m.sys0.busy-u.GoCPU-max(0, u.PGCPU))
	u.Steal = sys.steal - m.sys0.steal
	u.PeakRSS = peakRSS()
	return u
}

func (u usage) String() string {
	pg := "?"
	if u.PGCPU >= 0 {
		pg = secs(u.PGCPU)
	}
	rss := mb(u.PeakRSS)
	if !u.RSSReset {
		rss += " (since start)"
	}
	s := fmt.Sprintf("peak RSS %s; CPU go %s + postgres %s", rss, secs(u.GoCPU), pg)
	// Another job on the machine skews every figure; say so when it was there.
	if u.Others+u.Steal >= 500*time.Millisecond && u.Others+u.Steal >= u.Wall/20 {
		s += fmt.Sprintf(" (meanwhile other processes used %s CPU, hypervisor steal %s: figures may be skewed)",
			secs(u.Others), secs(u.Steal))
	}
	return s
}

// sysCPU is the machine's CPU time from /proc/stat: busy (user, nice,
// system, irq, softirq) and stolen by the hypervisor.
type sysCPU struct{ busy, steal time.Duration }

func readSysCPU() sysCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return sysCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return sysCPU{}
	}
	n := func(i int) time.Duration { v, _ := strconv.ParseInt(f[i], 10, 64); return time.Duration(v) * clockTick }
	return sysCPU{busy: n(1) + n(2) + n(3) + n(6) + n(7), steal: n(8)}
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads VmHWM from /proc/self/status, in bytes.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// procStat is the part of /proc/PID/stat the meter needs.
type procStat struct {
	comm                         string
	ppid                         int
	utime, stime, cutime, cstime int64 // clock ticks
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, false
	}
	lp, rp := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if lp < 0 || rp < lp {
		return procStat{}, false
	}
	f := strings.Fields(string(b[rp+1:])) // f[0] is field 3 (state)
	if len(f) < 15 {
		return procStat{}, false
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	return procStat{comm: string(b[lp+1 : rp]), ppid: int(n(1)),
		utime: n(11), stime: n(12), cutime: n(13), cstime: n(14)}, true
}

// eachProc calls fn for every process in /proc.
func eachProc(fn func(pid int, st procStat)) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok {
			fn(pid, st)
		}
	}
}

// findPostmaster returns the pid of the postgres child of this process
// (devstack starts it as our child), or 0.
func findPostmaster() int {
	found := 0
	eachProc(func(pid int, st procStat) {
		if st.ppid == os.Getpid() && st.comm == "postgres" {
			found = pid
		}
	})
	return found
}

// pgCPU is the CPU time of the postmaster, its reaped children (cutime) and its
// live backends and auxiliary processes.
func (m *meter) pgCPU() time.Duration {
	if m.postmaster == 0 {
		return 0
	}
	pm, ok := readStat(m.postmaster)
	if !ok {
		return 0
	}
	ticks := pm.utime + pm.stime + pm.cutime + pm.cstime
	eachProc(func(_ int, st procStat) {
		if st.ppid == m.postmaster {
			ticks += st.utime + st.stime
		}
	})
	return time.Duration(ticks) * clockTick
}

// timer collects the durations of one kind of call from many goroutines.
type timer struct {
	mu sync.Mutex
	d  []time.Duration
}

func (t *timer) add(d time.Duration) {
	t.mu.Lock()
	t.d = append(t.d, d)
	t.mu.Unlock()
}

func (t *timer) reset() {
	t.mu.Lock()
	t.d = nil
	t.mu.Unlock()
}

// stats summarises the calls: count, total, median, 99th percentile, and the
// mean of the first and of the last tenth (a claim that slows down as the
// ledger fills shows there).
type stats struct {
	N                            int
	Total, P50, P99, First, Last time.Duration
}

func (t *timer) stats() stats {
	t.mu.Lock()
	d := slices.Clone(t.d)
	t.mu.Unlock()
	s := stats{N: len(d)}
	if s.N == 0 {
		return s
	}
	for _, x := range d {
		s.Total += x
	}
	tenth := max(1, s.N/10)
	s.First, s.Last = mean(d[:tenth]), mean(d[s.N-tenth:])
	slices.Sort(d)
	s.P50, s.P99 = d[s.N/2], d[min(s.N-1, s.N*99/100)]
	return s
}

func mean(d []time.Duration) time.Duration {
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return sum / time.Duration(len(d))
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mb(b uint64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }

// thousands formats n as 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// perSec is n per wall-clock second, formatted.
func perSec(n int, d time.Duration) string {
	if d <= 0 {
		return "?"
	}
	return thousands(int64(float64(n)/d.Seconds() + 0.5))
}
