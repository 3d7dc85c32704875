-- Related complaints (R-WF-10): same building, same defect, same matter. Stored once per pair,
-- with the smaller id first. Keep in step with ../sqlite.
CREATE TABLE complaint_link (
    a          UUID NOT NULL REFERENCES complaint(id),
    b          UUID NOT NULL REFERENCES complaint(id),
    reason     TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX complaint_link_b ON complaint_link(b);
