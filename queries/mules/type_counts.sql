-- Transactions per type, kind of account (distributor, purchaser, ordinary) and status in one run.
SELECT txn_type,
       CASE WHEN is_fraud = 1 THEN replace(fraud_type, 'drop_', '') ELSE 'ordinary' END AS kind,
       status,
       count(*) AS transactions,
       sum(amount) AS amount
FROM drop_transactions
WHERE run_id = $run_id
GROUP BY ALL
ORDER BY txn_type, kind, status
