-- How the contents ids were loaded before (if at all): file id, contract, table, name, rows loaded
-- and rejected.
SELECT file_id, contract, table_name, file_name, rows_loaded, rows_rejected
FROM loaded_files
WHERE file_id IN (SELECT i FROM unnest(CAST($ids AS VARCHAR[])) AS u(i))
