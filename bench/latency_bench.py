"""Event -> nudge latency figures from the topics bench/latency_bench.sh read back.

Input lines are "<kafka timestamp ms> <value>". For each event time t, first(t) is the earliest
produce time of an input event with event time >= t (the moment the input let stream time reach
t). A nudge due at event time d left engaged at its own Kafka timestamp n; its latency is
n - first(d). A nudge is due at its deliver_at: its decided_at, unless the decision fell in the
recipient's quiet hours, where it waits (by design) until event time reaches their end."""
import bisect
import datetime
import json
import sys


def event_ms(ts):
    if isinstance(ts, (int, float)):
        return int(ts)
    return int(datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def read(path):
    with open(path) as f:
        for line in f:
            produced, _, value = line.rstrip("\n").partition(" ")
            try:
                yield int(produced), json.loads(value)
            except (ValueError, json.JSONDecodeError):
                continue  # the loadgen's deliberately invalid messages


events_path, nudges_path, start, produced_at, rate = sys.argv[1:6]
pairs = []  # (event time, produce time)
for produced, e in read(events_path):
    if isinstance(e, dict) and "ts" in e:
        try:
            pairs.append((event_ms(e["ts"]), produced))
        except (TypeError, ValueError):
            continue
pairs.sort()
times = [t for t, _ in pairs]
# first[i]: the earliest produce time among events with event time >= times[i]
first = [0] * len(pairs)
earliest = None
for i in range(len(pairs) - 1, -1, -1):
    earliest = pairs[i][1] if earliest is None else min(earliest, pairs[i][1])
    first[i] = earliest

latencies, by_kind, by_time = [], {}, {}
start_ms = int(float(start) * 1000)
for produced, n in read(nudges_path):
    i = bisect.bisect_left(times, event_ms(n["deliver_at"]))
    if i < len(first):
        latencies.append(produced - first[i])
        by_kind.setdefault(n["kind"], []).append(produced - first[i])
        # by when the nudge left, in 4 s steps from the start of the input
        by_time.setdefault(max(0, produced - start_ms) // 4000, []).append(produced - first[i])
latencies.sort()


def pct(p, values=None):
    values = latencies if values is None else values
    return values[min(len(values) - 1, int(p * len(values)))]


seconds = float(produced_at) - float(start)
print(f"input: {len(pairs):,} events in {seconds:.1f} s ({len(pairs) / seconds:,.0f} events/s, "
      f"target {float(rate):,.0f})")
if not latencies:
    sys.exit("no nudge decided: nothing to measure")
print(f"event -> nudge latency over {len(latencies):,} nudges: p50 {pct(0.5)} ms, "
      f"p99 {pct(0.99)} ms, p999 {pct(0.999)} ms, max {latencies[-1]} ms")
for kind, values in sorted(by_kind.items()):
    values.sort()
    print(f"  {kind}: {len(values):,} nudges, p50 {pct(0.5, values)} ms, p99 {pct(0.99, values)} ms")
# A latency that grows during the run means engaged fell behind the input (not enough CPU left
# to it); one that stays flat with spikes points at stalls of its loop.
print("by when the nudge left (s after the input began):")
for step, values in sorted(by_time.items()):
    values.sort()
    print(f"  {step * 4:3d}-{step * 4 + 4:<3d} {len(values):6,} nudges, p50 {pct(0.5, values)} ms, "
          f"p99 {pct(0.99, values)} ms")
