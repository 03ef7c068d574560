-- Each player's derived state and segment (contracts/players.md), read from the view input_players.
-- Segments compare the input's own numbers (exact for the store's decimals); fields become DOUBLE.
-- segment_code numbers the segments in the contract's order: 0 NEW, 1 VIP, 2 WINNING, 3 LOSING,
-- 4 BREAKEVEN (analytics/rewards/settings.SEGMENTS).
SELECT
    player_id,
    CAST(total_deposited AS DOUBLE) AS total_deposited,
    CAST(total_wagered AS DOUBLE) AS total_wagered,
    CAST(total_won AS DOUBLE) AS total_won,
    CAST(sessions AS DOUBLE) AS sessions,
    CAST(sessions AS DOUBLE) AS session_count,
    CAST(playtime_hours AS DOUBLE) AS playtime_hours,
    CAST(total_withdrawn AS DOUBLE) AS total_withdrawn,
    CAST(bonus_received AS DOUBLE) AS bonus_received,
    registered_at,
    last_active_at,
    tier,
    source_file,
    player_active,
    CAST(total_won - total_wagered AS DOUBLE) AS net_pnl,
    CAST(greatest(total_wagered - total_won, 0) AS DOUBLE) AS net_loss,
    CAST(total_wagered AS DOUBLE) / greatest(sessions, 1) AS avg_wager_per_session,
    CASE
        WHEN total_wagered > 0 THEN CAST(total_won AS DOUBLE) / CAST(total_wagered AS DOUBLE)
    END AS win_loss_ratio,
    CAST(CASE
        WHEN total_wagered < $new_wagered_below THEN 0
        WHEN total_wagered >= $vip_wagered_min AND sessions >= $vip_sessions_min THEN 1
        WHEN total_won - total_wagered > $winning_share * total_wagered THEN 2
        WHEN total_won - total_wagered < -$losing_share * total_wagered THEN 3
        ELSE 4
    END AS TINYINT) AS segment_code
FROM input_players
