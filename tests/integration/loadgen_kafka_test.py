#!/usr/bin/env python3
"""`engaged loadgen` producing to Kafka takes `run`'s settings: the topic (input.topic), the
producers' partitioner (input.partitioner) and the kafka.* properties, here the bootstrap address
itself. kcat, an independent client, produces the same keyed lines with librdkafka's murmur2
partitioner: every message must land in the same partition with the same key and value. With
the default partitioner the partitions differ, so the comparison can fail. A bad kafka.* value
and an unknown setting (also when writing a file, where the settings go unused) stop loadgen
with an error that names them.

Usage: loadgen_kafka_test.py path/to/engaged. Needs kcat."""
import os
import subprocess
import sys

import harness as h

work = h.init(sys.argv)
POPULATION = ["--users", "60", "--days", "5", "--end", "2026-06-30", "--seed", "5"]


def read(bootstrap, topic):
    out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-e", "-q",
                          "-f", "%p\t%k\t%s\n"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    return sorted(out.splitlines())


def kcat_produce(bootstrap, topic, path, partitioner):
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t",
                    "-X", f"topic.partitioner={partitioner}", "-l", path], check=True, timeout=60)


failed = 0
keyed = os.path.join(work, "events.tsv")
h.engaged("loadgen", *POPULATION, "--keyed", "-o", keyed)
with h.embedded_cluster(work, topics="lg.events,murmur.events,default.events") as bootstrap:
    h.engaged("loadgen", *POPULATION, "--set", f"kafka.bootstrap.servers={bootstrap}",
              "--set", "input.topic=lg.events", "--set", "input.partitioner=murmur2_random",
              timeout=120)
    kcat_produce(bootstrap, "murmur.events", keyed, "murmur2_random")
    kcat_produce(bootstrap, "default.events", keyed, "consistent_random")
    got, murmur, default = (read(bootstrap, t)
                            for t in ("lg.events", "murmur.events", "default.events"))
    with open(keyed) as f:
        lines = sum(1 for _ in f)
    h.log(f"loadgen: {len(got)} messages; the keyed file: {lines} lines")
    if len(got) != lines or got != murmur:
        failed += 1
        h.log("FAIL: loadgen's messages differ from kcat's with the murmur2 partitioner")
    if got == default:
        failed += 1
        h.log("FAIL: the partitioner made no difference: the comparison proves nothing")

    for args, named in ((["--brokers", bootstrap, "--set", "kafka.linger.ms=abc"], "linger.ms"),
                        (["--brokers", bootstrap, "--set", "input.nope=1"], "input.nope"),
                        (["-o", os.path.join(work, "x.ndjson"), "--set", "input.nope=1"],
                         "input.nope")):
        res = subprocess.run([h.ENGAGED, "loadgen", *POPULATION, *args],
                             capture_output=True, text=True, timeout=60)
        if res.returncode == 0 or named not in res.stderr:
            failed += 1
            h.log(f"FAIL: {args}: exit {res.returncode}, stderr {res.stderr[-300:]!r}")
h.stop_children()
print(f"{5 - failed} passed, {failed} failed")  # same messages, a real difference, 3 errors
sys.exit(1 if failed else 0)
