#!/usr/bin/env bash
# Benchmark: how the nightly's cost grows with history. Generates DAYS days at scale S, then
# runs the pipeline once per date in order, as cron would, and prints each run's wall time
# and peak RSS, and the last run's against the 5th (targets: time ≤ 1.3×, RSS ≤ 1.2×).
# Not a test: run it by hand (release build).
#
#   bench/growth.sh [SCALE] [DAYS] [THREADS]   defaults: 0.1, 30, 2
#   BENCH_DIR=/some/scratch bench/growth.sh     where data goes (default target/bench-growth)
#   MEMORY_MB=1024 bench/growth.sh              the pipeline's [engine] memory_limit_mb
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-0.1}
DAYS=${2:-30}
THREADS=${3:-2}
START=2026-11-01
DIR=${BENCH_DIR:-target/bench-growth}
source bench/common.sh
prepare "$DIR"

echo "== generate scale $SCALE, $DAYS days"
RAYON_NUM_THREADS=$THREADS "$BIN" generate --seed 7 --days "$DAYS" --start $START --scale "$SCALE" --gbk '' \
  --out "$DIR/inbox" | tail -1
write_pipeline "$DIR"

echo "== one run per date ($THREADS threads)"
for i in $(seq 0 $((DAYS - 1))); do
  D=$(python3 -c "import datetime; print(datetime.date.fromisoformat('$START') + datetime.timedelta(days=$i))")
  RAYON_NUM_THREADS=$THREADS $MEASURE "run $((i + 1)) $D" -- "$BIN" --quiet run "$DIR/bench.toml" --date "$D" \
    2>>"$LOG" >/dev/null
  tail -1 "$LOG"
done

python3 - "$LOG" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(f"\n{'run':<22}{'seconds':>9}{'peak RSS MiB':>14}")
for m in runs:
    print(f"{m['label']:<22}{m['seconds']:>9.2f}{m['peak_rss_mib']:>14.0f}")
if len(runs) >= 5:
    fifth, last = runs[4], runs[-1]
    print(f"\nlast/5th: time {last['seconds'] / fifth['seconds']:.2f}× (target ≤ 1.3), "
          f"peak RSS {last['peak_rss_mib'] / fifth['peak_rss_mib']:.2f}× (target ≤ 1.2)")
PY
