-- Early warnings (R-AN-5): one row per warning; (kind, subject, bucket) keeps one warning per
-- matter and window however many processes notice it. Keep in step with ../postgres.
CREATE TABLE warning (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    bucket          INTEGER NOT NULL,
    org_path        TEXT NOT NULL,
    title_zh        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    detail          TEXT NOT NULL,
    complaint_id    BLOB REFERENCES complaint(id),
    raised_at       INTEGER NOT NULL,
    acknowledged_by INTEGER REFERENCES app_user(id),
    acknowledged_at INTEGER,
    note            TEXT,
    UNIQUE (kind, subject, bucket)
);
CREATE INDEX warning_raised ON warning(raised_at DESC);
-- Recurring defects and forming groups count a project's complaints of one category, from the
-- index alone and only up to the threshold, so registration stays cheap.
CREATE INDEX complaint_defect ON complaint(project_id, category_code, building, received_at);
CREATE INDEX complaint_households ON complaint(project_id, category_code, received_at, complainant_id);
