-- Rewards already issued per (player, rule, player snapshot), with the amounts issued since
-- parameter day_start and parameter week_start: a reward evaluated again is known as issued and not counted
-- against its own caps.
SELECT
    r.player_id,
    r.rule_id,
    coalesce(r.source_file, '') AS source_file,
    CAST(sum(CASE WHEN r.issued_at >= $day_start THEN r.amount ELSE 0 END) AS DOUBLE) AS day_amount,
    CAST(sum(CASE WHEN r.issued_at >= $week_start THEN r.amount ELSE 0 END) AS DOUBLE) AS week_amount
FROM reward_issues AS r
GROUP BY r.player_id, r.rule_id, coalesce(r.source_file, '')
