-- Deadlines recomputed when a clock policy, the calendar or business hours change (R-SLA-1,
-- R-SLA-2): when each clock started and whether it was extended by approval; business hours per
-- org node (minutes after midnight, Asia/Shanghai; NULL inherits from the parent); a settings
-- epoch that every process polls so cached settings follow a change made elsewhere.
-- Keep in step with ../sqlite.
ALTER TABLE deadline ADD COLUMN started_at BIGINT;
ALTER TABLE deadline ADD COLUMN extended_at BIGINT;
UPDATE deadline SET started_at = (SELECT received_at FROM complaint WHERE complaint.id = deadline.complaint_id)
 WHERE clock IN ('first_response', 'acknowledge', 'dispatch', 'handle', 'feedback', 'initial_investigation',
                 'final_handling', 'urgent_notify_department', 'urgent_notify_leader', 'urgent_notify_board');
ALTER TABLE org_node ADD COLUMN open_min INTEGER;
ALTER TABLE org_node ADD COLUMN close_min INTEGER;
CREATE TABLE settings_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);
INSERT INTO settings_epoch (id, epoch) VALUES (1, 0);
