-- Each player's rewards already issued (amounts of every type) since parameter day_start and since parameter week_start.
SELECT
    player_id,
    CAST(sum(CASE WHEN created_at >= $day_start THEN amount ELSE 0 END) AS DOUBLE) AS issued_day,
    CAST(sum(amount) AS DOUBLE) AS issued_week
FROM wallet_ledger
WHERE kind = 'reward' AND created_at >= $week_start
GROUP BY player_id
