#!/usr/bin/env python3
"""Producing app events to engaged from Python with confluent-kafka (Debian:
python3-confluent-kafka; pip: confluent-kafka).

What matters for engaged (docs/events.md):
- the message key is the user_id, so all of a user's events land in one partition;
- confluent-kafka uses librdkafka's default partitioner (consistent_random), which is engaged's
  default `input.partitioner`: nothing to configure;
- acks=all and idempotence, so a retry never duplicates or reorders a user's events (engaged
  also drops a re-sent event_id within processing.dedupe_window);
- every delivery is checked: a message Kafka did not take is an error here, not a silent loss.

Usage: produce_events.py --bootstrap HOST:PORT [--topic app.events] [--users 20]
Prints the number of events Kafka acknowledged."""
import argparse
import datetime as dt
import json
import sys

from confluent_kafka import Producer


def user_events(user, now):
    """One user's first visit: a signup, a session with two lessons, and for some a purchase."""
    def at(seconds):
        return (now + dt.timedelta(seconds=seconds)).isoformat(timespec="milliseconds")

    session = f"{user}-s1"
    events = [
        {"type": "signup", "ts": at(0), "props": {"platform": "android", "country": "DE"}},
        {"type": "session_start", "ts": at(1), "session_id": session},
        {"type": "action", "ts": at(30), "session_id": session, "name": "open_lesson"},
        {"type": "action", "ts": at(300), "session_id": session, "name": "complete_lesson"},
        {"type": "session_end", "ts": at(320), "session_id": session},
    ]
    if int(user.rsplit("-", 1)[1]) % 4 == 0:
        events.append({"type": "purchase", "ts": at(330), "amount": 9.99, "currency": "EUR"})
    for n, e in enumerate(events):
        yield {"event_id": f"{user}-e{n}", "user_id": user, **e}


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--bootstrap", required=True)
    args.add_argument("--topic", default="app.events")
    args.add_argument("--users", type=int, default=20)
    o = args.parse_args()
    producer = Producer({"bootstrap.servers": o.bootstrap, "enable.idempotence": True,
                         "acks": "all", "linger.ms": 5})
    failures = []
    delivered = 0

    def on_delivery(err, msg):
        nonlocal delivered
        if err is not None:
            failures.append(f"{msg.key()}: {err}")
        else:
            delivered += 1

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    for i in range(o.users):
        user = f"py-user-{i}"
        for event in user_events(user, now):
            producer.produce(o.topic, key=user.encode(), value=json.dumps(event).encode(),
                             on_delivery=on_delivery)
            producer.poll(0)
    if producer.flush(30) != 0:
        failures.append("messages still queued after 30 s")
    if failures:
        print(f"not delivered: {failures[:5]}", file=sys.stderr)
        sys.exit(1)
    print(f"produced {delivered} events")


if __name__ == "__main__":
    main()
