package postgres

import (
	"regexp"
	"sync"

	"gorm.io/gorm"
)

// Statements records the SQL of every statement a Store runs, so a test or a
// benchmark can count queries: the reads of a dashboard pause, no N+1 in a
// list. Recording is for tests and `make bench` only; it is never switched on
// by the server.
type Statements struct {
	mu  sync.Mutex
	sql []string
}

// RecordStatements starts recording every statement s runs (queries, raw
// statements, rows, writes), in its transactions too: gorm's callbacks are
// shared by every session of the *gorm.DB.
func RecordStatements(s *Store) *Statements {
	r := &Statements{}
	record := func(db *gorm.DB) {
		if db.Statement == nil {
			return
		}
		r.mu.Lock()
		r.sql = append(r.sql, db.Statement.SQL.String())
		r.mu.Unlock()
	}
	cb := s.db.Callback()
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(cb.Query().After("gorm:query").Register("firebreak:record", record))
	must(cb.Row().After("gorm:row").Register("firebreak:record", record))
	must(cb.Raw().After("gorm:raw").Register("firebreak:record", record))
	must(cb.Create().After("gorm:create").Register("firebreak:record", record))
	must(cb.Update().After("gorm:update").Register("firebreak:record", record))
	must(cb.Delete().After("gorm:delete").Register("firebreak:record", record))
	return r
}

// Reset forgets what was recorded so far.
func (r *Statements) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sql = nil
}

// All returns the statements recorded since the last Reset, in order.
func (r *Statements) All() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sql...)
}

// Matching returns the recorded statements that match re.
func (r *Statements) Matching(re *regexp.Regexp) []string {
	var out []string
	for _, q := range r.All() {
		if re.MatchString(q) {
			out = append(out, q)
		}
	}
	return out
}
