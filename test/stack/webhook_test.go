package stack_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// hook posts Event Webhook batches signed like SendGrid signs them.
type hook struct {
	t   *testing.T
	s   *stack
	key *ecdsa.PrivateKey
}

func newHookStack(t *testing.T) (*stack, *hook) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := startStack(t, stackOpts{sim: sgsim.Config{PrivateKey: key}})
	return s, &hook{t: t, s: s, key: key}
}

type hookAnswer struct {
	Stored       int `json:"stored"`
	Duplicates   int `json:"duplicates"`
	Unattributed int `json:"unattributed"`
}

// post sends body with the given signature and timestamp headers.
func (h *hook) postRaw(body []byte, sig, ts string) (int, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.s.base+"/webhooks/sendgrid", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(sgsim.SignatureHeader, sig)
	}
	if ts != "" {
		req.Header.Set(sgsim.TimestampHeader, ts)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (h *hook) post(events []map[string]any) (int, hookAnswer) {
	h.t.Helper()
	body, _ := json.Marshal(events)
	body = append(body, '\r', '\n')
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	code, raw := h.postRaw(body, sgsim.Sign(h.key, ts, body), ts)
	var a hookAnswer
	_ = json.Unmarshal(raw, &a)
	return code, a
}

func (h *hook) storedEvents() int {
	h.t.Helper()
	db, err := sql.Open("pgx", h.s.dsn)
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// sentCampaign sends a campaign to n recipients and returns its id and the
// simulator's messages (with the custom args Firebreak put on them).
func sentCampaign(t *testing.T, s *stack, n int) (string, []sgsim.Message) {
	s.importCSV(recipientsCSV(n, "w", true))
	id := s.campaign(map[string]any{"name": "w", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "hi", "segments": []string{"w"}, "asm_group_id": 9})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("handed over", 20*time.Second, func() bool { return s.get(id).Status == "sent" })
	return id, s.sim.Messages()
}

func ev(m sgsim.Message, kind string, ts int64, extra map[string]any) map[string]any {
	e := map[string]any{"email": m.To, "event": kind, "timestamp": ts, "sg_event_id": fmt.Sprintf("%s-%s-%d-%s", kind, m.To, ts, extra["url"]),
		"sg_message_id": m.SGMessageID, "category": []string{"firebreak"}}
	for k, v := range m.CustomArgs {
		e[k] = v
	}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

func TestForgedUnsignedOrReencodedPostsAreRefusedAndNothingStored(t *testing.T) {
	s, h := newHookStack(t)
	_, msgs := sentCampaign(t, s, 3)
	body, _ := json.Marshal([]map[string]any{ev(msgs[0], "delivered", 1763899206, nil)})
	body = append(body, '\r', '\n')
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	good := sgsim.Sign(h.key, ts, body)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var reencoded any
	_ = json.Unmarshal(body, &reencoded)
	re, _ := json.MarshalIndent(reencoded, "", " ")
	for name, c := range map[string]struct {
		body    []byte
		sig, ts string
	}{
		"unsigned":        {body, "", ""},
		"no timestamp":    {body, good, ""},
		"forged key":      {body, sgsim.Sign(other, ts, body), ts},
		"re-encoded body": {re, good, ts},
		"other timestamp": {body, good, strconv.FormatInt(time.Now().Unix()+1, 10)},
		"garbage":         {body, "MEUCIQ==", ts},
	} {
		code, raw := h.postRaw(c.body, c.sig, c.ts)
		if code != 401 || !strings.Contains(string(raw), `"invalid_signature"`) {
			t.Errorf("%s: %d %s, want 401 invalid_signature", name, code, raw)
		}
	}
	if n := h.storedEvents(); n != 0 {
		t.Fatalf("%d events stored from refused posts", n)
	}
	if code, _ := h.postRaw(body, good, ts); code != 200 || h.storedEvents() != 1 {
		t.Fatalf("the genuine post: %d, stored %d", code, h.storedEvents())
	}
}

func TestSignedMalformedPostIs400AndNothingStored(t *testing.T) {
	_, h := newHookStack(t)
	for _, body := range []string{`{"event":"open"}`, `[{"email":"a@b.c",`, `["x"]`, `null`} {
		b := []byte(body + "\r\n")
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		code, raw := h.postRaw(b, sgsim.Sign(h.key, ts, b), ts)
		if code != 400 {
			t.Errorf("%s: %d %s, want 400", body, code, raw)
		}
	}
	if n := h.storedEvents(); n != 0 {
		t.Fatalf("%d events stored from malformed posts", n)
	}
}

func TestOversizedPostIs413(t *testing.T) {
	_, h := newHookStack(t)
	big := bytes.Repeat([]byte(" "), 17<<20)
	code, _ := h.postRaw(big, "x", "1")
	if code != 413 {
		t.Fatalf("17 MiB post: %d, want 413", code)
	}
}

// TestRepeatsAndShufflesChangeNoCount posts a batch, then the same events
// again shuffled, then again with new sg_event_ids (a retry SendGrid has been
// seen to make): the campaign's counts must not move.
func TestRepeatsAndShufflesChangeNoCount(t *testing.T) {
	s, h := newHookStack(t)
	id, msgs := sentCampaign(t, s, 40)
	base := int64(1763899200)
	var batch []map[string]any
	for i, m := range msgs {
		batch = append(batch, ev(m, "processed", base, nil), ev(m, "delivered", base+5, nil))
		if i%2 == 0 {
			batch = append(batch, ev(m, "open", base+60, map[string]any{"sg_machine_open": false}))
		}
		if i%5 == 0 {
			batch = append(batch, ev(m, "open", base+61, map[string]any{"sg_machine_open": true}))
		}
		if i%4 == 0 {
			batch = append(batch, ev(m, "click", base+90, map[string]any{"url": "https://shop.example/a"}),
				ev(m, "click", base+95, map[string]any{"url": "https://shop.example/b"}))
		}
	}
	code, first := h.post(batch)
	if code != 200 || first.Stored != len(batch) || first.Duplicates != 0 {
		t.Fatalf("first post: %d %+v (want %d stored)", code, first, len(batch))
	}
	want := s.get(id).Counts
	check := func(label string) {
		t.Helper()
		c := s.get(id).Counts
		if c != want {
			t.Fatalf("%s changed the counts:\n got %+v\nwant %+v", label, c, want)
		}
	}
	if want.Delivered != 40 || want.Opened != 20 || want.MachineOpened != 8 || want.Clicked != 10 {
		t.Fatalf("counts after one post: %+v", want)
	}
	shuffled := append([]map[string]any(nil), batch...)
	mrand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if code, a := h.post(shuffled); code != 200 || a.Stored != 0 || a.Duplicates != len(batch) {
		t.Fatalf("repeat: %d %+v", code, a)
	}
	check("the same events again, shuffled")
	var renamed []map[string]any
	for _, e := range shuffled {
		c := map[string]any{}
		for k, v := range e {
			c[k] = v
		}
		c["sg_event_id"] = "retry-" + fmt.Sprint(e["sg_event_id"])
		renamed = append(renamed, c)
	}
	if code, a := h.post(renamed); code != 200 || a.Stored != 0 {
		t.Fatalf("renamed repeat: %d %+v", code, a)
	}
	check("the same events under new sg_event_ids")
	if n := h.storedEvents(); n != len(batch) {
		t.Fatalf("%d events stored, want %d", n, len(batch))
	}
}

func TestOutOfOrderEventsKeepTheFinalOutcome(t *testing.T) {
	s, h := newHookStack(t)
	id, msgs := sentCampaign(t, s, 3)
	a, b, c := msgs[0], msgs[1], msgs[2]
	// a: delivered, then a retried deferral arrives later but is older: stays delivered.
	// b: open arrives before delivered: engagement never downgrades, delivered counts once.
	// c: deferred, then a hard bounce: bounced, not delivered.
	h.post([]map[string]any{ev(a, "delivered", 100, nil), ev(b, "open", 300, nil)})
	h.post([]map[string]any{ev(a, "deferred", 50, map[string]any{"attempt": "1"}), ev(b, "delivered", 200, nil),
		ev(c, "deferred", 100, map[string]any{"attempt": "2"})})
	h.post([]map[string]any{ev(c, "bounce", 150, map[string]any{"type": "bounce", "bounce_classification": "Invalid Address",
		"status": "5.1.1", "reason": "550 5.1.1 no such user"})})
	got := s.get(id).Counts
	if got.Delivered != 2 || got.Bounced != 1 || got.Deferred != 2 || got.Opened != 1 || got.HardBounced != 1 {
		t.Fatalf("counts %+v", got)
	}
	if r := got.Rates.HardBounce; r < 0.33 || r > 0.34 {
		t.Fatalf("hard bounce rate %v, want 1/3", r)
	}
}

func TestEventsBecomeSuppressionsButBlocksDoNot(t *testing.T) {
	s, h := newHookStack(t)
	_, msgs := sentCampaign(t, s, 6)
	code, _ := h.post([]map[string]any{
		ev(msgs[0], "bounce", 10, map[string]any{"type": "bounce", "bounce_classification": "Invalid Address", "status": "5.1.1"}),
		ev(msgs[1], "spamreport", 10, nil),
		ev(msgs[2], "unsubscribe", 10, nil),
		ev(msgs[3], "group_unsubscribe", 10, map[string]any{"asm_group_id": 9}),
		ev(msgs[4], "bounce", 10, map[string]any{"type": "blocked", "bounce_classification": "Reputation", "status": "5.7.1"}),
		ev(msgs[5], "deferred", 10, map[string]any{"status": "4.2.2"}),
	})
	if code != 200 {
		t.Fatalf("post %d", code)
	}
	kind := func(email string) []string {
		var list []struct {
			Kind    string `json:"kind"`
			Source  string `json:"source"`
			GroupID *int   `json:"group_id"`
		}
		s.do("GET", "/api/v1/suppressions?email="+email, "", nil, &list)
		var out []string
		for _, e := range list {
			if e.Source != "webhook" {
				t.Errorf("%s: source %s", email, e.Source)
			}
			k := e.Kind
			if e.GroupID != nil {
				k += fmt.Sprint(*e.GroupID)
			}
			out = append(out, k)
		}
		return out
	}
	for i, want := range []string{"bounce", "spamreport", "unsubscribe", "group_unsubscribe9", "", ""} {
		if got := strings.Join(kind(msgs[i].To), ","); got != want {
			t.Errorf("%s: suppressions %q, want %q", msgs[i].To, got, want)
		}
	}
	// A group resubscribe removes the group entry.
	h.post([]map[string]any{ev(msgs[3], "group_resubscribe", 20, map[string]any{"asm_group_id": 9})})
	if got := kind(msgs[3].To); len(got) != 0 {
		t.Errorf("after group_resubscribe: %v", got)
	}
}

func TestUnknownKeysAndUnattributedEventsAreKeptAndVisible(t *testing.T) {
	s, h := newHookStack(t)
	_, msgs := sentCampaign(t, s, 1)
	code, a := h.post([]map[string]any{
		ev(msgs[0], "delivered", 10, map[string]any{"x_future_field": map[string]any{"nested": []int{1, 2}}, "pool": map[string]any{"name": "m"}}),
		{"email": "stranger@example.org", "event": "delivered", "timestamp": 11, "sg_event_id": "lost-1", "sg_message_id": "nobody.1"},
	})
	if code != 200 || a.Stored != 2 || a.Unattributed != 1 {
		t.Fatalf("%d %+v", code, a)
	}
	var list []struct {
		Email      string          `json:"email"`
		CampaignID *string         `json:"campaign_id"`
		Raw        json.RawMessage `json:"raw"`
	}
	s.do("GET", "/api/v1/events?unattributed=true", "", nil, &list)
	if len(list) != 1 || list[0].Email != "stranger@example.org" || list[0].CampaignID != nil {
		t.Fatalf("unattributed: %+v", list)
	}
	s.do("GET", "/api/v1/events", "", nil, &list)
	var raw map[string]any
	for _, e := range list {
		if e.Email == msgs[0].To {
			_ = json.Unmarshal(e.Raw, &raw)
		}
	}
	if fut, _ := raw["x_future_field"].(map[string]any); fut == nil || raw["pool"] == nil || raw["firebreak_recipient_id"] == nil {
		t.Fatalf("unknown keys lost: %v", raw)
	}
}

// TestNo2xxWhilePostgresIsDown: with the database refusing connections, a
// signed post is answered 503 (SendGrid retries), never 2xx.
func TestNo2xxWhilePostgresIsDown(t *testing.T) {
	s, h := newHookStack(t)
	_, msgs := sentCampaign(t, s, 1)
	admin, err := sql.Open("pgx", adminDSN(s.dsn))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := dbName(s.dsn)
	if _, err := admin.Exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
		t.Fatal(err)
	}
	code, _ := h.post([]map[string]any{ev(msgs[0], "delivered", 10, nil)})
	if code/100 == 2 || code != 503 {
		t.Fatalf("Postgres refusing connections: webhook answered %d, want 503", code)
	}
	if _, err := admin.Exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS true`); err != nil {
		t.Fatal(err)
	}
	s.waitFor("webhook stores again", 10*time.Second, func() bool {
		code, _ := h.post([]map[string]any{ev(msgs[0], "delivered", 10, nil)})
		return code == 200
	})
	if n := h.storedEvents(); n != 1 {
		t.Fatalf("stored %d", n)
	}
}

func dbName(dsn string) string {
	i := strings.LastIndex(dsn, "/")
	return strings.SplitN(dsn[i+1:], "?", 2)[0]
}

func adminDSN(dsn string) string {
	return strings.Replace(dsn, "/"+dbName(dsn), "/postgres", 1)
}

// TestSimulatorEventsReachTheCampaignCounts runs the whole loop: Firebreak
// hands a campaign to the simulator, which delivers it and posts signed,
// duplicated, reordered events back; the counts match what it delivered.
func TestSimulatorEventsReachTheCampaignCounts(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := startStack(t, stackOpts{buffer: "0s", webhook: true, sim: sgsim.Config{PrivateKey: key, Seed: 7,
		DuplicateShare: 0.2, Reorder: true, Outcomes: sgsim.Outcomes{Bounce: 0.05, Open: 0.4, SpamReport: 0.02}}})
	id, _ := sentCampaign(t, s, 500)
	s.waitFor("all outcomes counted", 30*time.Second, func() bool {
		c := s.get(id).Counts
		return c.Delivered+c.Bounced == 500
	})
	var delivered, bounced int
	for _, m := range s.sim.Messages() {
		switch m.State {
		case "delivered":
			delivered++
		case "bounced":
			bounced++
		}
	}
	c := s.get(id).Counts
	if c.Delivered != delivered || c.Bounced != bounced || bounced == 0 {
		t.Fatalf("counts %+v; simulator delivered %d bounced %d", c, delivered, bounced)
	}
}
