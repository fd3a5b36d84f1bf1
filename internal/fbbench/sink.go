package fbbench

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// recipientMarker occurs once per personalization in a mail-send body (its
// custom_args key), so counting it counts the recipients the sink received
// without decoding the JSON.
const recipientMarker = `"firebreak_recipient_id"`

// sink is a local stand-in for SendGrid that costs as little as possible: it
// reads every mail-send body to the end (so the client really transfers it),
// counts bytes and recipients, and answers 202 with an X-Message-Id at once.
// POST /v3/mail/batch answers a batch id, which Send needs first.
type sink struct {
	srv        *httptest.Server
	sends      atomic.Int64
	bodyBytes  atomic.Int64
	recipients atomic.Int64
	conns      atomic.Int64 // TCP connections opened by the client
}

func newSink() *sink {
	s := &sink{}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.srv.Start()
	return s
}

func (s *sink) URL() string { return s.srv.URL }

func (s *sink) Close() { s.srv.Close() }

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/mail/batch":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"batch_id":"bench-batch-%d"}`, s.sends.Load())
	case r.Method == http.MethodPost && r.URL.Path == "/v3/mail/send":
		c := &markerCounter{marker: []byte(recipientMarker)}
		n, err := io.Copy(c, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id := s.sends.Add(1)
		s.bodyBytes.Add(n)
		s.recipients.Add(int64(c.n))
		w.Header().Set("X-Message-Id", fmt.Sprintf("bench-msg-%d", id))
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// markerCounter counts the occurrences of marker in what is written to it,
// including those split across two writes.
type markerCounter struct {
	marker []byte
	tail   []byte // the last len(marker)-1 bytes seen
	join   []byte // scratch: tail + the start of the next write
	n      int
}

func (c *markerCounter) Write(p []byte) (int, error) {
	k := len(c.marker) - 1
	// Matches that start in tail and end in p; none fits in tail or in p's first k bytes alone.
	c.join = append(append(c.join[:0], c.tail...), p[:min(len(p), k)]...)
	c.n += bytes.Count(c.join, c.marker) + bytes.Count(p, c.marker)
	if len(p) >= k {
		c.tail = append(c.tail[:0], p[len(p)-k:]...)
	} else {
		c.tail = append(c.tail[:0], c.join[max(0, len(c.join)-k):]...)
	}
	return len(p), nil
}
