#!/usr/bin/env bash
# Catalog and product API under load while the pipeline ingests: runs
# `globalcart up` (history of the small preset, then RATE live events/s) on a
# fresh database and topic prefix, waits until the history is loaded, then
# drives /api/shop/products (search + filters + sort) and /api/shop/products/{id}
# with wrk over loopback for SECONDS each and prints wrk's latency report.
# Usage: deploy/scripts/bench-catalog.sh [RATE] [SECONDS] [CONNECTIONS]
#        (env: DATABASE_URL (server part used), KAFKA_BROKERS, BIN)
set -euo pipefail
RATE="${1:-1000}"
SECONDS_EACH="${2:-30}"
CONNS="${3:-32}"
BIN="${BIN:-./target/release/globalcart}"
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9192}"
export TOPIC_PREFIX="catalog-$(date +%s)"
base="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/globalcart_bench}"
export DATABASE_URL="${base%/*}/globalcart_catalog_$(date +%s)"
export RUST_LOG="${RUST_LOG:-warn}"
db="${DATABASE_URL##*/}"
admin="${base%/*}/postgres"
port=$((20000 + RANDOM % 10000))

log="$(mktemp)"
RUST_LOG=info PUBLIC_KPIS=true ADMIN_PASSWORD=bench-Admin-1234 "$BIN" up --scale small --seed 42 --rate "$RATE" \
  --host 127.0.0.1 --port "$port" --analytics-first-run-secs 0 >"$log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  "$BIN" topics delete >/dev/null 2>&1 || true
  psql "$admin" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT
url="http://127.0.0.1:$port"
# wait until the history is produced and loaded (lag under 5 000): then the
# pipeline ingests the live RATE only
for _ in $(seq 1 600); do
  if grep -q "history produced" "$log"; then
    lag=$(curl -sf "$url/readyz" | sed -n 's/.*"consumer_lag":\([0-9]*\).*/\1/p' || true)
    [[ -n "$lag" && "$lag" -lt 5000 ]] && break
  fi
  sleep 2
done
products=$(psql "$DATABASE_URL" -Atc "select count(*) from globalcart.dim_product")
orders=$(psql "$DATABASE_URL" -Atc "select count(*) from globalcart.fact_orders")
echo "catalog: $products products; $orders orders loaded; live producer at $RATE events/s; wrk -t2 -c$CONNS -d${SECONDS_EACH}s"
id=$(curl -sf "$url/api/shop/products?per_page=1&sort=best_sellers" | sed -n 's/.*"product_id":\([0-9]*\).*/\1/p' | head -1)
for path in "/api/shop/products?q=pro&sort=price_asc&per_page=24&page=2" \
            "/api/shop/products?category_l1=ELECTRONICS&min_price=500&sort=best_sellers" \
            "/api/shop/products/$id"; do
  echo
  echo "== GET $path"
  wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency "$url$path" | grep -E "Latency|Requests/sec|50%|90%|99%|requests in|Non-2xx"
done
echo
echo "loaded during the run: $(psql "$DATABASE_URL" -Atc "select count(*) from globalcart.fact_orders") orders"
