-- Log blocks that could not be read, in every loaded log file: file, line and reason.
SELECT f.file_name AS file, r.line, r.reason
FROM load_rejects AS r
JOIN loaded_files AS f ON f.file_id = r.file_id
WHERE f.contract = 'lambda_logs'
ORDER BY f.file_name, r.line
