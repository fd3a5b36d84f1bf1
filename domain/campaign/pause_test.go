package campaign_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

var marketer = audit.Actor{UserID: "11111111-1111-1111-1111-111111111111", Name: "ana@example.com"}

// refusal is SendGrid refusing a pause: the limit of paused batches is reached.
var refusal = &esp.Error{Op: "scheduled_sends", Kind: esp.BatchLimit, Status: 400,
	Messages: []string{"batch_id: max limit of 10 paused or cancelled batches reached"}}

// sending is a campaign half handed over: 400 of 1000 recipients are at
// SendGrid in batch b1, scheduled 15 minutes ahead.
func sending() campaign.Campaign {
	return campaign.Campaign{ID: "c1", Name: "November sale", Status: campaign.Sending, BatchID: "b1",
		Audience: 1000, HandedToESP: 400, SendBufferSeconds: 900, ESPState: campaign.ESPNone}
}

// with returns c changed by f.
func with(c campaign.Campaign, f func(*campaign.Campaign)) campaign.Campaign {
	f(&c)
	return c
}

// newSendingEnv is an env whose campaigns' handed requests go out 15 minutes
// after t0, so a pause SendGrid accepts at t0 still holds them.
func newSendingEnv(c campaign.Campaign) *env {
	e := newEnv(c)
	if c.HandedToESP > 0 {
		e.repo.handed[c.ID] = []campaign.Handed{{SendAt: t0.Add(15 * time.Minute), Count: c.HandedToESP}}
	}
	return e
}

func TestPause(t *testing.T) {
	pausedAt := t0.Add(-time.Minute)
	tests := []struct {
		name        string
		c           campaign.Campaign
		id          string // default c.ID
		refuse      error  // SendGrid's answer to the pause
		wantErr     error
		wantStatus  campaign.Status
		wantESP     campaign.ESPState
		wantESPErr  string
		wantCalls   []espCall
		wantRetries int
		wantHeld    int
		wantActions []string
	}{
		{name: "sending: paused on both planes", c: sending(),
			wantStatus: campaign.Paused, wantESP: campaign.ESPPaused, wantCalls: []espCall{{"b1", "pause"}},
			wantHeld: 1000, wantActions: []string{"campaign.pause", "campaign.esp_paused"}},
		{name: "sent: SendGrid still holds it, paused there",
			c:          with(sending(), func(c *campaign.Campaign) { c.Status, c.HandedToESP = campaign.Sent, 1000 }),
			wantStatus: campaign.Paused, wantESP: campaign.ESPPaused, wantCalls: []espCall{{"b1", "pause"}},
			wantHeld: 1000, wantActions: []string{"campaign.pause", "campaign.esp_paused"}},
		{name: "nothing handed over yet: SendGrid is not asked",
			c:          with(sending(), func(c *campaign.Campaign) { c.HandedToESP = 0 }),
			wantStatus: campaign.Paused, wantESP: campaign.ESPNone,
			wantHeld: 1000, wantActions: []string{"campaign.pause"}},
		{name: "SendGrid refuses: esp_state failed with the reason, a retry enqueued", c: sending(), refuse: refusal,
			wantStatus: campaign.Paused, wantESP: campaign.ESPFailed, wantESPErr: refusal.Error(),
			wantCalls: []espCall{{"b1", "pause"}}, wantRetries: 1,
			wantHeld: 600, wantActions: []string{"campaign.pause", "campaign.esp_failed"}},
		{name: "paused on both planes already: nothing repeated",
			c: with(sending(), func(c *campaign.Campaign) {
				c.Status, c.PausedAt, c.ESPState, c.ESPStateAt = campaign.Paused, &pausedAt, campaign.ESPPaused, &pausedAt
			}),
			wantStatus: campaign.Paused, wantESP: campaign.ESPPaused, wantHeld: 1000},
		{name: "paused, SendGrid refused before: only SendGrid is asked again",
			c: with(sending(), func(c *campaign.Campaign) {
				c.Status, c.PausedAt, c.ESPState, c.ESPStateAt, c.ESPError = campaign.Paused, &pausedAt, campaign.ESPFailed, &pausedAt, "limit"
			}),
			wantStatus: campaign.Paused, wantESP: campaign.ESPPaused, wantCalls: []espCall{{"b1", "pause"}},
			wantHeld: 1000, wantActions: []string{"campaign.esp_paused"}},
		{name: "draft: not_sending, nothing asked",
			c:       with(sending(), func(c *campaign.Campaign) { c.Status, c.BatchID, c.HandedToESP = campaign.Draft, "", 0 }),
			wantErr: campaign.ErrNotSending, wantStatus: campaign.Draft, wantESP: campaign.ESPNone},
		{name: "cancelled: not_sending, nothing asked",
			c:       with(sending(), func(c *campaign.Campaign) { c.Status, c.ESPState = campaign.Cancelled, campaign.ESPCancelled }),
			wantErr: campaign.ErrNotSending, wantStatus: campaign.Cancelled, wantESP: campaign.ESPCancelled},
		{name: "unknown campaign: campaign_not_found", c: sending(), id: "nope",
			wantErr: campaign.ErrNotFound, wantStatus: campaign.Sending, wantESP: campaign.ESPNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSendingEnv(tt.c)
			e.sched.refuse = tt.refuse
			id := tt.id
			if id == "" {
				id = tt.c.ID
			}
			v, err := e.svc.Pause(context.Background(), marketer, id, "wrong segment")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Pause: err %v, want %v", err, tt.wantErr)
			}
			got := e.repo.campaign(t, tt.c.ID)
			if got.Status != tt.wantStatus || got.ESPState != tt.wantESP || got.ESPError != tt.wantESPErr {
				t.Errorf("stored status %s, esp_state %s (%q); want %s, %s (%q)",
					got.Status, got.ESPState, got.ESPError, tt.wantStatus, tt.wantESP, tt.wantESPErr)
			}
			if err == nil {
				if v.Campaign.Status != got.Status || v.Campaign.ESPState != got.ESPState || v.Campaign.ESPError != got.ESPError {
					t.Errorf("view says %s/%s (%q), the store %s/%s (%q)", v.Campaign.Status, v.Campaign.ESPState,
						v.Campaign.ESPError, got.Status, got.ESPState, got.ESPError)
				}
				if v.Counts.Held != tt.wantHeld || v.Counts.PossiblyReceived != tt.c.Audience-tt.wantHeld {
					t.Errorf("view holds %d (possibly received %d), want %d held", v.Counts.Held, v.Counts.PossiblyReceived, tt.wantHeld)
				}
			}
			if calls := e.sched.got(); !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("SendGrid got %v, want %v", calls, tt.wantCalls)
			}
			if _, retries := e.jobs.got(); len(retries) != tt.wantRetries {
				t.Errorf("ESP retries enqueued %v, want %d", retries, tt.wantRetries)
			}
			if acts := e.repo.actions(); !slices.Equal(acts, tt.wantActions) {
				t.Errorf("audit %v, want %v", acts, tt.wantActions)
			}
		})
	}
}

// A pause arriving while another caller is asking SendGrid waits for that
// answer and returns it: SendGrid is asked once, and a refusal is retried by
// the one job the asking caller enqueued, not once per waiter.
func TestPauseWaiterDoesNotAskSendGridAgain(t *testing.T) {
	tests := []struct {
		name        string
		refuse      error
		wantESP     campaign.ESPState
		wantRetries int
	}{
		{name: "SendGrid accepts", wantESP: campaign.ESPPaused},
		{name: "SendGrid refuses", refuse: refusal, wantESP: campaign.ESPFailed, wantRetries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSendingEnv(sending())
			e.sched.refuse = tt.refuse
			e.sched.hold, e.sched.entered = make(chan struct{}), make(chan struct{}, 4)
			type result struct {
				v   campaign.View
				err error
			}
			results := make(chan result, 2)
			pause := func() {
				v, err := e.svc.Pause(context.Background(), marketer, "c1", "wrong segment")
				results <- result{v, err}
			}
			go pause()
			waitFor(t, "the first pause to ask SendGrid", func() bool {
				select {
				case <-e.sched.entered:
					return true
				default:
					return false
				}
			})
			go pause()
			waitFor(t, "the second pause to find SendGrid busy", func() bool { _, lost, _ := e.repo.counts(); return lost > 0 })
			close(e.sched.hold)
			for range 2 {
				r := <-results
				if r.err != nil {
					t.Fatalf("Pause: %v", r.err)
				}
				if r.v.Campaign.Status != campaign.Paused || r.v.Campaign.ESPState != tt.wantESP {
					t.Errorf("a pause returned %s/%s, want paused/%s", r.v.Campaign.Status, r.v.Campaign.ESPState, tt.wantESP)
				}
			}
			if calls := e.sched.got(); !slices.Equal(calls, []espCall{{"b1", "pause"}}) {
				t.Errorf("SendGrid got %v, want one pause", calls)
			}
			if _, retries := e.jobs.got(); len(retries) != tt.wantRetries {
				t.Errorf("ESP retries enqueued %v, want %d", retries, tt.wantRetries)
			}
		})
	}
}

// Pause and Cancel stop Firebreak's plane at once, then return only when no
// handoff request of the campaign is still in flight — finished, or past its
// deadline (its HTTP call was abandoned) — and only then ask SendGrid.
func TestStopWaitsForInFlightHandoffs(t *testing.T) {
	type stop func(*env, context.Context) (campaign.View, error)
	pause := func(e *env, ctx context.Context) (campaign.View, error) {
		return e.svc.Pause(ctx, marketer, "c1", "wrong segment")
	}
	cancel := func(e *env, ctx context.Context) (campaign.View, error) { return e.svc.Cancel(ctx, marketer, "c1") }
	tests := []struct {
		name       string
		stop       stop
		settle     func(*env, context.CancelFunc) // what ends the wait
		wantErr    error
		wantStatus campaign.Status
		wantCalls  []espCall
	}{
		{name: "pause: the request finishes", stop: pause,
			settle:     func(e *env, _ context.CancelFunc) { e.repo.finishRequests("c1") },
			wantStatus: campaign.Paused, wantCalls: []espCall{{"b1", "pause"}}},
		{name: "pause: the request passes its deadline", stop: pause,
			settle:     func(e *env, _ context.CancelFunc) { e.clock.Advance(20 * time.Second) },
			wantStatus: campaign.Paused, wantCalls: []espCall{{"b1", "pause"}}},
		{name: "cancel: the request finishes", stop: cancel,
			settle:     func(e *env, _ context.CancelFunc) { e.repo.finishRequests("c1") },
			wantStatus: campaign.Cancelled, wantCalls: []espCall{{"b1", "cancel"}}},
		{name: "pause: the caller gives up; Firebreak's plane stays paused", stop: pause,
			settle:  func(_ *env, cancel context.CancelFunc) { cancel() },
			wantErr: context.Canceled, wantStatus: campaign.Paused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSendingEnv(sending())
			e.repo.startRequest("c1", t0.Add(17*time.Second))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := tt.stop(e, ctx)
				done <- err
			}()
			for range 3 { // let the service look at the ledger three times
				select {
				case err := <-done:
					t.Fatalf("returned (err %v) while a handoff request was in flight", err)
				case <-e.repo.inFlightHit:
				case <-time.After(5 * time.Second):
					t.Fatal("neither returned nor asked what is in flight")
				}
			}
			select {
			case err := <-done:
				t.Fatalf("returned (err %v) while a handoff request was in flight", err)
			case <-time.After(20 * time.Millisecond):
			}
			if got := e.repo.campaign(t, "c1"); got.Status != tt.wantStatus {
				t.Errorf("while waiting: status %s, want %s (no new claims)", got.Status, tt.wantStatus)
			}
			if calls := e.sched.got(); len(calls) != 0 {
				t.Errorf("SendGrid asked %v before the in-flight request settled", calls)
			}
			tt.settle(e, cancel)
			select {
			case err := <-done:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("still waiting after the request settled")
			}
			if got := e.repo.campaign(t, "c1"); got.Status != tt.wantStatus {
				t.Errorf("status %s, want %s", got.Status, tt.wantStatus)
			}
			if calls := e.sched.got(); !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("SendGrid got %v, want %v", calls, tt.wantCalls)
			}
		})
	}
}

func TestResume(t *testing.T) {
	pausedAt := t0.Add(-time.Minute)
	paused := func(esp campaign.ESPState) campaign.Campaign {
		return with(sending(), func(c *campaign.Campaign) {
			c.Status, c.PausedAt, c.ESPState, c.ESPStateAt = campaign.Paused, &pausedAt, esp, &pausedAt
		})
	}
	tests := []struct {
		name         string
		c            campaign.Campaign
		refuse       error
		wantErr      error
		wantStatus   campaign.Status
		wantESP      campaign.ESPState
		wantCalls    []espCall
		wantHandOffs int
		wantRetries  int
	}{
		{name: "paused on both planes: SendGrid releases, the rest is handed over", c: paused(campaign.ESPPaused),
			wantStatus: campaign.Sending, wantESP: campaign.ESPResumed, wantCalls: []espCall{{"b1", "clear"}}, wantHandOffs: 1},
		{name: "paused before anything was handed over: SendGrid is not asked",
			c:          with(paused(campaign.ESPNone), func(c *campaign.Campaign) { c.HandedToESP, c.ESPStateAt = 0, nil }),
			wantStatus: campaign.Sending, wantESP: campaign.ESPNone, wantHandOffs: 1},
		{name: "SendGrid refuses the release: esp_state failed, retried", c: paused(campaign.ESPPaused), refuse: refusal,
			wantStatus: campaign.Sending, wantESP: campaign.ESPFailed, wantCalls: []espCall{{"b1", "clear"}},
			wantHandOffs: 1, wantRetries: 1},
		{name: "sending: not_paused, nothing changes", c: sending(),
			wantErr: campaign.ErrNotPaused, wantStatus: campaign.Sending, wantESP: campaign.ESPNone},
		{name: "cancelled: not_paused, nothing changes",
			c:       with(sending(), func(c *campaign.Campaign) { c.Status, c.ESPState = campaign.Cancelled, campaign.ESPCancelled }),
			wantErr: campaign.ErrNotPaused, wantStatus: campaign.Cancelled, wantESP: campaign.ESPCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSendingEnv(tt.c)
			e.sched.refuse = tt.refuse
			v, err := e.svc.Resume(context.Background(), marketer, tt.c.ID)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Resume: err %v, want %v", err, tt.wantErr)
			}
			got := e.repo.campaign(t, tt.c.ID)
			if got.Status != tt.wantStatus || got.ESPState != tt.wantESP {
				t.Errorf("stored %s/%s, want %s/%s", got.Status, got.ESPState, tt.wantStatus, tt.wantESP)
			}
			if err == nil && (v.Campaign.Status != got.Status || v.Campaign.ESPState != got.ESPState) {
				t.Errorf("view says %s/%s, the store %s/%s", v.Campaign.Status, v.Campaign.ESPState, got.Status, got.ESPState)
			}
			if calls := e.sched.got(); !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("SendGrid got %v, want %v", calls, tt.wantCalls)
			}
			handOffs, retries := e.jobs.got()
			if len(handOffs) != tt.wantHandOffs || len(retries) != tt.wantRetries {
				t.Errorf("enqueued handoffs %v and ESP retries %v, want %d and %d", handOffs, retries, tt.wantHandOffs, tt.wantRetries)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	at := t0.Add(-time.Minute)
	tests := []struct {
		name          string
		c             campaign.Campaign
		wantErr       error
		wantStatus    campaign.Status
		wantESP       campaign.ESPState
		wantCalls     []espCall
		wantCancelled int // recipients Firebreak dropped
	}{
		{name: "sending: Firebreak drops the rest, SendGrid discards what it holds", c: sending(),
			wantStatus: campaign.Cancelled, wantESP: campaign.ESPCancelled, wantCalls: []espCall{{"b1", "cancel"}}, wantCancelled: 600},
		{name: "paused at SendGrid: cancelled there",
			c: with(sending(), func(c *campaign.Campaign) {
				c.Status, c.PausedAt, c.ESPState, c.ESPStateAt = campaign.Paused, &at, campaign.ESPPaused, &at
			}),
			wantStatus: campaign.Cancelled, wantESP: campaign.ESPCancelled, wantCalls: []espCall{{"b1", "cancel"}}, wantCancelled: 600},
		{name: "draft: cancelled, nothing at SendGrid to ask",
			c:          with(sending(), func(c *campaign.Campaign) { c.Status, c.BatchID, c.HandedToESP, c.Audience = campaign.Draft, "", 0, 0 }),
			wantStatus: campaign.Cancelled, wantESP: campaign.ESPNone},
		{name: "cancelled on both planes already: nothing repeated",
			c: with(sending(), func(c *campaign.Campaign) {
				c.Status, c.ESPState, c.ESPStateAt, c.Cancelled = campaign.Cancelled, campaign.ESPCancelled, &at, 600
			}),
			wantStatus: campaign.Cancelled, wantESP: campaign.ESPCancelled, wantCancelled: 600},
		{name: "failed: campaign_finished",
			c:       with(sending(), func(c *campaign.Campaign) { c.Status = campaign.Failed }),
			wantErr: campaign.ErrFinished, wantStatus: campaign.Failed, wantESP: campaign.ESPNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSendingEnv(tt.c)
			_, err := e.svc.Cancel(context.Background(), marketer, tt.c.ID)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Cancel: err %v, want %v", err, tt.wantErr)
			}
			got := e.repo.campaign(t, tt.c.ID)
			if got.Status != tt.wantStatus || got.ESPState != tt.wantESP || got.Cancelled != tt.wantCancelled {
				t.Errorf("stored %s/%s with %d cancelled, want %s/%s with %d",
					got.Status, got.ESPState, got.Cancelled, tt.wantStatus, tt.wantESP, tt.wantCancelled)
			}
			if calls := e.sched.got(); !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("SendGrid got %v, want %v", calls, tt.wantCalls)
			}
		})
	}
}

// RetryESP is the background retry a refusal enqueued: it succeeds once
// SendGrid accepts, and fails (so the job is retried) while it refuses.
func TestRetryESP(t *testing.T) {
	at := t0.Add(-time.Minute)
	failed := with(sending(), func(c *campaign.Campaign) {
		c.Status, c.PausedAt, c.ESPState, c.ESPStateAt, c.ESPError = campaign.Paused, &at, campaign.ESPFailed, &at, refusal.Error()
	})
	tests := []struct {
		name        string
		c           campaign.Campaign
		refuse      error
		wantErr     bool
		wantESP     campaign.ESPState
		wantCalls   []espCall
		wantRetries int
	}{
		{name: "SendGrid accepts now", c: failed, wantESP: campaign.ESPPaused, wantCalls: []espCall{{"b1", "pause"}}},
		{name: "SendGrid still refuses: an error, and retried again", c: failed, refuse: refusal,
			wantErr: true, wantESP: campaign.ESPFailed, wantCalls: []espCall{{"b1", "pause"}}, wantRetries: 1},
		{name: "already paused there: nothing asked",
			c:       with(failed, func(c *campaign.Campaign) { c.ESPState, c.ESPError = campaign.ESPPaused, "" }),
			wantESP: campaign.ESPPaused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSendingEnv(tt.c)
			e.sched.setRefuse(tt.refuse)
			err := e.svc.RetryESP(context.Background(), tt.c.ID)
			if (err != nil) != tt.wantErr {
				t.Fatalf("RetryESP: err %v, want an error: %v", err, tt.wantErr)
			}
			if got := e.repo.campaign(t, tt.c.ID); got.ESPState != tt.wantESP || got.Status != campaign.Paused {
				t.Errorf("stored %s/%s, want paused/%s", got.Status, got.ESPState, tt.wantESP)
			}
			if calls := e.sched.got(); !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("SendGrid got %v, want %v", calls, tt.wantCalls)
			}
			if _, retries := e.jobs.got(); len(retries) != tt.wantRetries {
				t.Errorf("ESP retries enqueued %v, want %d", retries, tt.wantRetries)
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test after 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
