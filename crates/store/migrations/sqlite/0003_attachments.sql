-- Evidence attachments (R-IN-2, R-SEC-4). Files live under the data directory by id, never by
-- the uploaded name. Keep in step with ../postgres.
CREATE TABLE attachment (
    id           BLOB PRIMARY KEY,
    complaint_id BLOB NOT NULL REFERENCES complaint(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    stored_path  TEXT NOT NULL,
    uploaded_by  INTEGER REFERENCES app_user(id),
    uploaded_at  INTEGER NOT NULL
);
CREATE INDEX attachment_complaint ON attachment(complaint_id, uploaded_at);
