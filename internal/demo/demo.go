// Package demo is what `make demo` puts in front of a newcomer: the SendGrid
// simulator's settings and the data seeded through the public API (brands,
// recipients, a draft campaign and the fast path's campaign, sent at once).
// It lives in Go rather than in scripts/demo-serve.sh so that a whole-stack
// test (test/stack/demo_test.go) runs exactly this seed against exactly these
// simulator settings and proves the fast path opens an incident by itself.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// SimOutcomes are the simulator's shares in the demo: a list in reasonable
// shape (2 % hard bounces) whose spam reports (0.4 % of delivered) cross the
// complaint-spike rule (0.3 % of at least 200 delivered) on both demo
// campaigns, given the simulator's default seed.
var SimOutcomes = sgsim.Outcomes{Bounce: 0.02, Open: 0.35, Click: 0.08, SpamReport: 0.004, Unsubscribe: 0.01}

// SimSpeedup compresses what follows a delivery 60-fold: a spam report comes
// 5–30 s after delivery instead of 5–30 min, opens within 10 s. Firebreak's
// own send buffer (send_at) is untouched, so the pause still races the
// 10-minute rule on the draft campaign.
const SimSpeedup = 60

// The two campaigns, by name (the seed finds them by name on a later run).
const (
	SpringSale = "Spring sale: 20% off tents"
	FlashSale  = "Flash sale (fast demo)"
	// FlashRecipients is the size of the fast path's audience.
	FlashRecipients = 800
	springBrand     = "Acme Outdoor"
	// The fast path has a brand of its own: resolving its incident opens a
	// watch window with canary waves for its brand, which must not fall on
	// the spring sale a newcomer sends next.
	flashBrand = "Acme Outdoor Outlet"
)

// Seeded says what the demo holds after Seed.
type Seeded struct {
	SpringSaleID string // the draft for the newcomer to send
	FlashSaleID  string // "" when the fast path is off
	FlashSent    bool   // Seed sent it now (false: it was sent by an earlier run)
}

// Client calls Firebreak's API with an admin token.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client // nil: a client with a 30 s timeout
}

// Seed creates whatever of the demo is missing, so it is safe on every start:
// the brands, 5,000 recipients in spring-sale, newsletter and vip, the spring
// sale draft and, with fast, FlashRecipients recipients in flash-sale and the
// flash sale campaign with no send buffer, which it sends at once. With the
// simulator at SimOutcomes and SimSpeedup its complaints cross the
// complaint-spike rule within about 30 s of the send, so the webhook opens
// an incident and pauses it by itself.
func Seed(ctx context.Context, c Client, fast bool) (Seeded, error) {
	var out Seeded
	brands := map[string]string{}
	var list []struct{ ID, Name string }
	if err := c.do(ctx, "GET", "/api/v1/brands", "", nil, &list); err != nil {
		return out, err
	}
	for _, b := range list {
		brands[b.Name] = b.ID
	}
	var segs []struct {
		Name    string `json:"name"`
		Members int    `json:"members"`
	}
	if err := c.do(ctx, "GET", "/api/v1/segments", "", nil, &segs); err != nil {
		return out, err
	}
	have := map[string]bool{}
	for _, s := range segs {
		have[s.Name] = s.Members > 0
	}
	campaigns := map[string]string{}
	var cs []struct{ ID, Name string }
	if err := c.do(ctx, "GET", "/api/v1/campaigns?limit=500", "", nil, &cs); err != nil {
		return out, err
	}
	for _, x := range cs {
		campaigns[x.Name] = x.ID
	}

	brand, err := c.brand(ctx, brands, springBrand, "news@acme-outdoor.example")
	if err != nil {
		return out, err
	}
	if !have["spring-sale"] {
		if err := c.do(ctx, "POST", "/api/v1/recipients/import", "text/csv", strings.NewReader(springCSV()), nil); err != nil {
			return out, err
		}
	}
	if out.SpringSaleID = campaigns[SpringSale]; out.SpringSaleID == "" {
		if out.SpringSaleID, err = c.createCampaign(ctx, map[string]any{
			"name": SpringSale, "brand_id": brand,
			"subject":  "{{first_name|Friend}}, 20% off tents this weekend",
			"html":     "<p>Hi {{first_name|there}},</p><p>Our spring sale is on: 20% off every tent until Sunday.</p>",
			"text":     "Hi {{first_name|there}}, our spring sale is on: 20% off every tent until Sunday.",
			"segments": []string{"spring-sale", "vip"},
		}); err != nil {
			return out, err
		}
	}
	if !fast {
		return out, nil
	}

	outlet, err := c.brand(ctx, brands, flashBrand, "deals@acme-outlet.example")
	if err != nil {
		return out, err
	}
	if !have["flash-sale"] {
		if err := c.do(ctx, "POST", "/api/v1/recipients/import", "text/csv", strings.NewReader(flashCSV()), nil); err != nil {
			return out, err
		}
	}
	if out.FlashSaleID = campaigns[FlashSale]; out.FlashSaleID != "" {
		return out, nil
	}
	if out.FlashSaleID, err = c.createCampaign(ctx, map[string]any{
		"name": FlashSale, "brand_id": outlet,
		"subject":             "{{first_name|Friend}}, 24 hours only: 40% off sleeping bags",
		"html":                "<p>Hi {{first_name|there}},</p><p>For 24 hours only, every sleeping bag is 40% off.</p>",
		"text":                "Hi {{first_name|there}}, for 24 hours only every sleeping bag is 40% off.",
		"segments":            []string{"flash-sale"},
		"send_buffer_seconds": 0,
	}); err != nil {
		return out, err
	}
	if err := c.do(ctx, "POST", "/api/v1/campaigns/"+out.FlashSaleID+"/send", "", nil, nil); err != nil {
		return out, err
	}
	out.FlashSent = true
	return out, nil
}

func (c Client) brand(ctx context.Context, have map[string]string, name, from string) (string, error) {
	if id := have[name]; id != "" {
		return id, nil
	}
	var b struct{ ID string }
	err := c.do(ctx, "POST", "/api/v1/brands", "application/json", jsonBody(map[string]string{
		"name": name, "from_email": from, "from_name": name, "reply_to": "help@acme-outdoor.example",
		"primary_color": "#1f6f5c", "physical_address": "1 Trail Way, Portland, OR",
	}), &b)
	return b.ID, err
}

func (c Client) createCampaign(ctx context.Context, fields map[string]any) (string, error) {
	var x struct{ ID string }
	err := c.do(ctx, "POST", "/api/v1/campaigns", "application/json", jsonBody(fields), &x)
	return x.ID, err
}

// springCSV is the main list: 5,000 customers, one in ten vip (and
// newsletter), a third of the rest newsletter only, the others spring-sale;
// one in fifty has no first name (the merge tag's fallback shows).
func springCSV() string {
	names := strings.Fields("Ana Bo Cy Dee Eli Fay Gus Hal Ivy Jo")
	var b strings.Builder
	b.WriteString("email,first_name,last_name,segments,city\n")
	for i := range 5000 {
		seg := "spring-sale"
		switch {
		case i%10 == 0:
			seg = "vip;newsletter"
		case i%3 == 0:
			seg = "newsletter"
		}
		first := names[i%10]
		if i%50 == 7 {
			first = ""
		}
		fmt.Fprintf(&b, "customer%04d@example.com,%s,Customer,%s,Portland\n", i, first, seg)
	}
	return b.String()
}

// flashCSV is the fast path's audience, apart from the main list so its
// complaints suppress nobody the spring sale targets.
func flashCSV() string {
	names := strings.Fields("Kai Lu Mo Ned Oz Pia Quin Rae Sol Tam")
	var b strings.Builder
	b.WriteString("email,first_name,last_name,segments,city\n")
	for i := range FlashRecipients {
		fmt.Fprintf(&b, "flash%04d@example.com,%s,Shopper,flash-sale,Seattle\n", i, names[i%10])
	}
	return b.String()
}

func jsonBody(v any) io.Reader {
	raw, _ := json.Marshal(v)
	return bytes.NewReader(raw)
}

// do sends one request with the token and decodes a 2xx JSON answer into
// out; any other status is an error carrying the API's message.
func (c Client) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Base, "/")+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}
