-- cube.contact: business-volume requests (B1, B1s, B3, B5, B5s) at the leg of the contact that
-- represents each request, and B6: BOSS orders (hotline, success, op_type not payment or
-- suspend) of a call with a B5 request, each counted once at the call's first B5 request.
-- kind: by_date
-- the measures of d are the contacts of d (0..0); first_b5 ranks every B5 contact of the call,
-- whose dates are unbounded (contacts with an unknown leg sit at their folder date): found by
-- call_id, a change rebuilds every date of that call's contacts
-- window: conformed_fact_contact by call_id in conformed_fact_contact reading call_id,b5,seq,leg_id,dt,interval_start,center_id,skill_group,team_id,site,agent_id,city_code,brand
-- window: conformed_fact_contact 0..0
-- B6 counts every order of the call, whenever it was created, at the call's first B5 contact
-- window: conformed_fact_order by call_id in conformed_fact_contact reading call_id,channel,status,op_type
-- The call's first B5 contact (by leg seq, unknown legs last, then leg_id, the contacts' key):
-- one aggregate per call, not a ROW_NUMBER over a window partition per call (slow per partition).
WITH first_b5 AS (
    SELECT c.*
    FROM (
        SELECT first_value(leg_id ORDER BY seq NULLS LAST, leg_id) AS leg_id
        FROM conformed_fact_contact
        WHERE b5
        GROUP BY call_id
    ) AS f
    JOIN conformed_fact_contact AS c ON c.leg_id = f.leg_id
),
b6 AS (
    SELECT f.dt, f.interval_start, f.center_id, f.skill_group, f.team_id, f.site, f.agent_id, f.city_code, f.brand
    FROM conformed_fact_order AS o
    JOIN first_b5 AS f ON f.call_id = o.call_id
    WHERE o.channel = 'hotline' AND o.status = 'success' AND o.op_type NOT IN ('payment', 'suspend')
),
measures AS (
    SELECT
        dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
        CASE WHEN b1 THEN 1 ELSE 0 END AS consultations,
        CASE WHEN b1s THEN 1 ELSE 0 END AS self_service_consultations,
        CASE WHEN b3 THEN 1 ELSE 0 END AS queries,
        CASE WHEN b5 THEN 1 ELSE 0 END AS handlings,
        CASE WHEN b5s THEN 1 ELSE 0 END AS self_service_handlings,
        0 AS handling_successes
    FROM conformed_fact_contact
    UNION ALL
    SELECT dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand, 0, 0, 0, 0, 0, 1
    FROM b6
)
SELECT
    dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
    SUM(consultations) AS consultations,
    SUM(self_service_consultations) AS self_service_consultations,
    SUM(queries) AS queries,
    SUM(handlings) AS handlings,
    SUM(self_service_handlings) AS self_service_handlings,
    SUM(handling_successes) AS handling_successes
FROM measures
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand
