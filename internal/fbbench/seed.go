package fbbench

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/user"
)

// The webhook, spike and assessment benchmarks do not go through Send and
// HandOff: they create the state a handed-over campaign leaves behind directly
// in SQL (a campaigns row with status, batch_id, audience and handed_to_esp,
// recipients, and campaign_recipients rows in state handed), which takes
// seconds instead of a full handoff per campaign.

// seedSpec says how the campaign_recipients rows of a seeded campaign look.
// Expressions may use i, the recipient's number (1…n), and email.
type seedSpec struct {
	status   string // campaigns.status
	segments string // text[] expression
	cols     string // further campaign_recipients columns, comma-separated, or ""
	exprs    string // their expressions, in the same order
	lateral  string // further FROM items after n (the recipients), e.g. ", LATERAL (…) x", or ""
	// outcomeCols are recipient_outcomes columns, outcomeExprs their
	// expressions over x (the handed recipient: i, segments, state, h = handed_at);
	// "" for none.
	outcomeCols, outcomeExprs string
}

// seedCampaign inserts a campaign that has handed n recipients to SendGrid
// under batchID, and its recipients (prefix0000001@bench.example …). It
// returns the campaign id.
func (b *bench) seedCampaign(ctx context.Context, name, prefix, batchID string, n int, spec seedSpec) (string, error) {
	db := b.st.store.SQL()
	if spec.status == "" {
		spec.status = "sent"
	}
	if spec.segments == "" {
		spec.segments = "ARRAY['alpha']"
	}
	if spec.cols == "" {
		spec.cols = "state, handed_at, send_at"
		spec.exprs = "'handed', now(), now() + interval '15 minutes'"
	}
	var id string
	err := db.QueryRowContext(ctx, `INSERT INTO campaigns (name, brand_id, subject, html, text, segments,
		send_buffer_seconds, status, batch_id, audience, handed_to_esp, send_started_at, finished_at)
		VALUES ($1, $2, $3, $4, $5, ARRAY['alpha'], $6, $7, $8, $9, $9, now(), now()) RETURNING id`,
		name, b.brand.ID, subject, html, text, sendBuffer, spec.status, batchID, n).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("seed campaign %s: %w", name, err)
	}
	q := `WITH r AS (
		INSERT INTO recipients (email, first_name, last_name, attributes)
		SELECT $2 || lpad(g::text, 7, '0') || '@bench.example', 'Ana', 'Silva', '{"city":"Porto"}'::jsonb
		FROM generate_series(1, $3::int) g RETURNING id, email),
	n AS (SELECT id, email, substring(split_part(email, '@', 1) from $4::int)::int AS i FROM r)
	INSERT INTO campaign_recipients (campaign_id, recipient_id, email, first_name, last_name, attributes, segments,
		message_id, ` + spec.cols + `)
	SELECT $1, id, email, 'Ana', 'Silva', '{"city":"Porto"}'::jsonb, ` + spec.segments + `, 'bm' || $2 || i, ` +
		spec.exprs + ` FROM n` + spec.lateral
	if _, err := db.ExecContext(ctx, q, id, prefix, n, len(prefix)+1); err != nil {
		return "", fmt.Errorf("seed recipients of %s: %w", name, err)
	}
	if spec.outcomeCols == "" {
		return id, nil
	}
	q = `INSERT INTO recipient_outcomes (campaign_id, recipient_id, ` + spec.outcomeCols + `)
		SELECT campaign_id, recipient_id, ` + spec.outcomeExprs + `
		FROM (SELECT campaign_id, recipient_id, segments, state, handed_at AS h,
			substring(split_part(email, '@', 1) from $2::int)::int AS i
			FROM campaign_recipients WHERE campaign_id = $1 AND state = 'handed') x`
	if _, err := db.ExecContext(ctx, q, id, len(prefix)+1); err != nil {
		return "", fmt.Errorf("seed outcomes of %s: %w", name, err)
	}
	// Statistics now, as autovacuum would soon: the events the assessment
	// benchmark derives from these rows join them, and without statistics
	// the planner picks a plan that takes many minutes at 1M rows.
	if _, err := db.ExecContext(ctx, `ANALYZE campaign_recipients, recipient_outcomes`); err != nil {
		return "", err
	}
	return id, nil
}

// recipientIDs returns the campaign's recipient ids in the order of their
// number i (so index i-1).
func (b *bench) recipientIDs(ctx context.Context, campaignID string) ([]string, error) {
	rows, err := b.st.store.SQL().QueryContext(ctx,
		`SELECT recipient_id::text FROM campaign_recipients WHERE campaign_id = $1 ORDER BY email`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		ids = append(ids, s)
	}
	return ids, rows.Err()
}

// webhookServer is the real HTTP server (api.New) with only what the
// webhook route needs, on a loopback listener.
func (b *bench) webhookServer(events *event.Service, key *ecdsa.PublicKey) *httptest.Server {
	h := api.New(api.Config{}, api.Deps{Log: b.log, Users: user.NewService(b.st.store, user.DefaultLimits, time.Hour, nil),
		Metrics: api.NewMetrics(), Events: events, EventList: b.st.store, Webhook: sendgrid.Webhook{Key: key}})
	return httptest.NewServer(h)
}

// webhookKey is a fresh P-256 key pair, as SendGrid's Signed Event Webhook uses.
func webhookKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// signedPost is a webhook body with its headers, ready to send.
type signedPost struct {
	body     []byte
	ts, sig  string
	received int // events in it
}

// sign signs exactly like internal/sgsim.Sign: ECDSA P-256 over ts||body,
// base64 of the ASN.1 DER signature.
func sign(key *ecdsa.PrivateKey, body []byte, n int) (signedPost, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := sha256.New()
	h.Write([]byte(ts))
	h.Write(body)
	der, err := ecdsa.SignASN1(rand.Reader, key, h.Sum(nil))
	if err != nil {
		return signedPost{}, err
	}
	return signedPost{body: body, ts: ts, sig: base64.StdEncoding.EncodeToString(der), received: n}, nil
}

// request builds the POST of p to the server's webhook route.
func (p signedPost) request(ctx context.Context, url string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/webhooks/sendgrid", bytes.NewReader(p.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(sendgrid.SignatureHeader, p.sig)
	req.Header.Set(sendgrid.TimestampHeader, p.ts)
	return req, nil
}
