# Shared setup of the benchmark scripts (sourced from the repository root):
# release binary, a fresh data folder with its measure log, and a venv with DuckDB.
#   prepare DIR          sets BIN, MEASURE, LOG, DUCK_PY
#   write_pipeline DIR   DIR/bench.toml: warehouse and inbox in DIR, a copy of the repo's models
#                        (editing sql/ while a benchmark runs does not change what it runs),
#                        [engine] memory_limit_mb = $MEMORY_MB (default 1024),
#                        rebuild_batch_days = $BATCH_DAYS (default 7),
#                        node_timeout_s = $NODE_TIMEOUT_S (default 7200: a stuck model fails the run)
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

write_pipeline() {
  rm -rf "$1/sql" && cp -r "$REPO/sql" "$1/sql"
  cat > "$1/bench.toml" <<TOML
warehouse = "warehouse"
inbox = "inbox"
models = "sql"
[params]
handling_excluded_codes = ["ARREARS_STOP", "BATCH_OPEN", "PAYMENT"]
[engine]
memory_limit_mb = ${MEMORY_MB:-1024}
rebuild_batch_days = ${BATCH_DAYS:-7}
node_timeout_s = ${NODE_TIMEOUT_S:-7200}
spill_dir = "spill"
TOML
}
