package stack_test

import (
	"database/sql"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startWorker runs `firebreak worker` as a real process (this test binary
// re-executed), so a test can kill it with SIGKILL mid-handoff.
func startWorker(t *testing.T, s *stack) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "worker")
	cmd.Env = append(os.Environ(), "FIREBREAK_TEST_REEXEC=1")
	for k, v := range s.env.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	return cmd
}

// TestKilledWorkerMidHandoffHandsNobodyOverTwice kills the worker with SIGKILL
// while its requests are in flight (SendGrid accepts the one it received; the
// worker never hears), restarts it, and checks that the campaign completes
// with no address handed over twice: the recipients of the lost requests are
// in doubt, counted, and not resent; everyone not in them is handed over once
// by the new worker. The audience (10,000) is larger than the four requests
// that can be in flight at once, so the restart has work to do.
func TestKilledWorkerMidHandoffHandsNobodyOverTwice(t *testing.T) {
	s := startStack(t, stackOpts{mode: "api", sendTimeout: "2s"})
	const audience = 10000
	s.importCSV(recipientsCSV(audience, "k", true))
	id := s.campaign(map[string]any{"name": "k", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "Hi {{first_name}}", "segments": []string{"k"}})
	release := s.sim.HoldSends()
	t.Cleanup(release)
	w1 := startWorker(t, s)
	if code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil); code != 202 {
		t.Fatalf("send %d", code)
	}
	s.waitFor("a mail/send in flight", 20*time.Second, func() bool { return s.sim.SendRequests() >= 1 })
	if err := w1.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = w1.Process.Wait()
	release() // SendGrid now accepts what reached it from the dead worker

	startWorker(t, s)
	s.waitFor("campaign complete after restart", 90*time.Second, func() bool { return s.get(id).Status == "sent" })
	c := s.get(id)
	got := handedTo(s.sim)
	for addr, n := range got {
		if n != 1 {
			t.Fatalf("%s handed over %d times after a worker crash", addr, n)
		}
	}
	if c.Counts.InDoubt == 0 || c.Counts.HandedToESP+c.Counts.InDoubt != audience {
		t.Fatalf("counts %+v", c.Counts)
	}
	// At most four requests (4 × 1000) were in flight at the kill: those are
	// the abandoned ones. (On a loaded machine a request of the new worker can
	// also outlive the 2 s send timeout: it is in doubt too, for its own reason.)
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var abandoned, uncertainRecipients int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE error LIKE 'abandoned%'), coalesce(sum(recipients), 0)
		FROM handoff_requests WHERE campaign_id = $1 AND state = 'uncertain'`, id).Scan(&abandoned, &uncertainRecipients); err != nil {
		t.Fatal(err)
	}
	if abandoned == 0 || abandoned > 4 || uncertainRecipients != c.Counts.InDoubt {
		t.Fatalf("%d requests abandoned at the kill (want 1 to 4); %d recipients in uncertain requests, %d in doubt",
			abandoned, uncertainRecipients, c.Counts.InDoubt)
	}
	// Everything Firebreak says it handed over, SendGrid has; what SendGrid has
	// beyond that came from the lost requests (in doubt, as reported).
	if len(got) < c.Counts.HandedToESP || len(got) > audience {
		t.Fatalf("SendGrid has %d addresses; Firebreak handed %d and has %d in doubt", len(got), c.Counts.HandedToESP, c.Counts.InDoubt)
	}
	// The campaign reports its uncertain requests; its last error names the
	// abandonment unless a later request of the new worker timed out on a
	// loaded machine (also uncertain, see above) and is the latest error.
	if c.UncertainRequests < abandoned || !(strings.Contains(c.LastError, "abandoned") || strings.Contains(c.LastError, "uncertain")) {
		t.Fatalf("the lost request must be reported as uncertain: %+v", c)
	}
}

func TestCanaryRestIsNotReleasedWhilePaused(t *testing.T) {
	s := startStack(t, stackOpts{buffer: "0s"})
	s.importCSV(recipientsCSV(400, "c", true))
	id := s.campaign(map[string]any{"name": "c", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "hi", "segments": []string{"c"}, "canary_percent": 5, "canary_hold_seconds": 3})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("canary handed over", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP == 20 })
	if code := s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "canary looked bad"}, nil); code != 200 {
		t.Fatalf("pause %d", code)
	}
	time.Sleep(4500 * time.Millisecond) // past the hold
	if n := len(s.sim.Messages()); n != 20 || s.get(id).Counts.HandedToESP != 20 {
		t.Fatalf("the rest was released while paused: SendGrid has %d messages", n)
	}
	if code := s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, nil); code != 200 {
		t.Fatalf("resume %d", code)
	}
	s.waitFor("rest after resume", 30*time.Second, func() bool { return s.get(id).Status == "sent" })
	if n := len(handedTo(s.sim)); n != 400 {
		t.Fatalf("after resume %d of 400", n)
	}
}

func TestCanaryRestWaitsForTheHold(t *testing.T) {
	s := startStack(t, stackOpts{buffer: "0s"})
	s.importCSV(recipientsCSV(300, "h", true))
	id := s.campaign(map[string]any{"name": "h", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "hi", "segments": []string{"h"}, "canary_percent": 1, "canary_hold_seconds": 2})
	start := time.Now()
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("canary of at least one", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP == 3 })
	s.waitFor("rest after the hold", 30*time.Second, func() bool { return s.get(id).Status == "sent" })
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("the rest went after %s, before the 2 s hold", d)
	}
}

func TestSendGridAnswersDecideRetryFailOrDoubt(t *testing.T) {
	// Four parallel handoffs split 2500 recipients into requests of different
	// sizes; the fault hits whichever reaches SendGrid first, so the test checks
	// which bucket its recipients land in, not how many there are.
	for _, tc := range []struct {
		name          string
		status        int
		header        http.Header
		failed, doubt bool
	}{
		{name: "429 is retried (after X-RateLimit-Reset)", status: 429,
			header: http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)}}},
		{name: "400 fails that request only", status: 400, failed: true},
		{name: "500 leaves its recipients in doubt, never resent", status: 500, doubt: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startStack(t, stackOpts{})
			s.importCSV(recipientsCSV(2500, "o", true))
			id := s.campaign(map[string]any{"name": "o", "brand_id": s.brand("help@acme.example"), "subject": "S",
				"html": "hi", "segments": []string{"o"}})
			s.sim.FailNext("/v3/mail/send", 1, tc.status, tc.header)
			s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
			s.waitFor("campaign complete", 30*time.Second, func() bool { return s.get(id).Status == "sent" })
			c := s.get(id)
			if c.Counts.HandedToESP+c.Counts.Failed+c.Counts.InDoubt != 2500 ||
				(c.Counts.Failed > 0) != tc.failed || (c.Counts.InDoubt > 0) != tc.doubt ||
				c.Counts.Failed > 1000 || c.Counts.InDoubt > 1000 {
				t.Fatalf("counts %+v", c.Counts)
			}
			if got := len(handedTo(s.sim)); got != c.Counts.HandedToESP {
				t.Fatalf("SendGrid accepted %d addresses, Firebreak says %d", got, c.Counts.HandedToESP)
			}
			for addr, n := range handedTo(s.sim) {
				if n != 1 {
					t.Fatalf("%s handed over %d times", addr, n)
				}
			}
			if tc.failed != (c.FailedRequests == 1) || tc.doubt != (c.UncertainRequests == 1) {
				t.Fatalf("requests: failed %d uncertain %d", c.FailedRequests, c.UncertainRequests)
			}
			if (tc.failed || tc.doubt) && !strings.Contains(c.LastError, strconv.Itoa(tc.status)) {
				t.Fatalf("last_error %q does not report the %d", c.LastError, tc.status)
			}
		})
	}
}

func TestOneClickUnsubscribeRecordsASuppression(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV("email,first_name,segments\nana@example.com,Ana,u\nbo@example.com,Bo,u\n")
	id := s.campaign(map[string]any{"name": "u", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "hi", "segments": []string{"u"}})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("sent", 20*time.Second, func() bool { return s.get(id).Status == "sent" })
	var link string
	for _, m := range s.sim.Messages() {
		if m.To == "ana@example.com" {
			link = strings.Trim(m.Headers["List-Unsubscribe"], "<>")
		}
	}
	link = strings.Replace(link, "http://localhost:"+strings.Split(s.base, ":")[2], s.base, 1)
	resp, err := http.Get(link)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", link, err, resp)
	}
	resp.Body.Close()
	var list []map[string]any
	s.do("GET", "/api/v1/suppressions?email=ana@example.com", "", nil, &list)
	if len(list) != 0 {
		t.Fatal("a GET (a link scanner) must not unsubscribe")
	}
	resp, err = http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST one-click: %v %v", err, resp)
	}
	resp.Body.Close()
	s.do("GET", "/api/v1/suppressions?email=ANA@example.com", "", nil, &list)
	if len(list) != 1 || list[0]["kind"] != "unsubscribe" || list[0]["source"] != "unsubscribe_link" {
		t.Fatalf("suppressions %v", list)
	}
	tampered := link[:len(link)-3] + "xyz"
	resp, _ = http.Post(tampered, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if resp.StatusCode != 404 {
		t.Fatalf("tampered link: %d", resp.StatusCode)
	}
	resp.Body.Close()
	s.do("GET", "/api/v1/suppressions?email=bo@example.com", "", nil, &list)
	if len(list) != 0 {
		t.Fatal("a tampered link unsubscribed someone")
	}
}

func TestImportUpdatesKnownAddressesAndReportsBadRows(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV("email,first_name,last_name,segments,plan\nana@example.com,Ana,Silva,news,gold\n")
	imp := s.importCSV("email,first_name,last_name,segments,plan\n ANA@Example.com ,,Costa,vip,\nnew@example.com,New,,news,\n,x,,news,\nbad,,,news,\nshort@example.com,S\n")
	if imp.Imported != 1 || imp.Updated != 1 || len(imp.Rejected) != 3 {
		t.Fatalf("import %+v", imp)
	}
	reasons := []string{}
	for _, r := range imp.Rejected {
		reasons = append(reasons, strconv.Itoa(r.Line)+":"+r.Reason)
	}
	if strings.Join(reasons, "|") != "4:email is empty|5:is not a valid email address|6:has 2 columns, the header has 5" {
		t.Fatalf("rejected %v", reasons)
	}
	var segs []struct {
		Name    string `json:"name"`
		Members int    `json:"members"`
	}
	s.do("GET", "/api/v1/segments", "", nil, &segs)
	if len(segs) != 2 || segs[0].Name != "news" || segs[0].Members != 2 || segs[1].Name != "vip" || segs[1].Members != 1 {
		t.Fatalf("segments %+v (ana keeps news and joins vip; one row per address)", segs)
	}
	var bad map[string]any
	if code := s.do("POST", "/api/v1/recipients/import", "text/csv", strings.NewReader("name,segments\nx,y\n"), &bad); code != 422 {
		t.Fatalf("CSV without an email column: %d %v", code, bad)
	}
	if code := s.do("POST", "/api/v1/recipients/import", "application/json", strings.NewReader("{}"), &bad); code != 415 {
		t.Fatalf("JSON to the CSV import: %d", code)
	}
}
