#!/usr/bin/env bash
# Runs with DATABASE_URL and REDIS_URL set (by scripts/demo.sh): migrates, seeds
# one demo user per role (idempotent), prints the URL and logins, and serves.
set -euo pipefail
cd "$(dirname "$0")/.."
fb=bin/firebreak

$fb migrate up

PASSWORD="${FIREBREAK_DEMO_PASSWORD:-firebreak-demo}"
declare -A people=(
  [marketer]="Mara Marketer"
  [legal]="Lena Legal"
  [security]="Sam Security"
  [admin]="Ada Admin"
)
existing=$($fb user list)
for role in marketer legal security admin; do
  email="$role@demo.firebreak.test"
  if ! grep -q "^$email " <<<"$existing"; then
    printf '%s\n' "$PASSWORD" | $fb user add --email "$email" --name "${people[$role]}" --roles "$role" --password-stdin >/dev/null
  fi
done

# Until the SendGrid simulator is wired in, the demo runs with a placeholder
# API URL on loopback and a demo webhook key (nothing is sent anywhere).
export SENDGRID_API_URL="${SENDGRID_API_URL:-http://127.0.0.1:9}"
export SENDGRID_WEBHOOK_PUBLIC_KEY="${SENDGRID_WEBHOOK_PUBLIC_KEY:-MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEL5KP1FE8vXCVFfpAuBEJyMMadx8U0ZOoocM6qo56bJa3iDUwJmupaeOLfLLmJIxVLcLUYgHCAl459gKEiltfww==}"
export FIREBREAK_LOG_FORMAT="${FIREBREAK_LOG_FORMAT:-text}"
# The first free port from 8080 (or FIREBREAK_DEMO_PORT) on.
port="${FIREBREAK_DEMO_PORT:-8080}"
while (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do port=$((port + 1)); done
export FIREBREAK_ADDR="127.0.0.1:$port"

cat <<MSG

  Firebreak demo: http://127.0.0.1:$port

  Sign in as (password: $PASSWORD)
    marketer  marketer@demo.firebreak.test   campaigns, pause, incidents
    legal     legal@demo.firebreak.test      read, legal fields, approve notices
    security  security@demo.firebreak.test   read, pause, approve notices
    admin     admin@demo.firebreak.test      everything, users, tokens

  Database: $DATABASE_URL
  Ctrl-C stops the server (and the private Postgres/Redis).

MSG
exec $fb serve
