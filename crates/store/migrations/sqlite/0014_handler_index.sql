-- A handler's own queue (the console's workbench) without walking every complaint.
-- Keep in step with ../postgres.
CREATE INDEX complaint_handler ON complaint(handler_id, received_at DESC);
