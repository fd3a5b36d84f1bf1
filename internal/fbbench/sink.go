package fbbench

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
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

	// While recording (the apology phase), the sink also keeps a 64-bit
	// FNV-1a hash of every personalization's "to" address, appended to a
	// slice sized for the audience beforehand: 8 bytes an address (8 MB for
	// 1M, counted in this process's RSS), against the ~40 MB of a
	// map[uint64]struct{}. Duplicates are found afterwards by sorting.
	recording atomic.Bool
	addrMu    sync.Mutex
	addrs     []uint64
	bodies    sync.Pool // *bytes.Buffer, for reading whole bodies while recording
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
	case r.Method == http.MethodPost && r.URL.Path == "/v3/mail/send" && s.recording.Load():
		buf, _ := s.bodies.Get().(*bytes.Buffer)
		if buf == nil {
			buf = new(bytes.Buffer)
		}
		defer s.bodies.Put(buf)
		buf.Reset()
		n, err := buf.ReadFrom(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body := buf.Bytes()
		hashes := toAddressHashes(body, nil)
		s.addrMu.Lock()
		s.addrs = append(s.addrs, hashes...)
		s.addrMu.Unlock()
		id := s.sends.Add(1)
		s.bodyBytes.Add(n)
		s.recipients.Add(int64(bytes.Count(body, []byte(recipientMarker))))
		w.Header().Set("X-Message-Id", fmt.Sprintf("bench-msg-%d", id))
		w.WriteHeader(http.StatusAccepted)
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

// recordAddresses starts keeping the hash of every address the sink
// receives, with room for n.
func (s *sink) recordAddresses(n int) {
	s.addrMu.Lock()
	s.addrs = make([]uint64, 0, n)
	s.addrMu.Unlock()
	s.recording.Store(true)
}

// takeAddresses stops recording and returns the hashes received meanwhile,
// in arrival order.
func (s *sink) takeAddresses() []uint64 {
	s.recording.Store(false)
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	a := s.addrs
	s.addrs = nil
	return a
}

// toMarker opens a personalization in sendgrid-go's JSON ({"to":[{"name":…,
// "email":…}], …}): the first "email" after it is the recipient's address.
// Neither "from" nor "reply_to" matches it.
var (
	toMarker    = []byte(`{"to":[{`)
	emailMarker = []byte(`"email":"`)
)

// toAddressHashes appends to dst the addressHash of every personalization's
// "to" address in a mail-send body.
func toAddressHashes(body []byte, dst []uint64) []uint64 {
	for {
		i := bytes.Index(body, toMarker)
		if i < 0 {
			return dst
		}
		body = body[i+len(toMarker):]
		j := bytes.Index(body, emailMarker)
		if j < 0 {
			return dst
		}
		body = body[j+len(emailMarker):]
		k := bytes.IndexByte(body, '"')
		if k < 0 {
			return dst
		}
		dst = append(dst, addressHash(body[:k]))
		body = body[k:]
	}
}

// addressHash is 64-bit FNV-1a: over 1M addresses a collision has a
// probability of about 3·10⁻⁸.
func addressHash[T string | []byte](addr T) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(addr); i++ {
		h ^= uint64(addr[i])
		h *= 1099511628211
	}
	return h
}
