-- conformed.fact_contact: the agent's wrap-up classification of each leg, with the request
-- rule of metrics.md (section B): one request per (call_id, request_type, business_code),
-- represented by the contact of the first such leg (smallest seq): is_request marks it, and
-- its flags and leg decide. Request kinds (on the representing contact only):
--   b1  consult, not guided to self-service      b1s consult, guided
--   b3  query, not indirect
--   b5  handle, not guided, business_code not in handling_excluded_codes
--   b5s handle, guided
-- customer_key is the contact's own caller. Time, skill group and agent come from the leg; a
-- contact whose leg is unknown (leg_known false) goes to its folder date and skill group '(none)'.
-- kind: by_date
-- a contact sits in its delivery folder's date, which can be any date after its leg's (late
-- deliveries are not bounded); it goes to its leg's date, found by leg_id, or stays at its
-- folder's when the leg is unknown (0..0); a request's representing contact is chosen among
-- every contact of the call, so a
-- delivered contact rebuilds the dates of its call's published contacts
-- window: latest_crm_contacts 0..0
-- window: latest_crm_contacts by leg_id in conformed_fact_agent_leg
-- window: latest_crm_contacts by call_id in self
-- a changed leg moves its contacts (by leg_id: from their published date to the leg's) and
-- re-ranks the contacts of its call (by call_id: assumes a contact's call_id is its leg's)
-- window: conformed_fact_agent_leg by leg_id in self,conformed_fact_agent_leg reading leg_id,seq,origin,is_answered,interval_start,center_id,skill_group,agent_id,team_id,site,city_code,brand,dt
-- window: conformed_fact_agent_leg by call_id in self reading call_id,leg_id,seq
-- Only the calls with a contact on a date being rebuilt (in_build) are joined wide and
-- ranked: every contact of those calls, wherever it sits. Those calls are found from the
-- small side of each join: the legs on the dates rebuilt looked up in every contact (narrow:
-- leg_id, call_id), and the contacts filed on them with no leg; not by joining every contact
-- ever filed with every leg (0.45 s on night 30 of the growth run, growing with history).
-- computed once: the contacts of those calls with their legs, read by the choice of each
-- request's representing contact and by the rows written
-- materialize: joined
WITH c AS (
    SELECT * FROM latest_crm_contacts
),
built_calls AS (
    -- a contact whose leg is on a date rebuilt, wherever the contact is filed
    SELECT k.call_id
    FROM (SELECT leg_id FROM conformed_fact_agent_leg WHERE in_build(dt)) AS l
    JOIN (SELECT leg_id, call_id FROM c) AS k ON k.leg_id = l.leg_id
    UNION
    -- a contact filed on a date rebuilt whose leg is unknown (it stays at its folder's date)
    SELECT k.call_id
    FROM (SELECT leg_id, call_id FROM c WHERE in_build(dt)) AS k
    LEFT JOIN (SELECT leg_id FROM conformed_fact_agent_leg) AS l ON l.leg_id = k.leg_id
    WHERE l.leg_id IS NULL
),
built AS (
    SELECT c.* FROM built_calls AS b JOIN c ON c.call_id = b.call_id
),
joined AS (
    SELECT
        -- the caller's number stays out of the scratch folder: only its key is read below
        c.* EXCLUDE (caller),
        customer_key(c.caller) AS customer_key,
        l.seq,
        l.origin,
        l.is_answered,
        l.interval_start AS leg_interval_start,
        l.center_id AS leg_center_id,
        l.skill_group AS leg_skill_group,
        l.agent_id AS leg_agent_id,
        l.team_id AS leg_team_id,
        l.site AS leg_site,
        l.city_code AS leg_city_code,
        l.brand AS leg_brand,
        l.dt AS leg_dt,
        l.leg_id IS NOT NULL AS leg_known
    FROM built AS c
    LEFT JOIN conformed_fact_agent_leg AS l ON l.leg_id = c.leg_id
),
-- The contact representing each request of a call (request type and business code): the
-- first by leg seq (unknown legs last), then leg_id (the contacts' key). One aggregate per
-- request, where a ROW_NUMBER over a window partition per request cost most of the model.
representing AS (
    SELECT first_value(leg_id ORDER BY seq NULLS LAST, leg_id) AS leg_id
    FROM joined
    GROUP BY call_id, request_type, business_code
),
ranked AS (
    SELECT j.*, r.leg_id IS NOT NULL AS represents
    FROM representing AS r
    RIGHT JOIN joined AS j ON r.leg_id = j.leg_id
)
SELECT
    j.leg_id,
    j.call_id,
    j.customer_key,
    j.request_type,
    j.business_code,
    j.guided_to_self_service,
    j.indirect,
    j.misrouted,
    j.work_order_id,
    j.seq,
    j.origin,
    j.leg_known,
    j.represents AS is_request,
    j.represents AND j.request_type = 'consult' AND NOT j.guided_to_self_service AS b1,
    j.represents AND j.request_type = 'consult' AND j.guided_to_self_service AS b1s,
    j.represents AND j.request_type = 'query' AND NOT j.indirect AS b3,
    j.represents AND j.request_type = 'handle' AND NOT j.guided_to_self_service
        AND NOT COALESCE(array_has(p.handling_excluded_codes, j.business_code), false) AS b5,
    j.represents AND j.request_type = 'handle' AND j.guided_to_self_service AS b5s,
    COALESCE(j.origin = 'transfer' AND j.is_answered, false) AS is_answered_transfer,
    COALESCE(j.leg_interval_start, CAST(j.dt AS TIMESTAMP)) AS interval_start,
    COALESCE(j.leg_center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(j.leg_skill_group, '(none)') AS skill_group,
    COALESCE(j.leg_agent_id, '(none)') AS agent_id,
    COALESCE(j.leg_team_id, '(none)') AS team_id,
    COALESCE(j.leg_site, '(none)') AS site,
    COALESCE(j.leg_city_code, '(none)') AS city_code,
    COALESCE(j.leg_brand, '(none)') AS brand,
    COALESCE(j.leg_dt, j.dt) AS dt
FROM params AS p
CROSS JOIN ranked AS j
