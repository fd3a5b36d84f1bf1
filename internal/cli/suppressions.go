package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/suppression"
)

func suppressionsCommand() *command {
	return &command{
		name:    "suppressions",
		summary: "Work with the suppression list (addresses Firebreak never mails).",
		subs: []*command{
			{
				name: "sync",
				summary: "Copy SendGrid's bounces, spam reports, invalid emails and global and group unsubscribes into " +
					"Firebreak's suppression list, printing per list how many were fetched, skipped as invalid and newly added. " +
					"Only adds, so it is safe to repeat. Reads the same environment as `firebreak serve`.",
				run: func(e env, _ *flag.FlagSet, _ any) error {
					cfg, err := loadConfig(e.getenv, scopeServer)
					if err != nil {
						return err
					}
					openCtx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
					st, err := postgres.Open(openCtx, postgres.Config{DSN: cfg.DatabaseURL, MaxOpenConns: 4})
					cancel()
					if err != nil {
						return err
					}
					defer st.Close()
					sg := sendgrid.New(sendgrid.Config{APIKey: cfg.SendGridAPIKey, BaseURL: cfg.SendGridAPIURL})
					res, err := suppression.NewSyncer(sg, st, suppression.SyncConfig{Actor: audit.CLI}).Sync(e.ctx)
					if perr := printSyncResult(e.stdout, res); perr != nil && err == nil {
						err = perr
					}
					return err
				},
			},
		},
	}
}

// printSyncResult prints one row per list and group, then the totals; after
// a failed sync it shows what was done before the failure.
func printSyncResult(w io.Writer, res suppression.SyncResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LIST\tKIND\tFETCHED\tINVALID\tADDED")
	invalid := 0
	for _, l := range res.Lists {
		name := l.List
		if l.GroupName != "" {
			name += " (" + l.GroupName + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", name, l.Kind, l.Fetched, l.Invalid, l.Added)
		invalid += l.Invalid
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t%d\n", res.Fetched(), invalid, res.Added())
	return tw.Flush()
}
