package sgsim_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

func TestSuppressionPaging(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	start := e.clk.Now().Unix()
	for _, a := range []string{"a1@x.example", "a2@x.example", "a3@x.example", "b1@y.example", "b2@y.example"} {
		e.sim.Suppress("bounces", a, "")
		e.clk.Advance(time.Minute)
	}
	type entry struct {
		Created int64  `json:"created"`
		Email   string `json:"email"`
		Reason  string `json:"reason"`
		Status  string `json:"status"`
	}
	list := func(query string) ([]string, reply) {
		r := e.do("GET", "/v3/suppression/bounces"+query, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", query, r.status, r.body)
		}
		var es []entry
		e.decode(r, &es)
		var out []string
		for _, x := range es {
			if x.Reason == "" || x.Status != "5.1.1" || x.Created < start {
				t.Errorf("entry %+v", x)
			}
			out = append(out, x.Email)
		}
		return out, r
	}
	all, r := list("")
	if len(all) != 5 || r.header.Get("Link") != "" {
		t.Fatalf("unpaged: %v, Link %q", all, r.header.Get("Link"))
	}
	var paged []string
	for off := 0; off < 5; off += 2 {
		page, r := list("?limit=2&offset=" + itoa(int64(off)))
		link := r.header.Get("Link")
		if !strings.Contains(link, `rel="first"`) || !strings.Contains(link, `rel="last"; title="3"`) ||
			strings.Contains(link, `rel="next"`) != (off < 4) || strings.Contains(link, `rel="prev"`) != (off > 0) {
			t.Errorf("offset %d: Link %q", off, link)
		}
		if off == 0 && !strings.Contains(link, e.srv.URL+"/v3/suppression/bounces?limit=2&offset=2>; rel=\"next\"; title=\"2\"") {
			t.Errorf("next link %q", link)
		}
		paged = append(paged, page...)
	}
	if !slices.Equal(paged, all) {
		t.Errorf("pages %v != all %v", paged, all)
	}
	if got, _ := list("?email=b"); len(got) != 2 {
		t.Errorf("prefix b: %v", got)
	}
	if got, _ := list("?email=a%25%40x"); len(got) != 3 {
		t.Errorf("wildcard a%%@x: %v", got)
	}
	if got, _ := list("?start_time=" + itoa(start+60) + "&end_time=" + itoa(start+120)); len(got) != 2 {
		t.Errorf("time window: %v", got)
	}
	if r := e.do("GET", "/v3/suppression/bounces?limit=501", nil); r.status != http.StatusBadRequest || !r.hasField(t, "limit") {
		t.Errorf("limit 501: %d %s", r.status, r.body)
	}
	var one []entry
	e.decode(e.do("GET", "/v3/suppression/bounces/A1@x.example", nil), &one)
	if len(one) != 1 {
		t.Errorf("single GET: %+v", one)
	}
	if r := e.do("DELETE", "/v3/suppression/bounces/a1@x.example", nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE: %d", r.status)
	}
	e.decode(e.do("GET", "/v3/suppression/bounces/a1@x.example", nil), &one)
	if len(one) != 0 {
		t.Errorf("after DELETE: %+v", one)
	}
	if r := e.do("DELETE", "/v3/suppression/bounces", map[string]any{"delete_all": true, "emails": []string{"b1@y.example"}}); r.status != http.StatusBadRequest {
		t.Errorf("bulk delete with both: %d", r.status)
	}
	e.do("DELETE", "/v3/suppression/bounces", map[string]any{"delete_all": true})
	if got, _ := list(""); len(got) != 0 {
		t.Errorf("after delete_all: %v", got)
	}
	if r := e.doAuth("GET", "/v3/suppression/bounces", nil, ""); r.status != http.StatusUnauthorized {
		t.Errorf("no auth: %d", r.status)
	}
}

func TestSuppressedAddressesAreDropped(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	if r := e.do("POST", "/v3/asm/suppressions/global", map[string]any{"recipient_emails": []string{"global@example.com"}}); r.status != http.StatusCreated {
		t.Fatalf("global add: %d", r.status)
	}
	var g map[string]string
	e.decode(e.do("GET", "/v3/asm/suppressions/global/GLOBAL@example.com", nil), &g)
	if g["recipient_email"] != "global@example.com" {
		t.Fatalf("global lookup %v", g)
	}
	var free map[string]string
	e.decode(e.do("GET", "/v3/asm/suppressions/global/other@example.com", nil), &free)
	if free == nil || len(free) != 0 {
		t.Fatalf("lookup of a free address %v, want {}", free)
	}
	e.do("POST", "/v3/asm/groups/5/suppressions", map[string]any{"recipient_emails": []string{"nogroup@example.com"}}) // unknown group: global
	e.sim.Suppress("bounces", "bounced@example.com", "")
	e.sim.Suppress("spam_reports", "spam@example.com", "")
	e.sim.Suppress("blocks", "blocked@example.com", "")
	e.send(mail([]string{"global@example.com", "nogroup@example.com", "bounced@example.com", "spam@example.com", "blocked@example.com", "ok@example.com"}))
	e.sim.Tick()
	want := map[string]string{
		"global@example.com": "Unsubscribed Address", "nogroup@example.com": "Unsubscribed Address",
		"bounced@example.com": "Bounced Address", "spam@example.com": "Spam Reporting Address",
	}
	for _, ev := range e.sim.Events() {
		if ev["event"] != "dropped" {
			continue
		}
		if w := want[ev["email"].(string)]; ev["reason"] != w {
			t.Errorf("%s dropped with %q, want %q", ev["email"], ev["reason"], w)
		}
		delete(want, ev["email"].(string))
	}
	if len(want) != 0 {
		t.Errorf("not dropped: %v", want)
	}
	if r := e.do("DELETE", "/v3/asm/suppressions/global/global@example.com", nil); r.status != http.StatusNoContent {
		t.Fatalf("global delete: %d", r.status)
	}
	e.send(mail([]string{"global@example.com"}))
	e.sim.Tick()
	if evs := e.eventsOf("global@example.com"); evs[len(evs)-1] != "delivered" {
		t.Errorf("after the global delete: %v", evs)
	}
	st := e.states()
	if st["blocked@example.com"] != sgsim.StateDelivered || st["ok@example.com"] != sgsim.StateDelivered {
		t.Errorf("blocks must not suppress: %v", st)
	}
}

func TestGroupUnsubscribeAppliesToItsGroup(t *testing.T) {
	e := newEnv(t, sgsim.Config{})
	r := e.do("POST", "/v3/asm/groups", map[string]any{"name": "Newsletter", "description": "weekly"})
	var grp struct{ ID int }
	e.decode(r, &grp)
	if r.status != http.StatusCreated || grp.ID == 0 {
		t.Fatalf("create group: %d %s", r.status, r.body)
	}
	gid := itoa(int64(grp.ID))
	e.do("POST", "/v3/asm/groups/"+gid+"/suppressions", map[string]any{"recipient_emails": []string{"ana@example.com"}})
	var found []string
	e.decode(e.do("POST", "/v3/asm/groups/"+gid+"/suppressions/search", map[string]any{"recipient_emails": []string{"ana@example.com", "bo@example.com"}}), &found)
	if !slices.Equal(found, []string{"ana@example.com"}) {
		t.Fatalf("search %v", found)
	}
	e.send(mail([]string{"ana@example.com"}, with("asm", map[string]any{"group_id": grp.ID})))
	e.send(mail([]string{"ana@example.com"})) // another stream: not suppressed
	e.sim.Tick()
	var states []sgsim.State
	for _, m := range e.sim.Messages() {
		states = append(states, m.State)
	}
	if !slices.Equal(states, []sgsim.State{sgsim.StateDropped, sgsim.StateDelivered}) {
		t.Fatalf("states %v", states)
	}
	var groups []map[string]any
	e.decode(e.do("GET", "/v3/asm/groups?id="+gid, nil), &groups)
	if len(groups) != 1 || groups[0]["unsubscribes"] != float64(1) {
		t.Fatalf("groups %v", groups)
	}
	var rows []map[string]any
	e.decode(e.do("GET", "/v3/asm/suppressions", nil), &rows)
	if len(rows) != 1 || rows[0]["email"] != "ana@example.com" || rows[0]["group_name"] != "Newsletter" {
		t.Fatalf("all group suppressions %v", rows)
	}
	if r := e.do("DELETE", "/v3/asm/groups/"+gid+"/suppressions/ana@example.com", nil); r.status != http.StatusNoContent {
		t.Fatalf("group delete: %d", r.status)
	}
	e.send(mail([]string{"ana@example.com"}, with("asm", map[string]any{"group_id": grp.ID})))
	e.sim.Tick()
	if st := e.sim.Messages()[2].State; st != sgsim.StateDelivered {
		t.Fatalf("after the group delete: %s", st)
	}
}

// A simulated bounce puts the address on the bounce list; a block does not.
func TestBounceSuppressesBlockDoesNot(t *testing.T) {
	e := newEnv(t, sgsim.Config{Outcomes: sgsim.Outcomes{Bounce: 1}})
	e.send(mail([]string{"ana@example.com"}))
	e.sim.Tick()
	e.send(mail([]string{"ana@example.com"}))
	e.sim.Tick()
	if evs := e.eventsOf("ana@example.com"); !slices.Equal(evs, []string{"processed", "bounce", "processed", "dropped"}) {
		t.Fatalf("bounce: %v", evs)
	}
	b := newEnv(t, sgsim.Config{Outcomes: sgsim.Outcomes{Block: 1}})
	b.send(mail([]string{"ana@example.com"}))
	b.sim.Tick()
	b.send(mail([]string{"ana@example.com"}))
	b.sim.Tick()
	if evs := b.eventsOf("ana@example.com"); !slices.Equal(evs, []string{"processed", "bounce", "processed", "bounce"}) {
		t.Fatalf("block: %v", evs)
	}
	var blocks []map[string]any
	b.decode(b.do("GET", "/v3/suppression/blocks", nil), &blocks)
	if len(blocks) != 1 || blocks[0]["status"] != "5.7.1" {
		t.Fatalf("blocks %v", blocks)
	}
}
