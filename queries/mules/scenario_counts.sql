-- Batches per scenario and kind of drop in one run (a batch is an approved inbound transfer of a drop).
SELECT replace(fraud_type, 'drop_', '') AS kind, scenario, count(*) AS batches, sum(amount) AS amount
FROM drop_transactions
WHERE run_id = $run_id AND is_fraud = 1 AND direction = 'in' AND status = 'approved'
GROUP BY ALL
ORDER BY kind, scenario
