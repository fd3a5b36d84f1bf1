package sgsim

import (
	"fmt"
	"net/http"
	"strings"
)

// The /_sim/ endpoints expose the inspection and fault-injection API over
// HTTP, without auth, for out-of-process tests and the demo.

// handleSimMessages: GET /_sim/messages[?batch_id=&to=&state=&message_id=].
func (s *Sim) handleSimMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out := []Message{}
	for _, m := range s.Messages() {
		if keep(q.Get("batch_id"), m.BatchID) && keep(strings.ToLower(q.Get("to")), strings.ToLower(m.To)) &&
			keep(q.Get("state"), string(m.State)) && keep(q.Get("message_id"), m.MessageID) {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleSimEvents: GET /_sim/events[?email=&event=&message_id=&batch_id=]:
// every generated event, posted or not.
func (s *Sim) handleSimEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	byMsg := map[string]string{}
	if b := q.Get("batch_id"); b != "" {
		for _, m := range s.Messages() {
			byMsg[m.SGMessageID] = m.BatchID
		}
	}
	out := []Event{}
	for _, e := range s.Events() {
		sgid, _ := e["sg_message_id"].(string)
		email, _ := e["email"].(string)
		kind, _ := e["event"].(string)
		if keep(strings.ToLower(q.Get("email")), strings.ToLower(email)) && keep(q.Get("event"), kind) &&
			(q.Get("message_id") == "" || strings.HasPrefix(sgid, q.Get("message_id")+".")) &&
			keep(q.Get("batch_id"), byMsg[sgid]) {
			out = append(out, e)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func keep(want, got string) bool { return want == "" || want == got }

// Stats is the /_sim/stats document.
type Stats struct {
	Messages         map[State]int   `json:"messages"`           // accepted personalizations by state
	Events           map[string]int  `json:"events"`             // generated events by type
	Requests         map[string]int  `json:"requests"`           // by route pattern, e.g. "POST /v3/mail/send"
	MailSendRequests int             `json:"mail_send_requests"` // accepted or not
	Batches          int             `json:"batches"`
	ScheduledSends   []ScheduledSend `json:"scheduled_sends"`
	Suppressions     map[string]int  `json:"suppressions"` // list -> entries; group unsubscribes as "group:<id>"
	Webhook          WebhookStats    `json:"webhook"`
	PendingEvents    int             `json:"pending_events"` // waiting to be posted, or for a retry
}

// Stats returns counts of what the simulator has seen and done.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		Messages:         map[State]int{},
		Events:           map[string]int{},
		Requests:         map[string]int{},
		MailSendRequests: s.sendReqs,
		Batches:          len(s.batches),
		ScheduledSends:   s.scheduledSends(),
		Suppressions:     map[string]int{},
		Webhook:          s.wh,
		PendingEvents:    len(s.outbox) + len(s.dupes),
	}
	for _, m := range s.msgs {
		st.Messages[m.State]++
	}
	for _, e := range s.events {
		st.Events[e["event"].(string)]++
	}
	for k, v := range s.reqs {
		st.Requests[k] = v
	}
	for l := range lists {
		st.Suppressions[l] = len(s.supp[l])
	}
	for id, g := range s.groups {
		st.Suppressions[fmt.Sprintf("group:%d", id)] = len(g.members)
	}
	for _, p := range s.retries {
		st.PendingEvents += len(p.events)
	}
	return st
}

func (s *Sim) handleSimStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

// handleSimPublicKey answers the base64 key as text/plain with a newline,
// so a shell can capture it with $(curl -s …/_sim/public-key).
func (s *Sim) handleSimPublicKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, s.pubB64)
}

// handleSimFaults: POST /_sim/faults {"path","count","status","headers":{…}}
// is FailNext over HTTP; 204.
func (s *Sim) handleSimFaults(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Path    string            `json:"path"`
		Count   int               `json:"count"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	switch {
	case !strings.HasPrefix(body.Path, "/"):
		writeErrors(w, http.StatusBadRequest, apiError{Field: "path", Message: `path must start with "/", e.g. /v3/mail/send`})
		return
	case body.Count < 1:
		writeErrors(w, http.StatusBadRequest, apiError{Field: "count", Message: "count must be at least 1"})
		return
	case body.Status < 100 || body.Status > 599:
		writeErrors(w, http.StatusBadRequest, apiError{Field: "status", Message: "status must be an HTTP status code"})
		return
	}
	h := http.Header{}
	for k, v := range body.Headers {
		h.Set(k, v)
	}
	s.FailNext(body.Path, body.Count, body.Status, h)
	w.WriteHeader(http.StatusNoContent)
}

// handleSimTick: POST /_sim/tick runs Tick (a scheduler step and an
// immediate flush) and answers 204.
func (s *Sim) handleSimTick(w http.ResponseWriter, r *http.Request) {
	s.Tick()
	w.WriteHeader(http.StatusNoContent)
}
