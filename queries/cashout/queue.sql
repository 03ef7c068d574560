-- The audit queue: the latest audit of each cashout id with its latest decision, newest cashout
-- first; filtered by verdicts (verdicts), reason codes (reasons: any of them), cashout time
-- (since inclusive, until exclusive) and a player id or username fragment (player); NULL = no filter.
WITH latest AS (
    SELECT *
    FROM (
        SELECT a.*, row_number() OVER (PARTITION BY a.cashout_id ORDER BY a.audited_at DESC, a.audit_id) AS rk
        FROM cashout_audits AS a
    ) AS ranked
    WHERE rk = 1
),
decided AS (
    SELECT cashout_id, count(*) AS decisions, max(decided_at) AS decided_at,
           arg_max(decision, decided_at) AS decision, arg_max(decided_by, decided_at) AS decided_by
    FROM cashout_decisions
    GROUP BY cashout_id
)
SELECT l.audit_id, l.cashout_id, l.user_id, l.username, l.cashout_time, l.amount, l.unit, l.verdict,
       l.reasons, l.take_per_game, l.file_name, l.auditor, l.audited_at,
       coalesce(d.decision, 'pending') AS decision, d.decided_by, d.decided_at,
       coalesce(d.decisions, 0) AS decisions
FROM latest AS l
LEFT JOIN decided AS d ON d.cashout_id = l.cashout_id
WHERE ($verdicts IS NULL OR l.verdict IN (SELECT v FROM unnest(CAST($verdicts AS VARCHAR[])) AS u(v)))
  AND ($reasons IS NULL OR EXISTS (
        SELECT 1 FROM unnest(CAST($reasons AS VARCHAR[])) AS r(code)
        WHERE position(',' || r.code || ',' IN ',' || l.reasons || ',') > 0))
  AND ($since IS NULL OR l.cashout_time >= CAST($since AS TIMESTAMP))
  AND ($until IS NULL OR l.cashout_time < CAST($until AS TIMESTAMP))
  AND ($player IS NULL OR position(lower($player) IN lower(l.user_id)) > 0
       OR position(lower($player) IN lower(coalesce(l.username, ''))) > 0)
ORDER BY l.cashout_time DESC, l.cashout_id
LIMIT $limit
