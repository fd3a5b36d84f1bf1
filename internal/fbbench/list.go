package fbbench

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/page"
)

// listCampaigns is how many sending campaigns the list benchmark pages over.
const listCampaigns = 50

// list counts the statements one page of the campaign list costs (the
// dashboard polls it every 5 s) at 1 and at 50 campaigns per page: the list
// and its counts are two statements whatever the page size (the layout
// issue's "no N+1"), where one Handed query per campaign used to follow. The
// statements are recorded by the store itself (postgres.RecordStatements).
func (b *bench) list(ctx context.Context) error {
	for i := range listCampaigns {
		id, err := b.seedSending(ctx, fmt.Sprintf("ls%03d-", i), 20)
		if err != nil {
			return err
		}
		if _, err := b.st.store.SQL().ExecContext(ctx, `INSERT INTO handoff_requests (campaign_id, wave, state, recipients,
			send_at, deadline) VALUES ($1, 1, 'accepted', 20, now() + interval '15 minutes', now())`, id); err != nil {
			return err
		}
	}
	rec := b.statements()
	svc := b.service(0)
	counts := map[int]int{}
	var took = map[int]time.Duration{}
	for _, n := range []int{1, listCampaigns} {
		rec.Reset()
		t0 := time.Now()
		vs, _, err := svc.List(ctx, page.Request{Limit: n})
		took[n] = time.Since(t0)
		if err != nil {
			return err
		}
		if len(vs) != n {
			return fmt.Errorf("list: a page of %d gave %d campaigns", n, len(vs))
		}
		counts[n] = len(rec.All())
	}
	rec.Reset()
	fmt.Printf("list    one page of the campaign list (with counts and stoppability): %d statements at 1 campaign (%s), %d at %d campaigns (%s)%s\n",
		counts[1], ms(took[1]), counts[listCampaigns], listCampaigns, ms(took[listCampaigns]),
		verdict(counts[1] == counts[listCampaigns], "the same at 1 and 50"))
	return nil
}

// statements is the store's statement recorder, registered once for the run
// (postgres.RecordStatements adds gorm callbacks: a second one would record twice).
func (b *bench) statements() *postgres.Statements {
	if b.rec == nil {
		b.rec = postgres.RecordStatements(b.st.store)
	}
	return b.rec
}
