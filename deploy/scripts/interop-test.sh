#!/usr/bin/env bash
# Avro interoperability test, run by `make test`: independent Avro
# implementations read what this project writes.
#
#   deploy/scripts/interop-test.sh
#
# 1. The committed fingerprint fixtures (schemas/interop/fingerprints.json) are
#    what fastavro (and Avro's Java SchemaNormalization, when Debian's
#    libavro-java is installed) compute today for schemas/avro.
# 2. A tiny preset produced by `globalcart produce` into fresh topics on the test
#    broker is read back by fastavro, by the header's fingerprint alone, and every
#    message the producer reported is decoded.
#
# Idempotent setup: pip installs schemas/interop/requirements.txt when missing.
# Environment: GLOBALCART_BIN (default target/debug/globalcart), KAFKA_BROKERS
# (default the test broker 127.0.0.1:9192). The topics are deleted at the end.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
BIN="${GLOBALCART_BIN:-$REPO/target/debug/globalcart}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9192}"
export RUST_LOG="${RUST_LOG:-warn}"
export TOPIC_PREFIX="interop-$(date +%s)-$$"
log() { printf '[interop] %s\n' "$*"; }

[[ -x "$BIN" ]] || cargo build -p globalcart --bin globalcart
if ! python3 -c 'import fastavro, confluent_kafka' 2>/dev/null; then
  log "installing fastavro and confluent-kafka with pip"
  python3 -m pip install -q -r schemas/interop/requirements.txt </dev/null
fi

log "fixtures against independent implementations"
python3 schemas/interop/fingerprints.py --check

trap '"$BIN" topics delete >/dev/null 2>&1 || true' EXIT
"$BIN" topics create --partitions 3 >/dev/null
produced="$("$BIN" produce --scale tiny --seed 11 | tee /dev/stderr)"
messages="$(sed -n 's/.*(\([0-9]*\) messages.*/\1/p' <<<"$produced")"
[[ -n "$messages" ]] || { log "cannot read the message count from: $produced"; exit 2; }
log "decoding $messages messages of $TOPIC_PREFIX with fastavro"
python3 schemas/interop/decode_topics.py --brokers "$KAFKA_BROKERS" --prefix "$TOPIC_PREFIX" --expect "$messages"
log "passed"
