package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/firebreak/firebreak/internal/demo"
)

type demoSeedFlags struct {
	url  string
	fast bool
}

// demoCommand is `firebreak demo seed`, which scripts/demo-serve.sh runs once
// the server answers; internal/demo holds what it seeds.
func demoCommand() *command {
	return &command{
		name:    "demo",
		summary: "Seed the demo that `make demo` serves (brands, recipients, campaigns) through the API.",
		subs: []*command{{
			name:    "seed",
			summary: "Create whatever of the demo is missing and, with --fast, send the fast path's campaign now; prints the campaign ids.",
			usage:   "--url URL [--fast=false]   (admin token in FIREBREAK_TOKEN)",
			flags: func(fs *flag.FlagSet) any {
				f := &demoSeedFlags{}
				fs.StringVar(&f.url, "url", "", "the running server, e.g. http://127.0.0.1:8080")
				fs.BoolVar(&f.fast, "fast", true, "also seed and send \""+demo.FlashSale+"\" (no send buffer: the simulator's complaints open an incident within a minute)")
				return f
			},
			run: func(e env, _ *flag.FlagSet, opts any) error {
				f := opts.(*demoSeedFlags)
				token := strings.TrimSpace(e.getenv("FIREBREAK_TOKEN"))
				if f.url == "" || token == "" {
					return &usageError{"--url and an admin token in FIREBREAK_TOKEN are required"}
				}
				s, err := demo.Seed(e.ctx, demo.Client{Base: f.url, Token: token}, f.fast)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "spring_sale %s\n", s.SpringSaleID)
				if s.FlashSaleID != "" {
					fmt.Fprintf(e.stdout, "flash_sale %s %t\n", s.FlashSaleID, s.FlashSent)
				}
				return nil
			},
		}},
	}
}
