package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

type brandRow struct {
	ID              string
	Name            string
	FromEmail       string
	FromName        string
	ReplyTo         string
	LogoURL         string
	PrimaryColor    string
	FooterHTML      string
	PhysicalAddress string
	SecondReview    string // jsonb as text
	Watched         bool
	CreatedAt       time.Time
}

func toBrand(r brandRow) campaign.Brand {
	b := campaign.Brand{ID: r.ID, Name: r.Name, FromEmail: r.FromEmail, FromName: r.FromName, ReplyTo: r.ReplyTo,
		LogoURL: r.LogoURL, PrimaryColor: r.PrimaryColor, FooterHTML: r.FooterHTML, PhysicalAddress: r.PhysicalAddress,
		Watched: r.Watched, CreatedAt: r.CreatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.SecondReview), &b.SecondReview); err != nil || b.SecondReview.Mentions == nil {
		b.SecondReview = campaign.DefaultSecondReview() // the column's default; it is never written otherwise
	}
	b.SecondReview = b.SecondReview.Normalized()
	return b
}

// brandCols are the plain columns (the handoff's read, which needs no review).
const brandCols = `id, name, from_email, from_name, reply_to, logo_url, primary_color, footer_html, physical_address, created_at`

// brandSelect reads brands b with their second pair of eyes and whether an
// open watch window (step 6) makes it apply.
const brandSelect = `SELECT b.id, b.name, b.from_email, b.from_name, b.reply_to, b.logo_url, b.primary_color, b.footer_html,
	b.physical_address, b.second_review::text AS second_review,
	EXISTS (SELECT 1 FROM watch_windows w WHERE w.brand_id = b.id AND w.status IN ('watching', 'alert')) AS watched, b.created_at
	FROM brands b`

func getBrand(ctx context.Context, db *gorm.DB, id, lock string) (campaign.Brand, error) {
	var rows []brandRow
	if err := db.WithContext(ctx).Raw(brandSelect+` WHERE b.id = ? `+lock, id).Scan(&rows).Error; err != nil {
		return campaign.Brand{}, translate(err, campaign.ErrBrandNotFound, nil)
	}
	if len(rows) == 0 {
		return campaign.Brand{}, campaign.ErrBrandNotFound
	}
	return toBrand(rows[0]), nil
}

// CreateBrand inserts a brand.
func (s *Store) CreateBrand(ctx context.Context, b campaign.Brand, a audit.Entry) (campaign.Brand, error) {
	sr, err := json.Marshal(b.SecondReview.Normalized())
	if err != nil {
		return campaign.Brand{}, fmt.Errorf("create brand: %w", err)
	}
	var out campaign.Brand
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var id string
		err := tx.Raw(`INSERT INTO brands (name, from_email, from_name, reply_to, logo_url, primary_color, footer_html, physical_address,
			second_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING id`,
			b.Name, b.FromEmail, b.FromName, b.ReplyTo, b.LogoURL, b.PrimaryColor, b.FooterHTML, b.PhysicalAddress, string(sr)).Scan(&id).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		a.SubjectID = id
		if err := writeAudit(ctx, tx, a); err != nil {
			return err
		}
		out, err = getBrand(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return campaign.Brand{}, fmt.Errorf("create brand: %w", err)
	}
	return out, nil
}

// GetBrand reads a brand.
func (s *Store) GetBrand(ctx context.Context, id string) (campaign.Brand, error) {
	return getBrand(ctx, s.db, id, "")
}

// UpdateBrand changes a brand's settings under its row lock, with the entry
// change returns (campaign.ReviewRepo). Only the second pair of eyes is a
// setting today.
func (s *Store) UpdateBrand(ctx context.Context, id string, change func(campaign.Brand) (campaign.Brand, audit.Entry, error)) (campaign.Brand, error) {
	var out campaign.Brand
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		cur, err := getBrand(ctx, tx, id, "FOR NO KEY UPDATE OF b")
		if err != nil {
			return err
		}
		next, entry, err := change(cur)
		if err != nil {
			return err
		}
		sr, err := json.Marshal(next.SecondReview)
		if err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE brands SET second_review = ?::jsonb, updated_at = now() WHERE id = ?`, string(sr), id).Error; err != nil {
			return translate(err, nil, nil)
		}
		if err := writeAudit(ctx, tx, entry); err != nil {
			return err
		}
		out, err = getBrand(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return campaign.Brand{}, fmt.Errorf("update brand %s: %w", id, err)
	}
	return out, nil
}

// ListBrands lists brands by name.
func (s *Store) ListBrands(ctx context.Context) ([]campaign.Brand, error) {
	var rows []brandRow
	if err := s.db.WithContext(ctx).Raw(brandSelect + ` ORDER BY b.name`).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]campaign.Brand, len(rows))
	for i, r := range rows {
		out[i] = toBrand(r)
	}
	return out, nil
}
