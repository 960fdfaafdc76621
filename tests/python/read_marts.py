"""Read every mart folder of a warehouse with DuckDB, pyarrow and polars, as an
outside reporting tool would, for tests/it/readers.rs.

Usage: read_marts.py WAREHOUSE
Prints JSON: {table: {reader: {"rows": n, "columns": [...]}}}; a table's SQL
name is marts_<folder>, as callcube names it.
"""
import json
import os
import sys

import duckdb
import polars as pl
import pyarrow.dataset as ds

marts = os.path.join(sys.argv[1], "marts")
out = {}
for folder in sorted(os.listdir(marts)):
    path = os.path.join(marts, folder)
    if folder.startswith((".", "_")) or not os.path.isdir(path):
        continue
    partitioned = any(e.startswith("dt=") for e in os.listdir(path))
    glob = os.path.join(path, "*", "*.parquet") if partitioned else os.path.join(path, "*.parquet")
    readers = {}

    source = f"read_parquet('{glob}', hive_partitioning = {str(partitioned).lower()})"
    readers["duckdb"] = {
        "rows": duckdb.execute(f"select count(*) from {source}").fetchall()[0][0],
        "columns": [d[0] for d in duckdb.execute(f"select * from {source} limit 0").description],
    }

    dataset = ds.dataset(path, format="parquet", partitioning="hive" if partitioned else None)
    readers["pyarrow"] = {"rows": dataset.count_rows(), "columns": dataset.schema.names}

    frame = pl.scan_parquet(glob, hive_partitioning=partitioned)
    readers["polars"] = {
        "rows": frame.select(pl.len()).collect().item(),
        "columns": frame.collect_schema().names(),
    }
    out[f"marts_{folder}"] = readers
print(json.dumps(out))
