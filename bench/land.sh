#!/usr/bin/env bash
# Benchmark: generate one scale-S province-day, land it with callcube, and land
# the same files with DuckDB in the same run for comparison. Prints rows/s,
# MB/s and peak RSS per stage. Not a test: run it by hand (release build).
#
#   bench/land.sh [SCALE] [THREADS]      defaults: 1 and 2
#   BENCH_DIR=/some/scratch bench/land.sh   where data goes (default target/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-1}
THREADS=${2:-2}
DATE=2026-11-16
DIR=${BENCH_DIR:-target/bench}
source bench/common.sh
prepare "$DIR"

# UTF-8 everywhere: DuckDB's CSV reader has no GBK, and the comparison should be like for like.
echo "== generate scale $SCALE"
RAYON_NUM_THREADS=$THREADS $MEASURE generate -- "$BIN" generate --seed 1 --days 1 --start $DATE \
  --scale "$SCALE" --gbk '' --out "$DIR/inbox" 2>>"$LOG" | tail -1
cat > "$DIR/bench.toml" <<TOML
warehouse = "warehouse"
inbox = "inbox"
TOML
"$BIN" sources --json > "$DIR/sources.json"

echo "== callcube land ($THREADS threads)"
RAYON_NUM_THREADS=$THREADS $MEASURE callcube_land -- "$BIN" run "$DIR/bench.toml" --date $DATE 2>>"$LOG" | tail -3

echo "== duckdb land ($THREADS threads)"
$MEASURE duckdb_land -- "$DUCK_PY" bench/duckdb_land.py "$DIR/sources.json" "$DIR/inbox" $DATE "$DIR/duckdb" "$THREADS" 2>>"$LOG"

python3 - "$DIR" <<'PY'
import json, os, sys
d = sys.argv[1]
rows = sum(1 for root, _, files in os.walk(os.path.join(d, "inbox")) for f in files
           for _ in open(os.path.join(root, f), "rb")) - sum(1 for root, _, files in os.walk(os.path.join(d, "inbox")) for f in files)
mb = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(d, "inbox")) for f in fs) / 1e6
print(f"\ninput: {rows:,} rows, {mb:,.1f} MB of CSV")
print(f"{'stage':<16}{'seconds':>9}{'rows/s':>14}{'MB/s':>9}{'peak RSS MiB':>14}")
for line in open(os.path.join(d, "measure.jsonl")):
    m = json.loads(line)
    s = m["seconds"]
    print(f"{m['label']:<16}{s:>9.2f}{rows / s:>14,.0f}{mb / s:>9.1f}{m['peak_rss_mib']:>14.0f}")
PY
