-- The loyalty tiers stored by users (empty: the defaults of config/rewards.yaml apply), lowest first.
SELECT name, CAST(min_points AS DOUBLE) AS min_points, changed_at, changed_by
FROM reward_tiers
ORDER BY min_points
