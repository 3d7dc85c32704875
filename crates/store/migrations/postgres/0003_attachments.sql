-- Evidence attachments (R-IN-2, R-SEC-4). Files live under the data directory by id, never by
-- the uploaded name. Keep in step with ../sqlite.
CREATE TABLE attachment (
    id           UUID PRIMARY KEY,
    complaint_id UUID NOT NULL REFERENCES complaint(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    stored_path  TEXT NOT NULL,
    uploaded_by  BIGINT REFERENCES app_user(id),
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX attachment_complaint ON attachment(complaint_id, uploaded_at);
