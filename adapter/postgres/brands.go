package postgres

import (
	"context"
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
	CreatedAt       time.Time
}

func toBrand(r brandRow) campaign.Brand {
	return campaign.Brand{ID: r.ID, Name: r.Name, FromEmail: r.FromEmail, FromName: r.FromName, ReplyTo: r.ReplyTo,
		LogoURL: r.LogoURL, PrimaryColor: r.PrimaryColor, FooterHTML: r.FooterHTML, PhysicalAddress: r.PhysicalAddress,
		CreatedAt: r.CreatedAt.UTC()}
}

const brandCols = `id, name, from_email, from_name, reply_to, logo_url, primary_color, footer_html, physical_address, created_at`

// CreateBrand inserts a brand.
func (s *Store) CreateBrand(ctx context.Context, b campaign.Brand, a audit.Entry) (campaign.Brand, error) {
	var row brandRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO brands (name, from_email, from_name, reply_to, logo_url, primary_color, footer_html, physical_address)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+brandCols,
			b.Name, b.FromEmail, b.FromName, b.ReplyTo, b.LogoURL, b.PrimaryColor, b.FooterHTML, b.PhysicalAddress).Scan(&row).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		a.SubjectID = row.ID
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return campaign.Brand{}, fmt.Errorf("create brand: %w", err)
	}
	return toBrand(row), nil
}

// GetBrand reads a brand.
func (s *Store) GetBrand(ctx context.Context, id string) (campaign.Brand, error) {
	var rows []brandRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+brandCols+` FROM brands WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return campaign.Brand{}, translate(err, campaign.ErrBrandNotFound, nil)
	}
	if len(rows) == 0 {
		return campaign.Brand{}, campaign.ErrBrandNotFound
	}
	return toBrand(rows[0]), nil
}

// ListBrands lists brands by name.
func (s *Store) ListBrands(ctx context.Context) ([]campaign.Brand, error) {
	var rows []brandRow
	if err := s.db.WithContext(ctx).Raw(`SELECT ` + brandCols + ` FROM brands ORDER BY name`).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]campaign.Brand, len(rows))
	for i, r := range rows {
		out[i] = toBrand(r)
	}
	return out, nil
}
