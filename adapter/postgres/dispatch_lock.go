package postgres

import (
	"time"

	"gorm.io/gorm"
)

// The dispatch lock (of a campaign, or of a communication) is a transaction-scoped Postgres advisory lock,
// keyed by the campaign id: Claim holds it shared, a status change (pause,
// resume, cancel) holds it exclusively.
//
// Why not the row lock: Claim used to share-lock the campaign row and the pause
// to FOR UPDATE it, but Postgres grants a row share lock at once to a newcomer
// even while a FOR UPDATE waits (row locks are not queued fairly), so with
// busy dispatchers the pause waited for tens of seconds while new requests
// kept being claimed. Advisory locks live in the lock manager, whose queue is
// fair: once a pause asks, every later Claim waits behind it and then sees the
// campaign paused. Only the claims that held the lock when the pause asked —
// the requests already in flight — may finish.
const campaignLockClass = 0x46420001 // "FB" + 1: the campaign dispatch lock

// communicationLockClass is the same dispatch lock for a step-5
// communication: ClaimCommunication holds it shared, a status change
// exclusively.
const communicationLockClass = 0x46420002 // "FB" + 2: the communication dispatch lock

// lockShared takes the dispatch lock of class for id, for a claim, and
// returns when it got it (Postgres's clock, read in the same statement once
// the lock is held: a target list is evaluated in order).
func lockShared(tx *gorm.DB, class int, id string) (time.Time, error) {
	var r struct {
		Locked string
		At     time.Time
	}
	err := tx.Raw(`SELECT pg_advisory_xact_lock_shared(?, hashtext(?))::text AS locked, clock_timestamp() AS at`,
		class, id).Scan(&r).Error
	return r.At, translate(err, nil, nil)
}

// lockExclusive takes the dispatch lock of class for id, for a status
// change, and returns when it asked for it (Postgres's clock, read in the same
// statement just before the lock is requested, so before any wait).
func lockExclusive(tx *gorm.DB, class int, id string) (time.Time, error) {
	var r struct {
		At     time.Time
		Locked string
	}
	err := tx.Raw(`SELECT clock_timestamp() AS at, pg_advisory_xact_lock(?, hashtext(?))::text AS locked`,
		class, id).Scan(&r).Error
	return r.At, translate(err, nil, nil)
}
