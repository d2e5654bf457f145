#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh clone: installs dependencies,
# starts the local Kafka, prepares Postgres, builds, starts the HubSpot sandbox and
# the four services, connects a demo portal through the OAuth install flow (the
# property bootstrap creates its ai_* properties), sends sample webhooks and shows
# what was written back. Stops everything at the end (DEMO_KEEP_RUNNING=1 keeps it up).
#
# AI: with ANTHROPIC_API_KEY set, decisions come from Claude; without it, from the
# offline rules-based provider, and every decision says so. DEMO_AI=double uses the
# local Anthropic Messages API double instead (exercises the Claude code path).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

RUN_DIR="$ROOT/.run"
mkdir -p "$RUN_DIR/logs"

ensure_node_modules
ensure_postgres
bash scripts/kafka.sh start
build

# Demo secrets, generated once per clone and kept out of git (.run/ is ignored).
if [ ! -f "$RUN_DIR/demo.env" ]; then
  umask 077
  {
    echo "HUBSPOT_CLIENT_SECRET=$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
    echo "ADMIN_API_KEY=$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
    echo "TOKEN_ENCRYPTION_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
  } > "$RUN_DIR/demo.env"
fi
set -a
source "$RUN_DIR/demo.env"
DATABASE_URL="${DEMO_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hubspot_ai_demo}"
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
KAFKA_TOPIC_PREFIX="hubspot-ai-demo"
SANDBOX_HUBSPOT_PORT="${SANDBOX_HUBSPOT_PORT:-4010}"
SANDBOX_ANTHROPIC_PORT="${SANDBOX_ANTHROPIC_PORT:-4020}"
HUBSPOT_API_BASE_URL="http://127.0.0.1:${SANDBOX_HUBSPOT_PORT}"
# The agency's public (OAuth) app, as the demo configures it in the sandbox: the portal
# is connected through GET /oauth/install, HubSpot's (the sandbox's) authorize page and
# GET /oauth/callback. The client id is not a secret; the client secret is in demo.env.
HUBSPOT_CLIENT_ID="${DEMO_HUBSPOT_CLIENT_ID:-hubspot-ai-demo}"
HUBSPOT_APP_ID="${DEMO_HUBSPOT_APP_ID:-1001}"
HUBSPOT_AUTHORIZE_URL="http://127.0.0.1:${SANDBOX_HUBSPOT_PORT}/oauth/authorize"
INGEST_PORT="${INGEST_PORT:-3000}"
ADMIN_PORT="${ADMIN_PORT:-3001}"
PUBLIC_BASE_URL="http://127.0.0.1:${INGEST_PORT}"
KAFKAJS_NO_PARTITIONER_WARNING=1
# Scrapers' key for GET /metrics (ingest's admin port, the others' ops ports), generated per run.
METRICS_API_KEY="${METRICS_API_KEY:-$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')}"
# The scheduler checks for due reviews every 2 s (production: every minute), so the demo portal's morning review runs right after it is connected.
SCHEDULER_TICK_MS="${SCHEDULER_TICK_MS:-2000}"
if [ "${DEMO_AI:-}" = "double" ]; then
  ANTHROPIC_API_KEY="demo-key-for-the-local-double"
  ANTHROPIC_BASE_URL="http://127.0.0.1:${SANDBOX_ANTHROPIC_PORT}"
fi
# Without a key the demo chooses the offline provider on purpose (the enricher refuses
# a silent fallback when NODE_ENV=production; see AI_PROVIDER in README).
if [ -z "${ANTHROPIC_API_KEY:-}" ]; then AI_PROVIDER=offline; fi
set +a

if [ "${DEMO_AI:-}" = "double" ]; then
  log "DEMO_AI=double: the Claude code path runs against the LOCAL ANTHROPIC DOUBLE, whose answers are schema-valid filler, not a model's"
elif [ "${AI_PROVIDER:-}" = "offline" ]; then
  log "AI_PROVIDER=offline (ANTHROPIC_API_KEY is not set): decisions come from the OFFLINE RULES-BASED PROVIDER (no AI model is called)"
fi

# A clean demo database each run (the sandbox starts empty too).
node -e '
  const { Client } = require("pg");
  const url = new URL(process.env.DATABASE_URL); const name = url.pathname.slice(1); url.pathname = "/postgres";
  const c = new Client({ connectionString: url.toString() });
  c.connect().then(() => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => c.end());
'
npm run --silent db:migrate > "$RUN_DIR/logs/tools.log"
npm run --silent kafka:topics >> "$RUN_DIR/logs/tools.log"

PIDS=()
cleanup() {
  if [ "${DEMO_KEEP_RUNNING:-}" = "1" ]; then
    log "still running (pids ${PIDS[*]}); logs in .run/logs; stop with: kill ${PIDS[*]}"
    return
  fi
  log "stopping the services and the sandbox"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

start() {
  local name="$1"; shift
  node "$@" > "$RUN_DIR/logs/$name.log" 2>&1 &
  PIDS+=("$!")
}
start sandbox dist/sandbox/main.js
start ingest dist/apps/ingest/main.js
start enricher --max-old-space-size=160 dist/apps/enricher/main.js   # as npm run start:enricher
start writer dist/apps/writer/main.js
start scheduler dist/apps/scheduler/main.js

log "waiting for ingest to be ready"
for _ in $(seq 1 60); do
  if curl -fs "http://127.0.0.1:${INGEST_PORT}/health/ready" > /dev/null 2>&1; then break; fi
  sleep 1
done
curl -fs "http://127.0.0.1:${INGEST_PORT}/health/ready" > /dev/null || { log "ingest did not become ready; see .run/logs/ingest.log"; tail -20 "$RUN_DIR/logs/ingest.log"; exit 1; }

LOG_LEVEL=warn node dist/tools/main.js demo

# Every service answers its readiness probe and /metrics (ingest on its public and admin
# ports, the others on their ops ports: docs/runbook.md#observability).
for target in "ingest http://127.0.0.1:${INGEST_PORT} http://127.0.0.1:${ADMIN_PORT}" \
              "enricher http://127.0.0.1:${ENRICHER_OPS_PORT:-3011}" \
              "writer http://127.0.0.1:${WRITER_OPS_PORT:-3012}" \
              "scheduler http://127.0.0.1:${SCHEDULER_OPS_PORT:-3013}"; do
  set -- $target
  name="$1"; health="$2"; metrics="${3:-$2}"
  curl -fs "$health/health/ready" > /dev/null || { log "$name is not ready: $(curl -s "$health/health/ready")"; exit 1; }
  families=$(curl -fs -H "Authorization: Bearer $METRICS_API_KEY" "$metrics/metrics" | grep -c '^# HELP hubspot_ai_' || true)
  [ "$families" -gt 0 ] || { log "$name serves no metrics at $metrics/metrics"; exit 1; }
  log "$name ready; /metrics has $families hubspot_ai_* families"
done

# No service logged a secret or token this run used (its keys, the client secret, every
# code and token the sandbox issued). The sandbox's own log is HubSpot's side.
node scripts/check-log-secrets.cjs "$RUN_DIR/logs" sandbox.log
