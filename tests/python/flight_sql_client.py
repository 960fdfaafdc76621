"""A real Flight SQL client (ADBC) against `callcube serve`, for tests/it/readers.rs.

Usage: flight_sql_client.py URI TOKEN
Prints one JSON object: what each call returned, or the error it raised.
"""
import json
import sys

import adbc_driver_flightsql.dbapi as flight_sql
from adbc_driver_flightsql import DatabaseOptions

uri, token = sys.argv[1], sys.argv[2]


def connect(tok):
    return flight_sql.connect(uri, db_kwargs={DatabaseOptions.AUTHORIZATION_HEADER.value: f"Bearer {tok}"})


def rows(cur, sql, parameters=None):
    cur.execute(sql, parameters=parameters)
    return [list(r) for r in cur.fetchall()]


def error_of(fn):
    try:
        fn()
    except Exception as e:  # the driver's error, as a user sees it
        return f"{type(e).__name__}: {e}"
    return None


out = {}
conn = connect(token)
cur = conn.cursor()

# GetTables without naming a catalog, as JDBC tools ask.
objects = conn.adbc_get_objects(depth="tables").read_all().to_pylist()
out["tables"] = sorted(
    t["table_name"]
    for c in objects
    for s in (c["catalog_db_schemas"] or [])
    for t in (s["db_schema_tables"] or [])
)
out["table_types"] = conn.adbc_get_table_types()
info = conn.adbc_get_info()
out["vendor_name"] = info.get("vendor_name")

out["metric"] = rows(
    cur,
    "select period, member, cast(value as double) as value from marts_metrics_day "
    "where metric_id = 'A1' and dimension = 'skill_group' order by period, member",
)
out["prepared"] = rows(cur, "select id, key from metric_catalog where id = $1", parameters=("A2",))
out["prepared_again"] = rows(cur, "select id, key from metric_catalog where id = $1", parameters=("B1",))

out["insert_error"] = error_of(lambda: rows(cur, "insert into metric_catalog values ('x')"))
out["create_error"] = error_of(lambda: rows(cur, "create table t as select 1"))
out["raw_error"] = error_of(lambda: rows(cur, "select count(*) from raw_hotline_agent_legs"))
out["memory_error"] = error_of(
    lambda: rows(cur, "select x from generate_series(1, 4000000) as t(x) order by x desc")
)
out["timeout_error"] = error_of(lambda: rows(cur, "select count(*) from generate_series(1, 100000000000) as t(x)"))

bad = connect("not-the-token-at-all")
bad_cur = bad.cursor()
out["wrong_token_error"] = error_of(lambda: rows(bad_cur, "select 1"))
bad_cur.close()
bad.close()

# Still serving after every refusal.
out["after"] = rows(cur, "select count(*) from metric_catalog")
cur.close()
conn.close()
print(json.dumps(out, default=str))
