// Package monitoring is step 6, proceed with caution (DESIGN.md): after an
// incident is resolved, every send of its brand in the watch window is
// compared with the brand's baseline (its sends in the 30 days before the
// incident was detected), and a send that crosses a threshold raises an alert,
// pauses that send and reopens the incident. The rules here are pure: the
// Service feeds them what Postgres says and acts on what they decide.
package monitoring

import (
	"fmt"
	"math"
	"time"
)

// Metric names one watched rate (per delivered).
type Metric string

// The watched metrics, as the API names them.
const (
	ComplaintRate   Metric = "complaint_rate"
	BounceRate      Metric = "bounce_rate" // hard bounces
	UnsubscribeRate Metric = "unsubscribe_rate"
)

// Metrics are the watched metrics in the order thresholds are listed.
var Metrics = []Metric{ComplaintRate, BounceRate, UnsubscribeRate}

// SendKind says which plane a send lives on.
type SendKind string

// The kinds of send.
const (
	KindCampaign      SendKind = "campaign"
	KindCommunication SendKind = "communication"
)

// Window status.
const (
	NotStarted = "not_started" // only in the API: no window yet (not resolved)
	Watching   = "watching"
	Clear      = "clear"
	Alerted    = "alert"
)

// BaselineDays is how far back before detected_at the baseline looks.
const BaselineDays = 30

// MinDelivered is the delivered count from which a send is judged: below it
// one complaint would be a "spike".
const MinDelivered = 200

// Enough history for the baseline to move the thresholds.
const (
	MinBaselineSends     = 3
	MinBaselineDelivered = 1000
)

// Send is one campaign or communication with its counters (distinct
// recipients per outcome, as the stores keep them).
type Send struct {
	Kind      SendKind
	ID        string
	Name      string
	Status    string
	StartedAt *time.Time // nil until it started sending
	// CampaignID is the campaign a communication apologises for (empty for a campaign).
	CampaignID string
	Canary     string // campaigns: none, waiting, released

	HandedToESP   int
	Delivered     int
	HardBounced   int
	Complained    int
	Unsubscribed  int
	Opened        int
	MachineOpened int
	Blocked       int
}

// Rate is m of the send per delivered (0 with nothing delivered).
func (s Send) Rate(m Metric) float64 {
	switch m {
	case ComplaintRate:
		return ratio(s.Complained, s.Delivered)
	case BounceRate:
		return ratio(s.HardBounced, s.Delivered)
	case UnsubscribeRate:
		return ratio(s.Unsubscribed, s.Delivered)
	}
	return 0
}

// Rates are the pooled rates of a set of sends: each is the sum of the
// numerators over the sum of delivered (blocks over handed over), so a big
// send weighs as much as its recipients.
type Rates struct {
	Sends           int
	Delivered       int
	BounceRate      float64
	ComplaintRate   float64
	UnsubscribeRate float64
	OpenRate        float64
	MachineOpenRate float64
	BlockRate       float64
}

// Of is the rate of m.
func (r Rates) Of(m Metric) float64 {
	switch m {
	case ComplaintRate:
		return r.ComplaintRate
	case BounceRate:
		return r.BounceRate
	case UnsubscribeRate:
		return r.UnsubscribeRate
	}
	return 0
}

// Aggregate pools the sends' counters into rates.
func Aggregate(sends []Send) Rates {
	var t Send
	for _, s := range sends {
		t.HandedToESP += s.HandedToESP
		t.Delivered += s.Delivered
		t.HardBounced += s.HardBounced
		t.Complained += s.Complained
		t.Unsubscribed += s.Unsubscribed
		t.Opened += s.Opened
		t.MachineOpened += s.MachineOpened
		t.Blocked += s.Blocked
	}
	return Rates{
		Sends:           len(sends),
		Delivered:       t.Delivered,
		BounceRate:      ratio(t.HardBounced, t.Delivered),
		ComplaintRate:   ratio(t.Complained, t.Delivered),
		UnsubscribeRate: ratio(t.Unsubscribed, t.Delivered),
		OpenRate:        ratio(t.Opened, t.Delivered),
		MachineOpenRate: ratio(t.MachineOpened, t.Delivered),
		BlockRate:       ratio(t.Blocked, t.HandedToESP),
	}
}

func ratio(n, d int) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Spread is the standard deviation of each watched rate across the
// baseline's sends (how noisy the brand is; shown, not judged by).
type Spread struct {
	BounceRate      float64 `json:"bounce_rate"`
	ComplaintRate   float64 `json:"complaint_rate"`
	UnsubscribeRate float64 `json:"unsubscribe_rate"`
}

// Baseline is the brand's normal: its sends started in [From, To), To being
// the incident's detected_at, the incident's own campaign left out.
type Baseline struct {
	Rates
	From          time.Time
	To            time.Time
	EnoughHistory bool
	Note          string
	Spread        Spread
}

// ComputeBaseline is the baseline of an incident detected at detectedAt on
// campaign ownCampaignID, from the brand's sends (any window: those outside
// [detectedAt − 30 d, detectedAt), not started, or the incident's own
// campaign are left out). Without enough history (MinBaselineSends sends and
// MinBaselineDelivered delivered) the thresholds are the floors alone, and
// Note says so in words.
func ComputeBaseline(sends []Send, detectedAt time.Time, ownCampaignID string) Baseline {
	from := detectedAt.AddDate(0, 0, -BaselineDays)
	var in []Send
	for _, s := range sends {
		if s.StartedAt == nil || s.StartedAt.Before(from) || !s.StartedAt.Before(detectedAt) {
			continue
		}
		if s.Kind == KindCampaign && s.ID == ownCampaignID {
			continue
		}
		in = append(in, s)
	}
	b := Baseline{Rates: Aggregate(in), From: from, To: detectedAt}
	b.Spread = Spread{BounceRate: stddev(in, BounceRate), ComplaintRate: stddev(in, ComplaintRate),
		UnsubscribeRate: stddev(in, UnsubscribeRate)}
	b.EnoughHistory = b.Sends >= MinBaselineSends && b.Delivered >= MinBaselineDelivered
	if b.EnoughHistory {
		b.Note = fmt.Sprintf("Baseline of %s, %s delivered, in the %d days before the incident.",
			plural(b.Sends, "send"), thousands(b.Delivered), BaselineDays)
	} else {
		b.Note = fmt.Sprintf("Too little history (%s, %s delivered): the fixed thresholds alone apply.",
			plural(b.Sends, "send"), thousands(b.Delivered))
	}
	return b
}

// stddev is the population standard deviation of m over the sends that
// delivered anything.
func stddev(sends []Send, m Metric) float64 {
	var xs []float64
	for _, s := range sends {
		if s.Delivered > 0 {
			xs = append(xs, s.Rate(m))
		}
	}
	if len(xs) < 2 {
		return 0
	}
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	return math.Sqrt(v / float64(len(xs)))
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// thousands writes n with comma separators (1,000).
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
