# Shared setup of the benchmark scripts (sourced from the repository root):
# release binary, a fresh data folder with its measure log, and a venv with DuckDB.
#   prepare DIR   sets BIN, MEASURE, LOG, DUCK_PY
prepare() {
  local dir=$1
  REPO=$(pwd)
  BIN=$REPO/target/release/callcube
  MEASURE="python3 $REPO/bench/measure.py"
  echo "== building release binary (cargo build --release)"
  cargo build --release --quiet
  rm -rf "$dir" && mkdir -p "$dir"
  LOG="$dir/measure.jsonl"
  echo "== venv with duckdb and pandas"
  local venv="$REPO/target/bench-venv"
  if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
  "$venv/bin/python" -c 'import duckdb, pandas' 2>/dev/null || "$venv/bin/pip" install --quiet duckdb pandas
  DUCK_PY="$venv/bin/python"
  "$DUCK_PY" -c 'import duckdb; print("duckdb", duckdb.__version__)'
}
