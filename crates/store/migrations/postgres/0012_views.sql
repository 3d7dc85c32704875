-- Saved views of the complaint list, per user (the console). Keep in step with ../sqlite.
CREATE TABLE saved_view (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    name    TEXT NOT NULL,
    query   TEXT NOT NULL,
    UNIQUE (user_id, name)
);
