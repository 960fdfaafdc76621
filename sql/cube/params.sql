-- cube.params: the parameters this cube was built with, so metric queries and marts use the
-- same values (cost_per_agent_hour, talk_rate_base, b10_all_complaints, a8_floor_points …).
-- kind: full
-- no dt: the one-row parameter table
SELECT * FROM params
