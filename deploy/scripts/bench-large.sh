#!/usr/bin/env bash
# The large preset end to end (issue 18): produce it into the in-memory test
# broker, load it into a fresh database, then time what users of that size run:
# a full rebuild of the BI marts; a batch of live events (BATCH_SECS of
# `produce --no-history --rate BATCH_RATE`), loaded, then the incremental
# refresh of the marts it touched; the Excel report (one month, all time),
# /api/kpis/summary (one month, all time) and the analytics run. Each step is a
# whole process timed by /usr/bin/time (wall seconds, peak RSS); the table it
# prints goes into docs/benchmarks.md.
# Usage: deploy/scripts/bench-large.sh [SCALE]
#   (env: DATABASE_URL, KAFKA_BROKERS, BIN, KEEP=1, BATCH_SECS=20, BATCH_RATE=2000)
set -euo pipefail
SCALE="${1:-large}"
BIN="${BIN:-./target/release/globalcart}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9192}"
export TOPIC_PREFIX="large-$(date +%s)"
base="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/globalcart_bench}"
export DATABASE_URL="${base%/*}/globalcart_large_$(date +%s)"
export RUST_LOG="${RUST_LOG:-warn}"
db="${DATABASE_URL##*/}"
admin="${base%/*}/postgres"
port="${PORT:-18090}"
out="$(mktemp -d)"
api=""

cleanup() {
  [ -n "$api" ] && kill "$api" 2>/dev/null || true
  wait 2>/dev/null || true
  "$BIN" topics delete >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" != 1 ]; then
    psql "$admin" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
  else
    echo "kept database $db" >&2
  fi
  rm -rf "$out"
}
trap cleanup EXIT

# timed NAME CMD…: runs CMD under /usr/bin/time, leaves "seconds rss_kib" in $out/NAME
timed() {
  local name="$1"
  shift
  /usr/bin/time -o "$out/$name" -f '%e %M' "$@" >"$out/$name.log" 2>&1 || {
    echo "step $name failed:" >&2
    tail -n 20 "$out/$name.log" >&2
    exit 1
  }
}
secs() { cut -d' ' -f1 "$out/$1"; }
mib() { awk '{printf "%.0f", $2 / 1024}' "$out/$1"; }

"$BIN" migrate >/dev/null
"$BIN" topics create >/dev/null
timed produce "$BIN" produce --scale "$SCALE" --seed 42
events=$(grep -oE 'produced [0-9]+ events' "$out/produce.log" | grep -oE '[0-9]+' || true)
timed load "$BIN" consume --until-idle 10 --no-refresh-marts
loaded=$(psql "$DATABASE_URL" -Atc "select coalesce(sum(events_loaded), 0) from globalcart.etl_watermarks")
orders=$(psql "$DATABASE_URL" -Atc "select count(*) from globalcart.fact_orders")
timed marts_full "$BIN" marts refresh --full
# a batch of new events: live ones (today's orders, their payments, shipments
# and returns, clicks), loaded without a refresh, then the incremental refresh
timeout "${BATCH_SECS:-20}" "$BIN" produce --scale "$SCALE" --seed 42 --no-history \
  --rate "${BATCH_RATE:-2000}" >"$out/batch.log" 2>&1 || true
before=$(psql "$DATABASE_URL" -Atc "select coalesce(sum(events_loaded), 0) from globalcart.etl_watermarks")
timed batch_load "$BIN" consume --until-idle 5 --no-refresh-marts
batch_events=$(( $(psql "$DATABASE_URL" -Atc "select coalesce(sum(events_loaded), 0) from globalcart.etl_watermarks") - before ))
dirty_days=$(psql "$DATABASE_URL" -Atc "select count(distinct day) from globalcart.mart_dirty_days")
timed marts_incremental "$BIN" marts refresh
# the last whole month with orders
read -r month_from month_to < <(psql "$DATABASE_URL" -Atc "
  select to_char(m, 'YYYY-MM-DD'), to_char(m + interval '1 month' - interval '1 day', 'YYYY-MM-DD')
  from (select date_trunc('month', max(order_ts) at time zone 'UTC') - interval '1 month' as m
        from globalcart.fact_orders) x" | tr '|' ' ')
timed report_month "$BIN" report --out "$out/month.xlsx" --from "$month_from" --to "$month_to"
timed report_all "$BIN" report --out "$out/all.xlsx"
timed analytics "$BIN" analytics run

ADMIN_PASSWORD=bench-Admin-1234 "$BIN" serve --host 127.0.0.1 --port "$port" --public-kpis true \
  >"$out/serve.log" 2>&1 &
api=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
summary() { curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/api/kpis/summary$1"; }
sum_month=$(summary "?from=$month_from&to=$month_to")
sum_all=$(summary "")

echo "| machine | $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo) |"
echo "| preset | $SCALE, seed 42: ${loaded} events loaded, ${orders} orders |"
echo
echo "| step (whole process, \`/usr/bin/time\`) | seconds | peak RSS (MiB) | note |"
echo "|---|---|---|---|"
echo "| produce into the in-memory broker | $(secs produce) | $(mib produce) | ${events:-?} events |"
echo "| load: \`consume --until-idle 10 --no-refresh-marts\` | $(secs load) | $(mib load) | $(awk -v n="$loaded" -v s="$(secs load)" 'BEGIN {printf "%.0f events/s (%.0f without the 10 idle seconds at the end)", n / s, n / (s > 10 ? s - 10 : s)}') |"
echo "| BI marts, full rebuild: \`marts refresh --full\` | $(secs marts_full) | $(mib marts_full) | |"
echo "| BI marts, incremental: \`marts refresh\` after a batch | $(secs marts_incremental) | $(mib marts_incremental) | ${batch_events} live events (${BATCH_SECS:-20} s at ${BATCH_RATE:-2000}/s) touching ${dirty_days} days, loaded in $(secs batch_load) s |"
echo "| Excel report, $month_from … $month_to | $(secs report_month) | $(mib report_month) | |"
echo "| Excel report, all time | $(secs report_all) | $(mib report_all) | |"
echo "| analytics run | $(secs analytics) | $(mib analytics) | |"
echo "| \`/api/kpis/summary\`, $month_from … $month_to (curl, API warm) | $sum_month | | |"
echo "| \`/api/kpis/summary\`, all time | $sum_all | | |"
