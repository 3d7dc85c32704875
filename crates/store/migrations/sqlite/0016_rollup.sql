-- Report roll-up (R-AN-3, bench/RESULTS.md): each complaint's contribution to the figures is
-- kept in `report_fact`, and their sums per day and per value of every dimension in
-- `report_cell`, both maintained in the transaction that changes a complaint. A monthly summary
-- adds up cells instead of visiting every complaint. Keep in step with ../postgres.
CREATE TABLE report_fact (
    complaint_id      BLOB PRIMARY KEY REFERENCES complaint(id),
    day               INTEGER NOT NULL,
    org_path          TEXT NOT NULL,
    project           TEXT NOT NULL,
    department        TEXT NOT NULL,
    category          TEXT NOT NULL,
    grade             TEXT NOT NULL,
    channel           TEXT NOT NULL,
    state             TEXT NOT NULL,
    response_ok       INTEGER NOT NULL,
    response_measured INTEGER NOT NULL,
    handling_ok       INTEGER NOT NULL,
    handling_measured INTEGER NOT NULL,
    closed            INTEGER NOT NULL,
    closable          INTEGER NOT NULL,
    satisfied         INTEGER NOT NULL,
    rated             INTEGER NOT NULL,
    repeated          INTEGER NOT NULL
);
CREATE TABLE report_cell (
    day               INTEGER NOT NULL,
    org_path          TEXT NOT NULL,
    project           TEXT NOT NULL,
    department        TEXT NOT NULL,
    category          TEXT NOT NULL,
    grade             TEXT NOT NULL,
    channel           TEXT NOT NULL,
    state             TEXT NOT NULL,
    count             INTEGER NOT NULL,
    response_ok       INTEGER NOT NULL,
    response_measured INTEGER NOT NULL,
    handling_ok       INTEGER NOT NULL,
    handling_measured INTEGER NOT NULL,
    closed            INTEGER NOT NULL,
    closable          INTEGER NOT NULL,
    satisfied         INTEGER NOT NULL,
    rated             INTEGER NOT NULL,
    repeated          INTEGER NOT NULL,
    PRIMARY KEY (day, org_path, project, department, category, grade, channel, state)
);
-- Complaints about a given staff member, taken out of that member's own figures.
CREATE INDEX complaint_complained ON complaint(complained_user_id) WHERE complained_user_id IS NOT NULL;
