package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/incident"
)

// TestUpdateIncidentClosesOnlyOpenTasks: a change's task with an id closes
// that task while it is open (status cancelled is allowed by the schema);
// one done meanwhile rolls the whole change back with ErrTaskChanged.
func TestUpdateIncidentClosesOnlyOpenTasks(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	var brand, inc, openID, doneID string
	if err := db.QueryRowContext(ctx, `INSERT INTO brands (name, from_email) VALUES ('B', 'b@example.com') RETURNING id`).Scan(&brand); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `WITH c AS (INSERT INTO campaigns (name, brand_id, send_buffer_seconds, html)
		VALUES ('c', $1, 0, '<p>body</p>') RETURNING id)
		INSERT INTO incidents (campaign_id, runbook, severity, source, detected_at, steps)
		SELECT id, 'triage', 'sev3', 'api', now(), '[]' FROM c RETURNING id`, brand).Scan(&inc); err != nil {
		t.Fatal(err)
	}
	for title, id := range map[string]*string{"open one": &openID, "done one": &doneID} {
		status := "open"
		if title == "done one" {
			status = "done"
		}
		if err := db.QueryRowContext(ctx, `INSERT INTO incident_tasks (incident_id, title, kind, status, template)
			VALUES ($1, $2, 'internal', $3, true) RETURNING id`, inc, title, status).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	cancel := func(taskIDs ...string) error {
		_, err := st.UpdateIncident(ctx, inc, func(cur incident.Incident) (incident.Incident, []audit.Entry, []incident.Task, error) {
			cur.Severity = "sev2"
			var ts []incident.Task
			for _, id := range taskIDs {
				ts = append(ts, incident.Task{ID: id, Status: incident.TaskCancelled})
			}
			return cur, nil, ts, nil
		})
		return err
	}
	status := func(id string) string {
		var s string
		if err := db.QueryRowContext(ctx, `SELECT status FROM incident_tasks WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := cancel(openID, doneID); !errors.Is(err, incident.ErrTaskChanged) {
		t.Fatalf("closing a done task: %v, want ErrTaskChanged", err)
	}
	var sev string
	_ = db.QueryRowContext(ctx, `SELECT severity FROM incidents WHERE id = $1`, inc).Scan(&sev)
	if status(openID) != "open" || status(doneID) != "done" || sev != "sev3" {
		t.Errorf("after the refused change: open task %s, done task %s, severity %s; want nothing changed", status(openID), status(doneID), sev)
	}
	if err := cancel(openID); err != nil {
		t.Fatal(err)
	}
	if s := status(openID); s != "cancelled" {
		t.Errorf("the open task is %s, want cancelled", s)
	}
}
