-- The roll-up also counts by handler (R-AC-4 staff figures): the handler's user id as text, ""
-- before assignment. Rebuilt at the next start. Keep in step with ../sqlite.
ALTER TABLE report_fact ADD COLUMN handler TEXT NOT NULL DEFAULT '';
DELETE FROM report_fact;
DELETE FROM report_cell;
