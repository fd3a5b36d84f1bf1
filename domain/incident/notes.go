package incident

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
)

// ActionNote is a free-text update someone posted on the incident's timeline
// ("Spoke to Gmail postmaster, waiting for an answer"): the data is {"text"}.
const ActionNote = "incident.note"

// MaxNoteLen caps a note (characters): long enough for a call summary, short
// enough to read on the timeline.
const MaxNoteLen = 10000

// NoteRepo stores a note: the audit entry on the incident, refused with
// ErrNotFound when no incident has the id. It returns the entry as stored (id
// and time).
type NoteRepo interface {
	AddNote(ctx context.Context, incidentID string, e audit.Entry) (audit.Entry, error)
}

// ValidateNote trims a note's text and says what is wrong with it, as a
// FieldError on "text": empty, or longer than MaxNoteLen.
func ValidateNote(text string) (string, error) {
	text = strings.TrimSpace(text)
	var f errs.Fields
	switch {
	case text == "":
		f.Add("text", "is required")
	case utf8.RuneCountInString(text) > MaxNoteLen:
		f.Add("text", fmt.Sprintf("must be at most %d characters", MaxNoteLen))
	}
	return text, f.Err()
}

// AddNote posts a note by actor on the incident's timeline. A note changes
// nothing else about the incident, so it is taken on a resolved incident too
// (what was learnt afterwards is worth keeping next to the rest). It is not
// idempotent: posting the same text twice posts two notes, as a person would.
func (s *Service) AddNote(ctx context.Context, actor audit.Actor, id, text string) (audit.Entry, error) {
	text, err := ValidateNote(text)
	if err != nil {
		return audit.Entry{}, err
	}
	return s.repo.AddNote(ctx, id, audit.Entry{At: s.now(), Actor: actor, Action: ActionNote,
		SubjectType: SubjectType, SubjectID: id, Data: map[string]any{"text": text}})
}
