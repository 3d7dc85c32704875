-- Workflow (R-WF-1…11): what the actions record on the complaint. Keep in step with ../postgres.
ALTER TABLE complaint ADD COLUMN accountable_user_id INTEGER REFERENCES app_user(id);
ALTER TABLE complaint ADD COLUMN complained_user_id INTEGER REFERENCES app_user(id);
ALTER TABLE complaint ADD COLUMN assessment TEXT;
ALTER TABLE complaint ADD COLUMN plan TEXT;
ALTER TABLE complaint ADD COLUMN approvals_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaint ADD COLUMN plan_in_force INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaint ADD COLUMN callback_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaint ADD COLUMN satisfaction TEXT;
ALTER TABLE complaint ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaint ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE complaint ADD COLUMN merged_into TEXT;
ALTER TABLE complaint ADD COLUMN closed_at INTEGER;
ALTER TABLE complaint ADD COLUMN archived_at INTEGER;

-- Lead and co-handling departments (R-WF-2).
CREATE TABLE complaint_department (
    complaint_id  BLOB NOT NULL REFERENCES complaint(id),
    department_id INTEGER NOT NULL REFERENCES department(id),
    lead          INTEGER NOT NULL,
    PRIMARY KEY (complaint_id, department_id)
);
CREATE INDEX complaint_department_dept ON complaint_department(department_id);
