-- Who uses the devices devices, anywhere in cashout_events: one row per device and account.
SELECT DISTINCT device_id, user_id
FROM cashout_events
WHERE device_id IN (SELECT d FROM unnest(CAST($devices AS VARCHAR[])) AS u(d))
ORDER BY device_id, user_id
