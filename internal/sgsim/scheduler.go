package sgsim

import (
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
)

// step runs the scheduler at now: messages whose send time has come go out,
// are held (paused batch) or discarded (cancelled batch); held messages
// expire 72 h after their send time; future events that are due fire.
// The caller holds s.mu.
//
// The 10-minute rule (SENDGRID.md §3) is applied per message: a batch status
// catches a message only when the message's send time is at least 10 minutes
// after the status was first set (POST; PATCH keeps that time). Messages due
// sooner go out as if the batch had no status. Firebreak's "held" count
// relies on exactly this.
func (s *Sim) step(now time.Time) {
	keep := s.active[:0]
	for _, m := range s.active {
		switch m.State {
		case StateScheduled:
			if m.due.After(now) {
				keep = append(keep, m)
				continue
			}
			b := s.batches[m.BatchID]
			if b != nil && b.status != "" && !m.due.Before(b.since.Add(pauseDeadline)) {
				if b.status == statusCancel {
					m.State = StateCancelled
					continue
				}
				m.State = StateHeld
			} else {
				s.sendOut(m, now)
				continue
			}
			fallthrough
		case StateHeld:
			b := s.batches[m.BatchID]
			switch {
			case b == nil || b.status == "":
				s.sendOut(m, now)
			case b.status == statusCancel:
				m.State = StateCancelled
			case now.After(m.due.Add(scheduleWindow)):
				m.State = StateExpired
			default:
				keep = append(keep, m)
			}
		}
	}
	clear(s.active[len(keep):])
	s.active = keep
	s.fireDue(now)
}

// sendOut decides each recipient's fate: dropped when suppressed, otherwise
// by the Outcomes shares. The Message's State follows the To recipient.
func (s *Sim) sendOut(m *message, now time.Time) {
	o := s.cfg.Outcomes
	for i, rcpt := range m.recipients {
		rng := s.recipientRand(rcpt)
		u := rng.Float64()
		var st State
		switch reason := s.suppressedReason(m, rcpt); {
		case reason != "":
			st = StateDropped
			s.fire(m, rcpt, "dropped", now, map[string]any{"reason": reason, "status": "5.0.0"}, nil)
		case u < o.Bounce:
			st = StateBounced
			s.fire(m, rcpt, "bounce", now, map[string]any{
				"reason": bounceReason, "status": "5.1.1", "type": "bounce",
				"bounce_classification": "Invalid Address", "ip": sendingIP, "tls": 1,
			}, func() { s.addSuppression("bounces", rcpt, "") })
		case u < o.Bounce+o.Block:
			st = StateBlocked
			s.fire(m, rcpt, "bounce", now, map[string]any{
				"reason": blockReason, "status": "5.7.1", "type": "blocked",
				"bounce_classification": "Reputation", "ip": sendingIP, "tls": 0,
			}, func() { s.addSuppression("blocks", rcpt, "") })
		case u < o.Bounce+o.Block+o.Dropped:
			st = StateDropped
			s.fire(m, rcpt, "dropped", now, map[string]any{"reason": "Invalid", "status": "5.1.3"},
				func() { s.addSuppression("invalid_emails", rcpt, "") })
		case u < o.Bounce+o.Block+o.Dropped+o.Deferred:
			st = StateDeferred
			s.fire(m, rcpt, "deferred", now, map[string]any{
				"response": deferReason, "attempt": "1", "ip": sendingIP,
			}, nil)
			at := now.Add(s.scaled(time.Minute + time.Duration(rng.Int64N(int64(4*time.Minute)))))
			first := i == 0
			s.later(at, m, rcpt, "delivered", deliveredFields(at), func() {
				if first {
					m.State = StateDelivered
				}
			})
			s.engage(m, rcpt, at, rng)
		default:
			st = StateDelivered
			s.fire(m, rcpt, "delivered", now, deliveredFields(now), nil)
			s.engage(m, rcpt, now, rng)
		}
		if i == 0 {
			m.State = st
		}
	}
}

// The texts and addresses of simulated SMTP traffic (documentation ranges).
const (
	sendingIP    = "192.0.2.10"
	recipientIP  = "203.0.113.17"
	bounceReason = "550 5.1.1 The email account that you tried to reach does not exist."
	blockReason  = "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using a reputation list"
	deferReason  = "452 4.2.2 The recipient's inbox is out of storage space."
	userAgent    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
)

func deliveredFields(at time.Time) map[string]any {
	return map[string]any{"response": "250 2.0.0 OK " + itoa64(at.Unix()) + " sgsim - gsmtp", "ip": sendingIP, "tls": 1}
}

// engage schedules the engagement that follows a delivery at d: an open 1–10
// minutes later (about a third of them Apple MPP machine opens), a click after
// it (a click implies an open), a spam report 5–30 minutes after delivery,
// and an unsubscribe (a group unsubscribe when the mail had an asm group)
// after the open. Each share is drawn independently. The delays are divided
// by Config.EngagementSpeedup; the draws are the same whatever it is, so a
// recipient's fate does not depend on it.
func (s *Sim) engage(m *message, rcpt string, d time.Time, rng *rand.Rand) {
	o := s.cfg.Outcomes
	uOpen, uClick, uSpam, uUnsub, uMachine := rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()
	openAt := d.Add(s.scaled(time.Minute + time.Duration(rng.Int64N(int64(9*time.Minute)))))
	clickAt := openAt.Add(s.scaled(10*time.Second + time.Duration(rng.Int64N(int64(110*time.Second)))))
	spamAt := d.Add(s.scaled(5*time.Minute + time.Duration(rng.Int64N(int64(25*time.Minute)))))
	unsubAt := openAt.Add(s.scaled(time.Minute + time.Duration(rng.Int64N(int64(4*time.Minute)))))
	clicked := uClick < o.Click
	if clicked || uOpen < o.Open {
		s.later(openAt, m, rcpt, "open", map[string]any{
			"useragent": userAgent, "ip": recipientIP, "sg_machine_open": uMachine < 1.0/3, "sg_content_type": "html",
		}, nil)
	}
	if clicked {
		s.later(clickAt, m, rcpt, "click", map[string]any{
			"useragent": userAgent, "ip": recipientIP, "url": firstURL(m.Contents),
			"url_offset": map[string]any{"index": 0, "type": "html"},
		}, nil)
	}
	if uSpam < o.SpamReport {
		s.later(spamAt, m, rcpt, "spamreport", nil, func() { s.addSuppression("spam_reports", rcpt, "") })
	}
	if uUnsub < o.Unsubscribe {
		if g := m.ASMGroupID; g != 0 {
			s.later(unsubAt, m, rcpt, "group_unsubscribe", map[string]any{
				"useragent": userAgent, "ip": recipientIP,
				"url": "https://sgsim.invalid/asm/unsubscribe/?group=" + itoa(g),
			}, func() { s.addGroupSuppression(g, rcpt) })
		} else {
			s.later(unsubAt, m, rcpt, "unsubscribe", nil, func() { s.addSuppression("unsubscribes", rcpt, "") })
		}
	}
}

// scaled divides a delay after delivery by the configured speed-up.
func (s *Sim) scaled(d time.Duration) time.Duration {
	if k := s.cfg.EngagementSpeedup; k > 1 {
		return time.Duration(float64(d) / k)
	}
	return d
}

var hrefRE = regexp.MustCompile(`https?://[^\s"'<>]+`)

// firstURL is the link a simulated click follows: the first URL in the mail.
func firstURL(cs []Content) string {
	for _, c := range cs {
		if u := hrefRE.FindString(c.Value); u != "" {
			return u
		}
	}
	return "https://example.com/"
}

// recipientRand is the deterministic random source for one send to rcpt:
// derived from the Seed, the address and how many messages to it went out
// before, so outcomes do not depend on which other mail was sent.
func (s *Sim) recipientRand(rcpt string) *rand.Rand {
	key := strings.ToLower(rcpt)
	h := fnv.New64a()
	h.Write([]byte(key))
	n := s.perEmail[key]
	s.perEmail[key] = n + 1
	return rand.New(rand.NewPCG(uint64(s.cfg.Seed)^h.Sum64(), n))
}

// suppressedReason is the dropped reason for rcpt, or "" when it may be
// sent to. Blocks do not suppress; bypass_* mail settings are honoured.
func (s *Sim) suppressedReason(m *message, rcpt string) string {
	if m.bypass.all {
		return ""
	}
	e := strings.ToLower(rcpt)
	switch {
	case !m.bypass.bounces && s.isListed("bounces", e):
		return "Bounced Address"
	case !m.bypass.spam && s.isListed("spam_reports", e):
		return "Spam Reporting Address"
	case !m.bypass.unsubscribes && s.isListed("unsubscribes", e):
		return "Unsubscribed Address"
	case !m.bypass.unsubscribes && m.ASMGroupID != 0 && s.inGroup(m.ASMGroupID, e):
		return "Unsubscribed Address"
	case s.isListed("invalid_emails", e):
		return "Invalid"
	}
	return ""
}
