package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
)

// result is one command line's exit status and output.
type result struct {
	code           int
	stdout, stderr string
}

// runHere runs a command line in-process with an empty environment.
func runHere(args ...string) result {
	var out, errb bytes.Buffer
	code := Run(context.Background(), strings.NewReader(""), &out, &errb, func(string) string { return "" }, args)
	return result{code, out.String(), errb.String()}
}

// testEnv is an environment for a command line run in-process.
type testEnv map[string]string

// with is a copy of the environment with k set to v.
func (m testEnv) with(k, v string) testEnv {
	out := testEnv{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

// run runs a command line in-process in this environment.
func (m testEnv) run(args ...string) result {
	var out, errb bytes.Buffer
	code := Run(context.Background(), strings.NewReader(""), &out, &errb, func(k string) string { return m[k] }, args)
	return result{code, out.String(), errb.String()}
}

// testKey is a fresh Signed Event Webhook verification key, as SendGrid shows it.
func testKey(t *testing.T) string {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return base64.StdEncoding.EncodeToString(der)
}

func TestEveryCommandHasHelp(t *testing.T) {
	var walk func(prefix []string, cmd *command)
	walk = func(prefix []string, cmd *command) {
		r := runHere(append(prefix, "--help")...)
		if r.code != 0 || !strings.Contains(r.stdout, cmd.summary) {
			t.Errorf("%v --help: exit %d, stdout %q", prefix, r.code, r.stdout)
		}
		for _, s := range cmd.subs {
			walk(append(append([]string{}, prefix...), s.name), s)
		}
	}
	walk(nil, root())
	if r := runHere("frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("unknown command: %+v", r)
	}
}
