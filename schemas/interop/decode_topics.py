#!/usr/bin/env python3
"""Reads every event topic of a prefix from the beginning and decodes each
message with fastavro by the writer-schema fingerprint in its single-object
header alone (no code of this project): the proof that any Avro tool can read
the topics.

    python3 schemas/interop/decode_topics.py --brokers 127.0.0.1:9192 \
        --prefix globalcart [--expect N] [--idle 5]

Prints the messages per topic and per schema; exits 1 when a message has no
single-object header, an unknown fingerprint or a body fastavro cannot decode,
or (with --expect) when the count differs.
"""

import argparse
import io
import json
import pathlib
import sys
import time
import uuid

from confluent_kafka import Consumer, TopicPartition
from fastavro import parse_schema, schemaless_reader
from fastavro.schema import fingerprint, to_parsing_canonical_form

AVRO_DIR = pathlib.Path(__file__).resolve().parent.parent / "avro"
EVENT_TOPICS = ["customers", "products", "orders", "payments", "shipments", "returns", "clickstream"]
MARKER = b"\xc3\x01"


def schemas_by_fingerprint():
    """{8 header bytes: (file name, parsed schema)} by fastavro's own fingerprint."""
    out = {}
    for p in sorted(AVRO_DIR.glob("*.avsc")):
        schema = json.loads(p.read_text())
        fp = bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))
        out[fp] = (p.name, parse_schema(schema))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--expect", type=int, help="messages the topics must hold")
    ap.add_argument("--idle", type=float, default=5.0, help="seconds without a message that end the read")
    args = ap.parse_args()

    known = schemas_by_fingerprint()
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": f"interop-{uuid.uuid4()}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    topics = [f"{args.prefix}.{t}" for t in EVENT_TOPICS]
    meta = consumer.list_topics(timeout=10)
    missing = [t for t in topics if t not in meta.topics or meta.topics[t].error is not None]
    if missing:
        sys.exit(f"unknown topics: {', '.join(missing)}")
    consumer.assign([
        TopicPartition(t, p, 0) for t in topics for p in meta.topics[t].partitions
    ])
    per_topic, per_schema, failures = {}, {}, []
    last = time.monotonic()
    while time.monotonic() - last < args.idle:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            print(f"broker: {msg.error()}", file=sys.stderr)
            continue
        last = time.monotonic()
        value = msg.value() or b""
        where = f"{msg.topic()}[{msg.partition()}]@{msg.offset()}"
        if value[:2] != MARKER or len(value) < 10:
            failures.append(f"{where}: no single-object header")
            continue
        entry = known.get(value[2:10])
        if entry is None:
            failures.append(f"{where}: unknown fingerprint {value[2:10].hex()}")
            continue
        body = io.BytesIO(value[10:])
        try:
            schemaless_reader(body, entry[1])
        except Exception as e:  # fastavro raises several kinds
            failures.append(f"{where}: undecodable with {entry[0]}: {e}")
            continue
        if body.tell() != len(value) - 10:
            failures.append(f"{where}: {len(value) - 10 - body.tell()} trailing bytes")
            continue
        base = msg.topic().rsplit(".", 1)[-1]
        per_topic[base] = per_topic.get(base, 0) + 1
        per_schema[entry[0]] = per_schema.get(entry[0], 0) + 1
    consumer.close()

    total = sum(per_topic.values())
    print(json.dumps({"decoded": total, "per_topic": per_topic, "per_schema": per_schema,
                      "failures": len(failures)}, sort_keys=True))
    for f in failures[:20]:
        print(f"FAIL {f}", file=sys.stderr)
    if failures:
        sys.exit(1)
    if args.expect is not None and total != args.expect:
        sys.exit(f"decoded {total} messages, expected {args.expect}")


if __name__ == "__main__":
    main()
