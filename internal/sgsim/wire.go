package sgsim

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// apiError is one entry of SendGrid's error envelope
// {"errors":[{"message","field","help"}]}; field is null when empty.
type apiError struct {
	Message string
	Field   string
}

func (e apiError) MarshalJSON() ([]byte, error) {
	var field any
	if e.Field != "" {
		field = e.Field
	}
	return json.Marshal(struct {
		Message string `json:"message"`
		Field   any    `json:"field"`
		Help    any    `json:"help"`
	}{e.Message, field, nil})
}

func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	writeJSON(w, status, map[string][]apiError{"errors": errs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readJSON decodes a management request body (at most 1 MB) into v; on
// failure it has already answered 400 with the envelope.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{Message: "could not read the request body"})
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeErrors(w, http.StatusBadRequest, decodeError(err))
		return false
	}
	return true
}

// decodeError turns a JSON decoding failure into an envelope entry that names
// the offending field when Go can tell.
func decodeError(err error) apiError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return apiError{Message: fmt.Sprintf("Invalid type. Expected: %s, given: %s.", te.Type, te.Value), Field: te.Field}
	}
	return apiError{Message: "Bad Request: the request body is not valid JSON"}
}

// randomID returns n random bytes as unpadded base64url: URL-safe ids such
// as the 22-character X-Message-Id (n=16) and sg_event_id.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
