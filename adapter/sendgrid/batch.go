package sendgrid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sendgrid/rest"

	"github.com/firebreak/firebreak/domain/esp"
)

const (
	opBatch    = "mail/batch"
	opSchedule = "scheduled_sends"
)

// batchStatus is one entry of /v3/user/scheduled_sends.
type batchStatus struct {
	BatchID string `json:"batch_id,omitempty"`
	Status  string `json:"status,omitempty"`
}

// CreateBatch returns a new batch id (POST /v3/mail/batch → 201 {batch_id}).
// Retried like every management call; a retry after a lost answer at worst
// leaves an unused batch id, which expires on its own after 10 days.
func (c *Client) CreateBatch(ctx context.Context) (string, error) {
	resp, err := c.manage(ctx, opBatch, rest.Post, "/v3/mail/batch", nil)
	if err != nil {
		return "", err
	}
	var out batchStatus
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil || out.BatchID == "" {
		return "", &esp.Error{Op: opBatch, Kind: esp.Uncertain, Status: resp.StatusCode,
			Messages: []string{"answer carries no batch_id"}, Err: err}
	}
	return out.BatchID, nil
}

// SetBatchStatus pauses or cancels a batch's scheduled sends, idempotently.
// It POSTs the status; SendGrid answers 400 both when the batch already has
// a status and when its limit of paused/cancelled batches is reached, so on
// 400 it reads the batch's status: an equal one is success, a different one
// is PATCHed, none means the limit (esp.BatchLimit, SendGrid's message kept).
// A batch SendGrid does not know (GET → 404) returns the POST's Permanent error.
func (c *Client) SetBatchStatus(ctx context.Context, batchID string, status esp.ScheduleStatus) error {
	if batchID == "" || (status != esp.StatusPause && status != esp.StatusCancel) {
		return &esp.Error{Op: opSchedule, Kind: esp.Permanent,
			Messages: []string{fmt.Sprintf("batch %q, status %q: want a batch id and pause or cancel", batchID, status)}}
	}
	body, _ := json.Marshal(batchStatus{BatchID: batchID, Status: string(status)})
	_, err := c.manage(ctx, opSchedule, rest.Post, "/v3/user/scheduled_sends", body)
	var postErr *esp.Error
	if err == nil || !errors.As(err, &postErr) || postErr.Status != http.StatusBadRequest {
		return err
	}
	current, found, err := c.batchStatus(ctx, batchID)
	switch {
	case err != nil:
		return err
	case !found:
		return postErr
	case current == "":
		return &esp.Error{Op: opSchedule, Kind: esp.BatchLimit, Status: postErr.Status, Messages: postErr.Messages}
	case current == string(status):
		return nil
	}
	body, _ = json.Marshal(batchStatus{Status: string(status)})
	_, err = c.manage(ctx, opSchedule, rest.Patch, schedulePath(batchID), body)
	return err
}

// batchStatus reads a batch's scheduled-send status ("" when it has none);
// found is false when SendGrid answers 404.
func (c *Client) batchStatus(ctx context.Context, batchID string) (status string, found bool, err error) {
	resp, err := c.manage(ctx, opSchedule, rest.Get, schedulePath(batchID), nil)
	var e *esp.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var list []batchStatus
	if err := json.Unmarshal([]byte(resp.Body), &list); err != nil {
		return "", false, &esp.Error{Op: opSchedule, Kind: esp.Uncertain, Status: resp.StatusCode,
			Messages: []string{"scheduled send answer is not a list"}, Err: err}
	}
	for _, s := range list {
		if s.BatchID == batchID || s.BatchID == "" {
			return s.Status, true, nil
		}
	}
	return "", true, nil
}

// ClearBatchStatus removes a batch's pause or cancel, which resumes a paused
// batch (DELETE /v3/user/scheduled_sends/{id}). 204 and 404 (no status, or
// no such batch) are both success, so resuming twice is harmless.
func (c *Client) ClearBatchStatus(ctx context.Context, batchID string) error {
	if batchID == "" {
		return &esp.Error{Op: opSchedule, Kind: esp.Permanent, Messages: []string{"batch id is empty"}}
	}
	_, err := c.manage(ctx, opSchedule, rest.Delete, schedulePath(batchID), nil)
	var e *esp.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return nil
	}
	return err
}

func schedulePath(batchID string) string {
	return "/v3/user/scheduled_sends/" + url.PathEscape(batchID)
}
