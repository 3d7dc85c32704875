-- A project's complaints in the list's order (receipt time, then id) from the index alone, with
-- the columns every list tests (the scope's org path, R-ORG-4; the complained person, R-WF-3)
-- (issue 9, R-AN-1): the search within one project takes its candidates from here without
-- reading a complaint row (2-5 ms for 256-1,024 candidates at 1,000,000 against 12-74 ms
-- through the table).
-- Keep in step with ../postgres.
DROP INDEX complaint_project;
CREATE INDEX complaint_project ON complaint(project_id, received_at DESC, id DESC, org_path, complained_user_id);
