-- Issued rewards by rule and segment: rewards, players, cost (the amounts), expected revenue and
-- expected profit at issue time.
SELECT
    rule_id,
    segment,
    count(*) AS rewards,
    count(DISTINCT player_id) AS players,
    CAST(sum(amount) AS DOUBLE) AS cost,
    sum(expected_revenue) AS expected_revenue,
    sum(expected_revenue) - CAST(sum(amount) AS DOUBLE) AS expected_profit
FROM reward_issues
GROUP BY rule_id, segment
ORDER BY rule_id, segment
