package incident

import (
	"context"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/page"
)

// TimelinePage is one page of the incident's audit trail, oldest first, and
// the cursor of the next (zero on the last page). GET …/timeline answers it;
// Timeline is the whole trail for those who need all of it at once.
func (s *Service) TimelinePage(ctx context.Context, id string, p page.Request) ([]audit.Entry, page.Cursor, error) {
	if _, err := s.repo.GetIncident(ctx, id); err != nil {
		return nil, page.Cursor{}, err
	}
	return s.repo.ListAuditPage(ctx, SubjectType, id, p)
}

// TasksPage is one page of the plan, soonest due first (undated last), and the
// cursor of the next. GET …/tasks answers it; Tasks is the whole plan.
func (s *Service) TasksPage(ctx context.Context, id string, p page.Request) ([]Task, page.Cursor, error) {
	if _, err := s.repo.GetIncident(ctx, id); err != nil {
		return nil, page.Cursor{}, err
	}
	return s.repo.ListTasksPage(ctx, id, p)
}
