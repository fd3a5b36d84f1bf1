package stack_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// handedTo counts, per address, how many personalizations SendGrid received.
func handedTo(sim *sgsim.Sim) map[string]int {
	out := map[string]int{}
	for _, m := range sim.Messages() {
		out[m.To]++
	}
	return out
}

func TestSendHandsEachRecipientOverOnceMinusSuppressionsWithCustomArgs(t *testing.T) {
	s := startStack(t, stackOpts{})
	// Three segments that overlap; an address in two segments is one recipient.
	csv := recipientsCSV(1500, "spring", true) + strings.TrimPrefix(recipientsCSV(700, "vip", true), "email,first_name,last_name,segments\n") +
		"spring-1@example.com,Name1,,spring;vip\n" + "both@example.com,Bo,,spring;vip;news\n" +
		"unsub@example.com,Un,,spring\n" + "bounced@example.com,Bou,,vip\n" + "grp@example.com,Gr,,vip\n" +
		"othergrp@example.com,Og,,vip\n" + "other@example.com,Ot,,news\n"
	imp := s.importCSV(csv)
	if imp.Imported != 1500+700+6 || imp.Updated != 0 || len(imp.Rejected) != 0 {
		t.Fatalf("import %+v", imp)
	}
	for _, sup := range []map[string]any{
		{"email": "unsub@example.com", "kind": "unsubscribe"},
		{"email": "BOUNCED@example.com", "kind": "bounce"},
		{"email": "grp@example.com", "kind": "group_unsubscribe", "group_id": 42},
		{"email": "othergrp@example.com", "kind": "group_unsubscribe", "group_id": 7},
	} {
		if code := s.postJSON("/api/v1/suppressions", sup, nil); code != 201 {
			t.Fatalf("suppress %v: %d", sup, code)
		}
	}
	id := s.campaign(map[string]any{"name": "Spring sale", "brand_id": s.brand("help@acme.example"),
		"subject": "Hi {{first_name|there}}", "html": "<p>Dear {{first_name|friend}}</p>", "text": "Dear {{first_name|friend}}",
		"segments": []string{"spring", "vip"}, "asm_group_id": 42})

	var sent map[string]any
	if code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, &sent); code != 202 {
		t.Fatalf("send: %d %v", code, sent)
	}
	// spring 1500 + vip 700 + both + othergrp (other group: still mailed) = 2202;
	// unsub, bounced and grp (the campaign's own group) are suppressed.
	if sent["audience"] != float64(2202) || sent["status"] != "sending" {
		t.Fatalf("send answer %v", sent)
	}
	var again map[string]any
	if code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, &again); code != 409 {
		t.Fatalf("second send: %d %v, want 409", code, again)
	}
	s.waitFor("campaign sent", 30*time.Second, func() bool { return s.get(id).Status == "sent" })
	c := s.get(id)
	if c.Counts.Audience != 2202 || c.Counts.HandedToESP != 2202 || c.Counts.InDoubt != 0 {
		t.Fatalf("counts %+v", c.Counts)
	}

	got := handedTo(s.sim)
	if len(got) != 2202 {
		t.Fatalf("SendGrid received %d addresses, want 2202", len(got))
	}
	for addr, n := range got {
		if n != 1 {
			t.Errorf("%s handed over %d times", addr, n)
		}
	}
	for _, never := range []string{"unsub@example.com", "bounced@example.com", "grp@example.com", "other@example.com"} {
		if got[never] > 0 {
			t.Errorf("%s was handed over", never)
		}
	}
	if got["othergrp@example.com"] != 1 {
		t.Error("an unsubscribe from another ASM group must not suppress this campaign")
	}
	perRequest := map[string]int{}
	for _, m := range s.sim.Messages() {
		perRequest[m.MessageID]++
		if m.CustomArgs["firebreak_campaign_id"] != id || m.CustomArgs["firebreak_recipient_id"] == "" {
			t.Fatalf("personalization for %s lacks custom args: %v", m.To, m.CustomArgs)
		}
		if m.BatchID != c.BatchID || c.BatchID == "" {
			t.Fatalf("batch %q, campaign batch %q", m.BatchID, c.BatchID)
		}
		if len(m.Contents) != 2 || m.Contents[0].Type != "text/plain" || m.Contents[1].Type != "text/html" {
			t.Fatalf("content order %+v", m.Contents)
		}
		if !strings.Contains(m.Headers["List-Unsubscribe"], "/u/"+id+"/") || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
			t.Fatalf("unsubscribe headers %v", m.Headers)
		}
		if d := m.SendAt.Sub(m.ReceivedAt); d < 14*time.Minute || d > 16*time.Minute {
			t.Fatalf("send_at %s is not handoff + 15m buffer (received %s)", m.SendAt, m.ReceivedAt)
		}
		if strings.Join(m.Categories, ",") != "firebreak,campaign-"+id {
			t.Fatalf("categories %v", m.Categories)
		}
	}
	for req, n := range perRequest {
		if n > 1000 {
			t.Fatalf("request %s carried %d personalizations", req, n)
		}
	}
	if len(perRequest) < 3 {
		t.Fatalf("2202 recipients in %d requests", len(perRequest))
	}
	// Merge values: the fallback applies where the name is empty, never "Dear ,".
	for _, m := range s.sim.Messages() {
		if strings.Contains(m.Contents[0].Value, "Dear ,") || strings.Contains(m.Contents[0].Value, "{{") {
			t.Fatalf("rendered %q", m.Contents[0].Value)
		}
	}
}

func TestPreflightStopsUnresolvableMergeTags(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV("email,first_name,last_name,segments,plan\nana@example.com,Ana,,news,gold\nbo@example.com,,,news,\ncy@example.com, ,,news,silver\n")
	brand := s.brand("help@acme.example")
	type problem struct {
		Code     string   `json:"code"`
		Count    int      `json:"count"`
		Examples []string `json:"examples"`
	}
	type preflight struct {
		OK       bool      `json:"ok"`
		Problems []problem `json:"problems"`
	}
	check := func(html string) preflight {
		id := s.campaign(map[string]any{"name": "p", "brand_id": brand, "subject": "News", "html": html, "segments": []string{"news"}})
		var p preflight
		if code := s.postJSON("/api/v1/campaigns/"+id+"/preflight", nil, &p); code != 200 {
			t.Fatalf("preflight: %d", code)
		}
		var refusal struct {
			Error struct {
				Code    string `json:"code"`
				Details struct {
					Preflight preflight `json:"preflight"`
				} `json:"details"`
			} `json:"error"`
		}
		code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, &refusal)
		if p.OK != (code == 202) {
			t.Fatalf("preflight ok=%v but send answered %d", p.OK, code)
		}
		if !p.OK && (code != 422 || refusal.Error.Code != "preflight_failed" || len(refusal.Error.Details.Preflight.Problems) == 0) {
			t.Fatalf("refused send: %d %+v", code, refusal)
		}
		return p
	}
	p := check("<p>Dear {{first_name}}, your {{attr.plan}} plan</p>")
	if p.OK || len(p.Problems) != 2 {
		t.Fatalf("%+v", p)
	}
	first := p.Problems[0]
	if first.Code != "unresolved_merge_tag" || first.Count != 2 || strings.Join(first.Examples, ",") != "bo@example.com,cy@example.com" {
		t.Fatalf("first_name gap: %+v", first)
	}
	if p.Problems[1].Count != 1 || p.Problems[1].Examples[0] != "bo@example.com" {
		t.Fatalf("attr gap: %+v", p.Problems[1])
	}
	if p := check("Dear {{FirstName}}"); p.OK || p.Problems[0].Code != "invalid_merge_tag" {
		t.Fatalf("the Dear <FirstName> typo must not pass: %+v", p)
	}
	if p := check("Dear {{first_name|friend}}, {{attr.plan|our}} plan"); !p.OK {
		t.Fatalf("fallbacks resolve everything: %+v", p)
	}
}

func TestPreflightNeedsSubjectReplyToAndAudience(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV("email,first_name,segments\nana@example.com,Ana,news\n")
	id := s.campaign(map[string]any{"name": "p", "brand_id": s.brand("no-reply@acme.example"), "subject": " ",
		"html": "hi", "segments": []string{"nobody-here"}})
	var p struct {
		OK       bool `json:"ok"`
		Problems []struct {
			Code string `json:"code"`
		} `json:"problems"`
	}
	s.postJSON("/api/v1/campaigns/"+id+"/preflight", nil, &p)
	var codes []string
	for _, pr := range p.Problems {
		codes = append(codes, pr.Code)
	}
	if p.OK || strings.Join(codes, ",") != "empty_subject,noreply_reply_to,empty_audience" {
		t.Fatalf("problems %v", codes)
	}
}

// TestNoMailSendAfterPauseAnswers holds a mail/send in flight at SendGrid while
// the pause is asked: the pause must not answer until that request ended, and
// after it answers SendGrid must see no further request for the campaign.
func TestNoMailSendAfterPauseAnswers(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV(recipientsCSV(20000, "big", true))
	id := s.campaign(map[string]any{"name": "big", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "Hi {{first_name}}", "segments": []string{"big"}})
	if code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil); code != 202 {
		t.Fatalf("send %d", code)
	}
	s.waitFor("first handoffs", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP >= 2000 })
	release := s.sim.HoldSends()
	s.waitFor("a send held in flight", 10*time.Second, func() bool {
		return s.sim.SendRequests() > len(perReq(s.sim))
	})
	answered := make(chan campaignAnswer, 1)
	go func() {
		var out struct {
			Campaign campaignAnswer `json:"campaign"`
		}
		s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "wrong price"}, &out)
		answered <- out.Campaign
	}()
	select {
	case <-answered:
		t.Fatal("pause answered while a handoff request was still in flight")
	case <-time.After(700 * time.Millisecond):
	}
	release()
	var c campaignAnswer
	select {
	case c = <-answered:
	case <-time.After(20 * time.Second):
		t.Fatal("pause did not answer after the in-flight request ended")
	}
	after := s.sim.SendRequests()
	if c.Status != "paused" || c.ESPPause.State != "paused" || c.ESPPause.At == nil {
		t.Fatalf("pause answer %+v", c)
	}
	if s.sim.BatchStatus(c.BatchID) != "pause" {
		t.Fatalf("SendGrid batch status %q", s.sim.BatchStatus(c.BatchID))
	}
	time.Sleep(1500 * time.Millisecond)
	if n := s.sim.SendRequests(); n != after {
		t.Fatalf("%d mail/send requests arrived after the pause answered", n-after)
	}
	c = s.get(id)
	if c.Counts.HandedToESP >= 20000 || c.Counts.HandedToESP != len(s.sim.Messages()) {
		t.Fatalf("handed %d, SendGrid has %d", c.Counts.HandedToESP, len(s.sim.Messages()))
	}
	// Everything handed over has send_at 15 min out: SendGrid holds it all.
	if c.Counts.Held != 20000 || c.Counts.PossiblyReceived != 0 {
		t.Fatalf("held %d possibly received %d, want all held", c.Counts.Held, c.Counts.PossiblyReceived)
	}
	// Resume: SendGrid releases, the rest is handed over, each address once.
	if code := s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, &c); code != 200 || c.ESPPause.State != "resumed" {
		t.Fatalf("resume: %d %+v", code, c)
	}
	s.waitFor("sent after resume", 60*time.Second, func() bool { return s.get(id).Status == "sent" })
	for addr, n := range handedTo(s.sim) {
		if n != 1 {
			t.Fatalf("%s handed over %d times across pause/resume", addr, n)
		}
	}
	if len(handedTo(s.sim)) != 20000 {
		t.Fatalf("after resume SendGrid has %d addresses", len(handedTo(s.sim)))
	}
}

func perReq(sim *sgsim.Sim) map[string]bool {
	out := map[string]bool{}
	for _, m := range sim.Messages() {
		out[m.MessageID] = true
	}
	return out
}

func TestESPPauseRefusedIsReportedFailedAndRetried(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV(recipientsCSV(50, "s", true))
	id := s.campaign(map[string]any{"name": "x", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "hi", "segments": []string{"s"}})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("sent", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP == 50 })
	// Three refusals outlast the pause's 3 s budget at SendGrid (attempts at
	// 0 s, ~1 s, ~3 s); the background retry then meets a recovered SendGrid.
	s.sim.FailNext("/v3/user/scheduled_sends", 3, 503, nil)
	var out struct {
		Campaign campaignAnswer `json:"campaign"`
	}
	if code := s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "r"}, &out); code != 200 {
		t.Fatalf("pause: %d %+v", code, out)
	}
	c := out.Campaign
	if c.Status != "paused" || c.ESPPause.State != "failed" || c.ESPPause.Error == "" {
		t.Fatalf("a refused SendGrid pause must show as failed with its reason: %+v", c.ESPPause)
	}
	if s.sim.BatchStatus(c.BatchID) != "" {
		t.Fatal("setup: the simulator must not have paused")
	}
	if c.Counts.Held != 0 {
		t.Fatalf("held %d while SendGrid did not accept the pause", c.Counts.Held)
	}
	s.waitFor("background retry pauses at SendGrid", 30*time.Second, func() bool {
		return s.get(id).ESPPause.State == "paused" && s.sim.BatchStatus(c.BatchID) == "pause"
	})
	// Resuming a campaign that was already all handed over releases it at
	// SendGrid and brings it back to sent (nothing more to hand over).
	if code := s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, nil); code != 200 {
		t.Fatalf("resume: %d", code)
	}
	s.waitFor("sent again after resume", 20*time.Second, func() bool {
		c := s.get(id)
		return c.Status == "sent" && c.ESPPause.State == "resumed" && s.sim.BatchStatus(c.BatchID) == ""
	})
	if n := len(handedTo(s.sim)); n != 50 {
		t.Fatalf("resume re-sent: SendGrid has %d addresses", n)
	}
}

func TestTenPausedBatchesLimitIsReported(t *testing.T) {
	s := startStack(t, stackOpts{})
	// Fill SendGrid's 10 paused batches.
	for i := 0; i < 10; i++ {
		req, _ := http.NewRequest("POST", s.simURL+"/v3/mail/batch", nil)
		req.Header.Set("Authorization", "Bearer k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b struct {
			BatchID string `json:"batch_id"`
		}
		decodeBody(t, resp, &b)
		req, _ = http.NewRequest("POST", s.simURL+"/v3/user/scheduled_sends",
			strings.NewReader(fmt.Sprintf(`{"batch_id":%q,"status":"pause"}`, b.BatchID)))
		req.Header.Set("Authorization", "Bearer k")
		req.Header.Set("Content-Type", "application/json")
		resp, err = http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("fill batch %d: %v %v", i, err, resp.Status)
		}
		resp.Body.Close()
	}
	s.importCSV(recipientsCSV(20, "s", true))
	id := s.campaign(map[string]any{"name": "x", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "hi", "segments": []string{"s"}})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("handed", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP == 20 })
	var out struct {
		Campaign campaignAnswer `json:"campaign"`
	}
	s.postJSON("/api/v1/campaigns/"+id+"/pause", nil, &out)
	if out.Campaign.ESPPause.State != "failed" || !strings.Contains(out.Campaign.ESPPause.Error, "batch_limit") {
		t.Fatalf("hitting SendGrid's 10-batch limit must be reported: %+v", out.Campaign.ESPPause)
	}
}
