package campaign_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

func paused() campaign.Campaign {
	return campaign.Campaign{ID: "c1", Name: "Sale", BrandID: "b1", Subject: "50% off", HTML: "<p>Now $10</p>",
		Text: "Now $10", Segments: []string{"all"}, SendBufferSeconds: 900, Status: campaign.Paused,
		ContentVersion: 1, HandedVersion: 1}
}

func TestACorrectionOfAPausedCampaignRaisesItsContentVersion(t *testing.T) {
	c := paused()
	next, changed, err := c.Apply(campaign.Patch{HTML: ptr("<p>Now $20</p>")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(changed, []string{"html"}) || next.ContentVersion != 2 || !next.FixPending() {
		t.Fatalf("changed %v, version %d, pending %v: want [html], 2, true", changed, next.ContentVersion, next.FixPending())
	}
	// the same content again is no correction
	same, changed, err := next.Apply(campaign.Patch{HTML: ptr("<p>Now $20</p>"), Name: ptr("Sale (fixed)")})
	if err != nil || changed != nil || same.ContentVersion != 2 {
		t.Fatalf("renaming only: changed %v, version %d, err %v", changed, same.ContentVersion, err)
	}
}

func TestADraftChangesEverythingWithoutAVersion(t *testing.T) {
	c := paused()
	c.Status = campaign.Draft
	next, _, err := c.Apply(campaign.Patch{Subject: ptr("New"), Segments: &[]string{"vip"}, SendBufferSeconds: ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	if next.ContentVersion != 1 || next.FixPending() || next.Segments[0] != "vip" || next.SendBufferSeconds != 0 {
		t.Fatalf("draft edit: %+v", next)
	}
}

func TestWhatOnlyADraftMayChange(t *testing.T) {
	_, _, err := paused().Apply(campaign.Patch{Segments: &[]string{"vip"}, CanaryPercent: ptr(5.0)})
	var d *campaign.DraftOnlyError
	if !errors.As(err, &d) || !errors.Is(err, errs.Invalid) || d.Code() != "not_draft_field" {
		t.Fatalf("segments of a paused campaign: %v, want a 422 not_draft_field", err)
	}
	if _, ok := d.Fields["segments"]; !ok {
		t.Fatalf("fields %v name no segments", d.Fields)
	}
	if _, ok := d.Fields["canary_percent"]; !ok {
		t.Fatalf("fields %v name no canary_percent", d.Fields)
	}
}

func TestNoCorrectionWhileSendingOrFinished(t *testing.T) {
	for st, want := range map[campaign.Status]error{
		campaign.Sending: campaign.ErrSendingPauseFirst, campaign.Sent: campaign.ErrSendingPauseFirst,
		campaign.Cancelled: campaign.ErrFinished, campaign.Failed: campaign.ErrFinished,
	} {
		c := paused()
		c.Status = st
		if _, _, err := c.Apply(campaign.Patch{Subject: ptr("x")}); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", st, err, want)
		}
	}
	if !errors.Is(campaign.ErrSendingPauseFirst, errs.Conflict) {
		t.Fatal("campaign_sending must be a 409")
	}
}

func TestACorrectionIsValidated(t *testing.T) {
	_, _, err := paused().Apply(campaign.Patch{HTML: ptr(""), Text: ptr("")})
	var fe *errs.FieldError
	if !errors.As(err, &fe) || fe.Fields["html"] == "" {
		t.Fatalf("emptied bodies: %v, want a field error on html", err)
	}
}

func TestContentDiffShowsTheChangedLinesOnly(t *testing.T) {
	from := campaign.Content{Subject: "Sale", HTML: "<h1>Hi</h1>\n<p>Now $10</p>\n<p>Bye</p>", Text: "t"}
	to := from
	to.HTML = "<h1>Hi</h1>\n<p>Now $20</p>\n<p>Bye</p>"
	d := campaign.ContentDiff(from, to)
	want := []campaign.FieldDiff{{Field: "html", Lines: []campaign.DiffLine{{Op: "-", Line: "<p>Now $10</p>"}, {Op: "+", Line: "<p>Now $20</p>"}}}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("diff %+v\nwant %+v", d, want)
	}
	long := campaign.Content{HTML: ""}
	for i := 0; i < 200; i++ {
		long.HTML += "line\n"
	}
	if d := campaign.ContentDiff(campaign.Content{}, long); len(d) != 1 || !d[0].Truncated || len(d[0].Lines) != 60 {
		t.Fatalf("a 200-line change: %d lines, truncated %v; want 60 kept and truncated", len(d[0].Lines), d[0].Truncated)
	}
}

func TestUnresolvedTagMessageCountsInWords(t *testing.T) {
	tag := campaign.Tag{Raw: "{{first_name}}", Field: "first_name"}
	if m := campaign.UnresolvedTagMessage(campaign.TagGap{Tag: tag, Count: 1}); !strings.Contains(m, "empty for 1 recipient and") {
		t.Errorf("one: %q", m)
	}
	if m := campaign.UnresolvedTagMessage(campaign.TagGap{Tag: tag, Count: 3}); !strings.Contains(m, "empty for 3 recipients and") {
		t.Errorf("three: %q", m)
	}
}
