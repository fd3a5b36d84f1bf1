package event

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/firebreak/firebreak/domain/delivery"
)

// Record is an event ready to store, with what it means: its delivery outcome
// and precedence rank, whether it is a hard bounce, and the suppression it
// creates ("" none).
type Record struct {
	Event
	Key           string // NaturalKey, computed once
	DeliveryState string // processed, deferred, delivered, bounced, blocked, dropped, or ""
	Rank          int    // 1 processed, 2 deferred, 3 final outcomes; 0 engagement and others
	BounceKind    string
	BounceLevel   string
	HardBounce    bool
	Suppress      string // bounce, spamreport, unsubscribe, group_unsubscribe, invalid
}

// Result is what storing a batch did.
type Result struct {
	Received     int      `json:"received"`
	Stored       int      `json:"stored"`
	Duplicates   int      `json:"duplicates"`
	Unattributed int      `json:"unattributed"`
	Campaigns    []string `json:"campaigns"` // campaigns whose counters changed
	// Communications are the step-5 communications whose counters changed.
	Communications []string `json:"communications"`
	Suppressed     int      `json:"suppressed"`
	Quarantined    int      `json:"quarantined"` // refused by the store even alone, kept aside (see Quarantined)
	// DetectionErr is why the detection of Campaigns (or Communications) could not be
	// scheduled (Redis down), nil when it was. The events are durable all the
	// same, and the reconciler re-derives their detection from Postgres; the
	// caller reports it. Not part of the webhook's answer.
	DetectionErr error `json:"-"`
}

// add sums two results of parts of one batch.
func (r Result) add(o Result) Result {
	r.Received += o.Received
	r.Stored += o.Stored
	r.Duplicates += o.Duplicates
	r.Unattributed += o.Unattributed
	r.Suppressed += o.Suppressed
	r.Quarantined += o.Quarantined
	for _, c := range o.Campaigns {
		if !slices.Contains(r.Campaigns, c) {
			r.Campaigns = append(r.Campaigns, c)
		}
	}
	for _, c := range o.Communications {
		if !slices.Contains(r.Communications, c) {
			r.Communications = append(r.Communications, c)
		}
	}
	return r
}

// Repo stores a batch durably, once, in one transaction; it answers
// ErrUnstorable when the store refuses the batch for its data, and keeps
// quarantined events.
type Repo interface {
	IngestEvents(ctx context.Context, recs []Record, received time.Time) (Result, error)
	Quarantiner
}

// Jobs schedules the background work a committed batch calls for (asynq
// behind it: worker/tasks' Enqueuer).
type Jobs interface {
	// Detect schedules the incident detection rules of the campaigns whose
	// counters a committed batch changed. Scheduling is at least once and
	// may coalesce; an error means some were not scheduled.
	Detect(ctx context.Context, campaignIDs []string) error
	// DetectCommunications schedules the spike rules of the communications
	// whose counters a committed batch changed, as Detect.
	DetectCommunications(ctx context.Context, communicationIDs []string) error
}

// ScheduleTimeout bounds how long Ingest waits to schedule detection after
// the commit: with Redis down or stalled, the webhook still answers soon (its
// events are durable; the reconciler catches up). A healthy Redis answers in
// about a millisecond.
const ScheduleTimeout = 500 * time.Millisecond

// Service stores webhook batches.
type Service struct {
	repo Repo
	jobs Jobs
	now  func() time.Time
}

// NewService returns a Service; jobs may be nil (nothing is scheduled).
func NewService(repo Repo, jobs Jobs, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{repo: repo, jobs: jobs, now: now}
}

// Ingest classifies and stores a decoded batch. It returns only after the
// batch is committed: a nil error means every event is durable — stored, or
// quarantined when the store refuses it even on its own (see store). Events
// repeated within the batch (same sg_event_id or natural key) are counted once.
// After the commit it schedules the detection of the campaigns and
// communications whose counters changed, within ScheduleTimeout and even if ctx is cancelled meanwhile (the
// events are committed); a failure is Result.DetectionErr, never the error.
func (s *Service) Ingest(ctx context.Context, evs []Event) (Result, error) {
	recs := make([]Record, 0, len(evs))
	seenID, seenKey := map[string]bool{}, map[string]bool{}
	dups := 0
	for _, e := range evs {
		k := e.NaturalKey()
		if seenID[e.SGEventID] || seenKey[k] {
			dups++
			continue
		}
		seenID[e.SGEventID], seenKey[k] = true, true
		r := classify(e)
		r.Key = k
		recs = append(recs, r)
	}
	res, err := s.store(ctx, recs, s.now())
	if err != nil {
		return Result{}, err
	}
	res.Received = len(evs)
	res.Duplicates += dups
	if s.jobs != nil && (len(res.Campaigns) > 0 || len(res.Communications) > 0) {
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ScheduleTimeout)
		if len(res.Campaigns) > 0 {
			res.DetectionErr = s.jobs.Detect(jctx, res.Campaigns)
		}
		if len(res.Communications) > 0 && res.DetectionErr == nil {
			res.DetectionErr = s.jobs.DetectCommunications(jctx, res.Communications)
		}
		cancel()
	}
	return res, nil
}

// store stores recs as one batch, in one statement. When the store refuses
// the batch for its data (ErrUnstorable), the batch is split in halves, each
// stored the same way, down to single events, which are quarantined: the
// good events of the post are all stored, and one bad event costs some
// 2·log2(n) more statements, only after its batch failed. Any other error
// (Postgres down) is returned, so nothing is answered 2xx that is not durable;
// parts already committed are then duplicates when SendGrid retries.
func (s *Service) store(ctx context.Context, recs []Record, at time.Time) (Result, error) {
	res, err := s.repo.IngestEvents(ctx, recs, at)
	if err == nil || !errors.Is(err, ErrUnstorable) {
		return res, err
	}
	if len(recs) == 1 {
		r := recs[0]
		if err := s.repo.QuarantineEvent(ctx, Quarantined{Raw: r.Raw, SGEventID: r.SGEventID, Event: r.Event.Event,
			Email: r.Email, Error: err.Error(), ReceivedAt: at, LastReceivedAt: at, Attempts: 1}); err != nil {
			return Result{}, fmt.Errorf("quarantine event %s: %w", r.SGEventID, err)
		}
		return Result{Quarantined: 1, Campaigns: []string{}, Communications: []string{}}, nil
	}
	mid := len(recs) / 2
	first, err := s.store(ctx, recs[:mid], at)
	if err != nil {
		return Result{}, err
	}
	rest, err := s.store(ctx, recs[mid:], at)
	if err != nil {
		return Result{}, err
	}
	return first.add(rest), nil
}

// classify decides what an event means for the recipient and the suppression list.
func classify(e Event) Record {
	r := Record{Event: e}
	reason := e.Reason
	if reason == "" { // deferrals carry the server's reply in response
		reason = e.Response
	}
	c := delivery.Classify(e.Event, e.Type, e.Classification, e.Status, reason)
	r.BounceKind, r.BounceLevel = string(c.Kind), string(c.Level)
	switch e.Event {
	case "processed":
		r.DeliveryState, r.Rank = "processed", 1
	case "deferred":
		r.DeliveryState, r.Rank = "deferred", 2
	case "delivered":
		r.DeliveryState, r.Rank = "delivered", 3
	case "dropped":
		r.DeliveryState, r.Rank = "dropped", 3
		if c.Suppress {
			r.Suppress = "invalid"
		}
	case "bounce":
		r.DeliveryState, r.Rank = "bounced", 3
		if e.Type == "blocked" {
			r.DeliveryState = "blocked"
		}
		r.HardBounce = c.Kind == delivery.Hard
		if c.Suppress {
			r.Suppress = "bounce"
		}
	case "spamreport":
		r.Suppress = "spamreport"
	case "unsubscribe":
		r.Suppress = "unsubscribe"
	case "group_unsubscribe":
		if e.ASMGroupID > 0 {
			r.Suppress = "group_unsubscribe"
		}
	}
	if len(e.Email) > MaxAddressLen {
		r.Suppress = ""
	}
	return r
}

// Stored is an event as stored.
type Stored struct {
	ID          int64
	SGEventID   string
	Event       string
	Email       string
	OccurredAt  time.Time
	ReceivedAt  time.Time
	CampaignID  string
	RecipientID string
	BounceKind  string
	BounceLevel string
	Raw         []byte
}

// Filter narrows a listing: one campaign's events, or only the unattributed.
type Filter struct {
	CampaignID   string
	Unattributed bool
	Limit        int
}

// Lister reads stored events.
type Lister interface {
	ListEvents(ctx context.Context, f Filter) ([]Stored, error)
}

// List returns stored events, newest first.
func List(ctx context.Context, l Lister, f Filter) ([]Stored, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	return l.ListEvents(ctx, f)
}
