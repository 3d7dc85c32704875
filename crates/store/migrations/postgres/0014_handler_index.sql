-- A handler's own queue (the console's workbench) without walking every complaint.
-- Keep in step with ../sqlite.
CREATE INDEX complaint_handler ON complaint(handler_id, received_at DESC);
