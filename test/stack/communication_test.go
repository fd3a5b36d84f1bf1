package stack_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
	"github.com/firebreak/firebreak/worker/tasks"
)

type communicationAnswer struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	BatchID  string `json:"batch_id"`
	Audience struct {
		Affected        int `json:"affected"`
		Suppressed      int `json:"suppressed"`
		AlreadyReceived int `json:"already_received"`
		WillReceive     int `json:"will_receive"`
	} `json:"audience"`
	Counts struct {
		Audience          int `json:"audience"`
		HandedToESP       int `json:"handed_to_esp"`
		SkippedSuppressed int `json:"skipped_suppressed"`
	} `json:"counts"`
}

func (s *stack) communication(id string) communicationAnswer {
	s.t.Helper()
	var c communicationAnswer
	if code := s.do("GET", "/api/v1/communications/"+id, "", nil, &c); code != 200 {
		s.t.Fatalf("get communication %s: %d", id, code)
	}
	return c
}

// TestCommunicationReachesOnlyTheAffectedOnceAndNeverASuppressedAddress is
// invariant 2 through the whole stack: an apology for a campaign that reached
// 4500 people goes to them only, minus an address suppressed before the draft
// and one suppressed while the first batches (one per dispatcher,
// tasks.HandoffParallelism) were held inside SendGrid, before the last batch
// (between two batches), each address once, in requests of at most 1000 with the
// communication's custom args, batch and send buffer; a second apology of the
// same kind reaches nobody again.
func TestCommunicationReachesOnlyTheAffectedOnceAndNeverASuppressedAddress(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV(recipientsCSV(4500, "spring", true) + "never@example.com,Nev,,other\n")
	campaignID := s.campaign(map[string]any{"name": "Spring", "brand_id": s.brand("help@acme.example"), "subject": "Spring sale",
		"html": "<p>Sale</p>", "text": "Sale", "segments": []string{"spring"}})
	if code := s.postJSON("/api/v1/campaigns/"+campaignID+"/send", nil, nil); code != 202 {
		t.Fatalf("send campaign: %d", code)
	}
	s.waitFor("campaign sent", 60*time.Second, func() bool { return s.get(campaignID).Status == "sent" })
	campaignMails := len(s.sim.Messages())
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": campaignID, "runbook": "wrong-segment",
		"summary": "sent to spring by mistake"}, &inc); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	if code := s.postJSON("/api/v1/suppressions", map[string]any{"email": "spring-7@example.com", "kind": "unsubscribe"}, nil); code != 201 {
		t.Fatalf("suppress: %d", code)
	}
	var c communicationAnswer
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/communications", map[string]any{"kind": "apology",
		"subject": "We are sorry, {{first_name|friend}}", "html": "<p>Dear {{first_name|friend}}, sorry.</p>",
		"text": "Dear {{first_name|friend}}, sorry."}, &c); code != 201 {
		t.Fatalf("draft: %d", code)
	}
	if c.Audience.Affected != 4500 || c.Audience.Suppressed != 1 || c.Audience.WillReceive != 4499 {
		t.Fatalf("draft audience %+v", c.Audience)
	}

	release := s.sim.HoldSends()
	t.Cleanup(release)
	var sent map[string]any
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/send", nil, &sent); code != 202 || sent["audience"] != float64(4499) {
		t.Fatalf("send: %d %v", code, sent)
	}
	s.waitFor("a batch per dispatcher held inside SendGrid", 30*time.Second, func() bool {
		return s.sim.HeldSends() == tasks.HandoffParallelism
	})
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var later string
	if err := db.QueryRow(`SELECT email FROM communication_recipients WHERE communication_id = $1 AND state = 'pending'
		ORDER BY recipient_id DESC LIMIT 1`, c.ID).Scan(&later); err != nil {
		t.Fatal(err)
	}
	if code := s.postJSON("/api/v1/suppressions", map[string]any{"email": later, "kind": "spamreport"}, nil); code != 201 {
		t.Fatalf("suppress between batches: %d", code)
	}
	release()
	s.waitFor("communication sent", 60*time.Second, func() bool { return s.communication(c.ID).Status == "sent" })
	got := s.communication(c.ID)
	if got.Counts.HandedToESP != 4498 || got.Counts.SkippedSuppressed != 1 || got.BatchID == "" {
		t.Fatalf("counts %+v batch %q", got.Counts, got.BatchID)
	}

	to := map[string]int{}
	perRequest := map[string]int{}
	for _, m := range s.sim.Messages()[campaignMails:] {
		to[m.To]++
		perRequest[m.MessageID]++
		if m.CustomArgs["firebreak_communication_id"] != c.ID || m.CustomArgs["firebreak_recipient_id"] == "" || m.CustomArgs["firebreak_campaign_id"] != "" {
			t.Fatalf("custom args %v", m.CustomArgs)
		}
		if m.BatchID != got.BatchID {
			t.Fatalf("batch %q, communication's %q", m.BatchID, got.BatchID)
		}
		if d := m.SendAt.Sub(m.ReceivedAt); d < 14*time.Minute || d > 16*time.Minute {
			t.Fatalf("send_at %s is not handoff + 15m (received %s)", m.SendAt, m.ReceivedAt)
		}
		if strings.Contains(m.Subject, "{{") || strings.Contains(m.Contents[0].Value, "{{") {
			t.Fatalf("unresolved merge tag: %q / %q", m.Subject, m.Contents[0].Value)
		}
	}
	if len(to) != 4498 {
		t.Errorf("the apology reached %d addresses, want 4498", len(to))
	}
	for addr, n := range to {
		if n != 1 {
			t.Errorf("%s got the apology %d times", addr, n)
		}
	}
	for _, never := range []string{"spring-7@example.com", later, "never@example.com"} {
		if to[never] != 0 {
			t.Errorf("%s (suppressed or unaffected) got the apology", never)
		}
	}
	for req, n := range perRequest {
		if n > 1000 {
			t.Errorf("request %s carried %d personalizations", req, n)
		}
	}

	var second communicationAnswer
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/communications", map[string]any{"kind": "apology",
		"subject": "Sorry again", "text": "Sorry again."}, &second); code != 201 {
		t.Fatalf("second draft: %d", code)
	}
	if second.Audience.AlreadyReceived != 4498 || second.Audience.WillReceive != 0 {
		t.Errorf("second apology audience %+v, want all 4498 already received", second.Audience)
	}
}

// TestCommunicationKilledWorkerMidFanOutHandsNobodyTwice kills the worker
// with SIGKILL while an apology's request is held inside SendGrid (accepted,
// the worker never hears), restarts it, and checks that the apology
// completes with nobody mailed twice and nobody missed: the lost request's
// recipients are in doubt (never resent), everyone else is handed over once.
func TestCommunicationKilledWorkerMidFanOutHandsNobodyTwice(t *testing.T) {
	s := startStack(t, stackOpts{mode: "api", sendTimeout: "2s"})
	const audience = 3000
	s.importCSV(recipientsCSV(audience, "k", true))
	campaignID := s.campaign(map[string]any{"name": "k", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "Hi {{first_name}}", "segments": []string{"k"}})
	w1 := startWorker(t, s)
	if code := s.postJSON("/api/v1/campaigns/"+campaignID+"/send", nil, nil); code != 202 {
		t.Fatalf("send campaign: %d", code)
	}
	s.waitFor("campaign sent", 60*time.Second, func() bool { return s.get(campaignID).Status == "sent" })
	campaignMails, campaignReqs := len(s.sim.Messages()), s.sim.SendRequests()
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": campaignID, "runbook": "wrong-segment",
		"summary": "s"}, &inc); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	var c communicationAnswer
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/communications", map[string]any{"kind": "apology",
		"subject": "Sorry", "html": "<p>Sorry, {{first_name|friend}}.</p>", "text": "Sorry, {{first_name|friend}}."}, &c); code != 201 {
		t.Fatalf("draft: %d", code)
	}
	release := s.sim.HoldSends()
	t.Cleanup(release)
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/send", nil, nil); code != 202 {
		t.Fatalf("send: %d", code)
	}
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Kill only once every request the ledger says is in flight is inside
	// SendGrid (held there): then each claimed recipient's mail did reach
	// SendGrid, and "nobody missed" can be checked at the sink exactly.
	s.waitFor("an apology request in flight, and only inside SendGrid", 20*time.Second, func() bool {
		var inFlight int
		if err := db.QueryRow(`SELECT count(*) FROM communication_requests WHERE communication_id = $1 AND state = 'sending'`, c.ID).Scan(&inFlight); err != nil {
			t.Fatal(err)
		}
		return s.sim.SendRequests() > campaignReqs && inFlight >= 1 && s.sim.HeldSends() == inFlight
	})
	if err := w1.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = w1.Process.Wait()
	release()

	startWorker(t, s)
	s.waitFor("apology complete after restart", 120*time.Second, func() bool { return s.communication(c.ID).Status == "sent" })
	got := s.communication(c.ID)
	to := map[string]int{}
	for _, m := range s.sim.Messages()[campaignMails:] {
		to[m.To]++
	}
	for addr, n := range to {
		if n != 1 {
			t.Fatalf("%s got the apology %d times after a worker crash", addr, n)
		}
	}
	var inDoubt, pending int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE state = 'in_doubt'), count(*) FILTER (WHERE state IN ('pending', 'claimed'))
		FROM communication_recipients WHERE communication_id = $1`, c.ID).Scan(&inDoubt, &pending); err != nil {
		t.Fatal(err)
	}
	if inDoubt == 0 || pending != 0 || got.Counts.HandedToESP+inDoubt != audience {
		t.Fatalf("handed %d + in doubt %d (pending %d), want %d in all, some in doubt", got.Counts.HandedToESP, inDoubt, pending, audience)
	}
	// Nobody missed: the request the worker never heard back from was
	// accepted by SendGrid, so every address of the audience is at the sink
	// once, and each one there is handed or in doubt in the ledger.
	if len(to) != audience {
		t.Fatalf("SendGrid has %d addresses; Firebreak handed %d and has %d in doubt of %d", len(to), got.Counts.HandedToESP, inDoubt, audience)
	}
	rows, err := db.Query(`SELECT email FROM communication_recipients WHERE communication_id = $1 AND state IN ('handed', 'in_doubt')`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	accounted := 0
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			t.Fatal(err)
		}
		if to[email] != 1 {
			t.Errorf("%s is handed or in doubt but reached SendGrid %d times", email, to[email])
		}
		accounted++
	}
	if accounted != audience {
		t.Errorf("%d of %d recipients handed or in doubt", accounted, audience)
	}
}

// TestCommunicationBrandedSendAfterPreflight: an apology that does not
// apologise first is refused by the preflight (422 preflight_failed, nothing
// reaches the simulator); fixed, it goes out inside the brand's template —
// logo, footer, physical address — with each recipient's first name resolved
// (escaped in the HTML), the fallback for one without, and a working RFC 8058
// one-click unsubscribe link of the campaigns' signed scheme.
func TestCommunicationBrandedSendAfterPreflight(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV("email,first_name,last_name,segments\nada@example.com,Ada <&>,,spring\nbo@example.com,,,spring\n")
	var brand struct{ ID string }
	if code := s.postJSON("/api/v1/brands", map[string]string{"name": "Acme", "from_email": "news@acme.example",
		"from_name": "Acme Outdoor", "reply_to": "help@acme.example", "logo_url": "https://cdn.acme.example/logo.png",
		"primary_color": "#0a7f3f", "footer_html": "<p>Acme Outdoor, the shop for walkers</p>",
		"physical_address": "1 Trail Road, Springfield"}, &brand); code != 201 {
		t.Fatalf("brand: %d", code)
	}
	campaignID := s.campaign(map[string]any{"name": "Spring", "brand_id": brand.ID, "subject": "Spring sale",
		"html": "<p>Sale</p>", "text": "Sale", "segments": []string{"spring"}})
	if code := s.postJSON("/api/v1/campaigns/"+campaignID+"/send", nil, nil); code != 202 {
		t.Fatalf("send campaign: %d", code)
	}
	s.waitFor("campaign sent", 60*time.Second, func() bool { return s.get(campaignID).Status == "sent" })
	campaignMails := len(s.sim.Messages())
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": campaignID, "runbook": "wrong-segment",
		"summary": "sent to spring by mistake"}, &inc); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	var c communicationAnswer
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/communications", map[string]any{"kind": "apology",
		"subject": "We made a mistake in our last email", "html": "<p>Here is news about your order.</p>",
		"text": "Here is news about your order."}, &c); code != 201 {
		t.Fatalf("draft: %d", code)
	}
	var refused struct {
		Error struct {
			Code    string `json:"code"`
			Details struct {
				Preflight struct {
					OK       bool `json:"ok"`
					Problems []struct {
						Code string `json:"code"`
					} `json:"problems"`
				} `json:"preflight"`
			} `json:"details"`
		} `json:"error"`
	}
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/send", nil, &refused); code != 422 || refused.Error.Code != "preflight_failed" ||
		refused.Error.Details.Preflight.OK || len(refused.Error.Details.Preflight.Problems) == 0 ||
		refused.Error.Details.Preflight.Problems[0].Code != "no_apology" {
		t.Fatalf("send with no apology: %d %+v, want 422 preflight_failed no_apology", code, refused)
	}
	time.Sleep(time.Second) // a wrongly queued handoff would have reached the simulator by now
	if n := len(s.sim.Messages()); n != campaignMails || s.communication(c.ID).Status != "draft" {
		t.Fatalf("after a refused send: %d mails at the simulator (want %d), status %s", n, campaignMails, s.communication(c.ID).Status)
	}

	if code := s.do("PATCH", "/api/v1/communications/"+c.ID, "application/json", strings.NewReader(
		`{"html": "<p>We are sorry, {{first_name|friend}}: our last email went to the wrong list.</p>",
		  "text": "We are sorry, {{first_name|friend}}: our last email went to the wrong list."}`), nil); code != 200 {
		t.Fatalf("fix: %d", code)
	}
	if code := s.postJSON("/api/v1/communications/"+c.ID+"/send", nil, nil); code != 202 {
		t.Fatalf("send: %d", code)
	}
	s.waitFor("communication sent", 60*time.Second, func() bool { return s.communication(c.ID).Status == "sent" })
	got := map[string]sgsim.Message{}
	for _, m := range s.sim.Messages()[campaignMails:] {
		got[m.To] = m
	}
	part := func(m sgsim.Message, typ string) string {
		for _, p := range m.Contents {
			if p.Type == typ {
				return p.Value
			}
		}
		return ""
	}
	ada, bo := got["ada@example.com"], got["bo@example.com"]
	if len(got) != 2 {
		t.Fatalf("the apology reached %d addresses, want 2", len(got))
	}
	html := part(ada, "text/html")
	for _, want := range []string{`src="https://cdn.acme.example/logo.png"`, "<p>Acme Outdoor, the shop for walkers</p>",
		"1 Trail Road, Springfield", "We are sorry, Ada &lt;&amp;&gt;: our last email"} {
		if !strings.Contains(html, want) {
			t.Errorf("ada's HTML lacks %q:\n%s", want, html)
		}
	}
	if !strings.Contains(part(ada, "text/plain"), "We are sorry, Ada <&>:") || !strings.Contains(part(bo, "text/html"), "We are sorry, friend:") {
		t.Errorf("merge values not resolved: ada text %q, bo html %q", part(ada, "text/plain"), part(bo, "text/html"))
	}
	lu := bo.Headers["List-Unsubscribe"]
	if bo.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || !strings.HasPrefix(lu, "<") ||
		!strings.Contains(lu, "/u/"+campaignID+"/"+bo.CustomArgs["firebreak_recipient_id"]+"/") {
		t.Fatalf("bo's headers %v", bo.Headers)
	}
	link, err := url.Parse(strings.Trim(lu, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(part(bo, "text/plain"), link.String()) {
		t.Errorf("bo's text part lacks the unsubscribe link %s", link)
	}
	resp, err := http.Post(s.base+link.Path, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM suppressions WHERE email = 'bo@example.com'`).Scan(&n); err != nil || resp.StatusCode >= 300 || n != 1 {
		t.Errorf("one-click unsubscribe from the apology: %d, %d suppressions (%v)", resp.StatusCode, n, err)
	}
}
