package sgsim

import (
	"maps"
	"slices"
	"time"
)

// State is where an accepted message is in the simulator's life cycle.
type State string

// The message states. Scheduled and held messages have not left SendGrid;
// deferred, delivered, bounced and blocked ones have; dropped, cancelled and
// expired ones never will.
const (
	StateScheduled State = "scheduled" // waiting for send_at
	StateHeld      State = "held"      // send_at passed while its batch is paused
	StateDeferred  State = "deferred"  // went out, temporarily refused, delivered later
	StateDelivered State = "delivered" // went out and was accepted by the recipient's server
	StateBounced   State = "bounced"   // went out, rejected (bounce type "bounce"; suppresses)
	StateBlocked   State = "blocked"   // went out, rejected (bounce type "blocked"; does not suppress)
	StateDropped   State = "dropped"   // never sent: suppressed address or the Dropped share
	StateCancelled State = "cancelled" // discarded at send_at because its batch was cancelled
	StateExpired   State = "expired"   // paused for more than 72 h after send_at
)

// Address is an email address with its display name.
type Address struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Content is one body part, in request order.
type Content struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Message is one accepted personalization, as the simulator recorded it: the
// subject and contents have the personalization's substitutions applied, and
// CustomArgs are the message-level args merged with the personalization's
// (the personalization wins).
type Message struct {
	MessageID     string            `json:"message_id"`    // the request's X-Message-Id
	SGMessageID   string            `json:"sg_message_id"` // X-Message-Id + ".recvd-…-<n>.0", as on its events
	To            string            `json:"to"`            // the first "to" address
	ToName        string            `json:"to_name,omitempty"`
	Cc            []string          `json:"cc,omitempty"`
	Bcc           []string          `json:"bcc,omitempty"`
	BatchID       string            `json:"batch_id,omitempty"`
	SendAt        time.Time         `json:"send_at,omitzero"` // zero: no send_at (send now)
	ReceivedAt    time.Time         `json:"received_at"`
	From          Address           `json:"from"`
	ReplyTo       Address           `json:"reply_to,omitzero"`
	Subject       string            `json:"subject"`
	Contents      []Content         `json:"contents"`
	TemplateID    string            `json:"template_id,omitempty"`
	CustomArgs    map[string]string `json:"custom_args,omitempty"`
	Substitutions map[string]string `json:"substitutions,omitempty"`
	Categories    []string          `json:"categories,omitempty"`
	Headers       map[string]string `json:"headers,omitempty"`
	ASMGroupID    int               `json:"asm_group_id,omitempty"`
	State         State             `json:"state"`  // the fate of the To recipient
	Events        []string          `json:"events"` // event types generated so far, all recipients, in order
}

// message is the simulator's record of a Message.
type message struct {
	Message
	due        time.Time // when it goes out: SendAt, or ReceivedAt without one
	recipients []string  // to, cc, bcc
	bypass     bypass
}

// bypass is the request's mail_settings.bypass_* switches.
type bypass struct{ all, bounces, spam, unsubscribes bool }

// batch is a batch id and its scheduled-send status.
type batch struct {
	id      string
	created time.Time
	status  string    // "", "pause" or "cancel"
	since   time.Time // when the current run of pause/cancel began (POST); PATCH keeps it
}

func (m *message) snapshot() Message {
	out := m.Message
	out.Cc = slices.Clone(m.Cc)
	out.Bcc = slices.Clone(m.Bcc)
	out.Contents = slices.Clone(m.Contents)
	out.CustomArgs = maps.Clone(m.CustomArgs)
	out.Substitutions = maps.Clone(m.Substitutions)
	out.Categories = slices.Clone(m.Categories)
	out.Headers = maps.Clone(m.Headers)
	out.Events = slices.Clone(m.Events)
	if out.Events == nil {
		out.Events = []string{}
	}
	return out
}

// Messages returns a copy of every accepted personalization, in the order
// they were accepted.
func (s *Sim) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.snapshot()
	}
	return out
}

// BatchStatus returns the batch's scheduled-send status: "", "pause" or
// "cancel".
func (s *Sim) BatchStatus(batchID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.batches[batchID]; b != nil {
		return b.status
	}
	return ""
}

// Events returns a copy of every event generated so far (whether or not it
// was posted), in the order it occurred; duplicates made by DuplicateShare
// are not repeated here.
func (s *Sim) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.events))
	for i, e := range s.events {
		out[i] = maps.Clone(e)
	}
	return out
}

// Suppress puts email on one of the suppression lists ("bounces", "blocks",
// "spam_reports", "invalid_emails", "unsubscribes") as if SendGrid had put it
// there, so a test can seed lists the API cannot write. reason may be "".
func (s *Sim) Suppress(list, email, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addSuppression(list, email, reason)
}
