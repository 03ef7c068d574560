-- The cashouts a day's pull audited (day), with their stored audit JSON and the admin push, if any.
SELECT d.cashout_id, d.audit_id, d.user_id, a.result, p.status AS push_status, p.attempts AS push_attempts
FROM daily_cashouts AS d
JOIN cashout_audits AS a ON a.audit_id = d.audit_id
LEFT JOIN admin_pushes AS p ON p.cashout_id = d.cashout_id
WHERE d.day = $day
ORDER BY a.cashout_time, d.cashout_id
