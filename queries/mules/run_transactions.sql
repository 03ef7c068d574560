-- Every transaction of one run in the contract's columns, in time order.
SELECT txn_id, "timestamp", account_id, counterparty, amount, direction, txn_type, status, merchant_id,
       lat, lon, ip, city, device_id, channel, is_fraud, fraud_type, scenario, period, rule
FROM drop_transactions
WHERE run_id = $run_id
ORDER BY "timestamp", txn_id
