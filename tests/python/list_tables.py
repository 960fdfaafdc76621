"""The tables a Flight SQL server lists (GetTables, no catalog named), as JSON.

Usage: list_tables.py URI TOKEN
"""
import json
import sys

import adbc_driver_flightsql.dbapi as flight_sql
from adbc_driver_flightsql import DatabaseOptions

conn = flight_sql.connect(sys.argv[1], db_kwargs={DatabaseOptions.AUTHORIZATION_HEADER.value: f"Bearer {sys.argv[2]}"})
objects = conn.adbc_get_objects(depth="tables").read_all().to_pylist()
conn.close()
print(json.dumps(sorted(
    t["table_name"]
    for c in objects
    for s in (c["catalog_db_schemas"] or [])
    for t in (s["db_schema_tables"] or [])
)))
