-- The SLA sweep (R-SLA-3, R-SLA-5): what has been done to each clock, and when to look next.
-- Keep in step with ../sqlite.
ALTER TABLE deadline ADD COLUMN warned_at BIGINT;
ALTER TABLE deadline ADD COLUMN breached_at BIGINT;
ALTER TABLE deadline ADD COLUMN ladder_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deadline ADD COLUMN next_action_at BIGINT;
UPDATE deadline SET next_action_at = due_at WHERE met_at IS NULL;
CREATE INDEX deadline_next ON deadline(next_action_at) WHERE met_at IS NULL AND next_action_at IS NOT NULL;
