-- Silences between consecutive log records that were long enough to keep, in time order.
SELECT gap_start, gap_end, gap_seconds, file, line
FROM lambda_gaps
ORDER BY gap_start, file
