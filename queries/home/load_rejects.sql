-- The rejected rows of one loaded file with their line numbers and reasons.
SELECT line, reason, raw
FROM load_rejects
WHERE file_id = $file_id
ORDER BY line NULLS LAST
LIMIT $limit
