-- Penalties and rewards (R-AC-2; seed 001-4): each person's efficiency bonus per month, the
-- ledger of penalties and rewards in fen, and the months closed for HR. Keep in step with
-- ../postgres.
CREATE TABLE efficiency_bonus (
    user_id    INTEGER NOT NULL REFERENCES app_user(id),
    month      TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    PRIMARY KEY (user_id, month)
);
CREATE TABLE sanction (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES app_user(id),
    month        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    bases        INTEGER NOT NULL,
    amount_fen   INTEGER NOT NULL,
    complaint_id BLOB REFERENCES complaint(id),
    reason       TEXT NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES app_user(id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX sanction_user_month ON sanction(user_id, month);
CREATE TABLE closed_month (
    month     TEXT PRIMARY KEY,
    closed_by INTEGER NOT NULL REFERENCES app_user(id),
    closed_at INTEGER NOT NULL
);
