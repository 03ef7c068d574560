-- Everything that happened to one cashout (cashout_id): its audits and its decisions, oldest first.
SELECT 'audit' AS kind, audited_at AS happened_at, auditor AS who, verdict AS what, reasons AS detail,
       audit_id, file_name
FROM cashout_audits
WHERE cashout_id = $cashout_id
UNION ALL
SELECT 'decision' AS kind, decided_at AS happened_at, decided_by AS who, decision AS what, comment AS detail,
       audit_id, NULL AS file_name
FROM cashout_decisions
WHERE cashout_id = $cashout_id
ORDER BY happened_at, kind
