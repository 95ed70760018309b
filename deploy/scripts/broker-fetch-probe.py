#!/usr/bin/env python3
"""How fast the broker serves fetches, apart from this project's consumer.

Reads topics that already hold messages (e.g. a `bench e2e` run's prefix) with
librdkafka through confluent-kafka (`pip install confluent-kafka`), counting
messages and dropping them, to compare one consumer over many partitions with
one consumer per partition (docs/benchmarks.md, "Group members").

  deploy/scripts/broker-fetch-probe.py e2e-1796418772. all          # one consumer, every partition
  deploy/scripts/broker-fetch-probe.py e2e-1796418772.clickstream one 0  # one partition
  deploy/scripts/broker-fetch-probe.py e2e-1796418772.clickstream each    # a consumer per partition, in parallel
"""
import multiprocessing
import os
import sys
import time

from confluent_kafka import Consumer, TopicPartition

BROKERS = os.environ.get("KAFKA_BROKERS", "127.0.0.1:9192")
LIMIT = int(os.environ.get("LIMIT", "300000"))


def consumer():
    return Consumer({"bootstrap.servers": BROKERS, "group.id": "fetch-probe-%d" % os.getpid(),
                     "enable.auto.commit": False, "fetch.wait.max.ms": 10})


def read(partitions, limit):
    c = consumer()
    c.assign(partitions)
    n, start, last = 0, time.time(), time.time()
    while n < limit and time.time() - last < 3:
        batch = c.consume(10000, 0.1)
        if batch:
            last = time.time()
        n += len(batch)
    c.close()
    return n, time.time() - start


def partitions_of(prefix):
    md = consumer().list_topics(timeout=10)
    return [TopicPartition(t, p, -2) for t in sorted(md.topics)
            if t.startswith(prefix) and not t.endswith("dead_letter") for p in md.topics[t].partitions]


def one(topic_partition):
    topic, partition = topic_partition
    return read([TopicPartition(topic, partition, -2)], LIMIT // 6)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[2] not in ("all", "one", "each"):
        sys.exit(__doc__)
    prefix, mode = sys.argv[1], sys.argv[2]
    tps = partitions_of(prefix)
    if not tps:
        sys.exit(f"no topic starts with {prefix!r} on {BROKERS}")
    if mode == "all":
        n, s = read(tps, LIMIT)
        print(f"one consumer, {len(tps)} partitions: {n} messages in {s:.2f} s, {n / s:.0f}/s")
    elif mode == "one":
        p = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        n, s = read([TopicPartition(tps[0].topic, p, -2)], LIMIT // 3)
        print(f"one consumer, partition {p} of {tps[0].topic}: {n} messages in {s:.2f} s, {n / s:.0f}/s")
    else:
        start = time.time()
        with multiprocessing.Pool(len(tps)) as pool:
            results = pool.map(one, [(tp.topic, tp.partition) for tp in tps])
        wall = time.time() - start
        n = sum(r[0] for r in results)
        print(f"{len(tps)} consumers, one partition each: {n} messages in {wall:.2f} s "
              f"(process start-up included), {n / wall:.0f}/s")
