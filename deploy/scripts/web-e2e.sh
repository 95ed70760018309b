#!/usr/bin/env bash
# Browser end-to-end test of the shop and the admin console against a real app.
#
#   deploy/scripts/web-e2e.sh
#
# Idempotent setup: Chromium (apt-get) when /usr/bin/chromium is missing, the web
# dependencies (web/build.sh), PostgreSQL and the in-memory test broker
# (deploy/scripts/services.sh), the release binary when it is missing. Then it starts
# `globalcart up --scale tiny` on a fresh database, a random topic prefix and a free port,
# in demo mode, waits for /readyz, runs web/tests/e2e.mjs, and always stops the app, drops
# the database and deletes the topics. Exit code = the test's.
#
# Environment: GLOBALCART_BIN (default target/release/globalcart), KAFKA_BROKERS (default
# the test broker 127.0.0.1:9192), ARTIFACTS (default web/test-artifacts: screenshots and
# app.log), READY_TIMEOUT (seconds, default 300), E2E_SKIP_SERVICES=1 to skip services.sh.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
BIN="${GLOBALCART_BIN:-$REPO/target/release/globalcart}"
ARTIFACTS="${ARTIFACTS:-$REPO/web/test-artifacts}"
READY_TIMEOUT="${READY_TIMEOUT:-300}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9192}"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[web-e2e] %s\n' "$*"; }
die() { printf '[web-e2e] ERROR: %s\n' "$*" >&2; exit 2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

# ---------------------------------------------------------------- setup

if [[ ! -x /usr/bin/chromium ]]; then
  log "installing chromium with apt-get"
  as_root apt-get install -y -q chromium </dev/null \
    || { as_root apt-get update -q </dev/null && as_root apt-get install -y -q chromium </dev/null; } \
    || die "could not install chromium"
fi
log "web dependencies (web/build.sh, which installs Node.js and npm with apt-get if missing)"
bash "$REPO/web/build.sh"
command -v node >/dev/null || die "node is not installed (Node 18+ is needed)"

if [[ "${E2E_SKIP_SERVICES:-0}" != 1 ]]; then
  log "services: PostgreSQL and the in-memory test broker"
  # postgres alone would also create the default database; it is harmless
  "$REPO/deploy/scripts/services.sh" postgres tansu broker-test
fi

if [[ ! -x "$BIN" ]]; then
  log "building the release binary (missing: $BIN)"
  [[ -f "$HOME/.cargo/env" ]] && source "$HOME/.cargo/env"
  cargo build --release -p globalcart
fi

# ---------------------------------------------------------------- app

rand="$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
DB="gc_web_${rand}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
export TOPIC_PREFIX="gcweb-${rand}"
export ADMIN_PASSWORD="${ADMIN_PASSWORD:-E2e-Admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}"
export DEMO_MODE=true
export WEB_DIR="$REPO/web"
PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
BASE_URL="http://127.0.0.1:${PORT}"
mkdir -p "$ARTIFACTS"
APP_LOG="$ARTIFACTS/app.log"
APP_PID=""

cleanup() {
  local rc=$?
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    log "stopping the app (pid $APP_PID)"
    kill -TERM "$APP_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 1; done
    kill -KILL "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  "$BIN" topics delete >/dev/null 2>&1 || log "could not delete the topics under $TOPIC_PREFIX"
  psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "drop database if exists \"$DB\" with (force)" </dev/null >/dev/null 2>&1 \
    || log "could not drop database $DB"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "database $DB, topic prefix $TOPIC_PREFIX, port $PORT"
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres -c "create database \"$DB\"" </dev/null

log "starting: globalcart up --scale tiny --seed 7 --port $PORT (log: $APP_LOG)"
HOST=127.0.0.1 RUST_LOG="${RUST_LOG:-info}" "$BIN" up --scale tiny --seed 7 --port "$PORT" >"$APP_LOG" 2>&1 &
APP_PID=$!

log "waiting for $BASE_URL/readyz (up to ${READY_TIMEOUT}s)"
ready=0
for ((i = 0; i < READY_TIMEOUT; i++)); do
  if ! kill -0 "$APP_PID" 2>/dev/null; then
    tail -n 40 "$APP_LOG" >&2 || true
    die "the app exited before it was ready (see $APP_LOG)"
  fi
  if curl -fsS -m 3 "$BASE_URL/readyz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 1
done
if [[ $ready != 1 ]]; then
  tail -n 40 "$APP_LOG" >&2 || true
  die "the app was not ready within ${READY_TIMEOUT}s"
fi
log "ready after ${i}s: $(curl -fsS -m 3 "$BASE_URL/readyz")"
# ready is not loaded: the consumer-group members join over a few seconds, so wait
# until the catalog holds the preset's products before the browser looks at it
for ((j = 0; j < READY_TIMEOUT; j++)); do
  if curl -fsS -m 3 "$BASE_URL/api/shop/products" 2>/dev/null | grep -q '"product_id"'; then break; fi
  sleep 1
done
log "catalog loaded after ${j}s more"

# ---------------------------------------------------------------- test

set +e
BASE_URL="$BASE_URL" ADMIN_PASSWORD="$ADMIN_PASSWORD" ARTIFACTS="$ARTIFACTS" node "$REPO/web/tests/e2e.mjs"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  log "the test failed (exit $rc); last lines of the app log:"
  tail -n 30 "$APP_LOG" >&2 || true
else
  log "passed; screenshots in $ARTIFACTS"
fi
exit "$rc"
