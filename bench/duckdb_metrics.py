#!/usr/bin/env python3
"""The DuckDB baseline for the cube: from the Parquet files duckdb_land.py wrote,
compute the A/B/C metrics at day grain by center and by skill group, following
metrics.md (base events, valid surveys, FCR, the contact request rule, the work
order skill-group rule, agent states cut at half hours), and write them as CSV.

Usage: duckdb_metrics.py LANDED_DIR OUT_CSV THREADS
Covers A1 A2 A3 A4 A5 A6 A8 A10 B1 B3 B5 B8 B13 C1 C2 C3 C4 C5 C6 C8 C9 C10 C11 C15 C17 C20:
the metrics whose inputs a single landed day holds.
"""
import os
import sys

import duckdb

landed, out_csv, threads = sys.argv[1:4]
con = duckdb.connect()
con.execute(f"SET threads = {int(threads)}")
for name in ["hotline_ivr_calls", "hotline_agent_legs", "hotline_skill_groups", "hotline_agent_states",
             "hotline_surveys", "hotline_offers", "crm_contacts", "crm_work_orders", "boss_orders", "hr_agents",
             "hr_teams"]:
    path = os.path.join(landed, name + ".parquet")
    con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")

con.execute("""
CREATE TEMP TABLE legs AS
SELECT l.*, c.caller, COALESCE(sg.center_id, '(none)') AS center_id,
       date_diff('second', l.queue_start, COALESCE(l.answer_time, l.end_time)) AS wait_s,
       l.origin = 'ivr' AS is_request,
       l.answer_time IS NOT NULL AS is_answered,
       l.origin = 'ivr' AND l.answer_time IS NOT NULL AS is_answered_request,
       l.origin = 'ivr' AND l.answer_time IS NULL AND l.released_by = 'customer' AS is_abandoned,
       l.origin = 'ivr' AND l.answer_time IS NOT NULL AND l.talk_s > 10 AND c.caller IS NOT NULL AS is_effective,
       MAX(l.end_time) OVER (PARTITION BY l.call_id) AS call_end,
       CAST(l.queue_start AS DATE) AS day
FROM hotline_agent_legs l
LEFT JOIN hotline_ivr_calls c USING (call_id)
LEFT JOIN hotline_skill_groups sg USING (skill_group)
""")

con.execute("""
CREATE TEMP TABLE resolved AS
SELECT e.leg_id FROM legs e
WHERE e.is_effective
  AND NOT EXISTS (SELECT 1 FROM legs m WHERE m.caller = e.caller AND m.origin = 'ivr' AND m.call_id <> e.call_id
                  AND m.queue_start > e.call_end AND m.queue_start <= e.call_end + INTERVAL 24 HOUR)
  AND NOT EXISTS (SELECT 1 FROM crm_work_orders w WHERE w.call_id = e.call_id AND w.wo_type IN ('complaint', 'refund')
                  AND w.accepted_ts <= e.call_end + INTERVAL 24 HOUR)
""")

con.execute("""
CREATE TEMP TABLE surveys AS
WITH valid AS (
  SELECT s.*, l.call_id,
         ROW_NUMBER() OVER (PARTITION BY l.call_id ORDER BY s.survey_ts DESC, s.survey_id) AS rn
  FROM hotline_surveys s JOIN legs l USING (leg_id) WHERE s.result IN (1, 2, 3)),
first_req AS (
  SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY call_id ORDER BY seq, leg_id) AS rn
                 FROM legs WHERE is_answered_request) WHERE rn = 1)
SELECT f.day, f.center_id, f.skill_group, v.result, v.reason
FROM valid v JOIN first_req f USING (call_id) WHERE v.rn = 1
""")

con.execute("""
CREATE TEMP TABLE requests AS
SELECT * FROM (
  SELECT c.*, l.day, l.center_id, l.skill_group,
         ROW_NUMBER() OVER (PARTITION BY c.call_id, c.request_type, c.business_code ORDER BY l.seq, c.leg_id) AS rn
  FROM crm_contacts c JOIN legs l USING (leg_id)) WHERE rn = 1
""")

con.execute("""
CREATE TEMP TABLE work_orders AS
WITH last_answered AS (
  SELECT * FROM (SELECT call_id, skill_group, center_id,
                        ROW_NUMBER() OVER (PARTITION BY call_id ORDER BY seq DESC, leg_id DESC) AS rn
                 FROM legs WHERE is_answered) WHERE rn = 1)
SELECT w.*, CAST(w.accepted_ts AS DATE) AS day, COALESCE(a.center_id, '(none)') AS center_id,
       COALESCE(a.skill_group, '(none)') AS skill_group
FROM crm_work_orders w LEFT JOIN last_answered a USING (call_id)
""")

con.execute("""
CREATE TEMP TABLE agent_time AS
WITH kept AS (SELECT * FROM hotline_agent_states),
sliced AS (
  SELECT s.agent_id, s.state, s.start_ts, s.end_ts,
         unnest(generate_series(time_bucket(INTERVAL 30 MINUTE, s.start_ts), s.end_ts - INTERVAL 1 MICROSECOND,
                                INTERVAL 30 MINUTE)) AS slot
  FROM kept s),
agent AS (SELECT a.agent_id, COALESCE(a.primary_skill_group, '(none)') AS skill_group,
                 COALESCE(t.center_id, '(none)') AS center_id
          FROM hr_agents a LEFT JOIN hr_teams t USING (team_id))
SELECT CAST(slot AS DATE) AS day, COALESCE(a.center_id, '(none)') AS center_id,
       COALESCE(a.skill_group, '(none)') AS skill_group, s.state,
       date_diff('second', GREATEST(s.start_ts, s.slot), LEAST(s.end_ts, s.slot + INTERVAL 30 MINUTE)) AS seconds
FROM sliced s LEFT JOIN agent a USING (agent_id)
""")

sets = "GROUPING SETS ((day, center_id), (day, skill_group))"
member = "CASE WHEN GROUPING(center_id) = 0 THEN 'center' ELSE 'skill_group' END AS dimension, " \
         "COALESCE(center_id, skill_group) AS member"
queries = {
    "legs": f"""SELECT day, {member},
        count(*) FILTER (is_request) AS C1,
        count(*) FILTER (is_answered_request) AS answered_requests,
        count(*) FILTER (is_answered) AS answered_legs,
        count(*) FILTER (is_answered_request AND wait_s <= 20) AS sl20,
        count(*) FILTER (is_abandoned) AS abandoned,
        sum(wait_s) FILTER (is_answered_request) AS wait_answered,
        sum(wait_s) FILTER (is_abandoned) AS wait_abandoned,
        sum(wait_s) FILTER (is_request) AS wait_requests,
        count(*) FILTER (is_request AND wait_s > 0) AS queued,
        sum(talk_s + hold_s + acw_s) FILTER (is_answered) AS handling,
        count(*) FILTER (is_answered AND transferred) AS transferred,
        count(*) FILTER (is_effective) AS effective,
        count(r.leg_id) AS resolved
      FROM legs LEFT JOIN resolved r USING (leg_id) GROUP BY {sets}""",
    "surveys": f"""SELECT day, {member}, count(*) AS valid, count(*) FILTER (result IN (1, 2)) AS satisfied,
        count(*) FILTER (result = 3 AND reason = 'attitude') AS defects FROM surveys GROUP BY {sets}""",
    "offers": """SELECT l.day,
        CASE WHEN GROUPING(l.center_id) = 0 THEN 'center' ELSE 'skill_group' END AS dimension,
        COALESCE(l.center_id, l.skill_group) AS member,
        count(*) FILTER (o.recommended) AS recommended,
        count(*) FILTER (o.recommended AND o.accepted AND b.status = 'success') AS successes
      FROM hotline_offers o JOIN legs l USING (leg_id) LEFT JOIN boss_orders b USING (order_id)
      GROUP BY GROUPING SETS ((l.day, l.center_id), (l.day, l.skill_group))""",
    "requests": f"""SELECT day, {member},
        count(*) FILTER (request_type = 'consult' AND NOT guided_to_self_service) AS B1,
        count(*) FILTER (request_type = 'query' AND NOT indirect) AS B3,
        count(*) FILTER (request_type = 'handle' AND NOT guided_to_self_service
                         AND business_code NOT IN ('ARREARS_STOP', 'BATCH_OPEN', 'PAYMENT')) AS B5
      FROM requests GROUP BY {sets}""",
    "work_orders": f"""SELECT day, {member},
        count(*) FILTER (wo_type = 'complaint' AND service_complaint) AS B8,
        count(*) FILTER (wo_type = 'complaint' AND service_complaint AND established) AS established,
        count(*) FILTER (wo_type IN ('suggestion', 'requirement')) AS B13
      FROM work_orders GROUP BY {sets}""",
    "agent_time": f"""SELECT day, {member},
        sum(seconds) AS logged_in, sum(seconds) FILTER (state = 'READY') AS ready,
        sum(seconds) FILTER (state = 'TALK') AS talk, sum(seconds) FILTER (state = 'HOLD') AS hold,
        sum(seconds) FILTER (state = 'ACW') AS acw
      FROM agent_time GROUP BY {sets}""",
}
frames = {k: con.execute(q).df().set_index(["day", "dimension", "member"]) for k, q in queries.items()}
m = frames["legs"]
for k in ["surveys", "offers", "requests", "work_orders", "agent_time"]:
    m = m.join(frames[k], how="outer")
m = m.fillna(0)


def ratio(n, d):
    return (n / d).where(d != 0)


out = {
    "A1": ratio(m.answered_requests, m.C1), "A2": ratio(m.sl20, m.C1), "A3": ratio(m.satisfied, m.valid),
    "A4": ratio(m.valid, m.answered_requests), "A5": ratio(m.resolved, m.effective),
    "A6": ratio(m.defects, m.answered_requests), "A8": ratio(m.successes, m.recommended),
    "A10": ratio(m.established * 100000, m.answered_requests), "B1": m.B1, "B3": m.B3, "B5": m.B5, "B8": m.B8,
    "B13": m.B13, "C1": m.C1, "C2": ratio(m.abandoned, m.C1), "C3": ratio(m.wait_answered, m.answered_requests),
    "C4": ratio(m.wait_abandoned, m.abandoned), "C5": ratio(m.wait_requests, m.C1),
    "C6": ratio(m.handling, m.answered_legs), "C8": ratio(m.talk + m.ready, m.logged_in),
    "C9": ratio(m.talk + m.hold + m.acw, m.talk + m.hold + m.acw + m.ready),
    "C10": ratio(m.talk, m.logged_in), "C11": ratio(m.ready + m.talk + m.hold, m.logged_in),
    "C15": ratio(m.transferred, m.answered_legs), "C17": ratio(m.queued, m.C1),
    "C20": ratio(m.talk + m.hold + m.acw, m.logged_in),
}
rows = []
for metric, series in out.items():
    for (day, dim, member), v in series.items():
        if v == v:  # NaN: a member with no data for this metric (callcube has no row)
            rows.append((metric, str(day)[:10], dim, member, v))
with open(out_csv, "w") as f:
    f.write("metric_id,period,dimension,member,value\n")
    for r in sorted(rows):
        f.write(",".join(str(x) for x in r) + "\n")
print(f"{len(rows)} metric rows")
