-- Lifetime loyalty points earned per player (credits only: spending or expiry does not lower a
-- tier); parameter player_id NULL means every player.
SELECT player_id, CAST(sum(amount) AS DOUBLE) AS points
FROM wallet_ledger
WHERE currency = 'LOYALTY_POINTS' AND amount > 0
    AND (CAST($player_id AS VARCHAR) IS NULL OR player_id = $player_id)
GROUP BY player_id
ORDER BY player_id
