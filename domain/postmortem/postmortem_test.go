package postmortem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/postmortem"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"}, {999 * time.Millisecond, "0 s"}, {250 * time.Second, "4 min 10 s"}, {time.Hour + 5*time.Minute, "1 h 5 min"},
		{3*24*time.Hour + time.Minute, "3 d 1 min"}, {59 * time.Second, "59 s"}, {-90 * time.Second, "−1 min 30 s"},
	} {
		if got := postmortem.Words(c.d); got != c.want {
			t.Errorf("Words(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestCellEscapesPipesBackslashesAndLineBreaks(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":         `a\|b`,
		"one\ntwo":    "one two",
		"one\r\ntwo":  "one two",
		`back\slash|`: `back\\slash\|`,
		"sep\u2028x":  "sep x",
		"plain":       "plain",
	} {
		if got := postmortem.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) *time.Time { v := t0.Add(d); return &v }

func TestMarkdownIsStableAndItsTablesHoldHostileText(t *testing.T) {
	inc := incident.Incident{ID: "inc-1", CampaignID: "c-1", Runbook: "wrong-segment", Severity: "high",
		Status: incident.Open, Summary: "Sent to | everyone\nby mistake", DetectedAt: t0, AcknowledgedAt: at(250 * time.Second)}
	r := postmortem.Report{Incident: inc, GeneratedAt: t0.Add(time.Hour), Summary: "s", Durations: postmortem.DurationsOf(inc),
		Timeline: []audit.Entry{{At: t0, Actor: audit.Actor{Name: "m@x.io"}, Action: "incident.open",
			Data: map[string]any{"z": "last", "a": "pipe|and\nnewline", "m": map[string]any{"y": 1.5, "b": true}}}},
		Tasks: []incident.Task{{Title: "Fix | the segment", Kind: "internal", Status: "open"},
			{Title: "Find the cause", Kind: "internal", Status: incident.TaskCancelled, Template: true}},
		Communications: []communication.View{}, Monitoring: postmortem.NotStarted(), Names: map[string]string{}}
	md := postmortem.Markdown(r)
	for i := 0; i < 20; i++ { // map order must not leak into the output
		if again := postmortem.Markdown(r); again != md {
			t.Fatalf("two renders differ:\n%s\n---\n%s", md, again)
		}
	}
	for _, want := range []string{
		"# Postmortem: Sent to | everyone by mistake\n",
		"| acknowledged | 2026-03-01 09:04:10 UTC | 4 min 10 s |",
		"| paused | not yet | — |",
		`| 2026-03-01 09:00:00 UTC | m@x.io | incident.open | a: pipe\|and newline; m: {b: true; y: 1.5}; z: last |`,
		`| Fix \| the segment | internal | — | — | open | — | — |`,
		"| Find the cause | internal | — | — | no longer needed (cancelled when reclassified) | — | — |",
		"Status: not_started.",
		"No alerts.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestBreachRecord(t *testing.T) {
	inc := incident.Incident{ID: "inc-1", CampaignID: "c-1", Runbook: "data-breach", Status: incident.Resolved,
		Summary: "Order history sent to the wrong list", DetectedAt: t0, ResolvedAt: at(48 * time.Hour),
		LegalConfirmation: &incident.LegalConfirmation{By: "u-legal", At: *at(47 * time.Hour), Comment: "Not notifiable"}}
	a := &incident.AssessmentView{Assessment: incident.Assessment{DataCategories: []string{"name", "email"}, Notes: "low risk"}}
	tasks := []incident.Task{
		{Title: "Rotate the export key", Status: "done", CompletedBy: "u-sec", CompletedAt: at(2 * time.Hour)},
		{Title: "Tell the DPO", Status: "open"},
		{Title: "Purge the list", Status: "done"},
		{Title: "Find the cause", Status: incident.TaskCancelled, Template: true},
	}
	notice := communication.View{Communication: communication.Communication{Kind: communication.BreachNotice, Status: communication.Draft}}
	apology := communication.View{Communication: communication.Communication{Kind: communication.Apology, Status: communication.Sent, SentAt: at(time.Hour)}}
	names := map[string]string{"u-legal": "legal@x.io", "u-sec": "sec@x.io"}

	rec := postmortem.Breach(inc, a, tasks, []communication.View{notice, apology}, 42, names)
	if rec.Notified {
		t.Error("a draft breach notice and a sent apology are not a notification")
	}
	if rec.Decision != "Not notifiable" || rec.DecidedBy != "legal@x.io" || !rec.DecidedAt.Equal(*at(47 * time.Hour)) {
		t.Errorf("decision %q by %q at %v", rec.Decision, rec.DecidedBy, rec.DecidedAt)
	}
	if want := "Rotate the export key (done by sec@x.io, 2026-03-01 11:00:00 UTC); Purge the list"; rec.RemedialAction != want {
		t.Errorf("remedial action %q, want %q", rec.RemedialAction, want)
	}
	if rec.Subjects != 42 || rec.Effects != "low risk" || strings.Join(rec.DataCategories, ";") != "name;email" {
		t.Errorf("record %+v", rec)
	}
	notice.Status, notice.SentAt = communication.Sent, at(3*time.Hour)
	if rec := postmortem.Breach(inc, a, tasks, []communication.View{notice}, 42, names); !rec.Notified {
		t.Error("a sent breach notice is a notification")
	}
	if rec := postmortem.Breach(incident.Incident{ID: "x"}, nil, nil, nil, 0, nil); rec.DataCategories == nil || rec.Decision != "" || rec.DecidedAt != nil {
		t.Errorf("nothing known: %+v", rec)
	}
}

func TestConfirmedByResolve(t *testing.T) {
	es := []audit.Entry{
		{Action: "incident.open", At: t0},
		{Action: incident.ActionResolve, At: t0.Add(time.Hour),
			Data: map[string]any{"legal_confirmed_by": "u-legal", "legal_confirmed_at": "2026-03-01T10:00:00Z"}},
	}
	lc := postmortem.ConfirmedByResolve(es)
	if lc == nil || lc.By != "u-legal" || !lc.At.Equal(t0.Add(time.Hour)) || lc.Comment != "" {
		t.Errorf("confirmation %+v", lc)
	}
	if lc := postmortem.ConfirmedByResolve(es[:1]); lc != nil {
		t.Errorf("no resolve, yet %+v", lc)
	}
	if lc := postmortem.ConfirmedByResolve([]audit.Entry{{Action: incident.ActionResolve, Data: map[string]any{"owner_id": "x"}}}); lc != nil {
		t.Errorf("a resolve without legal data, yet %+v", lc)
	}
}

func TestClosingSummaryIsTheLatestResolves(t *testing.T) {
	tl := []audit.Entry{{Action: "incident.open"}}
	if got := postmortem.ClosingSummary(tl); got != "" {
		t.Errorf("no resolve: %q", got)
	}
	tl = append(tl, audit.Entry{Action: "incident.resolve", Data: map[string]any{"summary": "first close"}},
		audit.Entry{Action: "incident.note", Data: map[string]any{"summary": "not a resolve"}})
	if got := postmortem.ClosingSummary(tl); got != "first close" {
		t.Errorf("one resolve: %q", got)
	}
	tl = append(tl, audit.Entry{Action: "incident.resolve", Data: map[string]any{"reason": "again"}})
	if got := postmortem.ClosingSummary(tl); got != "" {
		t.Errorf("the latest resolve had no summary: %q", got)
	}
}
