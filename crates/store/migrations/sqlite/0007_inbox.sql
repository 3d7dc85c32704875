-- The in-app inbox (R-NT-1): notices to staff are read where they are stored.
-- Keep in step with ../postgres.
ALTER TABLE outbox ADD COLUMN read_at INTEGER;
CREATE INDEX outbox_inbox ON outbox(recipient, id) WHERE channel = 'inbox';
