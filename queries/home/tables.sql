-- The user-facing tables of the store with their column counts (bookkeeping tables left out).
SELECT t.table_name, count(c.column_name) AS columns
FROM information_schema.tables AS t
JOIN information_schema.columns AS c
  ON c.table_schema = t.table_schema AND c.table_name = t.table_name
WHERE t.table_schema = 'main'
  AND t.table_type = 'BASE TABLE'
  AND t.table_name <> 'schema_migrations'
GROUP BY t.table_name
ORDER BY t.table_name
