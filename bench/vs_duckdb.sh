#!/usr/bin/env bash
# engaged against DuckDB on the same NDJSON file and the same two tables (daily, retention), side
# by side in one run: `engaged replay` + `report daily` + `report retention` from a fresh state,
# then DuckDB building both tables from the file (bench/vs_duckdb.mjs, the DuckDB the oracle
# tests install). Two files: the loadgen population (every event type) and its `action` events
# alone. Prints wall and CPU seconds of each, the ratio engaged / DuckDB, and whether the tables
# are equal cell for cell. The file has no invalid messages and RFC 3339 timestamps only, so that
# DuckDB's plain read_json reads it as engaged does.
# Usage: [BIN=build/engaged] [THREADS=2] [REPEAT=3] bench/vs_duckdb.sh [users] [days]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/engaged}
"$BIN" --version  # the figures depend on it: -DENGAGED_MARCH=native for the fastest
USERS=${1:-72000}
DAYS=${2:-60}
if [ ! -d tests/oracle/node_modules/@duckdb ]; then
  echo "vs_duckdb: DuckDB is not installed: run npm install in tests/oracle" >&2
  exit 2
fi
WORK=$(mktemp -d /tmp/engaged-vs-duckdb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
$BIN loadgen --users "$USERS" --days "$DAYS" --end 2026-06-30 --seed 1 --invalid-rate 0 \
  --epoch-ms-share 0 -o "$WORK/all.ndjson" 2>/dev/null
grep '"type":"action"' "$WORK/all.ndjson" >"$WORK/actions.ndjson"
sync

timed() {  # timed OUT_FILE command...: wall, user+sys seconds, peak RSS (KiB) into OUT_FILE
  local out=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$out" "$@"
}

for FLAVOUR in all actions; do
  FILE="$WORK/$FLAVOUR.ndjson"
  EVENTS=$(wc -l <"$FILE")
  for RUN in $(seq 1 "${REPEAT:-3}"); do
    rm -rf "$WORK/state" "$WORK/engaged" "$WORK/duckdb"
    mkdir -p "$WORK/engaged" "$WORK/duckdb"
    timed "$WORK/t-engaged" bash -c "
      $BIN replay -i '$FILE' --state '$WORK/state' --threads ${THREADS:-2} 2>/dev/null &&
      $BIN report daily --state '$WORK/state' >'$WORK/engaged/daily.csv' &&
      $BIN report retention --state '$WORK/state' >'$WORK/engaged/retention.csv'"
    timed "$WORK/t-duckdb" node bench/vs_duckdb.mjs "$FILE" UTC "$WORK/duckdb"
    SAME=yes
    for T in daily retention; do
      cmp -s "$WORK/engaged/$T.csv" "$WORK/duckdb/$T.csv" || SAME=no
    done
    python3 - "$FLAVOUR" "$RUN" "$EVENTS" "$SAME" "$WORK/t-engaged" "$WORK/t-duckdb" <<'PY'
import sys
flavour, run, events, same, te, td = sys.argv[1:]
def read(path):
    wall, user, sys_, rss = open(path).read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) / 1024
ew, ec, er = read(te)
dw, dc, dr = read(td)
print(f"{flavour} ({int(events):,} events) run {run}: engaged {ew:.2f} s wall, {ec:.2f} s cpu, "
      f"{er:.0f} MiB | DuckDB {dw:.2f} s wall, {dc:.2f} s cpu, {dr:.0f} MiB | "
      f"engaged/DuckDB wall {ew / dw:.2f}, cpu {ec / dc:.2f} | same tables: {same}")
PY
  done
done
