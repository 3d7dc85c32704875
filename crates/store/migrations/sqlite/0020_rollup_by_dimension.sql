-- The roll-up keeps one cell per day, project and value of each dimension on its own (bench:
-- a cell keyed by every dimension at once grows towards one cell per complaint when the values
-- vary, and a month's summary then reads hundreds of thousands of cells; by dimension a month
-- is at most days × projects × values of one dimension). The contributions are recomputed at
-- the next start (services::reports::backfill). Keep in step with ../postgres.
DROP TABLE report_cell;
DELETE FROM report_fact;
CREATE TABLE report_cell (
    dim               TEXT NOT NULL,
    day               INTEGER NOT NULL,
    org_path          TEXT NOT NULL,
    key               TEXT NOT NULL,
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
    PRIMARY KEY (dim, day, org_path, key)
);
