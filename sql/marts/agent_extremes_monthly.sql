-- marts.agent_extremes_monthly (metrics.md D, the source's note 6 两端员工): per month, center and
-- indicator D1 … D7, the top and the bottom d_extremes_n agent peers of
-- marts.agent_performance_monthly (level 'agent', is_peer, a value for the indicator).
--   side       'top' or 'bottom'
--   position   1 … d_extremes_n from that end: top 1 is the best, bottom 1 the worst
--   value      the indicator (d1_talk_rate … d7_marketing_completion); score and rank are its
--              dN_score and rank_dN (ties share the lower rank; D5 ranks ascending)
--   is_final   the agent-month's is_final (7 days after the month's last date)
-- The two ends are the two ends of one total order: rank_dN, then agent_id (the display order
-- of metrics.md D). Top takes its first d_extremes_n rows, bottom its last d_extremes_n, read
-- backwards. Peers tied across a cut-off are cut by agent_id: at the top the smaller agent_ids
-- stay, at the bottom the larger ones (callcube convention). Each end lists min(d_extremes_n,
-- peers) agents, so with fewer than 2 × d_extremes_n peers an agent appears at both ends (with
-- d_extremes_n or fewer, every peer does) rather than the ends splitting the peers between them.
-- Teams have no extremes: 两端员工 are agents.
-- dt: the month's first date, one partition per month: a night rebuilds the months it touches.
-- kind: by_month
-- reads only the performance mart's rows of the same month
WITH peers AS (
    SELECT m.month, m.center_id, k.indicator, k.indicator_key, m.member AS agent_id, m.team_id,
        CASE k.indicator
            WHEN 'D1' THEN m.d1_talk_rate WHEN 'D2' THEN m.d2_work_time_utilization
            WHEN 'D3' THEN m.d3_satisfaction_rate WHEN 'D4' THEN m.d4_answer_timeliness
            WHEN 'D5' THEN m.d5_handle_time_deviation WHEN 'D6' THEN m.d6_exam_score
            WHEN 'D7' THEN m.d7_marketing_completion
        END AS value,
        CASE k.indicator
            WHEN 'D1' THEN m.d1_score WHEN 'D2' THEN m.d2_score WHEN 'D3' THEN m.d3_score
            WHEN 'D4' THEN m.d4_score WHEN 'D5' THEN m.d5_score WHEN 'D6' THEN m.d6_score
            WHEN 'D7' THEN m.d7_score
        END AS score,
        CASE k.indicator
            WHEN 'D1' THEN m.rank_d1 WHEN 'D2' THEN m.rank_d2 WHEN 'D3' THEN m.rank_d3
            WHEN 'D4' THEN m.rank_d4 WHEN 'D5' THEN m.rank_d5 WHEN 'D6' THEN m.rank_d6
            WHEN 'D7' THEN m.rank_d7
        END AS rank,
        m.is_final
    FROM marts_agent_performance_monthly AS m
    CROSS JOIN (
        VALUES ('D1', 'talk_rate'), ('D2', 'work_time_utilization'), ('D3', 'satisfaction_rate'),
            ('D4', 'answer_timeliness'), ('D5', 'handle_time_deviation'), ('D6', 'exam_score'),
            ('D7', 'marketing_completion_rate')
    ) AS k(indicator, indicator_key)
    WHERE m.level = 'agent' AND m.is_peer
),
-- (month, agent_id) is unique in the performance mart, so (rank, agent_id) orders totally.
ordered AS (
    SELECT *,
        ROW_NUMBER() OVER (PARTITION BY month, center_id, indicator ORDER BY rank ASC, agent_id ASC)
            AS from_top,
        ROW_NUMBER() OVER (PARTITION BY month, center_id, indicator ORDER BY rank DESC, agent_id DESC)
            AS from_bottom
    FROM peers
    WHERE rank IS NOT NULL
),
ends AS (
    SELECT o.month, o.center_id, o.indicator, o.indicator_key, 'top' AS side, o.from_top AS position,
        o.agent_id, o.team_id, o.value, o.score, o.rank, o.is_final
    FROM params AS p
    CROSS JOIN ordered AS o
    WHERE o.from_top <= p.d_extremes_n
    UNION ALL
    SELECT o.month, o.center_id, o.indicator, o.indicator_key, 'bottom' AS side, o.from_bottom AS position,
        o.agent_id, o.team_id, o.value, o.score, o.rank, o.is_final
    FROM params AS p
    CROSS JOIN ordered AS o
    WHERE o.from_bottom <= p.d_extremes_n
)
SELECT month, center_id, indicator, indicator_key, side, position, agent_id, team_id, value, score,
    rank, is_final, month AS dt
FROM ends
ORDER BY month, center_id, indicator, side DESC, position
