#!/usr/bin/env python3
"""The DuckDB baseline for landing: read every extract CSV of one delivery
folder with the same declared types and write Parquet (zstd), one file per table.

Usage: duckdb_land.py SOURCES_JSON INBOX DATE OUT_DIR THREADS
SOURCES_JSON is `callcube sources --format json` (the declared schemas), so
both engines parse exactly the same columns and types.
"""
import json
import os
import sys

import duckdb

sources_json, inbox, date, out_dir, threads = sys.argv[1:6]
tables = json.load(open(sources_json))
TYPES = {"str": "VARCHAR", "int": "BIGINT", "bool": "BOOLEAN", "ts": "TIMESTAMP", "date": "DATE"}

con = duckdb.connect()
con.execute(f"SET threads = {int(threads)}")
os.makedirs(out_dir, exist_ok=True)
for t in tables:
    folder = os.path.join(inbox, t["system"], t["name"], date)
    if not os.path.isdir(folder):
        continue
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith((".csv", ".csv.gz")))
    if not files:
        continue
    cols = {}
    for c in t["columns"]:
        ty = c["type"]
        cols[c["name"]] = f"DECIMAL({ty[4:-1]})" if ty.startswith("dec(") else TYPES[ty]
    file_list = "[" + ",".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    columns = "{" + ",".join(f"'{k}': '{v}'" for k, v in cols.items()) + "}"
    out = os.path.join(out_dir, f"{t['system']}_{t['name']}.parquet")
    con.execute(
        f"COPY (SELECT * FROM read_csv({file_list}, header = true, columns = {columns}, "
        f"timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d', ignore_errors = true)) "
        f"TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
    )
