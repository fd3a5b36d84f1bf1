#!/usr/bin/env bash
# Runs with DATABASE_URL and REDIS_URL set (by scripts/demo.sh): migrates, seeds
# one demo user per role, starts the SendGrid simulator pointed at Firebreak's
# webhook, serves, and seeds a demo brand, 5,000 recipients in three segments
# and a draft campaign (all idempotent). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
fb=bin/firebreak
data="${FIREBREAK_DEMO_DATA:-.data}"
mkdir -p "$data"

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

# The SendGrid simulator: its key pair is kept in $data so the webhook key stays
# the same across runs; events are posted, signed, to Firebreak's webhook.
$fb sgsim --addr "127.0.0.1:$simport" --webhook-url "http://127.0.0.1:$port/webhooks/sendgrid" \
  --key-file "$data/sgsim-key.pem" --public-key-file "$data/sgsim-public-key" \
  --bounce 0.02 --open 0.35 --click 0.08 --spam-report 0.004 --unsubscribe 0.01 >"$data/sgsim.log" 2>&1 &
sim_pid=$!
serve_pid=""
cleanup() { kill $serve_pid $sim_pid 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
for _ in $(seq 100); do [ -s "$data/sgsim-public-key" ] && break; sleep 0.1; done
export SENDGRID_API_URL="http://127.0.0.1:$simport"
export SENDGRID_API_KEY="demo"
export SENDGRID_WEBHOOK_PUBLIC_KEY="$(cat "$data/sgsim-public-key")"

$fb serve &
serve_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 150); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

# Seed the demo brand, recipients and campaign through the API, once.
token=$($fb token create --email admin@demo.firebreak.test --name demo-seed 2>/dev/null)
api() { curl -fsS -H "Authorization: Bearer $token" "$@"; }
if [ "$(api "$base/api/v1/brands")" = "[]" ]; then
  brand=$(api -H 'Content-Type: application/json' -d '{"name":"Acme Outdoor","from_email":"news@acme-outdoor.example","from_name":"Acme Outdoor","reply_to":"help@acme-outdoor.example","primary_color":"#1f6f5c","physical_address":"1 Trail Way, Portland, OR"}' "$base/api/v1/brands" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  awk 'BEGIN {
    print "email,first_name,last_name,segments,city";
    split("Ana Bo Cy Dee Eli Fay Gus Hal Ivy Jo", n, " "); split("spring-sale;newsletter;vip", s, ";");
    for (i = 0; i < 5000; i++) {
      seg = (i % 10 == 0) ? "vip;newsletter" : ((i % 3 == 0) ? "newsletter" : "spring-sale");
      first = (i % 50 == 7) ? "" : n[i % 10 + 1];
      printf "customer%04d@example.com,%s,Customer,%s,Portland\n", i, first, seg;
    } }' | api -H 'Content-Type: text/csv' --data-binary @- "$base/api/v1/recipients/import" >/dev/null
  api -H 'Content-Type: application/json' -d "{\"name\":\"Spring sale: 20% off tents\",\"brand_id\":\"$brand\",\"subject\":\"{{first_name|Friend}}, 20% off tents this weekend\",\"html\":\"<p>Hi {{first_name|there}},</p><p>Our spring sale is on: 20% off every tent until Sunday.</p>\",\"text\":\"Hi {{first_name|there}}, our spring sale is on: 20% off every tent until Sunday.\",\"segments\":[\"spring-sale\",\"vip\"]}" \
    "$base/api/v1/campaigns" >/dev/null
  echo "demo: seeded brand Acme Outdoor, 5000 recipients (spring-sale, newsletter, vip) and a draft campaign" >&2
fi
campaign=$(api "$base/api/v1/campaigns" | sed -E 's/^\[\{"id":"([^"]+)".*/\1/')

cat <<MSG

  Firebreak demo: $base

  Sign in as (password: $PASSWORD)
    marketer  marketer@demo.firebreak.test   campaigns, pause, incidents
    legal     legal@demo.firebreak.test      read, legal fields, approve notices
    security  security@demo.firebreak.test   read, pause, approve notices
    admin     admin@demo.firebreak.test      everything; users and tokens at $base/users

  SendGrid simulator: http://127.0.0.1:$simport  (what it holds: $SENDGRID_API_URL/_sim/stats)
  Try it with the API (token for admin@demo.firebreak.test):
    export TOKEN=$token
    curl -H "Authorization: Bearer \$TOKEN" -X POST $base/api/v1/campaigns/$campaign/send
    curl -H "Authorization: Bearer \$TOKEN" $base/api/v1/campaigns/$campaign
    curl -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' -d '{"reason":"wrong price"}' $base/api/v1/campaigns/$campaign/pause

  Ctrl-C stops the server, the simulator and the private Postgres/Redis.

MSG
wait $serve_pid
