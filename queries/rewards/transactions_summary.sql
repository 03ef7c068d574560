-- The stored transaction ledger by type: rows, players, total amount, first and last time.
SELECT
    type,
    count(*) AS transactions,
    count(DISTINCT player_id) AS players,
    CAST(sum(amount) AS DOUBLE) AS amount,
    min(time) AS first_time,
    max(time) AS last_time
FROM player_transactions
GROUP BY type
ORDER BY type
