-- The accounts of one run with their labels and when the bank blocked each drop.
SELECT account_id, client_id, is_drop, drop_type, blocked_at
FROM drop_accounts
WHERE run_id = $run_id
ORDER BY account_id
