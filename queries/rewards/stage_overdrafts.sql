-- Balances the staged wallet entries (table wallet_stage) would take below zero: player, currency,
-- the balance now and the change staged.
WITH delta AS (
    SELECT player_id, currency, sum(amount) AS change
    FROM wallet_stage
    GROUP BY player_id, currency
)
SELECT d.player_id, d.currency, coalesce(b.balance, 0) AS balance, d.change
FROM delta AS d
LEFT JOIN wallet_balances AS b ON b.player_id = d.player_id AND b.currency = d.currency
WHERE coalesce(b.balance, 0) + d.change < 0
ORDER BY d.player_id, d.currency
