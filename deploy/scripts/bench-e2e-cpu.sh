#!/usr/bin/env bash
# Where the CPU goes in one `globalcart bench e2e`: CPU seconds of the globalcart
# process (from /usr/bin/time), of the Tansu broker serving the bench (from
# /proc/<pid>/stat) and of the whole machine (from /proc/stat), over the run.
# Postgres and anything else running = machine − globalcart − broker.
#   deploy/scripts/bench-e2e-cpu.sh [scale]     (default medium; needs `make build`
#   and the test broker of `make test-services`; DATABASE_URL, KAFKA_BROKERS as for `make bench`)
set -euo pipefail
cd "$(dirname "$0")/../.."
scale="${1:-medium}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/globalcart_bench}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9192}"
tck=$(getconf CLK_TCK)
port="${KAFKA_BROKERS##*:}"
broker=$(pgrep -f "tansu broker" | while read -r p; do
  tr '\0' '\n' </proc/"$p"/environ 2>/dev/null | grep -q "LISTENER_URL=tcp://127.0.0.1:$port" && echo "$p"; done | head -1)
[[ -n "$broker" ]] || broker=$(pgrep -f "tansu broker" | head -1)
proc_cpu() { awk '{print $14+$15}' /proc/"$1"/stat; }
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
b0=$(proc_cpu "$broker"); m0=$(busy)
TOPIC_PREFIX="cpu-$(date +%s)" /usr/bin/time -f '%e s wall, %U s user, %S s sys (globalcart)' \
  ./target/release/globalcart bench e2e --scale "$scale" 2>&1 | grep -E "end to end|producer →|wall"
b1=$(proc_cpu "$broker"); m1=$(busy)
echo "broker (pid $broker) CPU: $(( (b1 - b0) / tck )) s"
echo "whole machine busy CPU: $(( (m1 - m0) / tck )) s of $(( $(nproc) )) cores × the wall time"
