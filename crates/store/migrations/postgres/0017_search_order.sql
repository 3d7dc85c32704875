-- SQLite re-keys its full-text documents by time of receipt here (see ../sqlite). PostgreSQL's
-- planner already walks complaints by received_at and checks the GIN-indexed tsvector, so
-- nothing changes; the file keeps the two migration sequences in step.
SELECT 1;
