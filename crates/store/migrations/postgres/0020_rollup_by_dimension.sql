-- The roll-up keeps one cell per day, project and value of each dimension on its own (bench:
-- a cell keyed by every dimension at once grows towards one cell per complaint when the values
-- vary, and a month's summary then reads hundreds of thousands of cells; by dimension a month
-- is at most days × projects × values of one dimension). The contributions are recomputed at
-- the next start (services::reports::backfill). Keep in step with ../sqlite.
DROP TABLE report_cell;
DELETE FROM report_fact;
CREATE TABLE report_cell (
    dim               TEXT NOT NULL,
    day               BIGINT NOT NULL,
    org_path          TEXT NOT NULL,
    key               TEXT NOT NULL,
    count             BIGINT NOT NULL,
    response_ok       BIGINT NOT NULL,
    response_measured BIGINT NOT NULL,
    handling_ok       BIGINT NOT NULL,
    handling_measured BIGINT NOT NULL,
    closed            BIGINT NOT NULL,
    closable          BIGINT NOT NULL,
    satisfied         BIGINT NOT NULL,
    rated             BIGINT NOT NULL,
    repeated          BIGINT NOT NULL,
    PRIMARY KEY (dim, day, org_path, key)
);
