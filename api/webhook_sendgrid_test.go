package api_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/internal/testenv"
)

// hookFixture is the real server with the webhook wired to a fresh database,
// one campaign handed to n recipients, and the key SendGrid would sign with.
type hookFixture struct {
	*fixture
	key        *ecdsa.PrivateKey
	campaignID string
	recipients []hookRecipient
}

type hookRecipient struct{ id, email string }

func newHookFixture(t *testing.T, cfg api.Config, n int) *hookFixture {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	users := user.NewService(st, user.Limits{PerEmail: 5, PerIP: 8, Window: time.Minute}, time.Hour, nil)
	e := api.New(cfg, api.Deps{
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Users:      users,
		Events:     event.NewService(st, nil, nil),
		EventList:  st,
		Quarantine: st,
		Webhook:    sendgrid.Webhook{Key: &key.PublicKey},
		// The campaign's own page (its counters, its event series) reads what the webhook stored.
		Campaigns: campaign.NewService(st, nil, nil, noJobs{}, campaign.Config{DefaultSendBuffer: 15 * time.Minute,
			PublicURL: "http://firebreak.test", UnsubscribeKey: []byte("test key"), Log: discardLog()}),
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	h := &hookFixture{fixture: &fixture{t: t, srv: srv, echo: e, store: st, users: users}, key: key,
		campaignID: "00000000-0000-0000-0000-00000000c0de"}
	db := st.SQL()
	for _, q := range []string{
		`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-00000000b0de', 'B', 'b@x.io')`,
		`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status, asm_group_id) VALUES
			('` + h.campaignID + `', 'C', '00000000-0000-0000-0000-00000000b0de', 900, 'sent', 5)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		r := hookRecipient{id: fmt.Sprintf("00000000-0000-0000-0000-%012d", 9000+i), email: fmt.Sprintf("r%d@x.io", i)}
		h.recipients = append(h.recipients, r)
		if _, err := db.ExecContext(ctx, `INSERT INTO recipients (id, email) VALUES ($1, $2)`, r.id, r.email); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO campaign_recipients (campaign_id, recipient_id, email, state, handed_at,
			message_id) VALUES ($1, $2, $3, 'handed', now(), $4)`, h.campaignID, r.id, r.email, fmt.Sprintf("msg%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// event is one SendGrid event for recipient i, with Firebreak's custom args.
func (h *hookFixture) event(i int, kind string, extra map[string]any) map[string]any {
	r := h.recipients[i]
	e := map[string]any{"email": r.email, "event": kind, "timestamp": 1763899200 + i,
		"sg_event_id": fmt.Sprintf("%s-%d", kind, i), "sg_message_id": fmt.Sprintf("msg%d.filter0001", i),
		"category": []string{"newsletter"}, "firebreak_campaign_id": h.campaignID, "firebreak_recipient_id": r.id}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

// sign is SendGrid's signature: ECDSA P-256 over timestamp + body.
func (h *hookFixture) sign(ts string, body []byte) string {
	sum := sha256.Sum256(append([]byte(ts), body...))
	sig, err := ecdsa.SignASN1(rand.Reader, h.key, sum[:])
	if err != nil {
		h.t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// postBody posts body signed as SendGrid signs it.
func (h *hookFixture) postBody(body []byte) reply {
	h.t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	return h.do(call{method: "POST", path: "/webhooks/sendgrid", body: string(body),
		headers: map[string]string{sendgrid.SignatureHeader: h.sign(ts, body), sendgrid.TimestampHeader: ts}})
}

// post posts events as one signed batch, as SendGrid frames it (CRLF after the array).
func (h *hookFixture) post(events ...map[string]any) reply {
	h.t.Helper()
	body, err := json.Marshal(events)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.postBody(append(body, '\r', '\n'))
}

// count is one number from the database.
func (h *hookFixture) count(q string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.store.SQL().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// admin returns an API token of a new admin.
func (h *hookFixture) admin() string {
	h.t.Helper()
	if _, err := h.users.AddUser(context.Background(), audit.CLI, user.NewUser{Email: "admin@example.com", Name: "Admin",
		Roles: []string{"admin"}, Password: "correct horse battery"}); err != nil {
		h.t.Fatal(err)
	}
	_, tok, err := h.users.CreateToken(context.Background(), audit.CLI, "admin@example.com", "test")
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// TestWebhookGroupIDAboveInt32SuppressesNoOtherGroup: asm_group_id 4294967301
// is 5 once wrapped to 32 bits. The group_unsubscribe must not suppress the
// address for group 5 (the campaign's group): an id no group can have is no group.
func TestWebhookGroupIDAboveInt32SuppressesNoOtherGroup(t *testing.T) {
	h := newHookFixture(t, api.Config{}, 2)
	r := h.post(h.event(0, "group_unsubscribe", map[string]any{"asm_group_id": 4294967301}),
		h.event(1, "group_unsubscribe", map[string]any{"asm_group_id": 5}))
	if r.status != 200 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	if n := h.count(`SELECT count(*) FROM suppressions WHERE email = $1`, h.recipients[0].email); n != 0 {
		t.Errorf("asm_group_id 4294967301 created %d suppressions (group 5 is a different group)", n)
	}
	if n := h.count(`SELECT count(*) FROM suppressions WHERE email = $1 AND group_id = 5`, h.recipients[1].email); n != 1 {
		t.Errorf("asm_group_id 5: %d group 5 suppressions, want 1", n)
	}
	if n := h.count(`SELECT count(*) FROM events WHERE email = $1 AND raw->>'asm_group_id' = '4294967301'`,
		h.recipients[0].email); n != 1 {
		t.Errorf("the event with the out-of-range group is stored %d times with its group as posted, want 1", n)
	}
}

// hookAnswer is the webhook's 200 body.
type hookAnswer struct {
	Received     int `json:"received"`
	Stored       int `json:"stored"`
	Duplicates   int `json:"duplicates"`
	Unattributed int `json:"unattributed"`
	Quarantined  int `json:"quarantined"`
}

// TestWebhookNULInAnyFieldIs200AndTheBatchIsStored: Postgres text cannot hold
// NUL, and a batch Postgres refuses is answered 503 and retried by SendGrid
// until it drops the good events with it. A \u0000 in any field of one event
// must leave the post 2xx, the good events stored and counted, and the
// poisoned event stored with U+FFFD in place of NUL.
func TestWebhookNULInAnyFieldIs200AndTheBatchIsStored(t *testing.T) {
	const good = 4
	h := newHookFixture(t, api.Config{}, good+1)
	var batch []map[string]any
	for i := range good {
		batch = append(batch, h.event(i, "delivered", nil))
	}
	fields := []string{"email", "event", "sg_event_id", "sg_message_id", "reason", "status", "response", "attempt",
		"type", "bounce_classification", "url", "category", "useragent", "ip", "smtp-id", "asm_group_id", "timestamp",
		"sg_machine_open", "firebreak_campaign_id", "firebreak_recipient_id", "x_custom_arg"}
	for n, field := range fields {
		kind := "bounce"
		if field == "url" {
			kind = "click"
		}
		poisoned := h.event(good, kind, map[string]any{"type": "bounce", "status": "5.1.1",
			"bounce_classification": "Invalid Address", "reason": "550 5.1.1 no such user",
			"url": "https://x.io/a", "timestamp": 1763899300 + n, "sg_event_id": "poison-" + field,
			"email": fmt.Sprintf("p%d@x.io", n)}) // a suppression of its own
		if v, ok := poisoned[field].(string); ok {
			poisoned[field] = v[:len(v)/2] + "\x00" + v[len(v)/2:] // json.Marshal writes it as \u0000
		} else {
			poisoned[field] = "a\x00b"
		}
		post := append(append([]map[string]any{}, batch...), poisoned)
		r := h.post(post...)
		var a hookAnswer
		if r.status == 200 {
			r.json(t, &a)
		}
		if r.status != 200 || a.Stored+a.Duplicates != len(post) || a.Quarantined != 0 {
			t.Errorf("NUL in %s: %d %s, want 200 with every event stored", field, r.status, r.body)
		}
	}
	if n := h.count(`SELECT delivered FROM campaigns WHERE id = $1`, h.campaignID); n != good {
		t.Errorf("campaign counts %d delivered, want %d", n, good)
	}
	if n := h.count(`SELECT count(*) FROM events`); n != good+len(fields) {
		t.Errorf("%d events stored, want %d", n, good+len(fields))
	}
	if n := h.count(`SELECT count(*) FROM events WHERE strpos(email || sg_event_id || natural_key || url, U&'\FFFD') > 0`); n < 5 {
		t.Errorf("only %d events keep U+FFFD where NUL was in their email, sg_event_id, natural key or url", n)
	}
	if n := h.count(`SELECT count(*) FROM suppressions WHERE reason = U&'550 5.1.1 n\FFFDo such user'`); n != 1 {
		t.Errorf("the bounce with NUL in its reason made %d suppressions with U+FFFD in its reason, want 1", n)
	}
}

// TestWebhookValuesTooLongForAnIndexAreStored: a unique index entry holds
// about 2.7 kB, so a click on a long tracking URL (it is in the natural key),
// a long sg_event_id or sg_message_id, or a long address used to fail the
// whole batch, forever. Each is stored once, and once only when posted again.
func TestWebhookValuesTooLongForAnIndexAreStored(t *testing.T) {
	h := newHookFixture(t, api.Config{}, 5)
	long := func(n int) string { // incompressible, as a real tracking token is
		b := make([]byte, n/2)
		_, _ = rand.Read(b)
		return fmt.Sprintf("%x", b)
	}
	url := "https://shop.example/c?t=" + long(4000)
	batch := []map[string]any{
		h.event(0, "delivered", nil),
		h.event(1, "click", map[string]any{"url": url + "a"}),
		h.event(1, "click", map[string]any{"url": url + "b", "sg_event_id": "click-1b"}), // differs only at the end
		h.event(2, "open", map[string]any{"sg_event_id": long(4000)}),
		h.event(3, "open", map[string]any{"sg_message_id": long(4000) + ".filter0001"}),
		{"email": long(4000) + "@x.io", "event": "unsubscribe", "timestamp": 1763899200, "sg_event_id": "long-address"},
	}
	for _, label := range []string{"first post", "the same post again"} {
		r := h.post(batch...)
		var a hookAnswer
		if r.status == 200 {
			r.json(t, &a)
		}
		if r.status != 200 || a.Stored+a.Duplicates != len(batch) || a.Quarantined != 0 {
			t.Fatalf("%s: %d %s, want 200 with every event stored", label, r.status, r.body)
		}
	}
	if n := h.count(`SELECT count(*) FROM events`); n != len(batch) {
		t.Errorf("%d events stored, want %d (each once)", n, len(batch))
	}
	if n := h.count(`SELECT clicked FROM campaigns WHERE id = $1`, h.campaignID); n != 1 {
		t.Errorf("campaign counts %d clicked, want 1", n)
	}
	if n := h.count(`SELECT count(*) FROM events WHERE url = $1`, url+"b"); n != 1 {
		t.Errorf("the click on the long URL is stored %d times with its URL as posted, want 1", n)
	}
}

// TestWebhookEventTheStoreRefusesIsQuarantinedAndThePost200: an event that
// cannot be stored even alone (here a number jsonb cannot hold, valid JSON
// all the same) is quarantined with the store's error; the rest of its post
// is stored and counted and the post is answered 200, also when SendGrid
// posts it again (quarantined once, two attempts). Admins list the quarantine.
func TestWebhookEventTheStoreRefusesIsQuarantinedAndThePost200(t *testing.T) {
	const good = 6
	h := newHookFixture(t, api.Config{}, good+1)
	var batch []map[string]any
	for i := range good {
		batch = append(batch, h.event(i, "delivered", nil))
	}
	poisoned := h.event(good, "unsubscribe", map[string]any{"x_score": json.Number("1e1000000")})
	batch = append(batch[:3], append([]map[string]any{poisoned}, batch[3:]...)...)
	for attempt, want := range []hookAnswer{{Received: good + 1, Stored: good, Quarantined: 1},
		{Received: good + 1, Duplicates: good, Quarantined: 1}} {
		r := h.post(batch...)
		var a hookAnswer
		if r.status == 200 {
			r.json(t, &a)
		}
		if r.status != 200 || a != want {
			t.Fatalf("post %d: %d %s, want 200 %+v", attempt+1, r.status, r.body, want)
		}
	}
	if n := h.count(`SELECT delivered FROM campaigns WHERE id = $1`, h.campaignID); n != good {
		t.Errorf("campaign counts %d delivered, want %d", n, good)
	}
	if n := h.count(`SELECT count(*) FROM events`); n != good {
		t.Errorf("%d events stored, want %d", n, good)
	}

	r := h.do(call{method: "GET", path: "/api/v1/webhook/quarantine", token: h.admin()})
	var list []struct {
		ID             int64     `json:"id"`
		SGEventID      string    `json:"sg_event_id"`
		Event          string    `json:"event"`
		Email          string    `json:"email"`
		Error          string    `json:"error"`
		Raw            string    `json:"raw"`
		Attempts       int       `json:"attempts"`
		ReceivedAt     time.Time `json:"received_at"`
		LastReceivedAt time.Time `json:"last_received_at"`
	}
	if r.status == 200 {
		r.json(t, &list)
	}
	if r.status != 200 || len(list) != 1 {
		t.Fatalf("GET quarantine as admin: %d %s, want the one event", r.status, r.body)
	}
	q := list[0]
	if q.Event != "unsubscribe" || q.Email != h.recipients[good].email || q.SGEventID != "unsubscribe-6" ||
		q.Attempts != 2 || !strings.Contains(q.Error, "numeric") || !strings.Contains(q.Raw, `"x_score":1e1000000`) ||
		q.ReceivedAt.IsZero() || q.LastReceivedAt.Before(q.ReceivedAt) {
		t.Errorf("quarantined %+v: want the unsubscribe, its raw as posted, the store's error and 2 attempts", q)
	}
	tok := h.addUser("marketer@example.com", "marketer")
	if r := h.do(call{method: "GET", path: "/api/v1/webhook/quarantine", token: tok}); r.status != 403 {
		t.Errorf("GET quarantine as marketer: %d, want 403", r.status)
	}
}

// TestWebhookBodyOver2MiBIs413AndNothingStored: SendGrid posts at most 768 KB;
// the unauthenticated webhook reads at most 2 MiB before the signature check.
// Exactly 2 MiB is read and stored; one byte more is 413 body_too_large in the
// error shape, whether the length is announced or the body is chunked, and
// nothing of it is stored.
func TestWebhookBodyOver2MiBIs413AndNothingStored(t *testing.T) {
	const limit = 2 << 20 // documented; not api.WebhookBodyLimit, which could drift with it
	h := newHookFixture(t, api.Config{}, 2)
	padded := func(i, size int) []byte {
		b, _ := json.Marshal([]map[string]any{h.event(i, "delivered", nil)})
		return append(b, bytes.Repeat([]byte(" "), size-len(b))...)
	}
	if r := h.postBody(padded(0, limit)); r.status != 200 {
		t.Fatalf("exactly 2 MiB: %d %s, want 200", r.status, r.body)
	}
	big := padded(1, limit+1)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	headers := map[string]string{sendgrid.SignatureHeader: h.sign(ts, big), sendgrid.TimestampHeader: ts}
	for name, body := range map[string]any{
		"Content-Length": string(big),
		"chunked":        io.MultiReader(bytes.NewReader(big)), // no length known in advance
	} {
		r := h.do(call{method: "POST", path: "/webhooks/sendgrid", body: body, headers: headers})
		if r.status != 413 {
			t.Errorf("2 MiB + 1, %s: %d %s, want 413", name, r.status, r.body)
			continue
		}
		if e := r.errorBody(t); e.Code != "body_too_large" || e.Details["limit_bytes"] != float64(limit) {
			t.Errorf("2 MiB + 1, %s: %+v, want body_too_large naming the limit", name, e)
		}
	}
	if n := h.count(`SELECT count(*) FROM events`); n != 1 {
		t.Errorf("%d events stored, want only the one of the 2 MiB post", n)
	}
}

// slowPost starts a signed post of body that sends only its first byte and
// then waits for release before sending the rest; done receives the status
// (0 when the connection failed).
func (h *hookFixture) slowPost(body []byte, release <-chan struct{}, done chan<- int) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", h.srv.URL+"/webhooks/sendgrid", pr)
	req.ContentLength = int64(len(body))
	req.Header.Set(sendgrid.SignatureHeader, h.sign(ts, body))
	req.Header.Set(sendgrid.TimestampHeader, ts)
	go func() {
		_, _ = pw.Write(body[:1])
		<-release
		_, _ = pw.Write(body[1:])
		_ = pw.Close()
	}()
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- resp.StatusCode
	}()
}

// TestWebhookConcurrentUnverifiedReadsAreCapped: with the cap at 2, two
// posts whose bodies are still arriving hold both slots; the next post is
// refused with 503 webhook_busy and Retry-After (SendGrid retries any
// non-2xx), and once the slow ones finish, posts are read again.
func TestWebhookConcurrentUnverifiedReadsAreCapped(t *testing.T) {
	h := newHookFixture(t, api.Config{WebhookMaxConcurrent: 2, WebhookSlotWait: 20 * time.Millisecond}, 3)
	release, done := make(chan struct{}), make(chan int, 2)
	var once sync.Once
	releaseSlow := func() { once.Do(func() { close(release) }) }
	defer releaseSlow() // the server's Close waits for them
	for i := range 2 {
		body, _ := json.Marshal([]map[string]any{h.event(i, "delivered", nil)})
		h.slowPost(body, release, done)
	}
	probe := []byte("[]\r\n")
	var r reply
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if r = h.postBody(probe); r.status != 200 {
			break
		}
	}
	if r.status != 503 {
		t.Fatalf("a third post while two bodies are being read: %d %s, want 503", r.status, r.body)
	}
	if e := r.errorBody(t); e.Code != "webhook_busy" || r.header.Get("Retry-After") == "" {
		t.Errorf("refused with %+v, Retry-After %q; want webhook_busy with Retry-After", e, r.header.Get("Retry-After"))
	}
	for range 3 { // the refusal holds while both slots are taken
		if r := h.postBody(probe); r.status != 503 {
			t.Errorf("another post while both slots are held: %d, want 503", r.status)
		}
	}
	releaseSlow()
	for range 2 {
		if code := <-done; code != 200 {
			t.Errorf("a slow post: %d, want 200", code)
		}
	}
	if r := h.postBody(probe); r.status != 200 {
		t.Errorf("after the slow posts ended: %d %s, want 200", r.status, r.body)
	}
	if n := h.count(`SELECT count(*) FROM events`); n != 2 {
		t.Errorf("%d events stored, want the 2 of the slow posts", n)
	}
}

// TestWebhookStalledBodyIsCutAndFreesItsSlot: a post whose body stops
// arriving holds its slot only for the read timeout, not for the server's
// 5 minutes, so a handful of stalled connections cannot shut SendGrid out.
func TestWebhookStalledBodyIsCutAndFreesItsSlot(t *testing.T) {
	h := newHookFixture(t, api.Config{WebhookMaxConcurrent: 1, WebhookSlotWait: 20 * time.Millisecond,
		WebhookReadTimeout: 300 * time.Millisecond}, 1)
	never, done := make(chan struct{}), make(chan int, 1)
	defer close(never)
	h.slowPost([]byte("[]\r\n"), never, done)
	select {
	case code := <-done:
		if code/100 == 2 {
			t.Errorf("the stalled post: %d, want it refused or cut", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stalled post was still being read after 5 s (read timeout 300 ms)")
	}
	if r := h.postBody([]byte("[]\r\n")); r.status != 200 {
		t.Errorf("the next post: %d %s, want 200 (the slot is free again)", r.status, r.body)
	}
}
