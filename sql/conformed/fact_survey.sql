-- conformed.fact_survey: every survey with the valid-survey rule of metrics.md applied:
--   is_valid    result in (1, 2, 3)
--   is_call_latest_valid  the valid survey kept for its call: latest survey_ts, ties → smallest
--               survey_id (its leg known)
--   is_counted  that survey, when the call has an answered request to attribute it to
-- A3/A4/A6 attribute a counted survey to the call's first answered request (smallest seq):
-- its queue_start, skill group and center (attr_*); a call without one contributes nothing
-- (is_counted false). leg_agent_id and leg_team_id are the agent of the surveyed leg and
-- their team that day (D3; A3, A4, A6 by team and agent);
-- agent_mismatch flags a surveys.agent_id that disagrees with it; leg_known false is a
-- survey whose leg is unknown (a data-quality finding). dt and interval_start: the attribution
-- leg's queue_start, else the surveyed leg's (Attribution: surveys go to their leg), else
-- (leg unknown) survey_ts.
-- kind: by_date
-- A survey (partition = survey_ts date) comes after its call, without bound. It goes to its
-- call's first answered request or its surveyed leg: both within a day of the surveyed leg (a
-- call lasts < 24 h), so a delivered survey is found by its leg (around -1..1) and where it
-- was published before (self); an unknown leg keeps it at its survey date (0..0).
-- window: latest_hotline_surveys 0..0
-- window: latest_hotline_surveys by leg_id in self,conformed_fact_agent_leg around -1..1
-- A changed leg re-attributes its call's surveys, all within a day of it (-1..1). The legs
-- are read whole (the key window): a survey's leg can be of any earlier date.
-- window: conformed_fact_agent_leg -1..1
-- window: conformed_fact_agent_leg by leg_id in self reading leg_id,call_id,seq,is_answered_request,agent_id,interval_start,center_id,skill_group,team_id,site,city_code,brand,dt
-- The legs are looked up by the surveys' keys (held in memory, as written) and only the
-- surveyed calls' requests are ranked.
-- joins: as written
-- Both inputs are read whole, but a rebuild reads only what its dates can need: a survey
-- attributed to a date from build_start() on has its surveyed leg from the day before it on
-- (the attribution leg is within a day of it), its call's legs from two days before, and a
-- survey date from two days before (a survey comes after its call); one whose leg is unknown
-- sits at its own date. Three days of margin: legs and surveys are read from build_start() - 3 on
-- (every date in a whole build). A survey read whose leg is not near may still have
-- one earlier (a late survey): it is looked up in every earlier leg — usually none is missing,
-- and the lookup's scan is then skipped — and dropped, as its rows belong to earlier dates.
-- computed once: the surveys' latest deliveries, ranked over every delivery of their keys, and
-- the surveys read with their legs, read by the choice of each call's latest and the rows written
-- materialize: read_surveys, joined
WITH near_legs AS (
    SELECT l.*
    FROM conformed_fact_agent_leg AS l
    WHERE l.dt >= CAST(COALESCE(build_start(), DATE '0001-01-04') - INTERVAL '3 days' AS DATE)
),
read_surveys AS (
    SELECT *
    FROM latest_hotline_surveys
    WHERE dt >= CAST(COALESCE(build_start(), DATE '0001-01-04') - INTERVAL '3 days' AS DATE)
),
not_near AS (
    SELECT DISTINCT r.leg_id
    FROM read_surveys AS r
    LEFT JOIN near_legs AS l ON l.leg_id = r.leg_id
    WHERE l.leg_id IS NULL AND r.leg_id IS NOT NULL
),
earlier AS (
    SELECT DISTINCT k.leg_id
    FROM not_near AS k
    JOIN conformed_fact_agent_leg AS l ON l.leg_id = k.leg_id
    WHERE l.dt < CAST(COALESCE(build_start(), DATE '0001-01-04') - INTERVAL '3 days' AS DATE)
),
s AS (
    SELECT r.*
    FROM earlier AS e
    RIGHT JOIN read_surveys AS r ON r.leg_id = e.leg_id
    WHERE e.leg_id IS NULL
),
surveyed_calls AS (
    SELECT DISTINCT l.call_id
    FROM (SELECT DISTINCT leg_id FROM s) AS k
    JOIN near_legs AS l ON l.leg_id = k.leg_id
),
-- The first answered request of each surveyed call (smallest seq, then leg_id) and, below,
-- each call's latest survey (valid or not): one aggregate per call each, where a ROW_NUMBER
-- over a window partition per call cost most of the model.
first_request AS (
    SELECT
        l.leg_id, l.call_id, l.interval_start, l.center_id, l.skill_group, l.agent_id,
        l.team_id, l.site, l.city_code, l.brand, l.dt
    FROM (
        SELECT first_value(l.leg_id ORDER BY l.seq, l.leg_id) AS leg_id
        FROM surveyed_calls AS c
        JOIN near_legs AS l ON l.call_id = c.call_id
        WHERE l.is_answered_request
        GROUP BY l.call_id
    ) AS f
    JOIN near_legs AS l ON l.leg_id = f.leg_id
),
joined AS (
    SELECT
        s.*,
        l.call_id,
        l.agent_id AS leg_agent_id,
        l.team_id AS leg_team_id,
        l.interval_start AS leg_interval_start,
        l.dt AS leg_dt,
        l.leg_id IS NOT NULL AS leg_known,
        COALESCE(s.result IN (1, 2, 3), false) AS is_valid
    FROM s
    LEFT JOIN near_legs AS l ON l.leg_id = s.leg_id
),
latest AS (
    SELECT first_value(survey_id ORDER BY survey_ts DESC, survey_id) AS survey_id
    FROM joined
    GROUP BY call_id, is_valid
),
ranked AS (
    SELECT j.*, k.survey_id IS NOT NULL AS is_call_latest
    FROM latest AS k
    RIGHT JOIN joined AS j ON k.survey_id = j.survey_id
)
SELECT
    r.survey_id,
    r.leg_id,
    r.call_id,
    r.channel,
    r.result,
    r.reason,
    r.survey_ts,
    r.is_valid,
    r.is_valid AND r.leg_known AND r.is_call_latest AS is_call_latest_valid,
    r.is_valid AND r.leg_known AND r.is_call_latest AND f.leg_id IS NOT NULL AS is_counted,
    r.leg_known,
    r.leg_agent_id,
    r.leg_team_id,
    r.leg_interval_start,
    r.agent_id IS NOT NULL AND r.leg_agent_id IS NOT NULL AND r.agent_id <> r.leg_agent_id AS agent_mismatch,
    f.leg_id AS attr_leg_id,
    COALESCE(
        f.interval_start,
        r.leg_interval_start,
        date_bin(INTERVAL '30 minutes', r.survey_ts, TIMESTAMP '2000-01-01 00:00:00')
    ) AS interval_start,
    COALESCE(f.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(f.skill_group, '(none)') AS skill_group,
    COALESCE(f.agent_id, '(none)') AS agent_id,
    COALESCE(f.team_id, '(none)') AS team_id,
    COALESCE(f.site, '(none)') AS site,
    COALESCE(f.city_code, '(none)') AS city_code,
    COALESCE(f.brand, '(none)') AS brand,
    COALESCE(f.dt, r.leg_dt, r.dt) AS dt
FROM params AS p
CROSS JOIN (first_request AS f RIGHT JOIN ranked AS r ON f.call_id = r.call_id)
