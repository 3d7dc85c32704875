-- The working calendar (R-SLA-2): one row per year, dates as ISO text in JSON arrays.
-- Keep in step with ../sqlite.
CREATE TABLE calendar_year (
    year            INTEGER PRIMARY KEY,
    holidays        TEXT NOT NULL,
    makeup_workdays TEXT NOT NULL,
    updated_at      BIGINT NOT NULL
);
