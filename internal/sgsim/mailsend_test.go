package sgsim_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sendgrid/sendgrid-go"
	sgmail "github.com/sendgrid/sendgrid-go/helpers/mail"

	"github.com/firebreak/firebreak/internal/sgsim"
)

func TestMailSendValidation(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	known := e.batch()
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@example.com", i)
	}
	cases := map[string]struct {
		body  map[string]any
		field string
	}{
		"1001 personalizations": {mail(many), "personalizations"},
		"html before text": {mail([]string{"a@example.com"}, with("content", []any{
			map[string]any{"type": "text/html", "value": "<p>x</p>"},
			map[string]any{"type": "text/plain", "value": "x"},
		})), "content"},
		"content type twice": {mail([]string{"a@example.com"}, with("content", []any{
			map[string]any{"type": "text/plain", "value": "x"},
			map[string]any{"type": "text/plain", "value": "y"},
		})), "content"},
		"empty content":       {mail([]string{"a@example.com"}, with("content", []any{})), "content"},
		"send_at beyond 72 h": {mail([]string{"a@example.com"}, with("send_at", e.clk.Now().Add(73*time.Hour).Unix())), "send_at"},
		"unknown batch":       {mail([]string{"a@example.com"}, with("batch_id", "NoSuchBatch123")), "batch_id"},
		"no from":             {mail([]string{"a@example.com"}, with("from", map[string]any{"email": "not-an-address"})), "from.email"},
		"no subject":          {mail([]string{"a@example.com"}, with("subject", "")), "subject"},
		"11 categories":       {mail([]string{"a@example.com"}, with("categories", strings.Split("a,b,c,d,e,f,g,h,i,j,k", ","))), "categories"},
		"long category":       {mail([]string{"a@example.com"}, with("categories", []string{strings.Repeat("c", 256)})), "categories.0"},
		"custom args too big": {mail([]string{"a@example.com"}, with("custom_args", map[string]string{"x": strings.Repeat("v", 10001)})), "custom_args"},
		"asm without group":   {mail([]string{"a@example.com"}, with("asm", map[string]any{})), "asm.group_id"},
		"reserved header":     {mail([]string{"a@example.com"}, with("headers", map[string]string{"Subject": "x"})), "headers"},
		"duplicate recipient": {mail(nil, with("personalizations", []any{map[string]any{
			"to": []any{map[string]any{"email": "a@example.com"}},
			"cc": []any{map[string]any{"email": "A@example.com"}},
		}})), "personalizations.0.cc"},
		"no to": {mail(nil, with("personalizations", []any{map[string]any{"to": []any{}}})), "personalizations.0.to"},
		"1001 recipients": {mail(nil, with("personalizations", []any{map[string]any{
			"to": []any{map[string]any{"email": "a@example.com"}},
			"cc": manyAddrs(1000),
		}})), "personalizations"},
		"sandbox not a bool": {mail([]string{"a@example.com"}, with("mail_settings", map[string]any{
			"sandbox_mode": map[string]any{"enable": "true"}})), "mail_settings.sandbox_mode.enable"},
		"custom arg not a string": {mail([]string{"a@example.com"}, with("custom_args", map[string]any{"n": 1})), "custom_args"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := e.do("POST", "/v3/mail/send", c.body)
			if r.status != http.StatusBadRequest || !r.hasField(t, c.field) {
				t.Fatalf("got %d %s, want 400 naming %s", r.status, r.body, c.field)
			}
		})
	}
	if n := len(e.sim.Messages()); n != 0 {
		t.Errorf("%d messages recorded from invalid requests", n)
	}
	if got, want := e.sim.SendRequests(), len(cases); got != want {
		t.Errorf("SendRequests = %d, want %d", got, want)
	}
	e.send(mail([]string{"ok@example.com"}, with("batch_id", known)))
}

func manyAddrs(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"email": fmt.Sprintf("cc%d@example.com", i)}
	}
	return out
}

func TestMailSendAuthAndSandbox(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	body := mail([]string{"a@example.com"})
	for _, auth := range []string{"", "Bearer wrong", "Basic abc"} {
		if r := e.doAuth("POST", "/v3/mail/send", body, auth); r.status != http.StatusUnauthorized || len(r.errorsOf(t)) != 1 {
			t.Errorf("auth %q: %d %s, want 401 envelope", auth, r.status, r.body)
		}
	}
	sandbox := mail([]string{"a@example.com"}, with("mail_settings", map[string]any{"sandbox_mode": map[string]any{"enable": true}}))
	if r := e.do("POST", "/v3/mail/send", sandbox); r.status != http.StatusOK {
		t.Errorf("sandbox: %d, want 200", r.status)
	}
	if n := len(e.sim.Messages()); n != 0 {
		t.Errorf("sandbox recorded %d messages", n)
	}
	id := e.send(body)
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`).MatchString(id) {
		t.Errorf("X-Message-Id %q is not 22 URL-safe characters", id)
	}
	if got := e.sim.SendRequests(); got != 5 {
		t.Errorf("SendRequests = %d, want 5", got)
	}
}

func TestMailSendRecordsPersonalizations(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	b := e.batch()
	sendAt := e.clk.Now().Add(15 * time.Minute).Unix()
	body := mail(nil,
		with("personalizations", []any{map[string]any{
			"to":            []any{map[string]any{"email": "ana@example.com", "name": "Ana"}},
			"substitutions": map[string]string{"{{first_name}}": "Ana", "{{first}}": "WRONG"},
			"custom_args":   map[string]string{"firebreak_recipient_id": "r-1", "shared": "personalization"},
		}}),
		with("subject", "Hi {{first_name}}"),
		with("content", []any{
			map[string]any{"type": "text/plain", "value": "Dear {{first_name}}"},
			map[string]any{"type": "text/html", "value": "<p>Dear {{first_name}}</p>"},
		}),
		with("custom_args", map[string]string{"firebreak_campaign_id": "c-1", "shared": "message", "event": "mine"}),
		with("categories", []string{"spring"}),
		with("asm", map[string]any{"group_id": 42}),
		with("batch_id", b), with("send_at", sendAt),
		with("headers", map[string]string{"List-Id": "spring"}))
	id := e.send(body)
	ms := e.sim.Messages()
	if len(ms) != 1 {
		t.Fatalf("%d messages, want 1", len(ms))
	}
	m := ms[0]
	if m.MessageID != id || !strings.HasPrefix(m.SGMessageID, id+".recvd-") || !strings.HasSuffix(m.SGMessageID, "-1.0") {
		t.Errorf("ids: %q %q (X-Message-Id %q)", m.MessageID, m.SGMessageID, id)
	}
	if m.Subject != "Hi Ana" || m.Contents[0] != (sgsim.Content{Type: "text/plain", Value: "Dear Ana"}) || m.Contents[1].Value != "<p>Dear Ana</p>" {
		t.Errorf("substitutions not applied: %q %+v", m.Subject, m.Contents)
	}
	if m.CustomArgs["shared"] != "personalization" || m.CustomArgs["firebreak_campaign_id"] != "c-1" || m.CustomArgs["firebreak_recipient_id"] != "r-1" {
		t.Errorf("custom args %v", m.CustomArgs)
	}
	if m.BatchID != b || m.SendAt.Unix() != sendAt || m.ASMGroupID != 42 || m.State != sgsim.StateScheduled || m.Headers["List-Id"] != "spring" {
		t.Errorf("recorded %+v", m)
	}
	evs := e.sim.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want processed only", len(evs))
	}
	ev := evs[0]
	if ev["event"] != "processed" || ev["email"] != "ana@example.com" || ev["sg_message_id"] != m.SGMessageID ||
		ev["smtp-id"] != "<"+id+"@sgsim-ismtpd>" || ev["asm_group_id"] != 42 || ev["firebreak_campaign_id"] != "c-1" {
		t.Errorf("processed event %v", ev)
	}
	if cats, _ := ev["category"].([]string); len(cats) != 1 || cats[0] != "spring" {
		t.Errorf("category %v, want [spring]", ev["category"])
	}
}

// The official client (sendgrid-go v3.16) talks to the simulator unchanged.
func TestMailSendWithSendGridGo(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	msg := sgmail.NewSingleEmail(sgmail.NewEmail("Shop", "news@shop.example"), "Hello",
		sgmail.NewEmail("Ana", "ana@example.com"), "plain", "<p>html</p>")
	req := sendgrid.GetRequest(apiKey, "/v3/mail/send", e.srv.URL)
	req.Method = "POST"
	req.Body = sgmail.GetRequestBody(msg)
	resp, err := sendgrid.MakeRequest(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("send: %v %+v", err, resp)
	}
	if id := http.Header(resp.Headers).Get("X-Message-Id"); len(id) != 22 {
		t.Errorf("X-Message-Id %q", id)
	}
	if ms := e.sim.Messages(); len(ms) != 1 || ms[0].To != "ana@example.com" {
		t.Errorf("messages %+v", ms)
	}
}
