-- Approved in-bank transfers sent by drops in one run, per sender and receiver: count and amount.
SELECT t.account_id AS source,
       t.counterparty AS target,
       coalesce(s.drop_type, 'ordinary') AS source_kind,
       coalesce(r.drop_type, 'ordinary') AS target_kind,
       count(*) AS transfers,
       sum(t.amount) AS amount
FROM drop_transactions AS t
JOIN drop_accounts AS s ON s.run_id = t.run_id AND s.account_id = t.account_id
JOIN drop_accounts AS r ON r.run_id = t.run_id AND r.account_id = t.counterparty
WHERE t.run_id = $run_id AND t.txn_type = 'transfer_out' AND t.status = 'approved' AND s.is_drop = 1
GROUP BY ALL
ORDER BY source, target
