"""The town's actors as Mesa agents: grid staff, village cadres, squads and their crews, the command centre."""
