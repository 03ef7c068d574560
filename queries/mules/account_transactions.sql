-- One account's transactions in one run, in time order (one drop's life).
SELECT txn_id, "timestamp", counterparty, amount, direction, txn_type, status, merchant_id, city, device_id,
       channel, scenario, period, rule
FROM drop_transactions
WHERE run_id = $run_id AND account_id = $account_id
ORDER BY "timestamp", txn_id
