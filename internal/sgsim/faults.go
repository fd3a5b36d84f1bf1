package sgsim

import (
	"net/http"
	"time"
)

// Fault knobs for the whole-stack fault suite (test/faults), beside FailNext
// and HoldSends: a slow SendGrid, a SendGrid that accepts a request and then
// fails or times out the answer (the "in doubt" case: the messages exist and
// their events follow, but the client never hears 202), and a record of what
// the Event Webhook receiver acknowledged, so a test can compare it with
// what Firebreak stored. Every knob is safe for concurrent use.

// faultState is the knobs' state; guarded by Sim.mu.
type faultState struct {
	held        int           // mail/send requests waiting at the HoldSends gate
	latency     time.Duration // added before every mail/send is processed
	afterAccept []acceptFault // answers of the next accepted mail/sends
	retryBase   time.Duration // first webhook retry backoff; 0 = SendGrid's 10 s
	answers     map[int]int   // webhook posts by answer status, 0 = no answer
	acked       map[string]struct{}
}

// acceptFault is how one accepted mail/send is answered: after delay, with
// status (0: the normal 202 and X-Message-Id, only late).
type acceptFault struct {
	status int
	delay  time.Duration
}

// SetSendLatency makes every mail/send wait d after its body is read and
// before it is validated and recorded (0 turns it off), so concurrent
// dispatchers interleave as they would against a real, distant SendGrid.
func (s *Sim) SetSendLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fx.latency = d
}

// AcceptThenAnswer makes the next n valid mail/send requests be accepted as
// usual — messages recorded, "processed" events fired, everything delivered
// later — and then answered after delay with status (0: the normal 202, just
// late). With a delay longer than the client's timeout this is a request
// SendGrid took while the client gave up; with 500 it is a 5xx after the fact.
// Either way the client cannot know the messages exist; their events say so.
// Requests that fail validation are answered 400 at once and do not count.
func (s *Sim) AcceptThenAnswer(n int, delay time.Duration, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fx.afterAccept = append(s.fx.afterAccept, acceptFault{status: status, delay: delay})
	}
}

// HeldSends returns how many mail/send requests are waiting at the HoldSends
// gate now (their bodies read, nothing recorded yet).
func (s *Sim) HeldSends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fx.held
}

// SetWebhookRetryBase sets the first backoff of a failed webhook post (later
// ones double it, capped at 10 minutes). SendGrid's is about 10 s; a fault
// test that keeps the receiver down for seconds shortens it.
func (s *Sim) SetWebhookRetryBase(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fx.retryBase = d
}

// WebhookAnswers counts webhook posts by the status the receiver answered
// (0: no answer — refused connection, timeout).
func (s *Sim) WebhookAnswers() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]int, len(s.fx.answers))
	for k, v := range s.fx.answers {
		out[k] = v
	}
	return out
}

// AckedEvents returns the sg_event_id of every event that was in a post the
// receiver answered with a 2xx: the events it promised to have stored. An
// event posted twice (DuplicateShare, or retried after a lost answer) is
// listed once.
func (s *Sim) AckedEvents() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.fx.acked))
	for id := range s.fx.acked {
		out[id] = true
	}
	return out
}

// waitBeforeSend is mail/send's hook between reading the body and processing
// it: the HoldSends gate, then the latency.
func (s *Sim) waitBeforeSend() {
	s.mu.Lock()
	gate, latency := s.hold, s.fx.latency
	if gate != nil {
		s.fx.held++
	}
	s.mu.Unlock()
	if gate != nil {
		<-gate
		s.mu.Lock()
		s.fx.held--
		s.mu.Unlock()
	}
	if latency > 0 {
		time.Sleep(latency)
	}
}

// answerAccepted is mail/send's hook after a request was recorded: it answers
// the request itself and reports true when an AcceptThenAnswer fault is due.
func (s *Sim) answerAccepted(w http.ResponseWriter, id string) bool {
	s.mu.Lock()
	if len(s.fx.afterAccept) == 0 {
		s.mu.Unlock()
		return false
	}
	f := s.fx.afterAccept[0]
	s.fx.afterAccept = s.fx.afterAccept[1:]
	s.mu.Unlock()
	time.Sleep(f.delay)
	if f.status == 0 {
		w.Header().Set("X-Message-Id", id)
		w.WriteHeader(http.StatusAccepted)
		return true
	}
	writeErrors(w, f.status, apiError{Message: http.StatusText(f.status)})
	return true
}

// noteWebhookAnswer records one post's answer and, for a 2xx, its events as
// acknowledged. The caller holds s.mu.
func (s *Sim) noteWebhookAnswer(evs []outEvent, status int, err error) {
	if s.fx.answers == nil {
		s.fx.answers, s.fx.acked = map[int]int{}, map[string]struct{}{}
	}
	if err != nil {
		status = 0
	}
	s.fx.answers[status]++
	if status >= 200 && status < 300 {
		for _, e := range evs {
			s.fx.acked[e.id] = struct{}{}
		}
	}
}

// webhookBackoff is the wait before the attempt-th retry of a failed post.
// The caller holds s.mu.
func (s *Sim) webhookBackoff(attempt int) time.Duration {
	base := s.fx.retryBase
	if base <= 0 {
		base = 10 * time.Second
	}
	if attempt > 20 {
		return 10 * time.Minute
	}
	return min(base<<(attempt-1), 10*time.Minute)
}
