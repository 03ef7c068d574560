-- Each player's reward decision from table picked (state + the first matching rule's number,
-- formula value and max amount): abuse score (ledger signals from player_side), the
-- capped amount, expected value and ROI, caps against rewards already issued (player_side, less
-- the same reward issued before: issued_keys), and the code of the first reason a matched reward
-- is declined. The caller adds the segment and action names (from segment_code and abuse_score)
-- and the rule constants (id, type, wagering) from rule_no.
WITH scored AS (
    SELECT
        p.*,
        CASE
            WHEN a.has_ledger THEN coalesce(a.bonus_only, FALSE)
            ELSE coalesce(p.total_deposited = 0 AND p.bonus_received > 0, FALSE)
        END AS sig_bonus_only,
        coalesce(a.fast_withdrawal, FALSE) AS sig_fast_withdrawal,
        coalesce(a.bet_jump, FALSE) AS sig_bet_jump,
        coalesce(a.multi_accounting, FALSE) AS sig_multi_accounting,
        coalesce(p.win_loss_ratio > $abnormal_win_rate, FALSE) AS sig_abnormal_win_rate,
        coalesce(a.issued_day, 0.0) - coalesce(k.day_amount, 0.0) AS issued_day,
        coalesce(a.issued_week, 0.0) - coalesce(k.week_amount, 0.0) AS issued_week,
        k.player_id IS NOT NULL AS already_issued
    FROM picked AS p
    LEFT JOIN player_side AS a ON a.player_id = p.player_id
    LEFT JOIN issued_keys AS k
        ON k.player_id = p.player_id AND k.rule_no = p.rule_no AND k.source_file = coalesce(p.source_file, '')
),
points AS (
    SELECT
        *,
        least(
            100,
            CASE WHEN sig_bonus_only THEN $points_bonus_only ELSE 0 END
            + CASE WHEN sig_fast_withdrawal THEN $points_fast_withdrawal ELSE 0 END
            + CASE WHEN sig_bet_jump THEN $points_bet_jump ELSE 0 END
            + CASE WHEN sig_multi_accounting THEN $points_multi_accounting ELSE 0 END
            + CASE WHEN sig_abnormal_win_rate THEN $points_abnormal_win_rate ELSE 0 END
        ) AS abuse_score
    FROM scored
),
amounted AS (
    SELECT
        *,
        CASE
            WHEN rule_no IS NULL THEN NULL
            WHEN undefined_reason IS NOT NULL THEN undefined_reason
            WHEN coalesce(NOT isfinite(formula_value), TRUE) THEN 'the result is not a finite number'
        END AS undefined_why,
        CASE
            WHEN rule_no IS NULL THEN NULL
            WHEN undefined_reason IS NOT NULL OR coalesce(NOT isfinite(formula_value), TRUE) THEN 0.0
            ELSE round(
                least(greatest(formula_value, 0.0), max_amount)
                * CASE
                    WHEN abuse_score > $no_action_max AND abuse_score <= $reduced_rewards_max
                        THEN $reduced_rewards_factor
                    ELSE 1.0
                END
                * $round_nudge,
                4
            ) + 0.0
        END AS amount,
        avg_wager_per_session * CASE segment_code
            WHEN 0 THEN $multiplier_new
            WHEN 1 THEN $multiplier_vip
            WHEN 2 THEN $multiplier_winning
            WHEN 3 THEN $multiplier_losing
            WHEN 4 THEN $multiplier_breakeven
        END AS wager_exact
    FROM points
),
valued AS (
    SELECT
        *,
        round(wager_exact * $round_nudge, 4) + 0.0 AS expected_wager,
        round(wager_exact * $house_edge * $round_nudge, 4) + 0.0 AS expected_revenue
    FROM amounted
),
decided AS (
    SELECT
        *,
        round(expected_revenue - amount, 4) + 0.0 AS expected_profit,
        CASE
            WHEN amount > 0 THEN round((round(expected_revenue - amount, 4) + 0.0) / amount * 100 * $round_nudge, 4)
            + 0.0
        END AS roi_percent
    FROM valued
),
declined AS (
    SELECT
        *,
        CASE
            WHEN rule_no IS NULL THEN NULL
            WHEN NOT player_active THEN 'inactive'
            WHEN abuse_score > $increased_wagering_max THEN 'blocked'
            WHEN undefined_why IS NOT NULL THEN 'undefined'
            WHEN amount <= 0 THEN 'zero'
            WHEN roi_percent < $min_roi_percent THEN 'roi'
            WHEN round(issued_day + amount, 4) > $daily_cap THEN 'daily_cap'
            WHEN round(issued_week + amount, 4) > $weekly_cap THEN 'weekly_cap'
        END AS decline_code
    FROM decided
)
SELECT
    player_id,
    segment_code,
    source_file,
    net_pnl,
    net_loss,
    avg_wager_per_session,
    win_loss_ratio,
    rule_no,
    amount,
    expected_wager,
    expected_revenue,
    expected_profit,
    roi_percent,
    decline_code,
    rule_no IS NOT NULL AND decline_code IS NULL AS approved,
    undefined_why,
    issued_day,
    issued_week,
    already_issued,
    abuse_score,
    sig_bonus_only,
    sig_fast_withdrawal,
    sig_bet_jump,
    sig_multi_accounting,
    sig_abnormal_win_rate
FROM declined
