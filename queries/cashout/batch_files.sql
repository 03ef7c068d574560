-- Contents (ids) audit-batch has already audited and archived: file id, name, day and archive path.
SELECT file_id, any_value(file_name) AS file_name, min(batch_date) AS batch_date,
       any_value(archived_to) AS archived_to
FROM cashout_batch_files
WHERE file_id IN (SELECT i FROM unnest(CAST($ids AS VARCHAR[])) AS u(i))
GROUP BY file_id
