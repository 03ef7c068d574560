-- One stored audit (audit_id): its JSON, file id and cashout id.
SELECT audit_id, cashout_id, source_file, result
FROM cashout_audits
WHERE audit_id = $audit_id
