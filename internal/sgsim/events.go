package sgsim

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Event is one Event Webhook event as posted: SendGrid's keys (email,
// timestamp, event, sg_event_id, sg_message_id, smtp-id, category,
// asm_group_id, and the per-type fields of SENDGRID.md §6.2) plus the
// message's custom args at the top level; SendGrid's keys win a clash.
type Event map[string]any

// futureEvent is an event that occurs later (a delivery after a deferral,
// engagement after a delivery).
type futureEvent struct {
	at     time.Time
	m      *message
	rcpt   string
	kind   string
	extra  map[string]any
	effect func()
}

// later schedules an event at at, or fires it now when at is not in the
// future. The caller holds s.mu.
func (s *Sim) later(at time.Time, m *message, rcpt, kind string, extra map[string]any, effect func()) {
	if !at.After(s.now()) {
		s.fire(m, rcpt, kind, at, extra, effect)
		return
	}
	s.future = append(s.future, futureEvent{at: at, m: m, rcpt: rcpt, kind: kind, extra: extra, effect: effect})
}

// fireDue fires the future events that are due at now, oldest first.
func (s *Sim) fireDue(now time.Time) {
	slices.SortStableFunc(s.future, func(a, b futureEvent) int { return a.at.Compare(b.at) })
	n := 0
	for n < len(s.future) && !s.future[n].at.After(now) {
		f := s.future[n]
		s.fire(f.m, f.rcpt, f.kind, f.at, f.extra, f.effect)
		n++
	}
	s.future = slices.Delete(s.future, 0, n)
}

// fire makes an event happen: it is logged, its side effect (a suppression)
// applied, and it is queued for the webhook. The caller holds s.mu.
func (s *Sim) fire(m *message, rcpt, kind string, at time.Time, extra map[string]any, effect func()) {
	ev := Event{}
	for k, v := range m.CustomArgs {
		ev[k] = v
	}
	maps.Copy(ev, extra)
	ev["email"] = rcpt
	ev["timestamp"] = at.Unix()
	ev["event"] = kind
	ev["sg_event_id"] = randomID(24)
	ev["sg_message_id"] = m.SGMessageID
	cats := slices.Clone(m.Categories)
	if cats == nil {
		cats = []string{}
	}
	ev["category"] = cats
	if m.ASMGroupID != 0 {
		ev["asm_group_id"] = m.ASMGroupID
	}
	switch kind {
	case "processed", "dropped", "delivered", "deferred", "bounce":
		ev["smtp-id"] = "<" + m.MessageID + "@sgsim-ismtpd>"
	}
	s.events = append(s.events, ev)
	m.Events = append(m.Events, kind)
	if effect != nil {
		effect()
	}
	if s.cfg.WebhookURL == "" {
		return
	}
	raw, id := encodeEvent(ev), ev["sg_event_id"].(string)
	s.outbox = append(s.outbox, outEvent{raw: raw, occurred: at, id: id})
	if s.cfg.DuplicateShare > 0 && s.rng.Float64() < s.cfg.DuplicateShare {
		s.dupes = append(s.dupes, outEvent{raw: raw, occurred: at, id: id})
	}
}

// encodeEvent is compact JSON without HTML escaping, as SendGrid sends it.
func encodeEvent(ev Event) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(ev)
	return bytes.TrimRight(buf.Bytes(), "\n")
}
