-- One player's issued rewards, newest first, with the rule version and expected value at issue.
SELECT
    issued_at,
    rule_id,
    rule_version,
    reward_type,
    amount,
    segment,
    expected_revenue,
    expected_profit,
    roi_percent,
    abuse_action,
    issued_by,
    idempotency_key
FROM reward_issues
WHERE player_id = $player_id
ORDER BY issued_at DESC, entry_id
