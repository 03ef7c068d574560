-- Every subscriber with transactions: how many, how many out of sync, the lowest payment balance.
SELECT user_id,
       count(*) AS transactions,
       count(*) FILTER (WHERE NOT in_sync) AS out_of_sync,
       min(payment_balance) AS lowest_payment_balance,
       max(date_time) AS latest_at
FROM lambda_tx
WHERE user_id IS NOT NULL
GROUP BY user_id
ORDER BY out_of_sync DESC, lowest_payment_balance, user_id
