-- Files loaded into the store, newest first: name, contract, table, rows loaded and rejected.
SELECT file_name, contract, table_name, rows_loaded, rows_rejected, loaded_at, loaded_by, file_id
FROM loaded_files
ORDER BY loaded_at DESC, file_name
LIMIT $limit
