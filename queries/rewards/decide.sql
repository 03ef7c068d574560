-- Each player's reward decision from table picked (state + the first matching rule's formula value):
-- abuse score and action, the capped amount, expected value and ROI, caps against rewards already
-- issued (issued_totals, less the same reward issued before: issued_keys), and the code of the
-- first reason a matched reward is declined.
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
        coalesce(p.win_loss_ratio > $abnormal_win_rate, FALSE) AS sig_abnormal_win_rate
    FROM picked AS p
    LEFT JOIN abuse_signals AS a ON a.player_id = p.player_id
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
acted AS (
    SELECT
        *,
        CASE
            WHEN abuse_score <= $no_action_max THEN 'NO_ACTION'
            WHEN abuse_score <= $reduced_rewards_max THEN 'REDUCED_REWARDS'
            WHEN abuse_score <= $increased_wagering_max THEN 'INCREASED_WAGERING'
            ELSE 'BLOCKED'
        END AS abuse_action,
        CASE segment
            WHEN 'NEW' THEN $multiplier_new
            WHEN 'LOSING' THEN $multiplier_losing
            WHEN 'BREAKEVEN' THEN $multiplier_breakeven
            WHEN 'WINNING' THEN $multiplier_winning
            WHEN 'VIP' THEN $multiplier_vip
        END AS retention_multiplier
    FROM points
),
amounted AS (
    SELECT
        s.*,
        r.rule_id,
        r.rule_version,
        r.reward_type,
        r.expiry_hours,
        r.eligible_games,
        CASE
            WHEN r.reward_type = 'BONUS_BALANCE' AND s.abuse_action = 'INCREASED_WAGERING'
                THEN r.wagering_requirement * $increased_wagering_factor
            ELSE r.wagering_requirement
        END AS wagering_requirement,
        CASE
            WHEN s.rule_no IS NULL THEN NULL
            WHEN s.undefined_reason IS NOT NULL THEN s.undefined_reason
            WHEN coalesce(NOT isfinite(s.formula_value), TRUE) THEN 'the result is not a finite number'
        END AS undefined_why,
        CASE
            WHEN s.rule_no IS NULL THEN NULL
            WHEN s.undefined_reason IS NOT NULL OR coalesce(NOT isfinite(s.formula_value), TRUE) THEN 0.0
            ELSE round(
                least(greatest(s.formula_value, 0.0), r.max_amount)
                * CASE WHEN s.abuse_action = 'REDUCED_REWARDS' THEN $reduced_rewards_factor ELSE 1.0 END
                * $round_nudge,
                4
            ) + 0.0
        END AS amount,
        round(s.avg_wager_per_session * s.retention_multiplier * $round_nudge, 4) + 0.0 AS expected_wager,
        round(s.avg_wager_per_session * s.retention_multiplier * $house_edge * $round_nudge, 4)
        + 0.0 AS expected_revenue
    FROM acted AS s
    LEFT JOIN rule_table AS r ON r.rule_no = s.rule_no
),
valued AS (
    SELECT
        a.*,
        round(a.expected_revenue - a.amount, 4) + 0.0 AS expected_profit,
        coalesce(i.issued_day, 0.0) - coalesce(k.day_amount, 0.0) AS issued_day,
        coalesce(i.issued_week, 0.0) - coalesce(k.week_amount, 0.0) AS issued_week,
        k.player_id IS NOT NULL AS already_issued
    FROM amounted AS a
    LEFT JOIN issued_totals AS i ON i.player_id = a.player_id
    LEFT JOIN issued_keys AS k
        ON k.player_id = a.player_id AND k.rule_id = a.rule_id AND k.source_file = coalesce(a.source_file, '')
),
decided AS (
    SELECT
        *,
        CASE
            WHEN amount > 0 THEN round(expected_profit / amount * 100 * $round_nudge, 4) + 0.0
        END AS roi_percent
    FROM valued
),
declined AS (
    SELECT
        *,
        CASE
            WHEN rule_no IS NULL THEN NULL
            WHEN NOT player_active THEN 'inactive'
            WHEN abuse_action = 'BLOCKED' THEN 'blocked'
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
    segment,
    source_file,
    net_pnl,
    net_loss,
    avg_wager_per_session,
    win_loss_ratio,
    rule_no,
    rule_id,
    rule_version,
    reward_type,
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
    wagering_requirement,
    expiry_hours,
    eligible_games,
    abuse_score,
    abuse_action,
    sig_bonus_only,
    sig_fast_withdrawal,
    sig_bet_jump,
    sig_multi_accounting,
    sig_abnormal_win_rate
FROM declined
