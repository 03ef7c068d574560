-- One player's bonuses, newest first: amount, wagering progress (share of the target wagered),
-- status and expiry.
SELECT
    bonus_id,
    amount,
    wagering_requirement,
    wagering_target,
    wagered,
    CASE
        WHEN wagering_target > 0 THEN least(CAST(wagered AS DOUBLE) / CAST(wagering_target AS DOUBLE), 1.0)
        ELSE 1.0
    END AS progress,
    eligible_games,
    status,
    issued_at,
    expires_at,
    closed_at,
    rule_id,
    rule_version
FROM wallet_bonuses
WHERE player_id = $player_id
ORDER BY issued_at DESC, bonus_id
