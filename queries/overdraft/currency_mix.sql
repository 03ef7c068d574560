-- Orders per currency (NULL or missing currency as 'unknown'): count and amount.
SELECT coalesce(currency, 'unknown') AS currency, count(*) AS orders, sum(amount) AS amount
FROM lambda_tx
WHERE type = $order_type
  AND (source IS NULL OR NOT list_contains($exclude_sources, source))
GROUP BY ALL
ORDER BY orders DESC, currency
