-- cube.params: the parameters this cube was built with, so metric queries and marts use the
-- same values (cost_per_agent_hour, talk_rate_base, b10_all_complaints, a8_floor_points …).
SELECT * FROM params
