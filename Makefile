# Firebreak — the two commands README opens with are `make demo` and `make test`.
SHELL := /bin/bash
GO    ?= go
NPM   ?= npm
BIN   := bin/firebreak
# Fuzzing is bounded by executions, not wall time: a duration -fuzztime can fail
# with a bare "context deadline exceeded" on a busy machine (a race in Go's fuzz
# coordinator, golang/go#75804, fixed only in Go 1.27). The counts are about 10 s
# each on a 2-core CI machine; FUZZ_SCALE multiplies them.
FUZZ_SCALE ?= 1
fuzz = $(GO) test -run '^$$' -fuzz $(1) -fuzztime $$(( $(2) * $(FUZZ_SCALE) ))x -fuzzminimizetime 2000x $(3)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: all build frontend deps test test-go test-frontend test-e2e test-faults demo demo-info screenshots bench lint fmt clean

all: build

## build: the dashboard, then the binary with the dashboard embedded, at bin/firebreak
build: frontend
	$(GO) build -trimpath -o $(BIN) ./cmd/firebreak

frontend: frontend/node_modules/.installed
	cd frontend && $(NPM) run build

.PHONY: generate check-generated
## generate: frontend/src/api/openapi.gen.ts (the dashboard's wire types) from api/openapi.json; commit it
generate: frontend/node_modules/.installed
	cd frontend && $(NPM) run --silent generate

## check-generated: fails, changing nothing, when frontend/src/api/openapi.gen.ts is not what
## api/openapi.json generates (npm run build checks it too)
check-generated: frontend/node_modules/.installed
	cd frontend && $(NPM) run --silent check:generated

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

## deps: Debian packages the tests and the demo run (postgresql, redis-server, chromium)
deps:
	scripts/install-deps.sh

## test: every test — Go unit and integration (real Postgres/Redis), frontend, browser
test: deps
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint test-go test-fuzz test-faults test-frontend test-e2e && \
	echo "make test: all suites passed in $$(( $$(date +%s) - start )) s"

# test-go builds the dashboard first: the embedded build is what the CSP test checks.
# -timeout 25m: under -race on a busy 2-core machine the api package (every test on its own
# Postgres database and Redis) runs past go test's default 10 minutes.
test-go: frontend
	$(GO) test -race -count=1 -timeout 25m ./...

## test-faults: the whole-stack fault suite (docs/reliability.md): the real firebreak binary as
## serve/api/worker processes on private Postgres and Redis with the SendGrid simulator; kill -9,
## Postgres and Redis restarts, SendGrid 429/500/timeouts, two racing workers; then the simulator's
## record is compared with Postgres. Its files carry the build tag `faults`, so `go test ./...`
## skips them and only this target (part of `make test`, so of .ci/run) runs them; about 2 minutes.
test-faults:
	$(GO) vet -tags faults ./test/faults/
	$(GO) test -tags faults -count=1 -timeout 15m -v ./test/faults/

test-frontend: frontend/node_modules/.installed check-generated
	cd frontend && $(NPM) test

# test-e2e writes its screenshots under frontend/test-results/screenshots (ignored), so
# `make test` changes no tracked file; `make screenshots` refreshes docs/screenshots.
test-e2e: build
	$(GO) run ./cmd/devstack run -- sh -c 'cd frontend && FIREBREAK_BIN=$(CURDIR)/$(BIN) $(NPM) run test:e2e'

## screenshots: the browser tests, writing the README's screenshots to docs/screenshots
screenshots: build
	$(GO) run ./cmd/devstack run -- sh -c 'cd frontend && SCREENSHOTS=1 FIREBREAK_BIN=$(CURDIR)/$(BIN) $(NPM) run test:e2e'

lint: check-generated
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: import and handoff figures at 1M recipients on a private Postgres (docs/benchmarks.md);
## a quick run: make bench BENCHFLAGS="--rows 50000"; one benchmark: make bench BENCHFLAGS="--only monitoring"
bench:
	$(GO) run ./cmd/fbbench $(BENCHFLAGS)

## demo: Postgres+Redis (Docker Compose, else private servers under .data/), migrate, seed, serve;
## the fast path's campaign is sent at start and opens an incident within a minute (FAST=0: no fast path)
FAST ?= 1
demo: build
	@FIREBREAK_DEMO_FAST=$(FAST) scripts/demo.sh

## demo-info: the running demo's banner again (URL, sign-ins, what happens when, API token)
demo-info:
	@cat "$${FIREBREAK_DEMO_DATA:-.data}/banner.txt" 2>/dev/null || echo "No demo is running (make demo starts one)."

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html

## test-fuzz: the parsers' fuzz tests, bounded (also part of make test)
test-fuzz:
	$(call fuzz,FuzzDecodeAndVerify,30000,./adapter/sendgrid)
	$(call fuzz,FuzzClassify,80000,./domain/delivery)
	$(call fuzz,FuzzParseTags,120000,./domain/campaign)
	$(call fuzz,FuzzMergeValuesNeverMarkup,100000,./domain/campaign)
	$(call fuzz,FuzzReader,150000,./domain/recipient)
	$(call fuzz,FuzzLoad,2000,./domain/runbook)
	$(call fuzz,FuzzValid,100000,./domain/ids)
