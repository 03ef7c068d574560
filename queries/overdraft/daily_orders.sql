-- Orders per day (transactions of type order_type whose source is not in exclude_sources):
-- count, and amount per currency (NULL currency shown as 'unknown').
SELECT CAST(date_time AS DATE) AS day,
       coalesce(currency, 'unknown') AS currency,
       count(*) AS orders,
       sum(amount) AS amount
FROM lambda_tx
WHERE type = $order_type
  AND (source IS NULL OR NOT list_contains($exclude_sources, source))
GROUP BY ALL
ORDER BY day, currency
