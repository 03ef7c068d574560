-- Active bonuses to close at parameter now: expired ones (parameter expired true) or ones whose wagering is complete
-- (parameter expired false), with the part of each still in the player's bonus balance to take out
-- (oldest first, never more than the balance holds).
WITH chosen AS (
    SELECT
        b.*,
        coalesce(sum(b.amount) OVER (
            PARTITION BY b.player_id ORDER BY b.expires_at, b.bonus_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) AS earlier
    FROM wallet_bonuses AS b
    WHERE b.status = 'active'
        AND (
            ($expired AND b.expires_at <= $now)
            OR (NOT $expired AND b.wagered >= b.wagering_target AND b.expires_at > $now)
        )
)
SELECT
    c.bonus_id,
    c.player_id,
    c.expires_at,
    greatest(least(c.amount, coalesce(w.balance, 0) - c.earlier), 0) AS take
FROM chosen AS c
LEFT JOIN wallet_balances AS w ON w.player_id = c.player_id AND w.currency = 'BONUS_BALANCE'
ORDER BY c.player_id, c.expires_at, c.bonus_id
