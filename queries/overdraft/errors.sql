-- Every loaded ERROR record with the contract's columns, in time order.
SELECT date_time, request_id, message_id, user_id, message, is_sync_error, file, line
FROM lambda_err
ORDER BY date_time, file, line
