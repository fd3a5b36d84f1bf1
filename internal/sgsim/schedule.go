package sgsim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
)

// Messages of the batch endpoints and scheduled sends that a client may need
// to tell apart (SendGrid's own wording is not documented; SENDGRID.md §11).
const (
	msgInvalidBatch  = "invalid batch id"
	msgHasStatus     = "batch id already has a status; use PATCH to change it"
	msgNoStatus      = "batch id has no scheduled-send status; use POST to set one"
	msgBatchLimitFmt = "maximum number of paused or cancelled batches reached: at most %d may be paused or cancelled at once"
	statusPause      = "pause"
	statusCancel     = "cancel"
)

// ScheduledSend is a batch's scheduled-send status as the API shows it.
type ScheduledSend struct {
	BatchID string `json:"batch_id"`
	Status  string `json:"status"`
}

func (s *Sim) handleCreateBatch(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id := randomID(24)
	s.batches[id] = &batch{id: id, created: s.now()}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{"batch_id": id})
}

func (s *Sim) handleGetBatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	ok := s.batchValid(id, s.now())
	s.mu.Unlock()
	if !ok {
		writeErrors(w, http.StatusBadRequest, apiError{Message: msgInvalidBatch})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"batch_id": id})
}

// handleScheduleCreate sets a batch's first status. 400 when the batch
// already has one (msgHasStatus, field batch_id) and when BatchLimit batches
// already have one (msgBatchLimitFmt, field null).
func (s *Sim) handleScheduleCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		BatchID string `json:"batch_id"`
		Status  string `json:"status"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.Status == "" {
		body.Status = statusPause
	}
	if body.BatchID == "" {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "batch_id", Message: "batch_id is required"})
		return
	}
	if body.Status != statusPause && body.Status != statusCancel {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "status", Message: `status must be "pause" or "cancel"`})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	b := s.batches[body.BatchID]
	if !s.batchValid(body.BatchID, now) {
		if !s.cfg.AllowUnknownBatch {
			writeErrors(w, http.StatusBadRequest, apiError{Field: "batch_id", Message: msgInvalidBatch})
			return
		}
		if b == nil {
			b = &batch{id: body.BatchID, created: now}
			s.batches[b.id] = b
		}
	}
	if b.status != "" {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "batch_id", Message: msgHasStatus})
		return
	}
	if s.statusCount() >= s.cfg.BatchLimit {
		writeErrors(w, http.StatusBadRequest, apiError{Message: fmt.Sprintf(msgBatchLimitFmt, s.cfg.BatchLimit)})
		return
	}
	b.status, b.since = body.Status, now
	writeJSON(w, http.StatusCreated, ScheduledSend{b.id, b.status})
}

func (s *Sim) statusCount() int {
	n := 0
	for _, b := range s.batches {
		if b.status != "" {
			n++
		}
	}
	return n
}

func (s *Sim) handleScheduleList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := s.scheduledSends()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// scheduledSends lists the batches that have a status, oldest first.
func (s *Sim) scheduledSends() []ScheduledSend {
	var bs []*batch
	for _, b := range s.batches {
		if b.status != "" {
			bs = append(bs, b)
		}
	}
	slices.SortFunc(bs, func(a, b *batch) int { return cmp.Or(a.since.Compare(b.since), cmp.Compare(a.id, b.id)) })
	out := make([]ScheduledSend, 0, len(bs))
	for _, b := range bs {
		out = append(out, ScheduledSend{b.id, b.status})
	}
	return out
}

// handleScheduleGet answers an array: one entry when the batch has a status,
// none when it has not, 404 when the batch id is unknown.
func (s *Sim) handleScheduleGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b := s.batches[r.PathValue("id")]
	s.mu.Unlock()
	switch {
	case b == nil:
		writeErrors(w, http.StatusNotFound, apiError{Field: "batch_id", Message: msgInvalidBatch})
	case b.status == "":
		writeJSON(w, http.StatusOK, []ScheduledSend{})
	default:
		writeJSON(w, http.StatusOK, []ScheduledSend{{b.id, b.status}})
	}
}

// handleSchedulePatch changes an existing status (404 when there is none).
// Held messages of a batch switched to cancel are discarded at once.
func (s *Sim) handleSchedulePatch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.Status != statusPause && body.Status != statusCancel {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "status", Message: `status is required and must be "pause" or "cancel"`})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batches[r.PathValue("id")]
	if b == nil || b.status == "" {
		writeErrors(w, http.StatusNotFound, apiError{Field: "batch_id", Message: msgNoStatus})
		return
	}
	b.status = body.Status
	if b.status == statusCancel {
		for _, m := range s.active {
			if m.BatchID == b.id && m.State == StateHeld {
				m.State = StateCancelled
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleScheduleDelete removes the status (always 204, also when there was
// none) and releases the batch's held messages: they go out at the next
// scheduler step.
func (s *Sim) handleScheduleDelete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.batches[r.PathValue("id")]; b != nil {
		b.status = ""
		for _, m := range s.active {
			if m.BatchID == b.id && m.State == StateHeld {
				m.State = StateScheduled
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleSignedSettings answers the signed-webhook settings endpoints with the
// simulator's one key; PATCH is accepted but signing stays on.
func (s *Sim) handleSignedSettings(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" {
		id = "sgsim"
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id, "public_key": s.pubB64})
}
