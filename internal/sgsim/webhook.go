package sgsim

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The Signed Event Webhook headers (SENDGRID.md §7.1).
const (
	SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature"
	TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp"
)

// outEvent is one encoded event waiting to be posted; occurred starts its
// rolling retry window.
type outEvent struct {
	raw      []byte
	occurred time.Time
	id       string // sg_event_id
}

// retryPost is a post that failed and is tried again at next.
type retryPost struct {
	events  []outEvent
	attempt int
	next    time.Time
}

// WebhookStats counts webhook posts (part of Stats).
type WebhookStats struct {
	Posts        int    `json:"posts"`
	Failures     int    `json:"failures"`
	EventsPosted int    `json:"events_posted"`
	EventsLost   int    `json:"events_lost"` // given up after RetryWindow
	LastStatus   int    `json:"last_status"` // 0: no answer
	LastError    string `json:"last_error,omitempty"`
}

// Run drives the simulator until ctx ends, then returns nil: every 250 ms (or
// FlushInterval, if shorter) it runs the scheduler, and it posts the pending
// events every FlushInterval or as soon as MaxEventsPerPost are waiting, plus
// any retry that is due. Posts run beside the scheduler, one flush at a time.
func (s *Sim) Run(ctx context.Context) error {
	t := time.NewTicker(min(s.cfg.FlushInterval, 250*time.Millisecond))
	defer t.Stop()
	var wg sync.WaitGroup
	var posting atomic.Bool
	s.mu.Lock()
	s.lastFlush = time.Now()
	s.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
		}
		s.mu.Lock()
		now := s.now()
		s.step(now)
		var posts []retryPost
		if !posting.Load() {
			flush := time.Since(s.lastFlush) >= s.cfg.FlushInterval || len(s.outbox) >= s.cfg.MaxEventsPerPost
			posts = s.collect(now, flush)
		}
		s.mu.Unlock()
		if len(posts) > 0 {
			posting.Store(true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer posting.Store(false)
				s.postAll(ctx, posts)
			}()
		}
	}
}

// Tick runs one scheduler step at the current (injected) time and posts,
// before it returns, every pending event and every retry that is due. Tests
// with an injected clock advance the clock and call Tick instead of Run.
func (s *Sim) Tick() {
	s.mu.Lock()
	now := s.now()
	s.step(now)
	posts := s.collect(now, true)
	s.mu.Unlock()
	s.postAll(context.Background(), posts)
}

// collect takes the retries due at now and, when flush is set, the outbox cut
// into posts (shuffled and of random size when Reorder is on). Duplicates
// queued since the last flush join the outbox for the next one.
// The caller holds s.mu.
func (s *Sim) collect(now time.Time, flush bool) []retryPost {
	var out []retryPost
	var keep []retryPost
	for _, p := range s.retries {
		if p.next.After(now) {
			keep = append(keep, p)
			continue
		}
		live := p.events[:0:0]
		for _, e := range p.events {
			if now.Before(e.occurred.Add(s.cfg.RetryWindow)) {
				live = append(live, e)
			}
		}
		s.wh.EventsLost += len(p.events) - len(live)
		if p.events = live; len(live) > 0 {
			out = append(out, p)
		}
	}
	s.retries = keep
	if !flush {
		return out
	}
	s.lastFlush = time.Now()
	evs := s.outbox
	s.outbox, s.dupes = s.dupes, nil
	if s.cfg.Reorder {
		s.rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	}
	for len(evs) > 0 {
		limit := s.cfg.MaxEventsPerPost
		if s.cfg.Reorder {
			limit = 1 + s.rng.IntN(limit)
		}
		n, size := 0, 2
		for n < len(evs) && n < limit && (n == 0 || size+len(evs[n].raw)+1 <= maxPostBytes) {
			size += len(evs[n].raw) + 1
			n++
		}
		out = append(out, retryPost{events: evs[:n:n]})
		evs = evs[n:]
	}
	return out
}

func (s *Sim) postAll(ctx context.Context, posts []retryPost) {
	if len(posts) == 0 {
		return
	}
	s.postMu.Lock()
	defer s.postMu.Unlock()
	for _, p := range posts {
		s.post(ctx, p)
	}
}

// post sends one signed JSON array ending in "\r\n". A non-2xx answer or no
// answer re-queues the events that are still inside their RetryWindow, with
// backoff 10 s, 20 s, 40 s … capped at 10 minutes (SetWebhookRetryBase).
func (s *Sim) post(ctx context.Context, p retryPost) {
	body := eventsBody(p.events)
	ts := itoa64(s.now().Unix())
	status, err := s.send(ctx, ts, body)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteWebhookAnswer(p.events, status, err)
	s.wh.Posts++
	s.wh.LastStatus = status
	if err == nil && status >= 200 && status < 300 {
		s.wh.EventsPosted += len(p.events)
		s.wh.LastError = ""
		return
	}
	s.wh.Failures++
	if err != nil {
		s.wh.LastError = err.Error()
	} else {
		s.wh.LastError = fmt.Sprintf("HTTP %d", status)
	}
	now := s.now()
	var left []outEvent
	for _, e := range p.events {
		if now.Before(e.occurred.Add(s.cfg.RetryWindow)) {
			left = append(left, e)
		}
	}
	s.wh.EventsLost += len(p.events) - len(left)
	if len(left) > 0 {
		p.attempt++
		p.events = left
		p.next = now.Add(s.webhookBackoff(p.attempt))
		s.retries = append(s.retries, p)
	}
}

func (s *Sim) send(ctx context.Context, ts string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "SendGrid Event API")
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Sign(s.key, ts, body))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode, nil
}

func eventsBody(evs []outEvent) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e.raw)
	}
	b.WriteString("]\r\n")
	return b.Bytes()
}

// Sign returns SendGrid's webhook signature of body at timestamp ts: base64
// (standard) of the ASN.1 DER ECDSA signature over sha256(ts || body).
func Sign(key *ecdsa.PrivateKey, ts string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(ts))
	h.Write(body)
	sig, err := ecdsa.SignASN1(rand.Reader, key, h.Sum(nil))
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sig)
}
