-- marts.agent_performance_monthly (metrics.md D): per month, one row per agent (level 'agent')
-- and per team (level 'team').
--
-- An agent's team and center for the month are those of the month's last roster date. The
-- agent rows are the agents with agent time, answered legs or exams in the month.
-- Indicators (NULL when their denominator is 0 or they have no data):
--   d1_talk_rate             C10: TALK state seconds / (logged-in, or scheduled seconds if
--                            talk_rate_base = 'scheduled')
--   d2_work_time_utilization C11: (READY + TALK + HOLD) / logged-in seconds
--   d3_satisfaction_rate     valid surveys (one per call) with result 1 or 2 / valid surveys,
--                            of the agent of the surveyed leg, by that leg's queue_start
--   d4_answer_timeliness     mean over the clock hours where the agent has ≥ 1800 scheduled
--                            seconds of SL15(h) = answered within 15 s / manual requests
--                            (short abandons out if exclude_short_abandons), pooled over the
--                            skill groups in the agent's skill_groups that day
--   d5_handle_time_deviation |C6 of the agent − C6 of the agent's center| (smaller is better)
--   d6_exam_score            mean score of the month's exam rows
--   d7_marketing_completion  (marketing successes − removals) / answered legs; removals by
--                            d7_removal_mode (agent_processed | marketed_churn)
-- Teams: the same indicators on the members' summed numerators and denominators; D4 = mean of
-- the members' D4, D6 = mean of the members' exam rows.
-- Peers: the agents (teams) of the same center and month with ≥ d_min_answered answered legs;
-- others get indicators but no scores, composite or rank. Score = 100 × (x − min)/(max − min)
-- over the peers with a value (D5 inverted); 100 when max = min. composite = Σ(w·score)/Σw
-- over the non-NULL scores (d_weights); rank: composite descending within level, center and
-- month, ties share the lower rank (1, 1, 3); rank_d1 … rank_d7 (此指标排名): the same per
-- indicator, on the indicator's value among the peers with a value — descending, D5 ascending
-- (the order of the score, descending, without its rounding) — NULL for a non-peer or a NULL
-- value. weighted_calls (测算电话数) = answered legs × composite / 100.
-- Control flags (agents only): frequent_login, talk_outlier, post_offer_complaints (with the
-- count), night_surge — see metrics.md D. night_surge's baseline for night d is the agent's
-- mean night count over the nights among d − 1 … d − night_baseline_days on which the
-- warehouse has data, read as: some answered leg (of any agent) was answered in that night's
-- window. A night without data is left out, not counted as 0; no flag with fewer than
-- night_baseline_min_nights such nights or a mean of 0. is_final: 7 days after the month's
-- last date. marts.agent_extremes_monthly lists each indicator's two ends from this table.
-- Determinism (the same inputs give the same bits at any target_partitions): every aggregate
-- runs over exact values (integers, decimals); a mean of ratios (D4, a team's D4) sums the
-- ratios as DECIMAL(38, 18) and divides once; scores and the composite are fixed expressions
-- of one row, never a SUM over rows of floats. A score is 100 × ((x − min)/(max − min)),
-- clamped into [0, 100]: exactly 0 at the minimum and exactly 100 at the maximum.
-- dt: the month's first date, one partition per month: a night rebuilds the months it touches.
-- kind: by_month
-- windows are relative to each date of the month. The month's legs (talk_outlier)
-- window: conformed_fact_agent_leg 0..0
-- night_surge: night d's legs (conformed_agent_night) and its baseline, the nights d-1 ..
-- d-night_baseline_days
-- window: conformed_agent_night -night_baseline_days..0
-- post_offer_complaints: accepted in (popup_ts, popup_ts + offer_complaint_days]; the popup is on
-- the offer's leg date or the next
-- window: conformed_fact_work_order 0..1+offer_complaint_days
-- D3 goes by the surveyed leg's queue_start; a counted survey sits at its call's first
-- answered request, within a day of the surveyed leg
-- window: conformed_fact_survey -1..1
-- a month is final once its finality row says so (is_final flips once; settled_days grows nightly)
-- window: conformed_month_finality 0..0 reading month,is_final
-- computed once: `indicators` (all of D's inputs) is read by the scores and the final select,
-- `center_aht` by D5 and the talk outliers, `roster` by the agents and the talk outliers,
-- `successes` by D7's removals and the post-offer complaints
-- materialize: roster, center_aht, successes, indicators
WITH roster AS (
    SELECT month, agent_id, team_id, center_id
    FROM (
        SELECT
            CAST(date_trunc('month', dt) AS DATE) AS month,
            agent_id,
            COALESCE(team_id, '(none)') AS team_id,
            COALESCE(center_id, '(none)') AS center_id,
            -- (agent_id, dt) is unique; team and center only make the order total regardless.
            ROW_NUMBER() OVER (
                PARTITION BY date_trunc('month', dt), agent_id ORDER BY dt DESC, team_id, center_id
            ) AS rn
        FROM conformed_agent_day
    )
    WHERE rn = 1
),
agent_time AS (
    SELECT CAST(date_trunc('month', dt) AS DATE) AS month, agent_id,
        SUM(logged_in_s) AS logged_in_s, SUM(ready_s) AS ready_s, SUM(talk_state_s) AS talk_s,
        SUM(hold_state_s) AS hold_s, SUM(scheduled_s) AS scheduled_s
    FROM cube_agent_time
    GROUP BY 1, 2
),
agent_legs AS (
    SELECT CAST(date_trunc('month', dt) AS DATE) AS month, agent_id,
        SUM(answered_legs) AS answered_legs, SUM(handling_s) AS handling_s
    FROM cube_leg
    WHERE answered_legs > 0
    GROUP BY 1, 2
),
center_aht AS (
    SELECT CAST(date_trunc('month', dt) AS DATE) AS month, center_id,
        CAST(SUM(handling_s) AS DOUBLE) / NULLIF(SUM(answered_legs), 0) AS aht_s
    FROM cube_leg
    GROUP BY 1, 2
),
surveys AS (
    SELECT CAST(date_trunc('month', leg_interval_start) AS DATE) AS month, leg_agent_id AS agent_id,
        COUNT(*) AS valid_surveys, SUM(CASE WHEN result IN (1, 2) THEN 1 ELSE 0 END) AS satisfied_surveys
    FROM conformed_fact_survey
    WHERE is_counted AND leg_agent_id IS NOT NULL
    GROUP BY 1, 2
),
exams AS (
    SELECT CAST(date_trunc('month', dt) AS DATE) AS month, agent_id,
        SUM(score) AS exam_sum, COUNT(score) AS exams
    FROM conformed_fact_exam
    GROUP BY 1, 2
),
-- D4: the agent's scheduled clock hours, and SL15 of the pooled skill groups in each. The mean
-- of the hours' SL15 sums them as exact decimals (18 places), then divides once.
scheduled_hours AS (
    SELECT agent_id, dt, date_trunc('hour', interval_start) AS hour
    FROM conformed_fact_schedule
    GROUP BY agent_id, dt, date_trunc('hour', interval_start)
    HAVING SUM(scheduled_s) >= 1800
),
agent_groups AS (
    SELECT DISTINCT agent_id, dt, skill_group
    FROM (
        SELECT agent_id, dt, unnest(string_to_array(skill_groups, '|')) AS skill_group
        FROM conformed_agent_day
        WHERE skill_groups IS NOT NULL
    )
),
group_hours AS (
    SELECT dt, date_trunc('hour', interval_start) AS hour, skill_group,
        SUM(answered_within_15s) AS within_15s, SUM(scored_requests) AS requests
    FROM cube_leg
    GROUP BY dt, date_trunc('hour', interval_start), skill_group
),
sl15 AS (
    SELECT h.agent_id, h.hour,
        CAST(SUM(q.within_15s) AS DOUBLE) / NULLIF(SUM(q.requests), 0) AS sl
    FROM scheduled_hours AS h
    JOIN agent_groups AS g ON g.agent_id = h.agent_id AND g.dt = h.dt
    JOIN group_hours AS q ON q.skill_group = g.skill_group AND q.hour = h.hour
    GROUP BY h.agent_id, h.hour
),
d4 AS (
    SELECT CAST(date_trunc('month', hour) AS DATE) AS month, agent_id,
        CAST(SUM(CAST(sl AS DECIMAL(38, 18))) AS DOUBLE) / COUNT(sl) AS d4
    FROM sl15
    WHERE sl IS NOT NULL
    GROUP BY 1, 2
),
-- D7 and post_offer_complaints: the agent's marketing successes (agent of the offer's leg).
successes AS (
    SELECT CAST(date_trunc('month', dt) AS DATE) AS month, agent_id, customer_key, product_code, popup_ts
    FROM conformed_fact_offer
    WHERE is_success AND agent_id <> '(none)'
),
unsubscribes AS (
    SELECT order_id, agent_id, customer_key, product_code, created_ts,
        CAST(date_trunc('month', created_ts) AS DATE) AS month
    FROM conformed_fact_order
    WHERE op_type = 'unsubscribe' AND status = 'success'
),
removals AS (
    SELECT month, agent_id, COUNT(*) AS agent_processed, 0 AS marketed_churn
    FROM unsubscribes
    WHERE agent_id IS NOT NULL
    GROUP BY month, agent_id
    UNION ALL
    SELECT s.month, s.agent_id, 0 AS agent_processed, COUNT(DISTINCT u.order_id) AS marketed_churn
    FROM successes AS s
    JOIN unsubscribes AS u
        ON u.customer_key = s.customer_key AND u.product_code = s.product_code
        AND u.created_ts > s.popup_ts AND u.month = s.month
    GROUP BY s.month, s.agent_id
),
marketing AS (
    SELECT k.month, k.agent_id,
        COALESCE(MAX(s.successes), 0) AS successes,
        SUM(CASE WHEN p.d7_removal_mode = 'marketed_churn' THEN r.marketed_churn ELSE r.agent_processed END)
            AS removals
    FROM params AS p
    CROSS JOIN (SELECT month, agent_id FROM successes UNION SELECT month, agent_id FROM removals) AS k
    LEFT JOIN (SELECT month, agent_id, COUNT(*) AS successes FROM successes GROUP BY 1, 2) AS s
        ON s.month = k.month AND s.agent_id = k.agent_id
    LEFT JOIN removals AS r ON r.month = k.month AND r.agent_id = k.agent_id
    GROUP BY k.month, k.agent_id
),
agents AS (
    SELECT r.month, r.agent_id, r.team_id, r.center_id,
        t.logged_in_s, t.ready_s, t.talk_s, t.hold_s, t.scheduled_s,
        COALESCE(l.answered_legs, 0) AS answered_legs, l.handling_s,
        s.valid_surveys, s.satisfied_surveys, e.exam_sum, e.exams, d4.d4,
        COALESCE(m.successes, 0) AS successes, COALESCE(m.removals, 0) AS removals
    FROM roster AS r
    LEFT JOIN agent_time AS t ON t.month = r.month AND t.agent_id = r.agent_id
    LEFT JOIN agent_legs AS l ON l.month = r.month AND l.agent_id = r.agent_id
    LEFT JOIN surveys AS s ON s.month = r.month AND s.agent_id = r.agent_id
    LEFT JOIN exams AS e ON e.month = r.month AND e.agent_id = r.agent_id
    LEFT JOIN d4 ON d4.month = r.month AND d4.agent_id = r.agent_id
    LEFT JOIN marketing AS m ON m.month = r.month AND m.agent_id = r.agent_id
    WHERE t.agent_id IS NOT NULL OR l.agent_id IS NOT NULL OR e.agent_id IS NOT NULL
),
-- Agents and teams in one shape, so both are scored by the same query: each agent row once as
-- its own group (g = 0: sums of one row are its values) and once in its team's (g = 1). One
-- reference to `agents`: DataFusion plans a CTE again for every reference, and a UNION ALL of
-- the agent rows and the team rows computed every input of `agents` twice per use of `subjects`.
subjects AS (
    SELECT CASE WHEN lv.g = 0 THEN 'agent' ELSE 'team' END AS level, a.month, a.center_id, a.team_id,
        CASE WHEN lv.g = 0 THEN a.agent_id ELSE a.team_id END AS member,
        SUM(a.logged_in_s) AS logged_in_s, SUM(a.ready_s) AS ready_s, SUM(a.talk_s) AS talk_s,
        SUM(a.hold_s) AS hold_s, SUM(a.scheduled_s) AS scheduled_s, SUM(a.answered_legs) AS answered_legs,
        SUM(a.handling_s) AS handling_s, SUM(a.valid_surveys) AS valid_surveys,
        SUM(a.satisfied_surveys) AS satisfied_surveys, SUM(a.exam_sum) AS exam_sum, SUM(a.exams) AS exams,
        -- An agent's own D4; a team's, the mean of its members' (exact decimals, one division).
        CASE WHEN lv.g = 0 THEN MAX(a.d4)
            ELSE CAST(SUM(CAST(a.d4 AS DECIMAL(38, 18))) AS DOUBLE) / NULLIF(COUNT(a.d4), 0) END AS d4,
        SUM(a.successes) AS successes, SUM(a.removals) AS removals
    FROM agents AS a
    CROSS JOIN (VALUES (0), (1)) AS lv(g)
    GROUP BY lv.g, a.month, a.center_id, a.team_id, CASE WHEN lv.g = 0 THEN a.agent_id ELSE a.team_id END
),
indicators AS (
    SELECT
        s.level, s.month, s.center_id, s.team_id, s.member, s.answered_legs,
        s.answered_legs >= p.d_min_answered AS is_peer,
        CAST(s.talk_s AS DOUBLE) / NULLIF(
            CASE WHEN p.talk_rate_base = 'scheduled' THEN CAST(s.scheduled_s AS DOUBLE)
                 ELSE CAST(s.logged_in_s AS DOUBLE) END, 0) AS d1,
        CAST(s.ready_s + s.talk_s + s.hold_s AS DOUBLE) / NULLIF(s.logged_in_s, 0) AS d2,
        CAST(s.satisfied_surveys AS DOUBLE) / NULLIF(s.valid_surveys, 0) AS d3,
        s.d4,
        abs(CAST(s.handling_s AS DOUBLE) / NULLIF(s.answered_legs, 0) - c.aht_s) AS d5,
        CAST(s.exam_sum AS DOUBLE) / NULLIF(s.exams, 0) AS d6,
        CAST(s.successes - s.removals AS DOUBLE) / NULLIF(s.answered_legs, 0) AS d7
    FROM params AS p
    CROSS JOIN subjects AS s
    LEFT JOIN center_aht AS c ON c.month = s.month AND c.center_id = s.center_id
),
long AS (
    SELECT i.level, i.month, i.center_id, i.member, i.is_peer, w.indicator, w.weight,
        CASE w.indicator
            WHEN 'D1' THEN i.d1 WHEN 'D2' THEN i.d2 WHEN 'D3' THEN i.d3 WHEN 'D4' THEN i.d4
            WHEN 'D5' THEN i.d5 WHEN 'D6' THEN i.d6 WHEN 'D7' THEN i.d7
        END AS x
    FROM param_d_weights AS w
    CROSS JOIN indicators AS i
),
bounds AS (
    SELECT level, month, center_id, indicator, MIN(x) AS lo, MAX(x) AS hi
    FROM long
    WHERE is_peer AND x IS NOT NULL
    GROUP BY level, month, center_id, indicator
),
-- x, lo and hi are the same deterministic values, so x = lo gives 0 / (hi − lo) = 0 and x = hi
-- gives (hi − lo) / (hi − lo) = 1 exactly, before × 100; the clamp only guards the bounds.
scored AS (
    SELECT l.level, l.month, l.center_id, l.member, l.indicator, l.weight, l.x,
        CASE
            WHEN NOT l.is_peer OR l.x IS NULL OR b.lo IS NULL OR b.hi IS NULL THEN NULL
            WHEN b.hi = b.lo THEN 100.0
            WHEN l.indicator = 'D5' THEN GREATEST(0.0, LEAST(100.0, 100.0 * ((b.hi - l.x) / (b.hi - b.lo))))
            ELSE GREATEST(0.0, LEAST(100.0, 100.0 * ((l.x - b.lo) / (b.hi - b.lo))))
        END AS score
    FROM long AS l
    LEFT JOIN bounds AS b
        ON b.level = l.level AND b.month = l.month AND b.center_id = l.center_id AND b.indicator = l.indicator
),
-- The rank per indicator (rank_d1 … rank_d7): ties share the lower rank. Each partition holds one
-- indicator, so one of the two keys is NULL throughout and the other orders it: D5 ascending
-- (smaller is better), the others descending. A peer with a value has a score and vice versa.
scores AS (
    SELECT level, month, center_id, member, indicator, weight, score,
        CASE WHEN score IS NOT NULL THEN
            RANK() OVER (
                PARTITION BY level, month, center_id, indicator, score IS NULL
                ORDER BY CASE WHEN indicator = 'D5' THEN x END ASC, CASE WHEN indicator <> 'D5' THEN x END DESC
            )
        END AS indicator_rank
    FROM scored
),
-- One row per subject with each score and the weight of each non-NULL score (w1 … w7, NULL
-- where the score is NULL); the composite Σ(w·score)/Σw is then a fixed expression in D1 … D7
-- order, not a SUM over rows (a float sum's bits depend on the order rows arrive in).
pivoted AS (
    SELECT level, month, center_id, member,
        MAX(CASE WHEN indicator = 'D1' THEN score END) AS d1_score,
        MAX(CASE WHEN indicator = 'D2' THEN score END) AS d2_score,
        MAX(CASE WHEN indicator = 'D3' THEN score END) AS d3_score,
        MAX(CASE WHEN indicator = 'D4' THEN score END) AS d4_score,
        MAX(CASE WHEN indicator = 'D5' THEN score END) AS d5_score,
        MAX(CASE WHEN indicator = 'D6' THEN score END) AS d6_score,
        MAX(CASE WHEN indicator = 'D7' THEN score END) AS d7_score,
        MAX(CASE WHEN indicator = 'D1' AND score IS NOT NULL THEN weight END) AS w1,
        MAX(CASE WHEN indicator = 'D2' AND score IS NOT NULL THEN weight END) AS w2,
        MAX(CASE WHEN indicator = 'D3' AND score IS NOT NULL THEN weight END) AS w3,
        MAX(CASE WHEN indicator = 'D4' AND score IS NOT NULL THEN weight END) AS w4,
        MAX(CASE WHEN indicator = 'D5' AND score IS NOT NULL THEN weight END) AS w5,
        MAX(CASE WHEN indicator = 'D6' AND score IS NOT NULL THEN weight END) AS w6,
        MAX(CASE WHEN indicator = 'D7' AND score IS NOT NULL THEN weight END) AS w7,
        MAX(CASE WHEN indicator = 'D1' THEN indicator_rank END) AS rank_d1,
        MAX(CASE WHEN indicator = 'D2' THEN indicator_rank END) AS rank_d2,
        MAX(CASE WHEN indicator = 'D3' THEN indicator_rank END) AS rank_d3,
        MAX(CASE WHEN indicator = 'D4' THEN indicator_rank END) AS rank_d4,
        MAX(CASE WHEN indicator = 'D5' THEN indicator_rank END) AS rank_d5,
        MAX(CASE WHEN indicator = 'D6' THEN indicator_rank END) AS rank_d6,
        MAX(CASE WHEN indicator = 'D7' THEN indicator_rank END) AS rank_d7
    FROM scores
    GROUP BY level, month, center_id, member
),
composite AS (
    SELECT level, month, center_id, member,
        d1_score, d2_score, d3_score, d4_score, d5_score, d6_score, d7_score,
        rank_d1, rank_d2, rank_d3, rank_d4, rank_d5, rank_d6, rank_d7,
        (COALESCE(w1 * d1_score, 0.0) + COALESCE(w2 * d2_score, 0.0) + COALESCE(w3 * d3_score, 0.0)
            + COALESCE(w4 * d4_score, 0.0) + COALESCE(w5 * d5_score, 0.0) + COALESCE(w6 * d6_score, 0.0)
            + COALESCE(w7 * d7_score, 0.0))
        / NULLIF(COALESCE(w1, 0.0) + COALESCE(w2, 0.0) + COALESCE(w3, 0.0) + COALESCE(w4, 0.0)
            + COALESCE(w5, 0.0) + COALESCE(w6, 0.0) + COALESCE(w7, 0.0), 0.0) AS composite
    FROM pivoted
),
-- Control flags.
logins_per_day AS (
    SELECT CAST(date_trunc('month', dt) AS DATE) AS month, agent_id, MAX(logins) AS max_logins
    FROM (SELECT dt, agent_id, SUM(logins) AS logins FROM cube_agent_time GROUP BY dt, agent_id)
    GROUP BY 1, 2
),
talk_outliers AS (
    SELECT CAST(date_trunc('month', l.dt) AS DATE) AS month, l.agent_id,
        CAST(SUM(CASE WHEN l.talk_s < p.outlier_min_talk_s OR l.talk_s > p.outlier_aht_factor * c.aht_s
                 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS outlier_share
    FROM params AS p
    CROSS JOIN conformed_fact_agent_leg AS l
    JOIN roster AS r ON r.agent_id = l.agent_id AND r.month = CAST(date_trunc('month', l.dt) AS DATE)
    LEFT JOIN center_aht AS c ON c.month = r.month AND c.center_id = r.center_id
    WHERE l.is_answered
    GROUP BY 1, 2
),
offer_complaints AS (
    SELECT s.month, s.agent_id, COUNT(DISTINCT w.wo_id) AS complaints
    FROM params AS p
    CROSS JOIN successes AS s
    JOIN conformed_fact_work_order AS w
        ON w.customer_key = s.customer_key AND w.wo_type = 'complaint'
        AND w.accepted_ts > s.popup_ts
        AND date_part('epoch', w.accepted_ts) <= date_part('epoch', s.popup_ts) + p.offer_complaint_days * 86400
    GROUP BY s.month, s.agent_id
),
night_window AS (
    SELECT night_baseline_days, night_baseline_min_nights, night_surge_factor
    FROM params
),
-- Answered legs per agent and night d: answer_time in [d night_start, d+1 night_end).
nights AS (
    SELECT agent_id, CAST(dt AS BIGINT) AS night, legs FROM conformed_agent_night
),
-- The nights on which the warehouse has data: some leg, of any agent, answered in the window.
data_nights AS (
    SELECT DISTINCT night FROM nights
),
-- 1 … night_baseline_days: how far back a baseline night lies.
baseline_offsets AS (
    SELECT unnest(generate_series(1, night_baseline_days)) AS back FROM night_window
),
-- Per agent and night: the previous nights with data and the agent's legs on them (0 where the
-- warehouse has data but the agent none). A night with no such previous night has no row.
night_baselines AS (
    SELECT n.agent_id, n.night, COUNT(*) AS data_nights, SUM(COALESCE(b.legs, 0)) AS legs
    FROM nights AS n
    CROSS JOIN baseline_offsets AS k
    JOIN data_nights AS d ON d.night = n.night - k.back
    LEFT JOIN nights AS b ON b.agent_id = n.agent_id AND b.night = d.night
    GROUP BY n.agent_id, n.night
),
-- The mean is one division of two integers, so its bits do not depend on the order of rows.
night_surges AS (
    SELECT CAST(date_trunc('month', CAST(CAST(n.night AS INT) AS DATE)) AS DATE) AS month, n.agent_id,
        bool_or(COALESCE(
            base.data_nights >= w.night_baseline_min_nights AND base.legs > 0
                AND n.legs > w.night_surge_factor * (CAST(base.legs AS DOUBLE) / base.data_nights),
            false
        )) AS night_surge
    FROM night_window AS w
    CROSS JOIN nights AS n
    LEFT JOIN night_baselines AS base ON base.agent_id = n.agent_id AND base.night = n.night
    GROUP BY 1, 2
)
SELECT
    i.month,
    i.level,
    i.member,
    i.center_id,
    i.team_id,
    i.answered_legs,
    i.is_peer,
    i.d1 AS d1_talk_rate,
    i.d2 AS d2_work_time_utilization,
    i.d3 AS d3_satisfaction_rate,
    i.d4 AS d4_answer_timeliness,
    i.d5 AS d5_handle_time_deviation,
    i.d6 AS d6_exam_score,
    i.d7 AS d7_marketing_completion,
    c.d1_score, c.d2_score, c.d3_score, c.d4_score, c.d5_score, c.d6_score, c.d7_score,
    c.composite,
    CASE WHEN c.composite IS NOT NULL THEN
        RANK() OVER (PARTITION BY i.level, i.month, i.center_id, c.composite IS NULL ORDER BY c.composite DESC)
    END AS rank,
    c.rank_d1, c.rank_d2, c.rank_d3, c.rank_d4, c.rank_d5, c.rank_d6, c.rank_d7,
    i.answered_legs * c.composite / 100.0 AS weighted_calls,
    CASE WHEN i.level = 'agent' THEN COALESCE(lg.max_logins, 0) > p.max_logins_per_day END AS frequent_login,
    CASE WHEN i.level = 'agent' THEN COALESCE(o.outlier_share > p.outlier_share, false) END AS talk_outlier,
    CASE WHEN i.level = 'agent' THEN COALESCE(oc.complaints, 0) END AS post_offer_complaint_count,
    CASE WHEN i.level = 'agent' THEN COALESCE(oc.complaints, 0) > 0 END AS post_offer_complaints,
    CASE WHEN i.level = 'agent' THEN COALESCE(ns.night_surge, false) END AS night_surge,
    COALESCE(mf.is_final, false) AS is_final,
    i.month AS dt
FROM params AS p
CROSS JOIN indicators AS i
JOIN composite AS c ON c.level = i.level AND c.month = i.month AND c.center_id = i.center_id AND c.member = i.member
LEFT JOIN logins_per_day AS lg ON i.level = 'agent' AND lg.month = i.month AND lg.agent_id = i.member
LEFT JOIN talk_outliers AS o ON i.level = 'agent' AND o.month = i.month AND o.agent_id = i.member
LEFT JOIN offer_complaints AS oc ON i.level = 'agent' AND oc.month = i.month AND oc.agent_id = i.member
LEFT JOIN night_surges AS ns ON i.level = 'agent' AND ns.month = i.month AND ns.agent_id = i.member
LEFT JOIN conformed_month_finality AS mf ON mf.month = i.month
ORDER BY i.month, i.level, i.center_id, rank, i.member
