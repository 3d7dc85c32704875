-- Related complaints (R-WF-10): same building, same defect, same matter. Stored once per pair,
-- with the smaller id first. Keep in step with ../postgres.
CREATE TABLE complaint_link (
    a          BLOB NOT NULL REFERENCES complaint(id),
    b          BLOB NOT NULL REFERENCES complaint(id),
    reason     TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX complaint_link_b ON complaint_link(b);
