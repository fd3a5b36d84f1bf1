package store

import (
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

// lockCampaignShared takes the dispatch lock for a Claim.
func lockCampaignShared(tx *gorm.DB, campaignID string) error {
	return translate(tx.Exec(`SELECT pg_advisory_xact_lock_shared(?, hashtext(?))`, campaignLockClass, campaignID).Error, nil, nil)
}

// lockCampaignExclusive takes the dispatch lock for a status change.
func lockCampaignExclusive(tx *gorm.DB, campaignID string) error {
	return translate(tx.Exec(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, campaignLockClass, campaignID).Error, nil, nil)
}
