-- Which of the given content hashes (file_ids) are loaded already, with the name they came under.
SELECT file_id, any_value(file_name) AS file_name
FROM loaded_files
WHERE file_id IN (SELECT unnest($file_ids))
GROUP BY file_id
