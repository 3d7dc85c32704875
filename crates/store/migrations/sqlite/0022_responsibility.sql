-- Responsibility for a closed complaint (R-AC-1): who answers for it and in what share, proposed
-- and then approved or rejected; a rejected assignment may be proposed again. Keep in step with
-- ../postgres.
CREATE TABLE responsibility (
    complaint_id BLOB PRIMARY KEY REFERENCES complaint(id),
    state        TEXT NOT NULL,
    proposed_by  INTEGER NOT NULL REFERENCES app_user(id),
    proposed_at  INTEGER NOT NULL,
    decided_by   INTEGER REFERENCES app_user(id),
    decided_at   INTEGER,
    note         TEXT
);
CREATE TABLE responsibility_share (
    complaint_id BLOB NOT NULL REFERENCES complaint(id),
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    party        TEXT NOT NULL,
    user_id      INTEGER REFERENCES app_user(id),
    share_bp     INTEGER NOT NULL,
    PRIMARY KEY (complaint_id, position)
);
