package suppression

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/recipient"
)

// SyncStore is the storage the SendGrid sync needs.
type SyncStore interface {
	// UpsertSuppressions inserts the entries that are new and moves last_seen
	// of those already stored (same email, kind and group), as one set-based
	// statement in one transaction with the audit entry a. Entries repeated
	// within es count once. added is how many rows were inserted.
	UpsertSuppressions(ctx context.Context, es []Entry, a audit.Entry) (added int, err error)
}

// Sync defaults.
const (
	// SyncPageSize is the page asked of SendGrid: its maximum.
	SyncPageSize = esp.MaxSuppressionPage
	// SyncChunkSize bounds the entries of one upsert (one transaction, one
	// audit entry).
	SyncChunkSize = 1000
)

// SyncConfig tunes a Syncer; the zero value uses the defaults.
type SyncConfig struct {
	PageSize  int         // entries per SendGrid page, 1..esp.MaxSuppressionPage; default SyncPageSize
	ChunkSize int         // entries per upsert; default SyncChunkSize
	Actor     audit.Actor // who the audit entries name; default audit.System
}

// listKinds maps each SendGrid list to the kind its entries get.
var listKinds = map[string]Kind{
	esp.ListBounces:       Bounce,
	esp.ListSpamReports:   SpamReport,
	esp.ListInvalidEmails: Invalid,
	esp.ListUnsubscribes:  Unsubscribe,
}

// ListCount is what one SendGrid list (or one unsubscribe group) gave a sync.
type ListCount struct {
	List      string // "bounces", "spam_reports", "invalid_emails", "unsubscribes" or "group:<id>"
	Kind      Kind
	GroupID   int    // group_unsubscribe only
	GroupName string // group_unsubscribe only
	Fetched   int    // entries SendGrid returned
	Invalid   int    // of those, skipped as not a valid address
	Added     int    // new to Firebreak (the rest were known: last_seen moved)
}

// SyncResult counts a sync, one ListCount per list then per group, in the
// order they were read.
type SyncResult struct {
	Lists []ListCount
}

// Fetched is the total of entries SendGrid returned.
func (r SyncResult) Fetched() int {
	n := 0
	for _, l := range r.Lists {
		n += l.Fetched
	}
	return n
}

// Added is the total of entries new to Firebreak.
func (r SyncResult) Added() int {
	n := 0
	for _, l := range r.Lists {
		n += l.Added
	}
	return n
}

// Syncer copies SendGrid's suppression lists into Firebreak's, so an address
// SendGrid would drop (bounced, reported spam, invalid, unsubscribed globally
// or from a group) is also left out of every audience Firebreak builds.
//
// A sync only adds: an address SendGrid forgets stays suppressed here (a
// removal is a deliberate, audited Service.Delete). It is idempotent: a
// second sync over unchanged lists adds nothing and only moves last_seen.
type Syncer struct {
	lister esp.SuppressionLister
	store  SyncStore
	cfg    SyncConfig
}

// NewSyncer returns a Syncer reading lister and writing st.
func NewSyncer(lister esp.SuppressionLister, st SyncStore, cfg SyncConfig) *Syncer {
	if cfg.PageSize <= 0 || cfg.PageSize > esp.MaxSuppressionPage {
		cfg.PageSize = SyncPageSize
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = SyncChunkSize
	}
	if cfg.Actor == (audit.Actor{}) {
		cfg.Actor = audit.System
	}
	return &Syncer{lister: lister, store: st, cfg: cfg}
}

// Sync reads bounces, spam reports, invalid emails and global unsubscribes
// page by page (offset += page size until a page comes back short), then
// every unsubscribe group's addresses, and upserts them with source
// sendgrid_sync in chunks of at most ChunkSize, each chunk its own
// transaction with one "suppression.sync" audit entry. Addresses are stored
// lower-case; ones that are not valid addresses are counted and skipped.
//
// Memory stays bounded by a page plus a chunk, whatever the list sizes. On
// an error Sync stops and returns it with the counts so far; the chunks
// already written stay (each is complete on its own) and the next run
// carries on idempotently. A group deleted at SendGrid between listing the
// groups and reading it (404) is skipped.
func (s *Syncer) Sync(ctx context.Context) (SyncResult, error) {
	var res SyncResult
	for _, list := range esp.SuppressionLists {
		lc := ListCount{List: list, Kind: listKinds[list]}
		err := s.syncList(ctx, &lc)
		res.Lists = append(res.Lists, lc)
		if err != nil {
			return res, err
		}
	}
	groups, err := s.lister.ListGroups(ctx)
	if err != nil {
		return res, fmt.Errorf("sync suppressions: list groups: %w", err)
	}
	for _, g := range groups {
		if g.ID <= 0 {
			continue // not a group SendGrid could suppress for
		}
		lc := ListCount{List: "group:" + strconv.Itoa(g.ID), Kind: GroupUnsubscribe, GroupID: g.ID, GroupName: g.Name}
		emails, err := s.lister.ListGroupSuppressions(ctx, g.ID)
		var ee *esp.Error
		if errors.As(err, &ee) && ee.Status == statusNotFound {
			continue
		}
		if err != nil {
			res.Lists = append(res.Lists, lc)
			return res, fmt.Errorf("sync suppressions: group %d: %w", g.ID, err)
		}
		c := s.newChunker(&lc)
		for _, e := range emails {
			c.add(e, "")
		}
		err = c.flushAll(ctx)
		res.Lists = append(res.Lists, lc)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// syncList pages through one list into lc.
func (s *Syncer) syncList(ctx context.Context, lc *ListCount) error {
	c := s.newChunker(lc)
	for offset := 0; ; offset += s.cfg.PageSize {
		page, err := s.lister.ListSuppressions(ctx, lc.List, offset, s.cfg.PageSize)
		if err != nil {
			return fmt.Errorf("sync suppressions: %s at offset %d: %w", lc.List, offset, err)
		}
		for _, p := range page {
			reason := p.Reason
			if reason == "" {
				reason = p.Status
			}
			c.add(p.Email, reason)
		}
		if err := c.flushFull(ctx); err != nil {
			return err
		}
		if len(page) < s.cfg.PageSize {
			return c.flushAll(ctx)
		}
	}
}

// chunker collects one list's entries and upserts them ChunkSize at a time.
type chunker struct {
	s   *Syncer
	lc  *ListCount
	buf []Entry
}

func (s *Syncer) newChunker(lc *ListCount) *chunker {
	return &chunker{s: s, lc: lc}
}

// add counts an address and buffers it, normalised, unless it is invalid.
func (c *chunker) add(email, reason string) {
	c.lc.Fetched++
	norm, ok := recipient.NormalizeEmail(email)
	if !ok {
		c.lc.Invalid++
		return
	}
	c.buf = append(c.buf, Entry{Email: norm, Kind: c.lc.Kind, GroupID: c.lc.GroupID, Source: FromSync, Reason: reason})
}

// flushFull writes every complete chunk in the buffer.
func (c *chunker) flushFull(ctx context.Context) error {
	for len(c.buf) >= c.s.cfg.ChunkSize {
		if err := c.write(ctx, c.buf[:c.s.cfg.ChunkSize:c.s.cfg.ChunkSize]); err != nil {
			return err
		}
		c.buf = c.buf[c.s.cfg.ChunkSize:]
	}
	return nil
}

// flushAll writes the whole buffer, the last chunk possibly short.
func (c *chunker) flushAll(ctx context.Context) error {
	if err := c.flushFull(ctx); err != nil {
		return err
	}
	if len(c.buf) == 0 {
		return nil
	}
	err := c.write(ctx, c.buf)
	c.buf = nil
	return err
}

func (c *chunker) write(ctx context.Context, chunk []Entry) error {
	a := audit.Entry{Actor: c.s.cfg.Actor, Action: "suppression.sync", SubjectType: "suppression_list", SubjectID: c.lc.List,
		Data: map[string]any{"list": c.lc.List, "kind": string(c.lc.Kind), "group_id": c.lc.GroupID,
			"source": string(FromSync), "entries": len(chunk)}}
	added, err := c.s.store.UpsertSuppressions(ctx, chunk, a)
	if err != nil {
		return fmt.Errorf("sync suppressions: %s: store %d entries: %w", c.lc.List, len(chunk), err)
	}
	c.lc.Added += added
	return nil
}

// statusNotFound is the HTTP status SendGrid answers for a list or address it
// does not have (the domain names it without importing net/http).
const statusNotFound = 404
