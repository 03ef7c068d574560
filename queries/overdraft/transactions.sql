-- Every loaded transaction with the contract's columns, in time order.
SELECT date_time, request_id, message_id, id, type, source, action, user_id, payment_balance,
       update_payment_balance, currency, amount, vat, old_balance, new_balance, metadata, in_sync
FROM lambda_tx
ORDER BY date_time, request_id, id
