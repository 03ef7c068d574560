-- One player's wallet ledger entries, newest first.
SELECT created_at, currency, amount, balance_after, kind, rule_id, rule_version, idempotency_key, note, created_by
FROM wallet_ledger
WHERE player_id = $player_id
ORDER BY created_at DESC, entry_id
