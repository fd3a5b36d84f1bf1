package runbook

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a runbook duration: Go's syntax ("5m", "1h30m") plus
// whole days with a d suffix ("30d", "1d12h"). Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration (write e.g. 5m, 72h or 30d)", short(s))
	s = strings.TrimSpace(s)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 32)
		if err != nil || s[:i] == "" || n > uint64(math.MaxInt64/int64(24*time.Hour)) {
			return 0, bad
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
		if s[0] == '-' || s[0] == '+' {
			return 0, bad
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad
	}
	if v < 0 {
		return 0, fmt.Errorf("%q is negative", short(s))
	}
	if v > math.MaxInt64-days {
		return 0, bad
	}
	return days + v, nil
}

// DurationString formats a runbook duration the way runbook files write it
// where that is exact ("3d", "36h", "5m"), Go's syntax otherwise; ParseDuration reads it back.
func DurationString(v time.Duration) string {
	day := 24 * time.Hour
	switch {
	case v == 0:
		return "0s"
	case v%day == 0:
		return fmt.Sprintf("%dd", v/day)
	case v%time.Hour == 0:
		return fmt.Sprintf("%dh", v/time.Hour)
	case v%time.Minute == 0:
		return fmt.Sprintf("%dm", v/time.Minute)
	}
	return v.String()
}
