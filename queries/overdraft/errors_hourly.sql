-- Errors per hour and message head (first 200 characters), with whether they are sync errors.
SELECT date_trunc('hour', date_time) AS hour,
       is_sync_error,
       left(message, 200) AS head,
       count(*) AS errors
FROM lambda_err
WHERE date_time IS NOT NULL
GROUP BY ALL
ORDER BY hour
