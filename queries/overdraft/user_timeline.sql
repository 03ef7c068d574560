-- One subscriber's transactions in time order: balances and whether each was in sync.
SELECT date_time, id, type, source, action, amount, currency, payment_balance,
       new_balance AS subscription_balance, in_sync
FROM lambda_tx
WHERE user_id = $user_id
ORDER BY date_time, id
