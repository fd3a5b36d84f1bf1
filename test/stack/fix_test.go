package stack_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// Fix, then resume (DESIGN.md): a paused campaign's content is corrected and
// resumed; what SendGrid held with the old content is cancelled there and
// handed over again corrected, under a new batch.

type fixAnswer struct {
	campaignAnswer
	ContentVersion int `json:"content_version"`
	Fix            *struct {
		Fields    []string `json:"fields"`
		Withdraw  int      `json:"withdraw"`
		HandOver  int      `json:"hand_over"`
		NotResent int      `json:"not_resent"`
		Preflight struct {
			OK       bool `json:"ok"`
			Problems []struct {
				Code string `json:"code"`
			} `json:"problems"`
		} `json:"preflight"`
	} `json:"fix"`
}

func (s *stack) getFix(id string) fixAnswer {
	s.t.Helper()
	var c fixAnswer
	if code := s.do("GET", "/api/v1/campaigns/"+id, "", nil, &c); code != 200 {
		s.t.Fatalf("get campaign: %d", code)
	}
	return c
}

func (s *stack) patch(id string, body map[string]any, out any) int {
	s.t.Helper()
	return s.do("PATCH", "/api/v1/campaigns/"+id, "application/json", strings.NewReader(mustJSON(body)), out)
}

// liveMessages counts, per recipient id, the campaign's messages at SendGrid
// that can still go out (not in a cancelled batch), and which content they carry.
func liveMessages(sim *sgsim.Sim, campaignID string) (live map[string]int, content map[string]string) {
	live, content = map[string]int{}, map[string]string{}
	for _, m := range sim.Messages() {
		if m.CustomArgs["firebreak_campaign_id"] != campaignID || sim.BatchStatus(m.BatchID) == "cancel" {
			continue
		}
		rid := m.CustomArgs["firebreak_recipient_id"]
		live[rid]++
		for _, c := range m.Contents {
			if c.Type == "text/html" {
				content[rid] = c.Value
			}
		}
	}
	return live, content
}

// sendAndPauseMidway sends a 15-min-buffer campaign to n (> 4000)
// recipients and pauses it while its first four requests (4,000 recipients)
// are at SendGrid: they are accepted, SendGrid holds them (send_at 15 min
// out), and the rest is never handed over.
func (s *stack) sendAndPauseMidway(n int, html string) (id string, handed int, incidentID string) {
	s.t.Helper()
	s.importCSV(recipientsCSV(n, "fix", true))
	id = s.campaign(map[string]any{"name": "spring sale", "brand_id": s.brand("help@acme.example"),
		"subject": "Spring sale", "html": html, "segments": []string{"fix"}})
	release := s.sim.HoldSends()
	defer release()
	if code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil); code != 202 {
		s.t.Fatalf("send %d", code)
	}
	s.waitFor("four requests at SendGrid", 30*time.Second, func() bool { return s.sim.HeldSends() == 4 })
	type pauseOut struct {
		Campaign   campaignAnswer `json:"campaign"`
		IncidentID string         `json:"incident_id"`
	}
	answered := make(chan pauseOut, 1)
	go func() {
		var out pauseOut
		if code := s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "wrong price"}, &out); code != 200 {
			s.t.Errorf("pause: %d", code)
		}
		answered <- out
	}()
	time.Sleep(300 * time.Millisecond)
	release()
	out := <-answered
	if out.Campaign.ESPPause.State != "paused" || out.Campaign.Counts.HandedToESP != 4000 {
		s.t.Fatalf("pause: %+v, want paused at SendGrid with 4000 handed", out.Campaign)
	}
	return id, out.Campaign.Counts.HandedToESP, out.IncidentID
}

func TestFixThenResumeWithdrawsWhatSendGridHeldAndResendsItCorrected(t *testing.T) {
	s := startStack(t, stackOpts{})
	const n = 6000
	id, handed, incidentID := s.sendAndPauseMidway(n, "<p>Hi {{first_name|there}}, now only $10</p>")
	before := s.getFix(id)
	if handed == 0 || handed == n || before.Fix != nil {
		t.Fatalf("paused with %d of %d handed, fix %+v: want part handed and no fix yet", handed, n, before.Fix)
	}
	oldBatch := before.BatchID

	// Bad input first: nothing of it is stored.
	var e errorAnswer
	if code := s.patch(id, map[string]any{"segments": []string{"other"}}, &e); code != 422 || e.Error.Code != "not_draft_field" {
		t.Fatalf("PATCH segments of a sent campaign: %d %+v, want 422 not_draft_field", code, e)
	}
	if code := s.patch(id, map[string]any{"html": "", "text": ""}, &e); code != 422 || e.Error.Code != "validation_failed" {
		t.Fatalf("PATCH emptying the bodies: %d %+v, want 422 validation_failed", code, e)
	}
	// A fix that fails preflight cannot be resumed.
	var c fixAnswer
	if code := s.patch(id, map[string]any{"html": "<p>Hi {{first_nme}}, now only $20</p>"}, &c); code != 200 {
		t.Fatalf("PATCH html: %d", code)
	}
	if c.Fix == nil || c.Fix.Preflight.OK {
		t.Fatalf("a broken merge tag: fix %+v, want preflight not ok", c.Fix)
	}
	if code := s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, &e); code != 422 || e.Error.Code != "preflight_failed" {
		t.Fatalf("resume of a fix that fails preflight: %d %+v, want 422 preflight_failed", code, e)
	}
	if st := s.get(id); st.Status != "paused" || st.BatchID != oldBatch || s.sim.BatchStatus(oldBatch) != "pause" {
		t.Fatalf("after the refused resume: %s, batch %s (%q at SendGrid): want paused, unchanged", st.Status, st.BatchID, s.sim.BatchStatus(oldBatch))
	}

	// The real correction.
	if code := s.patch(id, map[string]any{"html": "<p>Hi {{first_name|there}}, now only $20</p>"}, &c); code != 200 {
		t.Fatalf("PATCH html: %d", code)
	}
	if c.ContentVersion != 3 || c.Fix == nil || !c.Fix.Preflight.OK || strings.Join(c.Fix.Fields, ",") != "html" ||
		c.Fix.Withdraw != handed || c.Fix.HandOver != n-handed || c.Fix.NotResent != 0 {
		t.Fatalf("fix %+v (version %d): want html changed, %d to withdraw, %d to hand over, 0 not resent",
			c.Fix, c.ContentVersion, handed, n-handed)
	}

	// Two resumes at once: one resumes, the other is told it is not paused any more.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, nil)
		}()
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Fatalf("two resumes at once answered %v, want one 200 and one 409", codes)
	}
	s.waitFor("sent after the fix", 60*time.Second, func() bool { return s.get(id).Status == "sent" })
	after := s.getFix(id)
	if after.Counts.Withdrawn != handed || after.BatchID == oldBatch || after.Fix != nil || after.Counts.HandedToESP != n {
		t.Fatalf("after: withdrawn %d (want %d), batch %s (old %s), fix %+v, handed %d",
			after.Counts.Withdrawn, handed, after.BatchID, oldBatch, after.Fix, after.Counts.HandedToESP)
	}
	if st := s.sim.BatchStatus(oldBatch); st != "cancel" {
		t.Fatalf("the old batch is %q at SendGrid, want cancel", st)
	}
	live, content := liveMessages(s.sim, id)
	if len(live) != n {
		t.Fatalf("%d recipients have a live message, want %d", len(live), n)
	}
	for rid, k := range live {
		if k != 1 {
			t.Fatalf("recipient %s has %d live messages, want exactly one", rid, k)
		}
		if !strings.Contains(content[rid], "$20") || strings.Contains(content[rid], "$10") {
			t.Fatalf("recipient %s's live message says %q, want the corrected price", rid, content[rid])
		}
	}
	// The incident's timeline: the fix with its diff, then the resume with what was withdrawn.
	var timeline []struct {
		Action string         `json:"action"`
		Data   map[string]any `json:"data"`
	}
	s.do("GET", "/api/v1/incidents/"+incidentID+"/timeline?limit=200", "", nil, &timeline)
	var sawFix, sawResume bool
	for _, e := range timeline {
		switch e.Action {
		case "campaign.fix":
			if strings.Contains(mustJSON(e.Data["diff"]), `"line":"\u003cp\u003eHi {{first_name|there}}, now only $20\u003c/p\u003e"`) {
				sawFix = true
			}
		case "campaign.resume":
			sawResume = fmt.Sprint(e.Data["withdrawn"]) == fmt.Sprint(handed)
		}
	}
	if !sawFix || !sawResume {
		t.Fatalf("timeline lacks the fix diff (%v) or the resume with %d withdrawn (%v): %s", sawFix, handed, sawResume, mustJSON(timeline))
	}
	// PATCH while sending is refused: pause first.
	if code := s.patch(id, map[string]any{"subject": "x"}, &e); code != 409 || e.Error.Code != "campaign_sending" {
		t.Fatalf("PATCH of a sent campaign: %d %+v, want 409 campaign_sending", code, e)
	}
}

// With send_buffer_seconds 0 nothing waits at SendGrid: those handed over
// before the pause possibly received the old version and get nothing more;
// only those never handed over get the corrected content.
func TestFixWithoutBufferSendsNothingMoreToThoseHandedBefore(t *testing.T) {
	s := startStack(t, stackOpts{})
	const n = 6000
	s.importCSV(recipientsCSV(n, "now", true))
	id := s.campaign(map[string]any{"name": "now", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "<p>$10</p>", "segments": []string{"now"}, "send_buffer_seconds": 0})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("some handed over", 30*time.Second, func() bool { return s.get(id).Counts.HandedToESP >= 1000 })
	s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "price"}, nil)
	handedBefore := map[string]bool{}
	for _, m := range s.sim.Messages() {
		handedBefore[m.CustomArgs["firebreak_recipient_id"]] = true
	}
	var c fixAnswer
	s.patch(id, map[string]any{"html": "<p>$20</p>"}, &c)
	if c.Fix == nil || c.Fix.Withdraw != 0 || c.Fix.NotResent != len(handedBefore) {
		t.Fatalf("fix %+v: want 0 to withdraw and the %d handed over not resent", c.Fix, len(handedBefore))
	}
	if code := s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, &c); code != 200 {
		t.Fatalf("resume %d", code)
	}
	s.waitFor("sent", 60*time.Second, func() bool { return s.get(id).Status == "sent" })
	per := map[string]int{}
	for _, m := range s.sim.Messages() {
		rid := m.CustomArgs["firebreak_recipient_id"]
		per[rid]++
		body := m.Contents[len(m.Contents)-1].Value
		if handedBefore[rid] != strings.Contains(body, "$10") {
			t.Fatalf("recipient %s (handed before the pause: %v) got %q", rid, handedBefore[rid], body)
		}
	}
	for rid, k := range per {
		if k != 1 {
			t.Fatalf("recipient %s got %d messages", rid, k)
		}
	}
	if len(per) != n || s.get(id).Counts.Withdrawn != 0 {
		t.Fatalf("%d recipients reached, withdrawn %d: want %d and 0", len(per), s.get(id).Counts.Withdrawn, n)
	}
	// Nothing to cancel: no SendGrid slot is taken for it.
	if st := s.sim.BatchStatus(s.get(id).BatchID); st == "cancel" {
		t.Fatal("a buffer-0 fix cancelled its batch for nothing")
	}
}

// SendGrid's limit of 10 paused or cancelled batches reached when the fix
// must cancel: the resume is refused with batch_limit, nothing is withdrawn or
// re-sent, the campaign stays paused, and the incident's timeline says so.
func TestFixRefusedAtTheBatchLimitReleasesNothing(t *testing.T) {
	s := startStack(t, stackOpts{sim: sgsim.Config{BatchLimit: 1}})
	id, handed, incidentID := s.sendAndPauseMidway(5000, "<p>$10</p>")
	oldBatch := s.get(id).BatchID
	// Someone else takes the one slot: the batch's pause becomes a cancel by
	// PATCH, which needs no slot — so free ours first and fill it.
	simCall := func(method, path, body string, out any) {
		r, _ := http.NewRequest(method, s.simURL+path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer k")
		r.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(r)
		if err != nil || resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %v %v", method, path, err, resp.Status)
		}
		if out != nil {
			decodeBody(t, resp, out)
		}
		resp.Body.Close()
	}
	var other struct {
		BatchID string `json:"batch_id"`
	}
	simCall("DELETE", "/v3/user/scheduled_sends/"+oldBatch, "", nil)
	simCall("POST", "/v3/mail/batch", "", &other)
	simCall("POST", "/v3/user/scheduled_sends", fmt.Sprintf(`{"batch_id":%q,"status":"pause"}`, other.BatchID), nil)
	s.patch(id, map[string]any{"html": "<p>$20</p>"}, nil)
	var e errorAnswer
	if code := s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, &e); code != 503 || e.Error.Code != "batch_limit" {
		t.Fatalf("resume at the batch limit: %d %+v, want 503 batch_limit", code, e)
	}
	c := s.getFix(id)
	if c.Status != "paused" || c.BatchID != oldBatch || c.Counts.Withdrawn != 0 || c.Fix == nil || c.Fix.Withdraw != handed {
		t.Fatalf("after the refusal: %+v, want paused, same batch, nothing withdrawn, the fix still pending", c)
	}
	if sends := len(s.sim.Messages()); sends != handed {
		t.Fatalf("SendGrid has %d messages, want the %d of before: nothing re-sent", sends, handed)
	}
	var timeline []struct {
		Action string `json:"action"`
	}
	s.do("GET", "/api/v1/incidents/"+incidentID+"/timeline?limit=200", "", nil, &timeline)
	if !strings.Contains(mustJSON(timeline), "campaign.fix_refused") {
		t.Fatalf("the incident's timeline does not report the refusal: %s", mustJSON(timeline))
	}
}

// The cancellation of the old batch stays at SendGrid while its messages'
// send_at is ahead — across a restart and reconciler runs — and is removed
// only once they have all passed (and been discarded).
func TestTheOldBatchStaysCancelledUntilItsMessagesPassed(t *testing.T) {
	clock := &offsetClock{}
	s := startStack(t, stackOpts{sim: sgsim.Config{Now: clock.Now}})
	id, handed, _ := s.sendAndPauseMidway(5000, "<p>$10</p>")
	oldBatch := s.get(id).BatchID
	s.patch(id, map[string]any{"html": "<p>$20</p>"}, nil)
	if code := s.postJSON("/api/v1/campaigns/"+id+"/resume", nil, nil); code != 200 {
		t.Fatalf("resume %d", code)
	}
	s.waitFor("sent", 60*time.Second, func() bool { return s.get(id).Status == "sent" })

	// Restart Firebreak on the same database; its reconciler runs at start.
	s.restart()
	time.Sleep(2 * time.Second)
	if st := s.sim.BatchStatus(oldBatch); st != "cancel" {
		t.Fatalf("after a restart the old batch is %q at SendGrid, want still cancel", st)
	}
	// 16 minutes later at SendGrid every old message is due: discarded, none sent.
	clock.Advance(16 * time.Minute)
	s.sim.Tick()
	old := 0
	for _, m := range s.sim.Messages() {
		if m.BatchID != oldBatch {
			continue
		}
		old++
		if m.State != sgsim.StateCancelled {
			t.Fatalf("an old-content message is %s, want cancelled", m.State)
		}
	}
	if old != handed {
		t.Fatalf("%d old messages, want %d", old, handed)
	}
	// Firebreak's own clock says when: move the release time to the past, as
	// time would, and the reconciler removes the cancellation.
	db := s.pg()
	if _, err := db.Exec(context.Background(), `UPDATE campaign_batches SET release_after = now() - interval '1 second'
		WHERE batch_id = $1`, oldBatch); err != nil {
		t.Fatal(err)
	}
	s.waitFor("the cancellation removed", 40*time.Second, func() bool { return s.sim.BatchStatus(oldBatch) == "" })
	// The reconciler records the release after SendGrid answered the DELETE:
	// a moment later than the simulator's state changes, so wait for it too.
	released := func() bool {
		var r bool
		if err := db.QueryRow(context.Background(), `SELECT released_at IS NOT NULL FROM campaign_batches WHERE batch_id = $1`,
			oldBatch).Scan(&r); err != nil {
			t.Fatalf("campaign_batches: %v", err)
		}
		return r
	}
	s.waitFor("campaign_batches.released_at set", 20*time.Second, released)
}

// offsetClock is the simulator's clock: real time plus what a test advanced.
type offsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// pg opens a connection to the stack's database for a test's own queries.
func (s *stack) pg() *pgx.Conn {
	s.t.Helper()
	conn, err := pgx.Connect(context.Background(), s.dsn)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
