package sgsim

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type groupJSON struct {
	ID           int    `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	IsDefault    bool   `json:"is_default"`
	Unsubscribes int    `json:"unsubscribes"`
}

func (g *group) json() groupJSON {
	return groupJSON{g.id, g.name, g.description, g.isDefault, len(g.members)}
}

type recipientEmails struct {
	RecipientEmails []string `json:"recipient_emails"`
}

// handleGroupList answers every group, or those named by repeated ?id=.
func (s *Sim) handleGroupList(w http.ResponseWriter, r *http.Request) {
	want := map[int]bool{}
	for _, v := range r.URL.Query()["id"] {
		if n, err := strconv.Atoi(v); err == nil {
			want[n] = true
		}
	}
	s.mu.Lock()
	out := []groupJSON{}
	for _, id := range slices.Sorted(maps.Keys(s.groups)) {
		if len(want) == 0 || want[id] {
			out = append(out, s.groups[id].json())
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) handleGroupCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		IsDefault   bool   `json:"is_default"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.Name == "" || len(body.Name) > 30 {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "name", Message: "name is required and may be at most 30 characters"})
		return
	}
	if len(body.Description) > 100 {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "description", Message: "description may be at most 100 characters"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := 1
	for id, g := range s.groups {
		if g.name == body.Name {
			writeErrors(w, http.StatusBadRequest, apiError{Field: "name", Message: "another group already has this name"})
			return
		}
		next = max(next, id+1)
	}
	g := s.ensureGroup(next)
	g.name, g.description, g.isDefault = body.Name, body.Description, body.IsDefault
	writeJSON(w, http.StatusCreated, map[string]any{"id": g.id, "name": g.name, "description": g.description, "is_default": g.isDefault})
}

// lookupGroup looks up {id}; on failure it has answered 404.
func (s *Sim) lookupGroup(w http.ResponseWriter, r *http.Request) (*group, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	g := s.groups[id]
	if err != nil || g == nil {
		writeErrors(w, http.StatusNotFound, apiError{Message: "unsubscribe group not found"})
		return nil, false
	}
	return g, true
}

func (s *Sim) handleGroupGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.lookupGroup(w, r); ok {
		writeJSON(w, http.StatusOK, g.json())
	}
}

// handleGroupMembers answers a bare array of addresses (no paging, as in
// SendGrid's spec).
func (s *Sim) handleGroupMembers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.lookupGroup(w, r)
	if !ok {
		return
	}
	out := []string{}
	for _, k := range slices.Sorted(maps.Keys(g.members)) {
		out = append(out, g.members[k].email)
	}
	writeJSON(w, http.StatusOK, out)
}

// handleGroupAdd adds group unsubscribes; an unknown group puts the addresses
// on the global list (201 either way).
func (s *Sim) handleGroupAdd(w http.ResponseWriter, r *http.Request) {
	var body recipientEmails
	if !readJSON(w, r, &body) {
		return
	}
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	for _, e := range body.RecipientEmails {
		s.addGroupSuppression(id, e)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, recipientEmails{nonNil(body.RecipientEmails)})
}

// handleGroupSearch answers the subset of the given addresses that the group
// suppresses.
func (s *Sim) handleGroupSearch(w http.ResponseWriter, r *http.Request) {
	var body recipientEmails
	if !readJSON(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.lookupGroup(w, r)
	if !ok {
		return
	}
	out := []string{}
	for _, e := range body.RecipientEmails {
		if _, in := g.members[strings.ToLower(e)]; in {
			out = append(out, e)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) handleGroupRemove(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.lookupGroup(w, r); ok {
		delete(g.members, strings.ToLower(r.PathValue("email")))
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleAllGroupSuppressions lists every group unsubscribe.
func (s *Sim) handleAllGroupSuppressions(w http.ResponseWriter, r *http.Request) {
	type row struct {
		Email     string `json:"email"`
		GroupID   int    `json:"group_id"`
		GroupName string `json:"group_name"`
		CreatedAt int64  `json:"created_at"`
	}
	s.mu.Lock()
	out := []row{}
	for _, id := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[id]
		for _, k := range slices.Sorted(maps.Keys(g.members)) {
			e := g.members[k]
			out = append(out, row{e.email, g.id, g.name, e.created.Unix()})
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) handleGlobalAdd(w http.ResponseWriter, r *http.Request) {
	var body recipientEmails
	if !readJSON(w, r, &body) {
		return
	}
	s.mu.Lock()
	for _, e := range body.RecipientEmails {
		s.addSuppression("unsubscribes", e, "")
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, recipientEmails{nonNil(body.RecipientEmails)})
}

// handleGlobalGet answers {"recipient_email":…} when suppressed, {} if not.
func (s *Sim) handleGlobalGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	e, ok := s.supp["unsubscribes"][strings.ToLower(r.PathValue("email"))]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusOK, struct{}{})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"recipient_email": e.email})
}

func (s *Sim) handleGlobalDelete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delete(s.supp["unsubscribes"], strings.ToLower(r.PathValue("email")))
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
