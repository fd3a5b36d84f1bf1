package incident_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

const (
	findCause   = "Find the cause and reclassify the incident"
	holdingLine = "Give customer support a holding line"
	fixSegment  = "Fix the segment definition"
)

// reclassifyEnv is incident i1 on a triage runbook with two template tasks
// (t1 open, t2 done) and two tasks a person added (t3 with the same words as
// t1), ready to reclassify to wrong-segment.
func reclassifyEnv(t *testing.T) *svcEnv {
	t.Helper()
	tri := triage()
	tri.Tasks = []runbook.TaskTemplate{{Title: findCause, Kind: "internal"}, {Title: holdingLine, Kind: "communication"}}
	segment := runbook.Runbook{ID: runbook.WrongSegment, Title: "Sent to the wrong segment", Severity: "sev2",
		Tasks: []runbook.TaskTemplate{{Title: fixSegment, Kind: "internal"}}}
	e := newSvcEnv(fakeRunbooks{tri, segment}, campaignView(campaign.Paused, quiet))
	inc := open(t)
	e.repo.put(inc)
	e.repo.tasks["i1"] = []incident.Task{
		{ID: "t1", IncidentID: "i1", Title: findCause, Kind: "internal", Status: incident.TaskOpen, Template: true},
		{ID: "t2", IncidentID: "i1", Title: holdingLine, Kind: "communication", Status: incident.TaskDone, Template: true},
		{ID: "t3", IncidentID: "i1", Title: findCause, Kind: "internal", Status: incident.TaskOpen}, // a person's, same words
		{ID: "t4", IncidentID: "i1", Title: "Call the agency", Kind: "internal", Status: incident.TaskOpen},
	}
	return e
}

func statuses(tasks []incident.Task) map[string]string {
	out := map[string]string{}
	for _, t := range tasks {
		out[t.Title+"#"+t.ID] = t.Status
	}
	return out
}

// TestReclassifyOldTasks: keep leaves the old runbook's open tasks open and
// says which were kept; cancel closes exactly those as cancelled (not done)
// and lists them; a person's task and a done one stay as they are; the new
// runbook's tasks are added either way.
func TestReclassifyOldTasks(t *testing.T) {
	for _, tt := range []struct {
		name   string
		choice incident.OldTasks
		want   string // t1's status
		key    string // the entry's list
	}{
		{name: "default keeps", choice: "", want: incident.TaskOpen, key: "tasks_kept"},
		{name: "keep", choice: incident.KeepOldTasks, want: incident.TaskOpen, key: "tasks_kept"},
		{name: "cancel", choice: incident.CancelOldTasks, want: incident.TaskCancelled, key: "tasks_cancelled"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := reclassifyEnv(t)
			if _, err := e.svc.Reclassify(context.Background(), auditActor(), "i1", runbook.WrongSegment, tt.choice); err != nil {
				t.Fatal(err)
			}
			got := statuses(e.repo.tasks["i1"])
			want := map[string]string{findCause + "#t1": tt.want, holdingLine + "#t2": incident.TaskDone,
				findCause + "#t3": incident.TaskOpen, "Call the agency#t4": incident.TaskOpen, fixSegment + "#i1-t5": incident.TaskOpen}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("tasks after reclassifying %+v\nwant %+v", got, want)
			}
			d := e.repo.lastEntry(t, "i1", incident.ActionReclassify).Data
			wantChoice := string(tt.choice)
			if wantChoice == "" {
				wantChoice = "keep"
			}
			list := []map[string]any{{"task_id": "t1", "title": findCause}}
			if d["old_tasks"] != wantChoice || !reflect.DeepEqual(d[tt.key], list) {
				t.Errorf("reclassify entry %v, want old_tasks %s and %s %v", d, wantChoice, tt.key, list)
			}
		})
	}
}

// TestReclassifyRefusesABadOldTasksChoice: anything but keep or cancel is a
// field error on old_tasks, and nothing changes.
func TestReclassifyRefusesABadOldTasksChoice(t *testing.T) {
	e := reclassifyEnv(t)
	_, err := e.svc.Reclassify(context.Background(), auditActor(), "i1", runbook.WrongSegment, "done")
	var fe *errs.FieldError
	if !errors.As(err, &fe) || fe.Fields["old_tasks"] == "" {
		t.Fatalf("err %v, want a field error on old_tasks", err)
	}
	if inc, _ := e.repo.GetIncident(context.Background(), "i1"); inc.Runbook != runbook.Triage || len(e.repo.tasks["i1"]) != 4 {
		t.Errorf("a refused reclassify changed the incident (%s) or the plan (%d tasks)", inc.Runbook, len(e.repo.tasks["i1"]))
	}
}

// TestReclassifyCancelFailsWhenATaskWasDoneMeanwhile: a task completed
// between the service's read and its update is not turned into cancelled:
// the whole reclassification is refused with ErrTaskChanged, nothing changed.
func TestReclassifyCancelFailsWhenATaskWasDoneMeanwhile(t *testing.T) {
	e := reclassifyEnv(t)
	e.repo.meanwhile = func(r *fakeRepo) { r.tasks["i1"][0].Status = incident.TaskDone }
	_, err := e.svc.Reclassify(context.Background(), auditActor(), "i1", runbook.WrongSegment, incident.CancelOldTasks)
	if !errors.Is(err, incident.ErrTaskChanged) {
		t.Fatalf("err %v, want ErrTaskChanged", err)
	}
	if inc, _ := e.repo.GetIncident(context.Background(), "i1"); inc.Runbook != runbook.Triage || len(e.repo.tasks["i1"]) != 4 ||
		e.repo.tasks["i1"][0].Status != incident.TaskDone {
		t.Errorf("a refused reclassify changed the incident (%s) or the plan (%+v)", inc.Runbook, e.repo.tasks["i1"])
	}
}

// TestIsOpen: only an open task still needs doing.
func TestIsOpen(t *testing.T) {
	for s, want := range map[string]bool{incident.TaskOpen: true, incident.TaskDone: false, incident.TaskCancelled: false} {
		if got := (incident.Task{Status: s}).IsOpen(); got != want {
			t.Errorf("a %s task IsOpen = %v, want %v", s, got, want)
		}
	}
}
