-- The stored audits whose ids are in ids: id and the audit's JSON.
SELECT audit_id, result
FROM cashout_audits
WHERE audit_id IN (SELECT i FROM unnest(CAST($ids AS VARCHAR[])) AS u(i))
