package sendgrid

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/sendgrid/rest"

	"github.com/firebreak/firebreak/domain/esp"
)

var _ esp.SuppressionLister = (*Client)(nil)

const opGroups = "asm/groups"

// suppressedJSON is one item of a /v3/suppression/{list} answer; each list
// fills the fields it has (SENDGRID.md §5.3).
type suppressedJSON struct {
	Created unixSeconds `json:"created"`
	Email   string      `json:"email"`
	Reason  string      `json:"reason"`
	Status  string      `json:"status"`
}

// unixSeconds is a Unix time in seconds that SendGrid writes as a JSON number
// (integer, or occasionally with a fraction); null or absent is the zero time.
type unixSeconds time.Time

func (u *unixSeconds) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("created: %w", err)
	}
	sec, frac := math.Modf(f)
	*u = unixSeconds(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}

// ListSuppressions reads one page of a suppression list:
// GET /v3/suppression/{list}?limit=&offset= → a bare array, newest first.
// A list other than esp.SuppressionLists, a limit outside
// 1..esp.MaxSuppressionPage or a negative offset is a Permanent *esp.Error
// without a request: silently clamping the limit would break the caller's
// "a short page is the last one" rule.
func (c *Client) ListSuppressions(ctx context.Context, list string, offset, limit int) ([]esp.Suppressed, error) {
	op := "suppression/" + list
	if !slices.Contains(esp.SuppressionLists, list) {
		return nil, &esp.Error{Op: op, Kind: esp.Permanent,
			Messages: []string{fmt.Sprintf("unknown suppression list %q: want one of %v", list, esp.SuppressionLists)}}
	}
	if limit < 1 || limit > esp.MaxSuppressionPage || offset < 0 {
		return nil, &esp.Error{Op: op, Kind: esp.Permanent,
			Messages: []string{fmt.Sprintf("limit %d, offset %d: want limit 1..%d and offset ≥ 0", limit, offset, esp.MaxSuppressionPage)}}
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
	var items []suppressedJSON
	if err := c.getJSON(ctx, op, "/v3/suppression/"+list+"?"+q.Encode(), &items); err != nil {
		return nil, err
	}
	out := make([]esp.Suppressed, len(items))
	for i, it := range items {
		out[i] = esp.Suppressed{Email: it.Email, Created: time.Time(it.Created), Reason: it.Reason, Status: it.Status}
	}
	return out, nil
}

// ListGroups reads every unsubscribe group: GET /v3/asm/groups.
func (c *Client) ListGroups(ctx context.Context) ([]esp.Group, error) {
	var items []struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	if err := c.getJSON(ctx, opGroups, "/v3/asm/groups", &items); err != nil {
		return nil, err
	}
	out := make([]esp.Group, len(items))
	for i, it := range items {
		out[i] = esp.Group{ID: it.ID, Name: it.Name}
	}
	return out, nil
}

// ListGroupSuppressions reads a group's unsubscribes:
// GET /v3/asm/groups/{id}/suppressions → a bare array of addresses, unpaged.
// An unknown group is SendGrid's 404, a Permanent *esp.Error.
func (c *Client) ListGroupSuppressions(ctx context.Context, groupID int) ([]string, error) {
	op := opGroups + "/suppressions"
	if groupID <= 0 {
		return nil, &esp.Error{Op: op, Kind: esp.Permanent, Messages: []string{fmt.Sprintf("group id %d: want > 0", groupID)}}
	}
	var emails []string
	if err := c.getJSON(ctx, op, "/v3/asm/groups/"+strconv.Itoa(groupID)+"/suppressions", &emails); err != nil {
		return nil, err
	}
	return emails, nil
}

// getJSON GETs path through the management retry path and decodes the 2xx
// answer into out; an answer that is not the expected JSON is Uncertain (the
// request reached SendGrid, and a later attempt may read it fine).
func (c *Client) getJSON(ctx context.Context, op, path string, out any) error {
	resp, err := c.manage(ctx, op, rest.Get, path, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
		return &esp.Error{Op: op, Kind: esp.Uncertain, Status: resp.StatusCode,
			Messages: []string{"answer is not the expected JSON list"}, Err: err}
	}
	return nil
}
