package cli

import (
	"flag"
	"io"
	"testing"

	"github.com/firebreak/firebreak/internal/demo"
)

// sgsimParse parses an sgsim command line the way runSgsim does, up to the
// profile, with the environment env.
func sgsimParse(t *testing.T, env map[string]string, args ...string) (*sgsimFlags, error) {
	t.Helper()
	fs := flag.NewFlagSet("sgsim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := sgsimCommand().flags(fs).(*sgsimFlags)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if err := f.applyProfile(given, func(k string) string { return env[k] }); err != nil {
		return f, err
	}
	return f, f.validate()
}

// TestSgsimDemoProfileIsTheDemosSettingsUnlessSaidOtherwise: --profile demo
// is what internal/demo (and so the stack test of the fast path) assumes,
// and a flag or SGSIM_ variable given explicitly still wins.
func TestSgsimDemoProfileIsTheDemosSettingsUnlessSaidOtherwise(t *testing.T) {
	f, err := sgsimParse(t, nil, "--profile", "demo")
	if err != nil || f.outcomes != demo.SimOutcomes || f.speedup != demo.SimSpeedup {
		t.Fatalf("--profile demo: %+v speed-up %v (%v), want %+v and %v", f.outcomes, f.speedup, err, demo.SimOutcomes, demo.SimSpeedup)
	}
	f, err = sgsimParse(t, map[string]string{"SGSIM_BOUNCE": "0.1"}, "--profile", "demo", "--spam-report", "0.05")
	if err != nil || f.outcomes.SpamReport != 0.05 || f.outcomes.Bounce != 0 || f.outcomes.Open != demo.SimOutcomes.Open {
		t.Fatalf("explicit settings with the profile: %+v (%v), want spam 0.05 from the flag, bounce left to the environment", f.outcomes, err)
	}
	if f, _ := sgsimParse(t, nil); f.speedup != 1 || f.outcomes.SpamReport != 0 {
		t.Fatalf("no profile: %+v speed-up %v, want SendGrid's pace and no outcomes", f.outcomes, f.speedup)
	}
	if _, err := sgsimParse(t, nil, "--profile", "fast"); err == nil {
		t.Fatal("--profile fast accepted")
	}
	if _, err := sgsimParse(t, nil, "--engagement-speedup", "0.5"); err == nil {
		t.Fatal("--engagement-speedup 0.5 accepted")
	}
}
