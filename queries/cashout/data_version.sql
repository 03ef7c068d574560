-- A fingerprint of the stored audits and decisions (counts and latest times): it changes on every write.
SELECT (SELECT count(*) FROM cashout_audits) AS audits,
       (SELECT max(audited_at) FROM cashout_audits) AS last_audit,
       (SELECT count(*) FROM cashout_decisions) AS decisions,
       (SELECT max(decided_at) FROM cashout_decisions) AS last_decision
