package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/migrations"
)

// openStore reads the database settings and connects (10 s to answer).
func openStore(e env) (*postgres.Store, Config, error) {
	cfg, err := loadConfig(e.getenv, scopeDB)
	if err != nil {
		return nil, cfg, err
	}
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, postgres.Config{DSN: cfg.DatabaseURL, MaxOpenConns: 4})
	return st, cfg, err
}

func migrateCommand() *command {
	return &command{
		name:    "migrate",
		summary: "Apply, roll back or list the schema migrations embedded in this binary.",
		subs: []*command{
			{
				name: "up", summary: "Apply every pending migration (a no-op when none is pending).",
				run: func(e env, _ *flag.FlagSet, _ any) error {
					st, _, err := openStore(e)
					if err != nil {
						return err
					}
					defer st.Close()
					res, err := migrations.Up(e.ctx, st.SQL())
					if err != nil {
						return err
					}
					if len(res) == 0 {
						fmt.Fprintln(e.stdout, "migrate up: nothing to apply; the schema is current")
					}
					for _, r := range res {
						fmt.Fprintf(e.stdout, "applied %d %s (%s)\n", r.Source.Version, r.Source.Path, r.Duration.Round(time.Millisecond))
					}
					return nil
				},
			},
			{
				name: "down", summary: "Roll back the newest applied migration (with --all, every migration: this drops all data).",
				flags: func(fs *flag.FlagSet) any { return fs.Bool("all", false, "roll back every migration") },
				run: func(e env, _ *flag.FlagSet, opts any) error {
					st, _, err := openStore(e)
					if err != nil {
						return err
					}
					defer st.Close()
					if *opts.(*bool) {
						res, err := migrations.DownTo(e.ctx, st.SQL(), 0)
						for _, r := range res {
							fmt.Fprintf(e.stdout, "rolled back %d %s\n", r.Source.Version, r.Source.Path)
						}
						return err
					}
					r, err := migrations.Down(e.ctx, st.SQL())
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "rolled back %d %s\n", r.Source.Version, r.Source.Path)
					return nil
				},
			},
			{
				name: "status", summary: "List every migration and when it was applied.",
				run: func(e env, _ *flag.FlagSet, _ any) error {
					st, _, err := openStore(e)
					if err != nil {
						return err
					}
					defer st.Close()
					all, err := migrations.Status(e.ctx, st.SQL())
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "VERSION\tFILE\tSTATE\tAPPLIED AT")
					for _, m := range all {
						at := ""
						if !m.AppliedAt.IsZero() {
							at = m.AppliedAt.UTC().Format(time.RFC3339)
						}
						fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.Source.Version, m.Source.Path, m.State, at)
					}
					return tw.Flush()
				},
			},
		},
	}
}
