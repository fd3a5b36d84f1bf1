package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/firebreak/firebreak/domain/event"
)

var (
	_ event.Quarantiner      = (*Store)(nil)
	_ event.QuarantineLister = (*Store)(nil)
)

// refusesData reports whether Postgres refused a statement for the data it
// was given, so that the same rows fail the same way however often they are
// sent: class 22 (data exception: NUL in text, a number or time out of range,
// text that is not what its type reads), class 54 (a limit: an index entry
// too large, nesting too deep), NOT NULL and CHECK violations. Deadlocks,
// lost connections and the like are not: those are worth a retry.
func refusesData(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "54") ||
		pgErr.Code == "23502" || pgErr.Code == "23514"
}

// quarantineSQL keeps one row per distinct raw event: a repeat (SendGrid
// retrying the post) counts an attempt and keeps the latest error.
const quarantineSQL = `INSERT INTO webhook_quarantine (raw_sha256, raw, sg_event_id, event, email, error,
	received_at, last_received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
ON CONFLICT (raw_sha256) DO UPDATE SET attempts = webhook_quarantine.attempts + 1,
	last_received_at = EXCLUDED.last_received_at, error = EXCLUDED.error`

// QuarantineEvent keeps an event the events table refused. Its text is made
// storable first (NUL and invalid UTF-8 become U+FFFD), and it is kept as
// text with no index on anything but its digest, so what refused the event
// cannot refuse its quarantine. Idempotent per raw event.
func (s *Store) QuarantineEvent(ctx context.Context, q event.Quarantined) error {
	raw := storableText(string(q.Raw))
	sum := sha256.Sum256([]byte(raw))
	at := q.ReceivedAt
	if at.IsZero() {
		at = time.Now()
	}
	err := s.db.WithContext(ctx).Exec(quarantineSQL, sum[:], raw, storableText(q.SGEventID), storableText(q.Event),
		storableText(q.Email), storableText(q.Error), at).Error
	return translate(err, nil, nil)
}

// ListQuarantine lists quarantined events, newest first.
func (s *Store) ListQuarantine(ctx context.Context, limit int) ([]event.Quarantined, error) {
	var rows []struct {
		ID                         int64
		Raw, SGEventID, Event      string
		Email, Error               string
		ReceivedAt, LastReceivedAt time.Time
		Attempts                   int
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, raw, sg_event_id, event, email, error, received_at,
		last_received_at, attempts FROM webhook_quarantine ORDER BY id DESC LIMIT ?`, limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]event.Quarantined, len(rows))
	for i, r := range rows {
		out[i] = event.Quarantined{ID: r.ID, Raw: []byte(r.Raw), SGEventID: r.SGEventID, Event: r.Event, Email: r.Email,
			Error: r.Error, ReceivedAt: r.ReceivedAt.UTC(), LastReceivedAt: r.LastReceivedAt.UTC(), Attempts: r.Attempts}
	}
	return out, nil
}

// storableText is s as Postgres text can hold it: NUL and invalid UTF-8 become U+FFFD.
func storableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
