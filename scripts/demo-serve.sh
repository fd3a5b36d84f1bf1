#!/usr/bin/env bash
# Runs with DATABASE_URL and REDIS_URL set (by scripts/demo.sh): migrates, seeds
# one demo user per role, starts the SendGrid simulator (the demo profile:
# engagement 60x faster than SendGrid) pointed at Firebreak's webhook, serves,
# and seeds through the API (`firebreak demo seed`, internal/demo): two brands,
# 5,800 recipients, the spring sale draft and, unless FIREBREAK_DEMO_FAST=0,
# the flash sale, sent at once, whose complaints open an incident within a
# minute. Everything is idempotent. The banner is kept in $data/banner.txt
# while the demo runs (`make demo-info` prints it). Ctrl-C stops everything
# and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
fb=bin/firebreak
data="${FIREBREAK_DEMO_DATA:-.data}"
fast="${FIREBREAK_DEMO_FAST:-1}"
mkdir -p "$data"
rm -f "$data/banner.txt"

sim_pid=""
serve_pid=""
cleanup() {
  kill $serve_pid $sim_pid 2>/dev/null || true
  wait 2>/dev/null || true
  rm -f "$data/banner.txt"
}
# Ctrl-C (or TERM) is how the demo is meant to end: stop cleanly, exit 0, so
# neither devstack nor make reports a failure.
stop() {
  trap - INT TERM
  echo >&2
  echo "demo: stopping the server and the simulator…" >&2
  cleanup
  echo "demo: stopped" >&2
  exit 0
}
trap cleanup EXIT
trap stop INT TERM

$fb migrate up >/dev/null

PASSWORD="${FIREBREAK_DEMO_PASSWORD:-firebreak-demo}"
declare -A people=([marketer]="Mara Marketer" [legal]="Lena Legal" [security]="Sam Security" [admin]="Ada Admin")
existing=$($fb user list)
for role in marketer legal security admin; do
  email="$role@demo.firebreak.test"
  if ! grep -q "^$email " <<<"$existing"; then
    printf '%s\n' "$PASSWORD" | $fb user add --email "$email" --name "${people[$role]}" --roles "$role" --password-stdin >/dev/null
  fi
done

free_port() { local p=$1; while (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }
port=$(free_port "${FIREBREAK_DEMO_PORT:-8080}")
simport=$(free_port 3030)
export FIREBREAK_ADDR="127.0.0.1:$port"
export FIREBREAK_PUBLIC_URL="http://127.0.0.1:$port"
export FIREBREAK_LOG_FORMAT="${FIREBREAK_LOG_FORMAT:-text}"
# Warnings and errors only: an access-log line per request would bury the
# banner (FIREBREAK_LOG_LEVEL=info make demo shows every request).
export FIREBREAK_LOG_LEVEL="${FIREBREAK_LOG_LEVEL:-warn}"

# The SendGrid simulator: its key pair is kept in $data so the webhook key stays
# the same across runs; events are posted, signed, to Firebreak's webhook.
$fb sgsim --profile demo --addr "127.0.0.1:$simport" --webhook-url "http://127.0.0.1:$port/webhooks/sendgrid" \
  --key-file "$data/sgsim-key.pem" --public-key-file "$data/sgsim-public-key" >"$data/sgsim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [ -s "$data/sgsim-public-key" ] && break; sleep 0.1; done
export SENDGRID_API_URL="http://127.0.0.1:$simport"
export SENDGRID_API_KEY="demo"
export SENDGRID_WEBHOOK_PUBLIC_KEY="$(cat "$data/sgsim-public-key")"

$fb serve &
serve_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 150); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

token=$($fb token create --email admin@demo.firebreak.test --name demo-seed 2>/dev/null)
fast_flag=true
[ "$fast" = 0 ] && fast_flag=false
seeded=$(FIREBREAK_TOKEN="$token" $fb demo seed --url "$base" --fast="$fast_flag")
campaign=$(awk '$1 == "spring_sale" {print $2}' <<<"$seeded")
flash_sent=$(awk '$1 == "flash_sale" {print $3}' <<<"$seeded")

if [ "$flash_sent" = true ]; then
  fast_text="  $(date +%H:%M:%S)   \"Flash sale (fast demo)\" (800 recipients, brand Acme Outdoor Outlet, no send
             buffer) was sent as the demo started: delivered within seconds.
  +30 s      its spam complaints cross 0.3 % of delivered: Firebreak opens an incident and
             pauses the campaign by itself. Open Incidents (any user) and acknowledge it
             as the marketer. Nothing is held at SendGrid: with no buffer nothing can be."
elif [ "$flash_sent" = false ]; then
  fast_text="  earlier    \"Flash sale (fast demo)\" was sent on an earlier run; the incident its
             complaints opened is on the Incidents page (rm -rf $data for a fresh start)."
else
  fast_text="  (the fast path is off: FIREBREAK_DEMO_FAST=0)"
fi

umask 077
cat >"$data/banner.txt" <<MSG

  Firebreak demo: $base

  Sign in as (password: $PASSWORD)
    marketer  marketer@demo.firebreak.test   campaigns, pause, incidents
    legal     legal@demo.firebreak.test      read, legal fields, approve notices
    security  security@demo.firebreak.test   read, pause, approve notices
    admin     admin@demo.firebreak.test      everything; users and tokens at $base/users

  What happens, and when
$fast_text
  any time   "Spring sale: 20% off tents" (3,500 recipients) is a draft: send it from Campaigns.
    0-5 min    "At SendGrid, stoppable until hh:mm": every message waits at SendGrid until
               its send_at, 15 minutes after the handoff (the send buffer). Pause now and
               SendGrid holds them all (a pause must reach it 10 minutes before send_at).
    5-15 min   "At SendGrid, no longer stoppable": nothing delivered yet, but out of reach.
    ~15 min    unpaused, SendGrid delivers; opens and clicks follow within seconds (the
               simulator runs what follows a delivery 60x faster than SendGrid does).
    ~15.5 min  complaints cross 0.3 %: Firebreak pauses it and opens an incident by itself.

  SendGrid simulator: http://127.0.0.1:$simport  (what it holds: $SENDGRID_API_URL/_sim/stats)
  Try it with the API (token for admin@demo.firebreak.test):
    export TOKEN=$token
    curl -H "Authorization: Bearer \$TOKEN" -X POST $base/api/v1/campaigns/$campaign/send
    curl -H "Authorization: Bearer \$TOKEN" $base/api/v1/campaigns/$campaign
    curl -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' -d '{"reason":"wrong price"}' $base/api/v1/campaigns/$campaign/pause
    curl -H "Authorization: Bearer \$TOKEN" $base/api/v1/incidents

  The server logs only warnings and errors here (FIREBREAK_LOG_LEVEL=info make demo: every request).
  This text again: make demo-info (it is in $data/banner.txt while the demo runs).
  Ctrl-C stops the server, the simulator and the private Postgres/Redis.

MSG
cat "$data/banner.txt"
wait $serve_pid
