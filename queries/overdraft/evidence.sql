-- Transactions by overdraft (payment balance below zero) and in-sync state: the evidence that
-- overdraft rows are mostly out of sync while the others mostly are not.
SELECT payment_balance < 0 AS overdraft, in_sync, count(*) AS transactions
FROM lambda_tx
WHERE payment_balance IS NOT NULL
GROUP BY ALL
ORDER BY overdraft, in_sync
