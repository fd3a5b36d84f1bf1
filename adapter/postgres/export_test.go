package postgres

import (
	"time"

	"github.com/firebreak/firebreak/domain/communication"
)

// OnCommunicationStatusLocked makes every communication status change of s
// call f in its transaction once the dispatch lock is granted, before the
// status is read (f may block: the change waits, holding the lock). Set it
// before the first status change; for tests only.
func (s *Store) OnCommunicationStatusLocked(f func(id string, to communication.Status, askedAt time.Time)) {
	s.commStatusLocked = f
}
