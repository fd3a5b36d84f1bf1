package event_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/event"
)

// fakeRepo stores batches in memory, as the store would, and keeps what it
// was given. Like Postgres, it refuses a whole batch that holds an event it
// cannot store (here: an address starting with "poison"), and fails every
// batch with down when set.
type fakeRepo struct {
	batches     [][]event.Record // every batch it was asked to store
	stored      []event.Record
	quarantined []event.Quarantined
	down        error
	quarantine  error // QuarantineEvent's answer
}

func (f *fakeRepo) IngestEvents(_ context.Context, recs []event.Record, _ time.Time) (event.Result, error) {
	f.batches = append(f.batches, recs)
	if f.down != nil {
		return event.Result{}, f.down
	}
	res := event.Result{Campaigns: []string{}}
	for _, r := range recs {
		if strings.HasPrefix(r.Email, "poison") {
			return event.Result{}, fmt.Errorf("store %d events: %w: value overflows numeric format", len(recs), event.ErrUnstorable)
		}
		if r.CampaignID != "" && !slices.Contains(res.Campaigns, r.CampaignID) {
			res.Campaigns = append(res.Campaigns, r.CampaignID)
		}
	}
	f.stored = append(f.stored, recs...)
	res.Stored = len(recs)
	return res, nil
}

func (f *fakeRepo) QuarantineEvent(_ context.Context, q event.Quarantined) error {
	if f.quarantine != nil {
		return f.quarantine
	}
	f.quarantined = append(f.quarantined, q)
	return nil
}

// decode reads the few keys these tests post into events (the real decoder
// is SendGrid's adapter's, adapter/sendgrid.Decode, tested there).
func decode(t *testing.T, body string) []event.Event {
	t.Helper()
	var in []struct {
		Email       string `json:"email"`
		Event       string `json:"event"`
		SGEventID   string `json:"sg_event_id"`
		Timestamp   int64  `json:"timestamp"`
		CampaignID  string `json:"firebreak_campaign_id"`
		RecipientID string `json:"firebreak_recipient_id"`
	}
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	raws := []json.RawMessage{}
	if err := json.Unmarshal([]byte(body), &raws); err != nil {
		t.Fatal(err)
	}
	evs := make([]event.Event, len(in))
	for i, e := range in {
		evs[i] = event.Event{Email: e.Email, Event: e.Event, SGEventID: e.SGEventID, Timestamp: time.Unix(e.Timestamp, 0).UTC(),
			CampaignID: e.CampaignID, RecipientID: e.RecipientID, Raw: raws[i]}
	}
	return evs
}

// ingest decodes body and hands it to a Service over repo.
func ingest(t *testing.T, repo event.Repo, body string) event.Result {
	t.Helper()
	evs := decode(t, body)
	res, err := event.NewService(repo, nil, nil).Ingest(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestAnAddressTooLongToMailIsNoSuppression: an unsubscribe for an address
// longer than any mailable one (the suppression list indexes addresses) is
// stored, but is no suppression; an ordinary one is.
func TestAnAddressTooLongToMailIsNoSuppression(t *testing.T) {
	repo := &fakeRepo{}
	long := strings.Repeat("a", event.MaxAddressLen-4) + "@x.io" // one byte too many
	ingest(t, repo, `[{"email":"`+long+`","event":"unsubscribe","sg_event_id":"1"},
		{"email":"`+long[1:]+`","event":"unsubscribe","sg_event_id":"2"}]`)
	recs := repo.batches[0]
	if len(recs) != 2 || recs[0].Suppress != "" || recs[1].Suppress != "unsubscribe" {
		t.Fatalf("suppressions %q and %q, want none for the %d-byte address and unsubscribe for the %d-byte one",
			recs[0].Suppress, recs[1].Suppress, len(long), len(long)-1)
	}
}

// batchOf is a post of n events for two campaigns; the events at poisoned
// have an address the fake store refuses.
func batchOf(n int, poisoned ...int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		email := fmt.Sprintf("r%d@x.io", i)
		if slices.Contains(poisoned, i) {
			email = fmt.Sprintf("poison%d@x.io", i)
		}
		fmt.Fprintf(&b, `{"email":%q,"event":"delivered","sg_event_id":"e%d","timestamp":%d,
			"firebreak_campaign_id":"00000000-0000-0000-0000-00000000000%d","firebreak_recipient_id":"00000000-0000-0000-0000-1%011d"}`,
			email, i, 1700000000+i, i%2, i)
	}
	b.WriteString("]")
	return b.String()
}

// TestEventsTheStoreRefusesAreQuarantinedAndTheRestStored: one batch holding
// events the store refuses for their data is split until those are alone;
// they are quarantined, every other event is stored, and Ingest succeeds (the
// post is answered 2xx rather than retried for 24 h and dropped). The split
// costs a few statements per bad event, not one per event.
func TestEventsTheStoreRefusesAreQuarantinedAndTheRestStored(t *testing.T) {
	const n = 64
	repo := &fakeRepo{}
	res := ingest(t, repo, batchOf(n, 5, 41))
	if res.Received != n || res.Stored != n-2 || res.Quarantined != 2 || res.Duplicates != 0 || len(repo.stored) != n-2 {
		t.Fatalf("result %+v, %d stored; want %d stored and 2 quarantined", res, len(repo.stored), n-2)
	}
	if len(res.Campaigns) != 2 {
		t.Errorf("campaigns %v, want both campaigns of the batch, once each", res.Campaigns)
	}
	var got []string
	for _, q := range repo.quarantined {
		got = append(got, q.Email)
		if !strings.Contains(string(q.Raw), `"email":"`+q.Email+`"`) || !strings.Contains(q.Error, "numeric") ||
			q.SGEventID == "" || q.Event != "delivered" || q.Attempts != 1 || q.ReceivedAt.IsZero() {
			t.Errorf("quarantined %+v: want its raw event, ids and the store's error", q)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"poison41@x.io", "poison5@x.io"}) {
		t.Errorf("quarantined %v, want exactly the two refused events", got)
	}
	if limit := 1 + 2*2*bits.Len(n); len(repo.batches) > limit {
		t.Errorf("%d store calls for 2 bad events in %d, want at most %d", len(repo.batches), n, limit)
	}
}

// TestAStoreThatIsDownIsAnErrorNotAQuarantine: only a refusal for the data
// quarantines; Postgres being down is an error (the post is answered 503 and
// SendGrid retries it), and so is a quarantine that cannot be written.
func TestAStoreThatIsDownIsAnErrorNotAQuarantine(t *testing.T) {
	evs := decode(t, batchOf(8, 3))
	down := &fakeRepo{down: fmt.Errorf("connect: %w", errs.Unavailable)}
	if _, err := event.NewService(down, nil, nil).Ingest(context.Background(), evs); !errors.Is(err, errs.Unavailable) {
		t.Errorf("store down: err %v, want it returned", err)
	}
	if len(down.quarantined) != 0 || len(down.batches) != 1 {
		t.Errorf("store down: %d quarantined after %d calls, want none after 1", len(down.quarantined), len(down.batches))
	}
	stuck := &fakeRepo{quarantine: fmt.Errorf("connect: %w", errs.Unavailable)}
	if _, err := event.NewService(stuck, nil, nil).Ingest(context.Background(), evs); !errors.Is(err, errs.Unavailable) {
		t.Errorf("quarantine down: err %v, want it returned", err)
	}
}

// fakeJobs records what Ingest scheduled and answers err.
type fakeJobs struct {
	calls    [][]string
	deadline []bool // whether each call's context had a deadline
	live     []bool // whether each call's context was still live
	err      error
	comms    [][]string // DetectCommunications calls
}

func (f *fakeJobs) Detect(ctx context.Context, ids []string) error {
	_, ok := ctx.Deadline()
	f.calls = append(f.calls, ids)
	f.deadline = append(f.deadline, ok)
	f.live = append(f.live, ctx.Err() == nil)
	return f.err
}

func (f *fakeJobs) DetectCommunications(ctx context.Context, ids []string) error {
	f.comms = append(f.comms, ids)
	return f.err
}

// TestDetectionIsScheduledAfterTheCommitAndItsFailureIsNoIngestError: a
// committed batch schedules the detection of the campaigns it changed, once,
// with a bounded context that the request's cancellation does not end (the
// events are committed; SendGrid hanging up changes nothing). When scheduling
// fails (Redis down), Ingest still succeeds — the events are durable — and
// says why in Result.DetectionErr. A batch that changed no campaign schedules
// nothing.
func TestDetectionIsScheduledAfterTheCommitAndItsFailureIsNoIngestError(t *testing.T) {
	evs := decode(t, batchOf(4))
	down := errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	for _, tc := range []struct {
		name string
		err  error
	}{{"scheduled", nil}, {"redis down", down}} {
		t.Run(tc.name, func(t *testing.T) {
			repo, jobs := &fakeRepo{}, &fakeJobs{err: tc.err}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the client is gone; the batch is stored all the same
			res, err := event.NewService(repo, jobs, nil).Ingest(ctx, evs)
			if err != nil || res.Stored != 4 || len(repo.stored) != 4 {
				t.Fatalf("Ingest: %v, %+v; want 4 stored, no error", err, res)
			}
			want := []string{"00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000001"}
			if len(jobs.calls) != 1 || !slices.Equal(jobs.calls[0], want) || !jobs.deadline[0] || !jobs.live[0] {
				t.Fatalf("scheduled %v (deadline %v, live %v), want one live, bounded call for %v", jobs.calls, jobs.deadline, jobs.live, want)
			}
			if !errors.Is(res.DetectionErr, tc.err) || (tc.err == nil) != (res.DetectionErr == nil) {
				t.Fatalf("DetectionErr %v, want %v", res.DetectionErr, tc.err)
			}
		})
	}
	jobs := &fakeJobs{}
	unattributed := decode(t, `[{"email":"a@x.io","event":"delivered","sg_event_id":"u1","timestamp":1700000000}]`)
	if _, err := event.NewService(&fakeRepo{}, jobs, nil).Ingest(context.Background(), unattributed); err != nil || len(jobs.calls) != 0 {
		t.Fatalf("a batch that changed no campaign scheduled %v (err %v)", jobs.calls, err)
	}
}
