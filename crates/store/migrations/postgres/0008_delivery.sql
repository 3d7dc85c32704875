-- Delivery of the outbox (R-NT-3): a message being sent is leased, so a crashed sender's
-- message is picked up again when the lease runs out. Keep in step with ../sqlite.
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
