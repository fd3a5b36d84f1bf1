package postgres

import (
	"time"

	"gorm.io/gorm"
)

// The campaign's dispatch lock is a transaction-scoped Postgres advisory lock,
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

// lockCampaignShared takes the dispatch lock for a Claim and returns when it
// got it (Postgres's clock, read in the same statement once the lock is held:
// a target list is evaluated in order).
func lockCampaignShared(tx *gorm.DB, campaignID string) (time.Time, error) {
	var r struct {
		Locked string
		At     time.Time
	}
	err := tx.Raw(`SELECT pg_advisory_xact_lock_shared(?, hashtext(?))::text AS locked, clock_timestamp() AS at`,
		campaignLockClass, campaignID).Scan(&r).Error
	return r.At, translate(err, nil, nil)
}

// lockCampaignExclusive takes the dispatch lock for a status change and
// returns when it asked for it (Postgres's clock, read in the same statement
// just before the lock is requested, so before any wait).
func lockCampaignExclusive(tx *gorm.DB, campaignID string) (time.Time, error) {
	var r struct {
		At     time.Time
		Locked string
	}
	err := tx.Raw(`SELECT clock_timestamp() AS at, pg_advisory_xact_lock(?, hashtext(?))::text AS locked`,
		campaignLockClass, campaignID).Scan(&r).Error
	return r.At, translate(err, nil, nil)
}
