-- The roll-up also counts by the property's stage (售前, 签约, 交付, 入住维保, 物业; R-AN-3
-- "by … stage"); "" when the complaint names none. Rebuilt at the next start. Keep in step
-- with ../sqlite.
ALTER TABLE report_fact ADD COLUMN stage TEXT NOT NULL DEFAULT '';
DELETE FROM report_fact;
DELETE FROM report_cell;
