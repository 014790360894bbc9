"""Event -> nudge latency figures from the topics bench/latency_bench.sh read back.

Input lines are "<kafka timestamp ms> <value>". For each event time t, first(t) is the earliest
produce time of an input event with event time >= t (the moment the input let stream time reach
t). A nudge due at event time d left engaged at its own Kafka timestamp n; its latency is
n - first(d). A nudge is due at its deliver_at: its decided_at, unless the decision fell in the
recipient's quiet hours, where it waits (by design) until event time reaches their end.

With the program topic's dump as a sixth argument ("<kafka timestamp>|<key>|<size>|<value>"
records, as kcat's -f '%T|%k|%S|%s\n' writes them), each latency is split at the moment the last
input partition's watermark reached the nudge's time (a watermark envelope: version byte 1, then
zigzag varints source, next seq, order_ms, 1): the input hop (the event, through the input topic
and a stream thread, to that watermark's produce) and the program hop (through the program topic
and the merge to the nudge). The merge holds a record until every partition's watermark passed
it, so the slowest partition sets the first."""
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
program_path = sys.argv[6] if len(sys.argv) > 6 else None
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


def zigzag_varints(b, i, count):
    out = []
    for _ in range(count):
        z = shift = 0
        while True:
            if i >= len(b):
                return None
            c = b[i]
            i += 1
            z |= (c & 0x7F) << shift
            shift += 7
            if c < 0x80:
                break
        out.append((z >> 1) ^ -(z & 1))
    return out


def read_watermarks(path):
    """source -> (sorted order_ms, earliest produce time of a watermark at or past each)."""
    data, i, by_source = open(path, "rb").read(), 0, {}
    while i < len(data):
        fields = []
        for _ in range(3):
            j = data.index(b"|", i)
            fields.append(data[i:j])
            i = j + 1
        size = int(fields[2])
        value, i = data[i:i + size], i + size + 1
        f = zigzag_varints(value, 1, 4) if value[:1] == b"\x01" else None
        if f and f[3] == 1:
            by_source.setdefault(f[0], []).append((f[2], int(fields[0])))
    for source, marks in by_source.items():
        marks.sort()
        first_at = [t for _, t in marks]
        for k in range(len(first_at) - 2, -1, -1):
            first_at[k] = min(first_at[k], first_at[k + 1])
        by_source[source] = ([o for o, _ in marks], first_at)
    return by_source


watermarks = read_watermarks(program_path) if program_path else {}
input_hop, program_hop = [], []


def last_watermark(due):
    """When the last partition's watermark reached `due`, or None if one never did."""
    last = None
    for orders, first_at in watermarks.values():
        k = bisect.bisect_left(orders, due)
        if k == len(orders):
            return None
        last = first_at[k] if last is None else max(last, first_at[k])
    return last


latencies, by_kind, by_time = [], {}, {}
start_ms = int(float(start) * 1000)
for produced, n in read(nudges_path):
    i = bisect.bisect_left(times, event_ms(n["deliver_at"]))
    if i < len(first):
        latencies.append(produced - first[i])
        by_kind.setdefault(n["kind"], []).append(produced - first[i])
        # by when the nudge left, in 4 s steps from the start of the input
        by_time.setdefault(max(0, produced - start_ms) // 4000, []).append(produced - first[i])
        reached = last_watermark(event_ms(n["deliver_at"])) if watermarks else None
        if reached is not None:
            input_hop.append(reached - first[i])
            program_hop.append(produced - reached)
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
if input_hop:
    print(f"by hop ({len(input_hop):,} nudges, {len(watermarks)} partitions' watermarks):")
    for name, values in (("input (event -> last partition's watermark)", input_hop),
                         ("program (that watermark -> nudge)", program_hop)):
        values.sort()
        print(f"  {name}: p50 {pct(0.5, values)} ms, p90 {pct(0.9, values)} ms, "
              f"p99 {pct(0.99, values)} ms, max {values[-1]} ms")
