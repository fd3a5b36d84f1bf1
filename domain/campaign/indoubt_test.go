package campaign_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

// inDoubtRepo fakes the two calls SendInDoubt makes; any other call panics
// (the embedded nil Repo), so the test also pins what the use-case touches.
type inDoubtRepo struct {
	campaign.Repo
	res    campaign.InDoubtRelease
	err    error
	before time.Time
	from   []campaign.Status
	entry  audit.Entry
}

func (r *inDoubtRepo) ReleaseInDoubt(_ context.Context, _ string, from []campaign.Status, before time.Time, errWrong error,
	a audit.Entry) (campaign.InDoubtRelease, error) {
	r.before, r.from, r.entry = before, from, a
	if r.err != nil {
		return r.res, errWrong
	}
	return r.res, nil
}

func (r *inDoubtRepo) Handed(context.Context, string) ([]campaign.Handed, error) { return nil, nil }

type handoffJobs struct {
	campaign.Jobs
	handoffs []string
}

func (j *handoffJobs) HandOff(_ context.Context, id string) error {
	j.handoffs = append(j.handoffs, id)
	return nil
}

func TestSendInDoubt(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	marketer := audit.Actor{UserID: "u1", Name: "m@x.io"}
	for _, tc := range []struct {
		name       string
		wait       time.Duration
		repo       inDoubtRepo
		wantErr    error
		wantCode   string
		sendableAt *time.Time
		released   int
	}{
		{name: "released recipients are handed off again", wait: 10 * time.Minute,
			repo:     inDoubtRepo{res: campaign.InDoubtRelease{Released: 1000, Requests: 1, Campaign: campaign.Campaign{ID: "c1", Status: campaign.Sending}}},
			released: 1000},
		{name: "a paused campaign is refused", repo: inDoubtRepo{err: errors.New("paused")},
			wantErr: errs.Conflict, wantCode: "campaign_not_sending"},
		{name: "nothing past the wait says when the soonest may go", wait: 10 * time.Minute,
			repo: inDoubtRepo{res: campaign.InDoubtRelease{Waiting: 500, WaitingDeadline: ptr(now.Add(-time.Minute)),
				Campaign: campaign.Campaign{InDoubt: 500}}},
			wantErr: errs.Conflict, wantCode: "nothing_in_doubt", sendableAt: ptr(now.Add(9 * time.Minute))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jobs := &handoffJobs{}
			repo := tc.repo
			svc := campaign.NewService(&repo, nil, nil, jobs, campaign.Config{Now: clock, InDoubtWait: tc.wait})
			v, n, err := svc.SendInDoubt(context.Background(), marketer, "c1")
			wait := tc.wait
			if wait == 0 {
				wait = campaign.DefaultInDoubtWait
			}
			if !repo.before.Equal(now.Add(-wait)) || len(repo.from) != 2 || repo.entry.Actor != marketer ||
				repo.entry.Action != "campaign.send_in_doubt" {
				t.Fatalf("release asked with before %s, from %v, entry %+v", repo.before, repo.from, repo.entry)
			}
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				var coded interface{ Code() string }
				var sentinel *errs.E
				code := ""
				if errors.As(err, &coded) {
					code = coded.Code()
				} else if errors.As(err, &sentinel) {
					code = sentinel.Code
				}
				if code != tc.wantCode {
					t.Fatalf("code %q, want %q", code, tc.wantCode)
				}
				var nothing *campaign.NothingInDoubtError
				if tc.sendableAt != nil && (!errors.As(err, &nothing) || nothing.SendableAt == nil ||
					!nothing.SendableAt.Equal(*tc.sendableAt) || nothing.Waiting != 500 || nothing.InDoubt != 500) {
					t.Fatalf("details %+v, want sendable at %s", nothing, tc.sendableAt)
				}
				if len(jobs.handoffs) != 0 {
					t.Fatal("a refused release enqueued a handoff")
				}
				return
			}
			if n != tc.released || v.Campaign.ID != "c1" || len(jobs.handoffs) != 1 {
				t.Fatalf("released %d, view %+v, handoffs %v", n, v.Campaign, jobs.handoffs)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
