-- Responsibility for a closed complaint (R-AC-1): who answers for it and in what share, proposed
-- and then approved or rejected; a rejected assignment may be proposed again. Keep in step with
-- ../sqlite.
CREATE TABLE responsibility (
    complaint_id UUID PRIMARY KEY REFERENCES complaint(id),
    state        TEXT NOT NULL,
    proposed_by  BIGINT NOT NULL REFERENCES app_user(id),
    proposed_at  BIGINT NOT NULL,
    decided_by   BIGINT REFERENCES app_user(id),
    decided_at   BIGINT,
    note         TEXT
);
CREATE TABLE responsibility_share (
    complaint_id UUID NOT NULL REFERENCES complaint(id),
    position     BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    party        TEXT NOT NULL,
    user_id      BIGINT REFERENCES app_user(id),
    share_bp     BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, position)
);
