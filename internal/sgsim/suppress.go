package sgsim

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// suppression is one entry of a suppression list (SENDGRID.md §5.3).
type suppression struct {
	email   string
	created time.Time
	reason  string
	status  string
}

// group is an unsubscribe (ASM) group and its group unsubscribes.
type group struct {
	id          int
	name        string
	description string
	isDefault   bool
	members     map[string]suppression // lower-case email -> entry
}

// lists are the suppression lists under /v3/suppression/.
var lists = map[string]bool{"bounces": true, "blocks": true, "spam_reports": true, "invalid_emails": true, "unsubscribes": true}

// addSuppression puts email on list (re-adding refreshes created).
// The caller holds s.mu.
func (s *Sim) addSuppression(list, email, reason string) {
	if !lists[list] {
		return
	}
	e := suppression{email: email, created: s.now(), reason: reason}
	switch list {
	case "bounces":
		e.reason, e.status = cmp.Or(reason, bounceReason), "5.1.1"
	case "blocks":
		e.reason, e.status = cmp.Or(reason, blockReason), "5.7.1"
	case "invalid_emails":
		e.reason = cmp.Or(reason, "Mail domain mentioned in email address is unknown")
	}
	if s.supp[list] == nil {
		s.supp[list] = map[string]suppression{}
	}
	s.supp[list][strings.ToLower(email)] = e
}

func (s *Sim) isListed(list, lowerEmail string) bool {
	_, ok := s.supp[list][lowerEmail]
	return ok
}

// ensureGroup creates group id on first use by a mail/send, so asm.group_id
// values need no set-up. The caller holds s.mu.
func (s *Sim) ensureGroup(id int) *group {
	if g := s.groups[id]; g != nil {
		return g
	}
	g := &group{id: id, name: "Group " + itoa(id), description: "created by sgsim on first use", members: map[string]suppression{}}
	s.groups[id] = g
	return g
}

// addGroupSuppression adds a group unsubscribe; an unknown group sends the
// address to the global list, as SendGrid does. The caller holds s.mu.
func (s *Sim) addGroupSuppression(id int, email string) {
	g := s.groups[id]
	if g == nil {
		s.addSuppression("unsubscribes", email, "")
		return
	}
	g.members[strings.ToLower(email)] = suppression{email: email, created: s.now()}
}

func (s *Sim) inGroup(id int, lowerEmail string) bool {
	g := s.groups[id]
	if g == nil {
		return false
	}
	_, ok := g.members[lowerEmail]
	return ok
}

func (s *Sim) suppressionRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /v3/suppression/{list}", s.handleSuppList)
	m.HandleFunc("DELETE /v3/suppression/{list}", s.handleSuppBulkDelete)
	m.HandleFunc("GET /v3/suppression/{list}/{email}", s.handleSuppGet)
	m.HandleFunc("DELETE /v3/suppression/{list}/{email}", s.handleSuppDelete)
	m.HandleFunc("GET /v3/asm/groups", s.handleGroupList)
	m.HandleFunc("POST /v3/asm/groups", s.handleGroupCreate)
	m.HandleFunc("GET /v3/asm/groups/{id}", s.handleGroupGet)
	m.HandleFunc("GET /v3/asm/groups/{id}/suppressions", s.handleGroupMembers)
	m.HandleFunc("POST /v3/asm/groups/{id}/suppressions", s.handleGroupAdd)
	m.HandleFunc("POST /v3/asm/groups/{id}/suppressions/search", s.handleGroupSearch)
	m.HandleFunc("DELETE /v3/asm/groups/{id}/suppressions/{email}", s.handleGroupRemove)
	m.HandleFunc("GET /v3/asm/suppressions", s.handleAllGroupSuppressions)
	m.HandleFunc("POST /v3/asm/suppressions/global", s.handleGlobalAdd)
	m.HandleFunc("GET /v3/asm/suppressions/global/{email}", s.handleGlobalGet)
	m.HandleFunc("DELETE /v3/asm/suppressions/global/{email}", s.handleGlobalDelete)
}

// item renders an entry with its list's shape (bare objects, Unix seconds).
func item(list string, e suppression) map[string]any {
	out := map[string]any{"created": e.created.Unix(), "email": e.email}
	switch list {
	case "bounces", "blocks":
		out["reason"], out["status"] = e.reason, e.status
	case "spam_reports":
		out["ip"] = sendingIP
	case "invalid_emails":
		out["reason"] = e.reason
	}
	return out
}

// handleSuppList answers a bare array, newest first, filtered by
// start_time/end_time (inclusive) and email (a prefix with % as wildcard; an
// exact match on invalid_emails), paged by limit (1–500) and offset with a
// Link header when either is given.
func (s *Sim) handleSuppList(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if !lists[list] {
		writeErrors(w, http.StatusNotFound, apiError{Message: "resource not found"})
		return
	}
	q := r.URL.Query()
	limit, offset, paged := 0, 0, q.Has("limit") || q.Has("offset")
	var start, end int64 = 0, 1<<62 - 1
	for name, dst := range map[string]*int64{"start_time": &start, "end_time": &end} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				writeErrors(w, http.StatusBadRequest, apiError{Field: name, Message: name + " must be a Unix timestamp in seconds"})
				return
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeErrors(w, http.StatusBadRequest, apiError{Field: "limit", Message: "limit must be between 1 and 500"})
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeErrors(w, http.StatusBadRequest, apiError{Field: "offset", Message: "offset must be a non-negative integer"})
			return
		}
		offset = n
	}
	filter := strings.ToLower(q.Get("email"))
	s.mu.Lock()
	var all []suppression
	for k, e := range s.supp[list] {
		t := e.created.Unix()
		if t < start || t > end {
			continue
		}
		if filter != "" && ((list == "invalid_emails" && k != filter) || (list != "invalid_emails" && !wildPrefix(filter, k))) {
			continue
		}
		all = append(all, e)
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b suppression) int {
		return cmp.Or(b.created.Compare(a.created), cmp.Compare(a.email, b.email))
	})
	page := all
	if paged {
		if limit == 0 {
			limit = 500
		}
		w.Header().Set("Link", linkHeader(r, len(all), limit, offset))
		page = all[min(offset, len(all)):min(offset+limit, len(all))]
	}
	out := make([]map[string]any, 0, len(page))
	for _, e := range page {
		out = append(out, item(list, e))
	}
	writeJSON(w, http.StatusOK, out)
}

// wildPrefix matches s against a prefix pattern where % matches any run.
func wildPrefix(pattern, s string) bool {
	parts := strings.Split(pattern, "%")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// linkHeader builds SendGrid's RFC 5988 Link header: next, prev, last and
// first, each with a page-number title, pointing back at this server.
func linkHeader(r *http.Request, total, limit, offset int) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	link := func(off int, rel string) string {
		q := r.URL.Query()
		q.Set("limit", itoa(limit))
		q.Set("offset", itoa(off))
		return "<" + scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"; title="` + itoa(off/limit+1) + `"`
	}
	var links []string
	if offset+limit < total {
		links = append(links, link(offset+limit, "next"))
	}
	if offset > 0 {
		links = append(links, link(max(offset-limit, 0), "prev"))
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	links = append(links, link(last, "last"), link(0, "first"))
	return strings.Join(links, ", ")
}

func (s *Sim) handleSuppGet(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if !lists[list] || list == "unsubscribes" {
		writeErrors(w, http.StatusNotFound, apiError{Message: "resource not found"})
		return
	}
	s.mu.Lock()
	e, ok := s.supp[list][strings.ToLower(r.PathValue("email"))]
	s.mu.Unlock()
	out := []map[string]any{}
	if ok {
		out = append(out, item(list, e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) handleSuppDelete(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if !lists[list] || list == "unsubscribes" {
		writeErrors(w, http.StatusNotFound, apiError{Message: "resource not found"})
		return
	}
	s.mu.Lock()
	delete(s.supp[list], strings.ToLower(r.PathValue("email")))
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// handleSuppBulkDelete takes {"delete_all":true} or {"emails":[…]}, never
// both.
func (s *Sim) handleSuppBulkDelete(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if !lists[list] || list == "unsubscribes" {
		writeErrors(w, http.StatusNotFound, apiError{Message: "resource not found"})
		return
	}
	var body struct {
		DeleteAll bool     `json:"delete_all"`
		Emails    []string `json:"emails"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.DeleteAll == (len(body.Emails) > 0) {
		writeErrors(w, http.StatusBadRequest, apiError{Message: "give either delete_all or emails, not both and not neither"})
		return
	}
	s.mu.Lock()
	if body.DeleteAll {
		delete(s.supp, list)
	}
	for _, e := range body.Emails {
		delete(s.supp[list], strings.ToLower(e))
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
