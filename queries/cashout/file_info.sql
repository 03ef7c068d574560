-- Loaded files files (NULL: all): id, name, rows rejected and the first rejected lines.
SELECT f.file_id, any_value(f.file_name) AS file_name, max(f.rows_rejected) AS rows_rejected,
       list(DISTINCT r.line) FILTER (WHERE r.line IS NOT NULL) AS lines
FROM loaded_files AS f
LEFT JOIN load_rejects AS r ON r.file_id = f.file_id
WHERE $files IS NULL OR f.file_id IN (SELECT x FROM unnest(CAST($files AS VARCHAR[])) AS u(x))
GROUP BY f.file_id
