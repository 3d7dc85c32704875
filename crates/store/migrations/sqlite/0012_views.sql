-- Saved views of the complaint list, per user (the console). Keep in step with ../postgres.
CREATE TABLE saved_view (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    name    TEXT NOT NULL,
    query   TEXT NOT NULL,
    UNIQUE (user_id, name)
);
