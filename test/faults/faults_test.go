//go:build faults

package faults

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/worker/tasks"
)

// Every case sends one campaign to 5,000 recipients (5,050 imported, 50 of
// them suppressed before the send), in requests of 1,000 with four
// dispatchers, so the first four requests are in flight together and a fifth
// follows: a fault that strikes "mid-send" always has work before and after it.
const (
	imported   = 5050
	suppressed = 50
)

// holdFour sends the campaign and returns once SendGrid holds four requests
// (4,000 recipients) unanswered: every dispatcher is mid-call.
func (s *stack) holdFour(id string) (release func()) {
	s.t.Helper()
	release = s.sim.HoldSends()
	s.t.Cleanup(release)
	s.send(id)
	s.waitFor("four mail/send requests in flight", 30*time.Second, func() bool {
		return s.sim.HeldSends() == tasks.HandoffParallelism
	})
	return release
}

// A worker killed with SIGKILL while four requests are at SendGrid, which
// accepts them after the worker is gone. The restarted worker hands over the
// fifth thousand; the reconciler abandons the four dead requests (in doubt),
// and SendGrid's processed events then prove them handed over.
func TestWorkerKilledMidHandoff(t *testing.T) {
	s := newStack(t)
	s.start("api")
	id, a := s.prepare(imported, suppressed, nil)
	w1 := s.start("worker")
	release := s.holdFour(id)
	w1.kill9(t)
	release()
	s.start("worker")
	c := s.settle(id, "the campaign sent and nothing left in doubt", true, sent)
	f := s.verify("`firebreak worker` kill -9 mid-handoff, restarted", id, a, c, 0)
	if f.InDoubtSettled != 4000 {
		t.Errorf("%d recipients were settled from SendGrid's events, want the 4000 of the dead worker's requests", f.InDoubtSettled)
	}
	if rs := s.requestStates(id); rs["sending"] != 0 || rs["uncertain"] != 0 || c.UncertainRequests != 0 {
		t.Errorf("requests %v, uncertain_requests %d: the dead requests must end accepted", rs, c.UncertainRequests)
	}
}

// The same with the one-process deployment: `firebreak serve` (API, worker
// and webhook receiver) killed mid-handoff. While it is down SendGrid's
// webhook posts find nobody and are retried; the restarted server stores them.
func TestServeKilledMidHandoff(t *testing.T) {
	s := newStack(t)
	srv := s.start("serve")
	id, a := s.prepare(imported, suppressed, nil)
	release := s.holdFour(id)
	srv.kill9(t)
	release()
	s.waitFor("a webhook post refused while firebreak is down", 30*time.Second, func() bool {
		return s.sim.WebhookAnswers()[0] > 0
	})
	s.start("serve")
	c := s.settle(id, "the campaign sent and nothing left in doubt", true, sent)
	f := s.verify("`firebreak serve` kill -9 mid-handoff, restarted", id, a, c, 0)
	if f.InDoubtSettled != 4000 {
		t.Errorf("%d recipients were settled from SendGrid's events, want 4000", f.InDoubtSettled)
	}
}

// Redis stopped, restarted empty and flushed while the rest of a canary
// campaign waits in it as a scheduled task: the only pointer to that work is
// lost. The periodic reconciler (the worker's own scheduler, not the test)
// re-derives it from Postgres and the rest goes out, once.
func TestRedisLostMidSend(t *testing.T) {
	s := newStack(t)
	s.start("api")
	id, a := s.prepare(imported, suppressed, map[string]any{"canary_percent": 10, "canary_hold_seconds": 5})
	s.start("worker")
	s.send(id)
	s.waitFor("the canary handed over and the rest scheduled", 30*time.Second, func() bool {
		c := s.campaign(id)
		return c.CanaryReleaseAt != nil && c.Counts.HandedToESP == 500
	})
	opt, _ := asynq.ParseRedisURI(s.redis.URL())
	insp := asynq.NewInspector(opt)
	scheduled, err := insp.ListScheduledTasks(tasks.QueueBulk)
	insp.Close()
	if err != nil || len(scheduled) == 0 {
		t.Fatalf("the rest of the campaign must wait in Redis as a scheduled handoff: %v %v", scheduled, err)
	}
	for _, task := range scheduled {
		if task.Type != tasks.TypeCampaignHandoff {
			t.Fatalf("scheduled %s, want only the campaign's handoff", task.Type)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.redis.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.redis.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.redis.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	c := s.settle(id, "the rest re-derived by the periodic reconciler", false, sent)
	s.verify("Redis stopped, flushed, restarted mid-send (canary hold)", id, a, c, 0)
}

// Postgres stopped while four requests are at SendGrid, which then accepts
// them: the workers cannot record the outcome, and the webhook, receiving
// their processed events, answers 503. Postgres comes back; the requests are
// abandoned as in doubt, SendGrid's retried posts are stored (once), and
// their events settle the doubt.
func TestPostgresRestartedMidSendAndMidWebhook(t *testing.T) {
	s := newStack(t)
	s.start("serve")
	id, a := s.prepare(imported, suppressed, nil)
	release := s.holdFour(id)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	release()
	s.waitFor("the webhook answering 503 while Postgres is down", 30*time.Second, func() bool {
		return s.sim.WebhookAnswers()[http.StatusServiceUnavailable] > 0
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c := s.settle(id, "the campaign sent and nothing left in doubt", true, sent)
	f := s.verify("Postgres restarted mid-send and mid-webhook", id, a, c, 0)
	if f.InDoubtSettled != 4000 {
		t.Errorf("%d recipients settled from SendGrid's events, want the 4000 whose outcome could not be recorded", f.InDoubtSettled)
	}
}

// SendGrid answers three mail/sends with 429 and X-RateLimit-Reset: nothing
// was accepted, so their recipients go back to pending and are sent once,
// after the reset.
func TestSendGrid429WithRateLimitReset(t *testing.T) {
	s := newStack(t)
	s.start("serve")
	id, a := s.prepare(imported, suppressed, nil)
	s.sim.FailNext("/v3/mail/send", 3, http.StatusTooManyRequests,
		http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)}})
	s.send(id)
	c := s.settle(id, "the campaign sent", true, sent)
	s.verify("SendGrid 429 with X-RateLimit-Reset (3 requests)", id, a, c, 0)
	if rs := s.requestStates(id); rs["retry"] != 3 || rs["uncertain"] != 0 || rs["failed"] != 0 {
		t.Errorf("requests %v: want exactly the three 429s retried, nothing in doubt or failed", rs)
	}
}

// SendGrid answers two mail/sends with 500 and keeps nothing. Their 2,000
// recipients are in doubt and stay so — no event can come, the reconciler
// never resends — until a marketer sends them after the wait; then they go
// out once, and asking again is 409.
func TestSendGrid500sThenSendInDoubt(t *testing.T) {
	s := newStack(t)
	s.start("serve")
	id, a := s.prepare(imported, suppressed, nil)
	s.sim.FailNext("/v3/mail/send", 2, http.StatusInternalServerError, nil)
	s.send(id)
	c := s.settle(id, "the campaign sent with two requests in doubt", true, func(c campaignView) bool {
		return c.Status == "sent" && c.Counts.InDoubt == 2000
	})
	if n := len(s.sim.Messages()); n != 3000 || c.Counts.HandedToESP != 3000 {
		t.Fatalf("SendGrid has %d messages, Firebreak handed %d; want 3000 and 3000", n, c.Counts.HandedToESP)
	}
	deadline := s.uncertainDeadline(id)
	s.waitFor("the in-doubt requests past the wait", time.Minute, func() bool {
		return time.Now().After(deadline.Add(2 * time.Second))
	})
	var out struct {
		Released int `json:"released"`
	}
	if code := s.do("POST", "/api/v1/campaigns/"+id+"/send-in-doubt", nil, &out); code != http.StatusAccepted || out.Released != 2000 {
		t.Fatalf("send-in-doubt: %d, released %d; want 202 and 2000", code, out.Released)
	}
	var refusal struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if code := s.do("POST", "/api/v1/campaigns/"+id+"/send-in-doubt", nil, &refusal); code != http.StatusConflict ||
		refusal.Error.Code != "nothing_in_doubt" {
		t.Fatalf("second send-in-doubt: %d %q; want 409 nothing_in_doubt", code, refusal.Error.Code)
	}
	c = s.settle(id, "the released recipients handed over", true, sent)
	f := s.verify("SendGrid 500 (2 requests, nothing kept), then send-in-doubt", id, a, c, 0)
	if f.SentAgain != 2000 || f.InDoubtSettled != 0 {
		t.Errorf("sent again %d, settled by events %d; want 2000 and 0", f.SentAgain, f.InDoubtSettled)
	}
}

// SendGrid accepts two mail/sends and then answers one after the client's
// timeout and the other with a 500: the client cannot know, SendGrid's
// processed events can. Both requests are settled as handed, nobody is resent.
func TestSendGridAcceptsThenTimesOutOr500s(t *testing.T) {
	s := newStack(t)
	s.start("serve")
	id, a := s.prepare(imported, suppressed, nil)
	s.sim.AcceptThenAnswer(1, 6*time.Second, 0) // the client gives up after 4 s
	s.sim.AcceptThenAnswer(1, 0, http.StatusInternalServerError)
	s.send(id)
	c := s.settle(id, "the campaign sent and nothing left in doubt", true, sent)
	f := s.verify("SendGrid accepts, then times out (1) or answers 500 (1)", id, a, c, 0)
	if f.InDoubtSettled != 2000 || f.SentAgain != 0 {
		t.Errorf("settled by events %d, sent again %d; want 2000 and 0", f.InDoubtSettled, f.SentAgain)
	}
}

// Two `firebreak worker` processes and twelve dispatchers race on one
// campaign of 8,000 against a slow SendGrid: claims never overlap.
func TestTwoWorkersRaceOnOneCampaign(t *testing.T) {
	s := newStack(t)
	s.start("api")
	id, a := s.prepare(8080, 80, nil)
	s.sim.SetSendLatency(200 * time.Millisecond)
	s.start("worker")
	s.start("worker")
	s.send(id)
	s.enqueueHandoffs(id, 8)
	c := s.settle(id, "the campaign sent", true, sent)
	s.verify("two `firebreak worker` processes, 12 dispatchers, one campaign", id, a, c, 0)
}
