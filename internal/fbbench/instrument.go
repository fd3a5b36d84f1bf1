package fbbench

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// timedRepo is the real store with a stopwatch on the calls the handoff and
// the snapshot make; everything else is the store's own method. The cost of
// the stopwatch (two clock reads and an append per call) is noise next to a
// transaction.
type timedRepo struct {
	*postgres.Store
	claim, finish, facts, startSend timer
}

var _ campaign.Repo = (*timedRepo)(nil)

func (r *timedRepo) Claim(ctx context.Context, campaignID string, now, deadline time.Time, limit int) (campaign.ClaimResult, error) {
	t0 := time.Now()
	res, err := r.Store.Claim(ctx, campaignID, now, deadline, limit)
	r.claim.add(time.Since(t0))
	return res, err
}

func (r *timedRepo) Finish(ctx context.Context, requestID string, out campaign.Outcome, messageID, reason string) error {
	t0 := time.Now()
	err := r.Store.Finish(ctx, requestID, out, messageID, reason)
	r.finish.add(time.Since(t0))
	return err
}

func (r *timedRepo) AudienceFacts(ctx context.Context, segments []string, asmGroupID int, tags []campaign.Tag) (campaign.AudienceFacts, error) {
	t0 := time.Now()
	f, err := r.Store.AudienceFacts(ctx, segments, asmGroupID, tags)
	r.facts.add(time.Since(t0))
	return f, err
}

func (r *timedRepo) StartSend(ctx context.Context, id, batchID string, now time.Time, a audit.Entry, caution campaign.CautionRule) (campaign.Campaign, error) {
	t0 := time.Now()
	c, err := r.Store.StartSend(ctx, id, batchID, now, a, caution)
	r.startSend.add(time.Since(t0))
	return c, err
}

func (r *timedRepo) resetTimers() {
	for _, t := range []*timer{&r.claim, &r.finish, &r.facts, &r.startSend} {
		t.reset()
	}
}

// timedSender is the real SendGrid adapter with a stopwatch on Send, split
// at the moment net/http asks for a connection: before it, the adapter builds
// the sendgrid-go mail body and marshals it to JSON; after it, the request is
// written and the 202 read back.
type timedSender struct {
	esp.Sender
	send, encode, http timer
}

// reqTrace is one handoff goroutine's record of when its current request
// asked for a connection. A goroutine makes one request at a time, so a plain
// per-goroutine slot is enough; the hook may run on another goroutine, hence
// the atomic.
type reqTrace struct{ getConn atomic.Int64 }

type traceKey struct{}

// withTrace returns ctx carrying a reqTrace and the httptrace hook that fills it.
// The adapter adds its own trace on top; httptrace calls both.
func withTrace(ctx context.Context) context.Context {
	tr := &reqTrace{}
	ctx = context.WithValue(ctx, traceKey{}, tr)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { tr.getConn.CompareAndSwap(0, time.Now().UnixNano()) },
	})
}

func (s *timedSender) Send(ctx context.Context, m esp.Message) (esp.SendResult, error) {
	tr, _ := ctx.Value(traceKey{}).(*reqTrace)
	if tr != nil {
		tr.getConn.Store(0)
	}
	t0 := time.Now()
	res, err := s.Sender.Send(ctx, m)
	end := time.Now()
	s.send.add(end.Sub(t0))
	if tr != nil {
		if at := tr.getConn.Load(); at != 0 {
			gc := time.Unix(0, at)
			s.encode.add(gc.Sub(t0))
			s.http.add(end.Sub(gc))
		}
	}
	return res, err
}

func (s *timedSender) resetTimers() {
	for _, t := range []*timer{&s.send, &s.encode, &s.http} {
		t.reset()
	}
}

// noJobs is campaign.Jobs for a benchmark that runs HandOff itself: Send's
// "start the handoff" and everything else is a no-op.
type noJobs struct{}

var _ campaign.Jobs = noJobs{}

func (noJobs) HandOff(context.Context, string) error                 { return nil }
func (noJobs) HandOffAt(context.Context, string, time.Time) error    { return nil }
func (noJobs) RetryESP(context.Context, string, time.Duration) error { return nil }
