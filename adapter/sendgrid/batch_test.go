package sendgrid_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/firebreak/firebreak/domain/esp"
)

const limitMsg = "maximum number of paused or cancelled batches reached"

// schedules plays /v3/user/scheduled_sends with SendGrid's rules (SENDGRID.md
// §3): POST 400 when the batch has a status or the limit is reached, GET by id
// an array, PATCH only over an existing status, DELETE 204.
type schedules struct {
	mu     sync.Mutex
	status map[string]string // batch id -> "pause" | "cancel" | "" (known, no status)
	limit  int
}

func (s *schedules) respond(w http.ResponseWriter, r *http.Request, _ int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.TrimPrefix(r.URL.Path, "/v3/user/scheduled_sends/")
	var body struct {
		BatchID string `json:"batch_id"`
		Status  string `json:"status"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	st, known := s.status[id]
	switch {
	case r.Method == http.MethodPost:
		active := 0
		for _, v := range s.status {
			if v != "" {
				active++
			}
		}
		switch {
		case s.status[body.BatchID] != "":
			writeErrors(w, 400, "batch_id", "batch id already has a status")
		case active >= s.limit:
			writeErrors(w, 400, nil, limitMsg)
		default:
			s.status[body.BatchID] = body.Status
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]string{"batch_id": body.BatchID, "status": body.Status})
		}
	case r.Method == http.MethodGet && !known:
		writeErrors(w, 404, "batch_id", "invalid batch id")
	case r.Method == http.MethodGet:
		list := []map[string]string{}
		if st != "" {
			list = append(list, map[string]string{"batch_id": id, "status": st})
		}
		_ = json.NewEncoder(w).Encode(list)
	case r.Method == http.MethodPatch && st == "":
		writeErrors(w, 404, "batch_id", "batch id has no status")
	case r.Method == http.MethodPatch:
		s.status[id] = body.Status
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodDelete && st == "":
		writeErrors(w, 404, nil, "not found")
	case r.Method == http.MethodDelete:
		s.status[id] = ""
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *schedules) get(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status[id]
}

// trail renders the requests as "METHOD path body".
func trail(f *fake) []string {
	var out []string
	for _, c := range f.Calls() {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", c.Method, c.Path, c.Body)))
	}
	return out
}

func wantTrail(t *testing.T, f *fake, want ...string) {
	t.Helper()
	if got := trail(f); !reflect.DeepEqual(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestSetBatchStatus(t *testing.T) {
	const post = `POST /v3/user/scheduled_sends {"batch_id":"b1","status":"%s"}`
	tests := []struct {
		name   string
		before map[string]string
		limit  int
		set    esp.ScheduleStatus
		kind   esp.Kind // 0: success
		after  string
		trail  []string
	}{
		{name: "pausePost201", before: map[string]string{"b1": ""}, limit: 10, set: esp.StatusPause, after: "pause",
			trail: []string{fmt.Sprintf(post, "pause")}},
		{name: "cancelPausedPatches", before: map[string]string{"b1": "pause"}, limit: 10, set: esp.StatusCancel, after: "cancel",
			trail: []string{fmt.Sprintf(post, "cancel"), "GET /v3/user/scheduled_sends/b1",
				`PATCH /v3/user/scheduled_sends/b1 {"status":"cancel"}`}},
		{name: "pausePausedIsSuccess", before: map[string]string{"b1": "pause"}, limit: 10, set: esp.StatusPause, after: "pause",
			trail: []string{fmt.Sprintf(post, "pause"), "GET /v3/user/scheduled_sends/b1"}},
		{name: "limitReachedIsBatchLimit", before: map[string]string{"b1": "", "x": "pause", "y": "cancel"}, limit: 2,
			set: esp.StatusPause, kind: esp.BatchLimit, after: "",
			trail: []string{fmt.Sprintf(post, "pause"), "GET /v3/user/scheduled_sends/b1"}},
		{name: "unknownBatchIsPermanent", before: map[string]string{}, limit: 0, set: esp.StatusPause, kind: esp.Permanent,
			trail: []string{fmt.Sprintf(post, "pause"), "GET /v3/user/scheduled_sends/b1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &schedules{status: tt.before, limit: tt.limit}
			f := newFake(t, s.respond)
			err := newClient(f.srv.URL, &sleeps{}).SetBatchStatus(context.Background(), "b1", tt.set)
			if tt.kind == 0 && err != nil {
				t.Fatalf("SetBatchStatus: %v", err)
			}
			if tt.kind != 0 {
				e := asESPError(t, err, tt.kind)
				if e.Status != 400 || len(e.Messages) != 1 || e.Op != "scheduled_sends" {
					t.Errorf("error = %+v, want the POST's 400 and its message", e)
				}
				if tt.kind == esp.BatchLimit && e.Messages[0] != limitMsg {
					t.Errorf("messages = %q, want SendGrid's %q", e.Messages, limitMsg)
				}
			}
			if got := s.get("b1"); got != tt.after {
				t.Errorf("status at SendGrid = %q, want %q", got, tt.after)
			}
			wantTrail(t, f, tt.trail...)
		})
	}
}

// Pause, pause again, cancel, resume, resume again against one stateful
// SendGrid: every step succeeds, which is what a redelivered task needs.
func TestScheduleLifecycleIsIdempotent(t *testing.T) {
	s := &schedules{status: map[string]string{"b1": ""}, limit: 10}
	f := newFake(t, s.respond)
	c := newClient(f.srv.URL, &sleeps{})
	ctx := context.Background()
	steps := []struct {
		name string
		do   func() error
		want string
	}{
		{"pause", func() error { return c.SetBatchStatus(ctx, "b1", esp.StatusPause) }, "pause"},
		{"pauseAgain", func() error { return c.SetBatchStatus(ctx, "b1", esp.StatusPause) }, "pause"},
		{"cancel", func() error { return c.SetBatchStatus(ctx, "b1", esp.StatusCancel) }, "cancel"},
		{"clear", func() error { return c.ClearBatchStatus(ctx, "b1") }, ""},
		{"clearAgain404", func() error { return c.ClearBatchStatus(ctx, "b1") }, ""},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := s.get("b1"); got != st.want {
			t.Fatalf("after %s: status %q, want %q", st.name, got, st.want)
		}
	}
}

func TestClearBatchStatus(t *testing.T) {
	for _, tt := range []struct {
		status int
		kind   esp.Kind
	}{{204, 0}, {404, 0}, {400, esp.Permanent}, {401, esp.Permanent}} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				if tt.status == 204 {
					w.WriteHeader(204)
					return
				}
				writeErrors(w, tt.status, nil, "nope")
			})
			err := newClient(f.srv.URL, &sleeps{}).ClearBatchStatus(context.Background(), "b/1")
			if tt.kind == 0 && err != nil {
				t.Fatalf("ClearBatchStatus: %v", err)
			}
			if tt.kind != 0 {
				asESPError(t, err, tt.kind)
			}
			wantTrail(t, f, "DELETE /v3/user/scheduled_sends/b%2F1")
			if c := f.Calls()[0]; c.Header.Get("Authorization") != "Bearer "+testKey {
				t.Errorf("Authorization = %q", c.Header.Get("Authorization"))
			}
		})
	}
}

func TestScheduleRefusesBadInputWithoutRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(204) })
	c := newClient(f.srv.URL, &sleeps{})
	ctx := context.Background()
	asESPError(t, c.SetBatchStatus(ctx, "b1", "resume"), esp.Permanent)
	asESPError(t, c.SetBatchStatus(ctx, "", esp.StatusPause), esp.Permanent)
	asESPError(t, c.ClearBatchStatus(ctx, ""), esp.Permanent)
	if n := len(f.Calls()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}
