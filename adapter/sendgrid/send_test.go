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
	"time"

	"github.com/firebreak/firebreak/domain/esp"
)

func accept(id string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Message-Id", id)
		w.WriteHeader(http.StatusAccepted)
	}
}

// jsonEqual compares two JSON documents by value (key order aside, exact:
// no missing or extra keys, arrays in order).
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		gi, _ := json.MarshalIndent(g, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		t.Fatalf("mail body differs\ngot:\n%s\nwant:\n%s", gi, wi)
	}
}

func TestSendAccepted(t *testing.T) {
	f := newFake(t, accept("q7Hn2VbXT0yK3pLm9sWcEg"))
	c := newClient(f.srv.URL, nil)
	m := esp.Message{
		BatchID:    "HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi",
		SendAt:     time.Unix(1772366400, 0),
		From:       esp.Address{Email: "news@brand.example", Name: "Brand News"},
		ReplyTo:    esp.Address{Email: "help@brand.example", Name: "Help"},
		Subject:    "Spring sale, {{first_name}}",
		Text:       "Hi {{first_name}}",
		HTML:       "<p>Hi {{first_name}}</p>",
		Categories: []string{"firebreak", "campaign-42"},
		Headers:    map[string]string{"X-Campaign": "42"},
		ASMGroupID: 7,
		Personalizations: []esp.Personalization{
			{
				To:            esp.Address{Email: "ana@example.com", Name: "Ana"},
				Substitutions: map[string]string{"{{first_name}}": "Ana"},
				CustomArgs:    map[string]string{"x_campaign_id": "42", "x_recipient_id": "r1"},
				Headers: map[string]string{"List-Unsubscribe": "<https://u.example/r1>",
					"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
			},
			{
				To:            esp.Address{Email: "bo@example.com"},
				Substitutions: map[string]string{"{{first_name}}": "Bo"},
				CustomArgs:    map[string]string{"x_campaign_id": "42", "x_recipient_id": "r2"},
			},
		},
	}
	res, err := c.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.MessageID != "q7Hn2VbXT0yK3pLm9sWcEg" {
		t.Errorf("MessageID = %q", res.MessageID)
	}
	calls := f.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d requests, want 1", len(calls))
	}
	got := calls[0]
	if got.Method != http.MethodPost || got.Path != "/v3/mail/send" {
		t.Errorf("request = %s %s, want POST /v3/mail/send", got.Method, got.Path)
	}
	for k, want := range map[string]string{"Authorization": "Bearer " + testKey,
		"Content-Type": "application/json", "Accept": "application/json"} {
		if v := got.Header.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	jsonEqual(t, got.Body, `{
	  "from": {"email": "news@brand.example", "name": "Brand News"},
	  "reply_to": {"email": "help@brand.example", "name": "Help"},
	  "subject": "Spring sale, {{first_name}}",
	  "content": [
	    {"type": "text/plain", "value": "Hi {{first_name}}"},
	    {"type": "text/html", "value": "<p>Hi {{first_name}}</p>"}
	  ],
	  "categories": ["firebreak", "campaign-42"],
	  "headers": {"X-Campaign": "42"},
	  "asm": {"group_id": 7},
	  "send_at": 1772366400,
	  "batch_id": "HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi",
	  "personalizations": [
	    {
	      "to": [{"email": "ana@example.com", "name": "Ana"}],
	      "substitutions": {"{{first_name}}": "Ana"},
	      "custom_args": {"x_campaign_id": "42", "x_recipient_id": "r1"},
	      "headers": {"List-Unsubscribe": "<https://u.example/r1>",
	                  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
	    },
	    {
	      "to": [{"email": "bo@example.com"}],
	      "substitutions": {"{{first_name}}": "Bo"},
	      "custom_args": {"x_campaign_id": "42", "x_recipient_id": "r2"}
	    }
	  ]
	}`)
}

// A send-now message without extras carries no send_at, asm, reply_to,
// batch_id, categories or headers at all (not zero values).
func TestSendMinimalOmitsUnset(t *testing.T) {
	f := newFake(t, accept("m1"))
	c := newClient(f.srv.URL, nil)
	m := oneMessage("ana@example.com")
	m.HTML = "<b>Hello</b>"
	if _, err := c.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	jsonEqual(t, f.Calls()[0].Body, `{
	  "from": {"email": "news@brand.example"},
	  "subject": "Hello",
	  "content": [{"type": "text/plain", "value": "Hello"}, {"type": "text/html", "value": "<b>Hello</b>"}],
	  "personalizations": [{"to": [{"email": "ana@example.com"}]}]
	}`)
}

func TestSendSandbox200(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Message-Id", "sandbox1")
		w.WriteHeader(http.StatusOK)
	})
	res, err := newClient(f.srv.URL, nil).Send(context.Background(), oneMessage("a@example.com"))
	if err != nil || res.MessageID != "sandbox1" {
		t.Fatalf("Send = %+v, %v", res, err)
	}
}

func TestSendRefusesBadPersonalizationCountWithoutRequest(t *testing.T) {
	f := newFake(t, accept("never"))
	c := newClient(f.srv.URL, nil)
	for _, n := range []int{0, esp.MaxPersonalizations + 1} {
		m := oneMessage("a@example.com")
		m.Personalizations = make([]esp.Personalization, n)
		for i := range m.Personalizations {
			m.Personalizations[i].To.Email = fmt.Sprintf("r%d@example.com", i)
		}
		_, err := c.Send(context.Background(), m)
		asESPError(t, err, esp.Permanent)
	}
	if n := len(f.Calls()); n != 0 {
		t.Fatalf("%d requests, want none", n)
	}
}

func TestSendAcceptsMaxPersonalizations(t *testing.T) {
	f := newFake(t, accept("big"))
	m := oneMessage("a@example.com")
	m.Personalizations = make([]esp.Personalization, esp.MaxPersonalizations)
	for i := range m.Personalizations {
		m.Personalizations[i].To.Email = fmt.Sprintf("r%d@example.com", i)
	}
	if _, err := newClient(f.srv.URL, nil).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// Send never retries, whatever the answer: the caller's ledger decides.
func TestSendNeverRetries(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("X-RateLimit-Reset", fmt.Sprint(t0.Unix()+1))
				writeErrors(w, status, nil, "try later")
			})
			sl := &sleeps{}
			_, err := newClient(f.srv.URL, sl).Send(context.Background(), oneMessage("a@example.com"))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if n := len(f.Calls()); n != 1 {
				t.Fatalf("%d requests, want exactly 1", n)
			}
			if w := sl.Waits(); len(w) != 0 {
				t.Fatalf("Send waited %v", w)
			}
		})
	}
}

// One Client shared by 20 goroutines: each gets its own answer, and -race
// finds no shared request state.
func TestSendConcurrent(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		var body struct {
			Personalizations []struct {
				To []struct{ Email string } `json:"to"`
			} `json:"personalizations"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.Header().Set("X-Message-Id", "id-"+body.Personalizations[0].To[0].Email)
		w.WriteHeader(http.StatusAccepted)
	})
	c := newClient(f.srv.URL, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			to := fmt.Sprintf("r%d@example.com", i)
			res, err := c.Send(context.Background(), oneMessage(to))
			switch {
			case err != nil:
				errs <- err
			case res.MessageID != "id-"+to:
				errs <- fmt.Errorf("%s got MessageID %q", to, res.MessageID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	calls := f.Calls()
	if len(calls) != 20 {
		t.Fatalf("%d requests, want 20", len(calls))
	}
	for _, c := range calls {
		if c.Header.Get("Authorization") != "Bearer "+testKey || !strings.Contains(string(c.Body), "@example.com") {
			t.Errorf("bad request: %v %s", c.Header, c.Body)
		}
	}
}
