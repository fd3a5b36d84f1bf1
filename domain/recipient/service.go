package recipient

import (
	"context"
	"io"

	"github.com/firebreak/firebreak/domain/audit"
)

// MaxRejectedListed caps the rejected rows an import answer lists; the total is
// always counted.
const MaxRejectedListed = 1000

// ImportResult is what an import did.
type ImportResult struct {
	Imported      int        `json:"imported"`
	Updated       int        `json:"updated"`
	Rejected      []Rejected `json:"rejected"`
	RejectedTotal int        `json:"rejected_total"`
}

// Segment is a segment name and how many recipients are in it.
type Segment struct {
	Name    string `json:"name"`
	Members int    `json:"members"`
}

// Repo is the storage imports and segments need.
type Repo interface {
	ImportRecipients(ctx context.Context, rd *Reader, a audit.Entry) (ImportResult, error)
	ListSegments(ctx context.Context) ([]Segment, error)
}

// Service is the recipient use-cases.
type Service struct{ repo Repo }

// NewService returns a Service over repo.
func NewService(repo Repo) *Service { return &Service{repo: repo} }

// Import reads a CSV upload and upserts its valid rows; see Reader for the
// format and limits.go for the limits. A header it cannot use is a
// *HeaderError and nothing is imported.
func (s *Service) Import(ctx context.Context, actor audit.Actor, r io.Reader) (ImportResult, error) {
	rd, err := NewReader(r)
	if err != nil {
		return ImportResult{}, err
	}
	return s.repo.ImportRecipients(ctx, rd, audit.Entry{Actor: actor, Action: "recipients.import", SubjectType: "recipients"})
}

// Segments lists segments with their member counts.
func (s *Service) Segments(ctx context.Context) ([]Segment, error) { return s.repo.ListSegments(ctx) }
