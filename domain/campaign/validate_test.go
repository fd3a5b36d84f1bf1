package campaign_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

func TestValidateLimits(t *testing.T) {
	valid := func() campaign.Campaign {
		return campaign.Campaign{Name: "Spring", BrandID: "b1", Subject: "Spring sale", HTML: "<p>x</p>",
			Segments: []string{"all"}, SendBufferSeconds: 900}
	}
	for _, c := range []struct {
		name  string
		edit  func(*campaign.Campaign)
		field string // "" = valid
	}{
		{"valid", func(*campaign.Campaign) {}, ""},
		{"name 200 characters", func(c *campaign.Campaign) { c.Name = strings.Repeat("é", 200) }, ""},
		{"name 201 characters", func(c *campaign.Campaign) { c.Name = strings.Repeat("n", 201) }, "name"},
		{"subject 998 bytes", func(c *campaign.Campaign) { c.Subject = strings.Repeat("s", 998) }, ""},
		{"subject 999 bytes", func(c *campaign.Campaign) { c.Subject = strings.Repeat("é", 500) }, "subject"},
		{"html 1 MiB", func(c *campaign.Campaign) { c.HTML = strings.Repeat("h", 1<<20) }, ""},
		{"html over 1 MiB", func(c *campaign.Campaign) { c.HTML = strings.Repeat("h", 1<<20+1) }, "html"},
		{"text over 1 MiB", func(c *campaign.Campaign) { c.Text = strings.Repeat("t", 1<<20+1) }, "text"},
		{"canary hold 30 days", func(c *campaign.Campaign) { c.CanaryPercent, c.CanaryHoldSeconds = 10, campaign.MaxCanaryHold }, ""},
		{"canary hold beyond", func(c *campaign.Campaign) { c.CanaryPercent, c.CanaryHoldSeconds = 10, 3_000_000_000 }, "canary_hold_seconds"},
		{"asm group int32 max", func(c *campaign.Campaign) { c.ASMGroupID = 2147483647 }, ""},
		{"asm group beyond int32", func(c *campaign.Campaign) { c.ASMGroupID = 2147483648 }, "asm_group_id"},
		{"send buffer beyond", func(c *campaign.Campaign) { c.SendBufferSeconds = 9_999_999_999 }, "send_buffer_seconds"},
	} {
		t.Run(c.name, func(t *testing.T) {
			camp := valid()
			c.edit(&camp)
			err := camp.Validate()
			var fe *errs.FieldError
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case c.field != "" && (!errors.As(err, &fe) || fe.Fields[c.field] == ""):
				t.Fatalf("want a field error on %s, got %v", c.field, err)
			}
		})
	}
}

func TestValidateReason(t *testing.T) {
	if err := campaign.ValidateReason(strings.Repeat("é", 2000)); err != nil {
		t.Fatalf("2000 characters: %v", err)
	}
	var fe *errs.FieldError
	if err := campaign.ValidateReason(strings.Repeat("x", 2001)); !errors.As(err, &fe) || fe.Fields["reason"] == "" {
		t.Fatalf("2001 characters: %v", err)
	}
}
