-- Every saved version of one rule, newest first: who, when, what changed (the diff) and why.
SELECT rule_id, version, action, diff, definition, changed_at, changed_by
FROM reward_rule_versions
WHERE rule_id = $rule_id
ORDER BY version DESC
