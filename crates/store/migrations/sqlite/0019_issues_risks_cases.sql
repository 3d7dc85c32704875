-- Common issues and rectification (R-AN-6), the risk register (R-AN-7) and the case library
-- (R-AN-8). Keep in step with ../postgres.
CREATE TABLE common_issue (
    id              INTEGER PRIMARY KEY,
    org_path        TEXT NOT NULL,
    title           TEXT NOT NULL,
    root_cause      TEXT NOT NULL,
    plan            TEXT NOT NULL,
    owner_id        INTEGER NOT NULL REFERENCES app_user(id),
    deadline        TEXT NOT NULL,
    state           TEXT NOT NULL,
    result          TEXT,
    reported_at     INTEGER,
    created_by      INTEGER NOT NULL REFERENCES app_user(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX common_issue_path ON common_issue(org_path, created_at DESC);
CREATE TABLE common_issue_complaint (
    issue_id     INTEGER NOT NULL REFERENCES common_issue(id),
    complaint_id BLOB NOT NULL REFERENCES complaint(id),
    PRIMARY KEY (issue_id, complaint_id)
);
CREATE TABLE risk (
    id          INTEGER PRIMARY KEY,
    org_path    TEXT NOT NULL,
    source      TEXT NOT NULL,
    title       TEXT NOT NULL,
    assessment  TEXT NOT NULL,
    level       TEXT NOT NULL,
    mitigation  TEXT NOT NULL,
    status      TEXT NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES app_user(id),
    review_on   TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES app_user(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX risk_path ON risk(org_path, status);
CREATE TABLE case_entry (
    id           INTEGER PRIMARY KEY,
    complaint_id BLOB NOT NULL UNIQUE REFERENCES complaint(id),
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    lessons      TEXT NOT NULL,
    words        TEXT NOT NULL,
    published_by INTEGER NOT NULL REFERENCES app_user(id),
    published_at INTEGER NOT NULL
);
