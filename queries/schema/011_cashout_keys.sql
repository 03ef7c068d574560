-- Cashout audits: columns added after the first release of 010 (for stores made before them) and
-- the keys that make a re-audit add nothing and a batch never audit the same content twice.
ALTER TABLE cashout_events ADD COLUMN IF NOT EXISTS counterparty_name VARCHAR;
ALTER TABLE cashout_events ADD COLUMN IF NOT EXISTS raw_type VARCHAR;
ALTER TABLE cashout_audits ADD COLUMN IF NOT EXISTS source_file VARCHAR;
ALTER TABLE cashout_audits ADD COLUMN IF NOT EXISTS file_name VARCHAR;
ALTER TABLE cashout_audits ADD COLUMN IF NOT EXISTS unit VARCHAR DEFAULT 'currency';
ALTER TABLE cashout_audits ADD COLUMN IF NOT EXISTS reasons VARCHAR DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS cashout_audits_once ON cashout_audits (cashout_id, source_file);
CREATE UNIQUE INDEX IF NOT EXISTS cashout_audits_id ON cashout_audits (audit_id);
CREATE UNIQUE INDEX IF NOT EXISTS cashout_decisions_id ON cashout_decisions (decision_id);
CREATE UNIQUE INDEX IF NOT EXISTS cashout_batch_files_once ON cashout_batch_files (file_id);
