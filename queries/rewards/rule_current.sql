-- The current (highest) version of every stored reward rule, with who saved it and when.
SELECT rule_id, version, definition, action, changed_at, changed_by
FROM (
    SELECT
        *,
        row_number() OVER (PARTITION BY rule_id ORDER BY version DESC) AS newest
    FROM reward_rule_versions
) AS v
WHERE newest = 1
ORDER BY rule_id
