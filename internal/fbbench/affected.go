package fbbench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/runbooks"
)

// The goals of the "who received it" export of a 1M-recipient campaign.
const (
	affectedGoal    = 60 * time.Second
	affectedRSSGoal = 300_000_000 // bytes
)

// affected times the CSV export of "who received it" for a campaign of
// --assess-recipients recipients (the assessment's mix of states and
// outcomes) through the real HTTP handler (api.New on a loopback server, a
// bearer token, GET …/affected?format=csv), reading the download as a client
// would. The peak RSS is this process's, server and client together: the
// export streams one 5,000-row batch at a time, so it stays flat whatever the
// campaign's size.
func (b *bench) affected(ctx context.Context) error {
	n := b.opt.assessRecipients
	base := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	spec := assessSpec
	spec.lateral = `, LATERAL (SELECT CASE WHEN i % 100 < 97 THEN 'handed' WHEN i % 100 = 97 THEN 'pending'
			WHEN i % 100 = 98 THEN 'in_doubt' ELSE 'failed' END AS state,
			CASE WHEN i % 100 < 97 OR i % 100 = 98 THEN '` + base.Format(time.RFC3339) +
		`'::timestamptz + (i % 3600) * interval '1 second' END AS h) x`
	t0 := time.Now()
	cid, err := b.seedCampaign(ctx, "bench affected", "af", "bench-affected-batch", n, spec)
	if err != nil {
		return err
	}
	db := b.st.store.SQL()
	// SendGrid accepted the pause half an hour into the hour of handoffs: about
	// half the handed recipients are held at SendGrid.
	if _, err := db.ExecContext(ctx, `UPDATE campaigns SET esp_state = 'paused', esp_state_at = $2 WHERE id = $1`,
		cid, base.Add(30*time.Minute)); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE campaign_recipients, recipient_outcomes`); err != nil {
		return err
	}
	fmt.Printf("setup: %s recipients with outcomes in %s\n", thousands(int64(n)), secs(time.Since(t0)))

	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		return err
	}
	campaigns := b.service(0)
	incidents := incident.NewService(incident.Deps{Repo: b.st.store, Campaigns: campaigns, Runbooks: set, Log: b.log})
	inc, _, err := incidents.Declare(ctx, audit.CLI, incident.Declaration{CampaignID: cid, Runbook: "triage",
		Summary: "bench: who received it", Source: incident.SourceAPI})
	if err != nil {
		return err
	}
	users := user.NewService(b.st.store, user.DefaultLimits, time.Hour, nil)
	if _, err := users.AddUser(ctx, audit.CLI, user.NewUser{Email: "legal@bench.example", Name: "Bench Legal",
		Roles: []string{"legal"}, Password: "correct horse battery"}); err != nil {
		return err
	}
	_, token, err := users.CreateToken(ctx, audit.CLI, "legal@bench.example", "bench")
	if err != nil {
		return err
	}
	srv := httptest.NewServer(api.New(api.Config{}, api.Deps{Log: b.log, Users: users, Campaigns: campaigns,
		Incidents: incidents, Runbooks: set, Metrics: api.NewMetrics()}))
	defer srv.Close()

	b.meter.begin()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/incidents/"+inc.ID+"/affected?format=csv", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	var first time.Duration
	resp, err := srv.Client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		return fmt.Errorf("affected export: %d %s", resp.StatusCode, body)
	}
	lines, size := 0, int64(0)
	rd := bufio.NewReaderSize(resp.Body, 64<<10)
	buf := make([]byte, 64<<10)
	for {
		k, err := rd.Read(buf)
		if k > 0 && first == 0 {
			first = time.Since(b.meter.start)
		}
		lines += bytes.Count(buf[:k], []byte("\n"))
		size += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("affected export: read: %w", err)
		}
	}
	use := b.meter.end()
	fmt.Printf("affected  CSV export of %s recipients (%s MB) through GET …/affected?format=csv: %s, first bytes after %s%s\n"+
		"          %s%s\n",
		thousands(int64(lines-1)), thousands(size/1_000_000), secs(use.Wall), ms(first), verdict(use.Wall <= affectedGoal, "≤ 60 s"),
		use, verdict(use.PeakRSS <= affectedRSSGoal, "RSS ≤ 300 MB"))
	if lines-1 != n {
		return fmt.Errorf("affected export: %d rows, want %d", lines-1, n)
	}
	return nil
}
