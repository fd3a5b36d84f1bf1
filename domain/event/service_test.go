package event_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/event"
)

// fakeRepo stores batches in memory, as the store would, and keeps what it was given.
type fakeRepo struct {
	batches [][]event.Record
}

func (f *fakeRepo) IngestEvents(_ context.Context, recs []event.Record, _ time.Time) (event.Result, error) {
	f.batches = append(f.batches, recs)
	return event.Result{Stored: len(recs), Campaigns: []string{}}, nil
}

// ingest decodes body and hands it to a Service over repo.
func ingest(t *testing.T, repo event.Repo, body string) event.Result {
	t.Helper()
	evs, err := event.Decode([]byte(body), time.Now())
	if err != nil {
		t.Fatal(err)
	}
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
