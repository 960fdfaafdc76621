#!/usr/bin/env bash
# Benchmark: the whole nightly (land → conformed → cube → marts) for one generated scale-S
# day, side by side with DuckDB landing the same files and computing the A/B/C metrics at
# day grain by center and skill group (bench/duckdb_metrics.py). Prints seconds and peak
# RSS per stage, cross-checks the metrics both computed, and times a month-by-agent metric
# query from the cube. Not a test: run it by hand (release build).
#
#   bench/nightly.sh [SCALE] [THREADS] [DAYS]   defaults: 1, 2, 1
#   BENCH_DIR=/some/scratch bench/nightly.sh     where data goes (default target/bench-nightly)
#   MEMORY_MB=1536 bench/nightly.sh              the pipeline's [engine] memory_limit_mb (default 1024)
#   BATCH_DAYS=3 bench/nightly.sh                dates a by-date model builds at once (default 7)
#   NODE_TIMEOUT_S=900 bench/nightly.sh          seconds one batch of one model may take (default 7200)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-1}
THREADS=${2:-2}
DAYS=${3:-1}
START=2026-11-16
DIR=${BENCH_DIR:-target/bench-nightly}
source bench/common.sh
prepare "$DIR"

echo "== generate scale $SCALE, $DAYS day(s)"
RAYON_NUM_THREADS=$THREADS $MEASURE generate -- "$BIN" generate --seed 1 --days "$DAYS" --start $START \
  --scale "$SCALE" --gbk '' --out "$DIR/inbox" 2>>"$LOG" | tail -1
write_pipeline "$DIR"
"$BIN" sources --json > "$DIR/sources.json"
LAST=$(python3 -c "import datetime; print(datetime.date.fromisoformat('$START') + datetime.timedelta(days=$DAYS - 1))")

echo "== callcube nightly: land, conformed, cube, marts ($THREADS threads)"
RAYON_NUM_THREADS=$THREADS $MEASURE callcube_nightly -- "$BIN" run "$DIR/bench.toml" --from $START --to "$LAST" \
  2>>"$LOG" | grep -E "^(landed|built|  (total|cube_leg|marts_metrics_day))"

if [ "$DAYS" = 1 ]; then
  echo "== duckdb: land, then metrics ($THREADS threads)"
  $MEASURE duckdb_land -- "$DUCK_PY" bench/duckdb_land.py "$DIR/sources.json" "$DIR/inbox" $START "$DIR/duckdb" \
    "$THREADS" 2>>"$LOG"
  $MEASURE duckdb_metrics -- "$DUCK_PY" bench/duckdb_metrics.py "$DIR/duckdb" "$DIR/duckdb_metrics.csv" \
    "$THREADS" 2>>"$LOG"
fi

echo "== metric queries from the cube"
$MEASURE metric_month_by_agent -- "$BIN" metric C6 --grain month --by agent --warehouse "$DIR/warehouse" \
  --format csv 2>>"$LOG" > "$DIR/c6_month_agent.csv"
$MEASURE metric_day_by_group -- "$BIN" metric A1 --grain day --by skill_group --warehouse "$DIR/warehouse" \
  --format csv 2>>"$LOG" > /dev/null
"$BIN" sql --warehouse "$DIR/warehouse" --format csv \
  "select metric_id, period, dimension, member, cast(value as double) as value from marts_metrics_day \
   where dimension in ('center', 'skill_group')" > "$DIR/callcube_metrics.csv"

python3 - "$DIR" <<'PY'
import csv, json, os, sys
d = sys.argv[1]
print(f"\n{'stage':<24}{'seconds':>9}{'peak RSS MiB':>14}")
for line in open(os.path.join(d, "measure.jsonl")):
    if not line.startswith("{"):
        continue  # a program's own stderr (callcube's log lines) shares the file
    m = json.loads(line)
    print(f"{m['label']:<24}{m['seconds']:>9.2f}{m['peak_rss_mib']:>14.0f}")
duck = os.path.join(d, "duckdb_metrics.csv")
if os.path.exists(duck):
    ours = {(r["metric_id"], r["period"], r["dimension"], r["member"]): r["value"]
            for r in csv.DictReader(open(os.path.join(d, "callcube_metrics.csv")))}
    same = differ = missing = 0
    worst = []
    for r in csv.DictReader(open(duck)):
        k = (r["metric_id"], r["period"], r["dimension"], r["member"])
        if k not in ours:
            # DuckDB's outer joins give count metrics a 0 row where callcube has no row at all.
            if float(r["value"]) == 0:
                same += 1
            else:
                missing += 1
            continue
        a, b = ours[k], r["value"]
        if a in ("", "nan") and b in ("", "nan"):
            same += 1
        elif a not in ("", "nan") and b not in ("", "nan") and abs(float(a) - float(b)) <= 1e-9 * max(1, abs(float(b))):
            same += 1
        else:
            differ += 1
            worst.append((k, a, b))
    print(f"\ncross-check with DuckDB: {same} equal, {differ} different, {missing} not in callcube's marts")
    for k, a, b in worst[:10]:
        print(f"  {k}: callcube {a} · duckdb {b}")
PY
