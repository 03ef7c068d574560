-- Per unit: how many audited cashouts have a take per game, and its percentile quantile (linear
-- interpolation); each cashout id counts once, with its latest audit. Feeds take_per_game_outlier.
SELECT unit, count(*) AS audits, quantile_cont(take_per_game, $percentile) AS threshold
FROM (
    SELECT unit, cashout_id, arg_max(take_per_game, audited_at) AS take_per_game
    FROM cashout_audits
    GROUP BY unit, cashout_id
) AS latest
WHERE take_per_game IS NOT NULL
GROUP BY unit
