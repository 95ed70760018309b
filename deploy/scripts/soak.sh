#!/usr/bin/env bash
# Soak of the pipeline as separate processes: a live producer (the synthetic load),
# the loader and the API, each its own `globalcart` process, for MINUTES minutes at
# RATE events/s; every minute prints each process's resident memory, the events
# loaded, the lag (now - newest loaded order/click) and the rejects.
# Usage: deploy/scripts/soak.sh [MINUTES] [RATE]   (env: DATABASE_URL, KAFKA_BROKERS)
set -euo pipefail
MINUTES="${1:-10}"
RATE="${2:-5000}"
BIN="${BIN:-./target/release/globalcart}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9192}"
export TOPIC_PREFIX="soak-$(date +%s)"
base="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/globalcart_bench}"
export DATABASE_URL="${base%/*}/globalcart_soak_$(date +%s)"
export RUST_LOG="${RUST_LOG:-warn}"
db="${DATABASE_URL##*/}"
admin="${base%/*}/postgres"

"$BIN" migrate >/dev/null
"$BIN" topics create >/dev/null
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  "$BIN" topics delete >/dev/null 2>&1 || true
  psql "$admin" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$BIN" produce --scale tiny --no-history --rate "$RATE" >/dev/null 2>&1 & pids+=($!)
"$BIN" consume >/dev/null 2>&1 & pids+=($!)
ADMIN_PASSWORD=soak-Admin-1234 "$BIN" serve --host 127.0.0.1 --port 0 >/dev/null 2>&1 & pids+=($!)

rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "gone"; }
echo "| machine | $(nproc) cores | load | $RATE live events/s for $MINUTES min, producer / loader / API in separate processes |"
echo
echo "| t (s) | producer RSS (MiB) | loader RSS (MiB) | API RSS (MiB) | events loaded | lag (s) | rejects |"
echo "|---|---|---|---|---|---|---|"
start=$(date +%s)
for ((m = 1; m <= MINUTES; m++)); do
  sleep 60
  row=$(psql "$DATABASE_URL" -Atc "select (select coalesce(sum(events_loaded), 0) from globalcart.etl_watermarks),
      (select round(coalesce(extract(epoch from now() - min(last_event_ts)), 0)::numeric, 1)
       from globalcart.etl_watermarks where source_name in ('orders', 'clickstream')),
      (select count(*) from globalcart.etl_ingest_rejects)")
  IFS='|' read -r loaded lag rejects <<<"$row"
  echo "| $(( $(date +%s) - start )) | $(rss "${pids[0]}") | $(rss "${pids[1]}") | $(rss "${pids[2]}") | $loaded | $lag | $rejects |"
done
