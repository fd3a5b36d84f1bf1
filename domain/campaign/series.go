package campaign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

// SeriesCounts are recipients per outcome, counted exactly as the campaign's
// counters count them (Counts): delivered, bounced, blocked and dropped by
// each recipient's final delivery outcome at the time SendGrid reported it;
// deferred and the engagements at their first time. Summed over every bucket
// they are the campaign's counters.
type SeriesCounts struct {
	Delivered    int `json:"delivered"`
	Bounced      int `json:"bounced"`
	Blocked      int `json:"blocked"`
	Dropped      int `json:"dropped"`
	Deferred     int `json:"deferred"`
	Opened       int `json:"opened"`
	Clicked      int `json:"clicked"`
	Complained   int `json:"complained"`
	Unsubscribed int `json:"unsubscribed"`
}

// Add returns c and d added outcome by outcome.
func (c SeriesCounts) Add(d SeriesCounts) SeriesCounts {
	return SeriesCounts{Delivered: c.Delivered + d.Delivered, Bounced: c.Bounced + d.Bounced,
		Blocked: c.Blocked + d.Blocked, Dropped: c.Dropped + d.Dropped, Deferred: c.Deferred + d.Deferred,
		Opened: c.Opened + d.Opened, Clicked: c.Clicked + d.Clicked, Complained: c.Complained + d.Complained,
		Unsubscribed: c.Unsubscribed + d.Unsubscribed}
}

// SeriesBucket is one bucket of the series: [At, At+bucket).
type SeriesBucket struct {
	At time.Time
	SeriesCounts
}

// EventSeries is a campaign's outcomes over time, over its whole life (not a
// page of its latest events): every bucket from the first outcome to the
// last, empty ones included, so a spike stands out against the time around it.
type EventSeries struct {
	Bucket  time.Duration
	Buckets []SeriesBucket
	Totals  SeriesCounts
}

// SeriesBucketSizes are the bucket sizes a series may be asked in, by name,
// smallest first; "auto" (or nothing) picks the smallest that draws the
// campaign's span in at most AutoSeriesBuckets.
var SeriesBucketSizes = []struct {
	Name string
	Size time.Duration
}{
	{"1m", time.Minute}, {"5m", 5 * time.Minute}, {"15m", 15 * time.Minute},
	{"1h", time.Hour}, {"6h", 6 * time.Hour}, {"1d", 24 * time.Hour},
}

// AutoSeriesBuckets is how many buckets an automatic size aims at, at most
// (a readable bar chart); MaxSeriesBuckets is the most any series returns.
const (
	AutoSeriesBuckets = 180
	MaxSeriesBuckets  = 1440
)

// ParseSeriesBucket reads ?bucket=: "" or "auto" is 0 (pick by the span),
// else one of SeriesBucketSizes; anything else is a field error.
func ParseSeriesBucket(s string) (time.Duration, error) {
	if s == "" || s == "auto" {
		return 0, nil
	}
	names := []string{"auto"}
	for _, b := range SeriesBucketSizes {
		if b.Name == s {
			return b.Size, nil
		}
		names = append(names, b.Name)
	}
	var f errs.Fields
	f.Add("bucket", "must be one of "+strings.Join(names, ", "))
	return 0, f.Err()
}

// AutoBucket is the smallest bucket size that draws from..to in at most
// AutoSeriesBuckets buckets (the largest size when none does).
func AutoBucket(from, to time.Time) time.Duration {
	span := to.Sub(from)
	for _, b := range SeriesBucketSizes {
		if span < time.Duration(AutoSeriesBuckets)*b.Size {
			return b.Size
		}
	}
	return SeriesBucketSizes[len(SeriesBucketSizes)-1].Size
}

// SeriesRepo is the storage of the series (implemented by adapter/postgres).
type SeriesRepo interface {
	// OutcomeSpan is the earliest and latest time of any outcome of the
	// campaign (nil, nil when SendGrid has reported nothing yet).
	OutcomeSpan(ctx context.Context, campaignID string) (from, to *time.Time, err error)
	// OutcomeSeries counts the campaign's outcomes in buckets of size bucket,
	// aligned to whole multiples of it since 2000-01-01 UTC, every bucket
	// from the one holding from to the one holding to, oldest first, in one
	// aggregate over its recipients' outcomes; at most limit buckets.
	OutcomeSeries(ctx context.Context, campaignID string, bucket time.Duration, from, to time.Time, limit int) ([]SeriesBucket, error)
}

// EventSeries returns the campaign's outcomes over time in buckets of size
// bucket (0: AutoBucket of its span). A campaign with no outcome yet has no
// buckets; a size that would need more than MaxSeriesBuckets is a field error
// on bucket. Totals are the sum of the buckets, which are the counters.
func (s *Service) EventSeries(ctx context.Context, id string, bucket time.Duration) (EventSeries, error) {
	if _, err := s.repo.GetCampaign(ctx, id); err != nil {
		return EventSeries{}, err
	}
	from, to, err := s.repo.OutcomeSpan(ctx, id)
	if err != nil {
		return EventSeries{}, err
	}
	out := EventSeries{Bucket: bucket, Buckets: []SeriesBucket{}}
	if from == nil || to == nil {
		if out.Bucket == 0 {
			out.Bucket = SeriesBucketSizes[0].Size
		}
		return out, nil
	}
	if out.Bucket == 0 {
		out.Bucket = AutoBucket(*from, *to)
	}
	if n := int(to.Sub(*from)/out.Bucket) + 1; n > MaxSeriesBuckets {
		var f errs.Fields
		f.Add("bucket", fmt.Sprintf("too fine for this campaign: it would draw %d buckets, at most %d; choose a larger one or auto", n, MaxSeriesBuckets))
		return EventSeries{}, f.Err()
	}
	if out.Buckets, err = s.repo.OutcomeSeries(ctx, id, out.Bucket, *from, *to, MaxSeriesBuckets+1); err != nil {
		return EventSeries{}, err
	}
	for _, b := range out.Buckets {
		out.Totals = out.Totals.Add(b.SeriesCounts)
	}
	return out, nil
}
