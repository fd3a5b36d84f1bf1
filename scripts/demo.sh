#!/usr/bin/env bash
# make demo: Postgres and Redis (Docker Compose where a Docker engine answers,
# otherwise private servers under .data/ on free ports), then migrate, seed and
# serve the dashboard. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker info >/dev/null 2>&1; then
  echo "demo: Docker engine found: starting postgres and redis with docker compose" >&2
  docker compose up -d --wait postgres redis
  export DATABASE_URL="postgres://firebreak:firebreak@127.0.0.1:${FIREBREAK_PG_PORT:-55432}/firebreak?sslmode=disable"
  export REDIS_URL="redis://127.0.0.1:${FIREBREAK_REDIS_PORT:-56379}/0"
  exec scripts/demo-serve.sh
fi

echo "demo: no Docker engine: running private PostgreSQL and Redis under .data/" >&2
scripts/install-deps.sh --no-browser
mkdir -p .data
exec go run ./cmd/devstack run --dir .data -- scripts/demo-serve.sh
