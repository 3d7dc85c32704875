-- Kesu schema, SQLite. Instants are INTEGER milliseconds since the epoch (UTC).
-- Keep in step with ../postgres/0001_spine.sql.

CREATE TABLE org_node (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES org_node(id),
    kind      TEXT NOT NULL CHECK (kind IN ('group','region','city','project','property_company')),
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    name_en   TEXT,
    path      TEXT NOT NULL UNIQUE
);

CREATE TABLE building (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES org_node(id),
    name       TEXT NOT NULL,
    sort       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, name)
);

CREATE TABLE unit (
    id          INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES building(id),
    name        TEXT NOT NULL,
    UNIQUE (building_id, name)
);

CREATE TABLE department (
    id          INTEGER PRIMARY KEY,
    org_node_id INTEGER NOT NULL REFERENCES org_node(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT,
    UNIQUE (org_node_id, code)
);

CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL
);

CREATE TABLE role_grant (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES app_user(id),
    role          TEXT NOT NULL,
    org_node_id   INTEGER NOT NULL REFERENCES org_node(id),
    department_id INTEGER REFERENCES department(id)
);
CREATE INDEX role_grant_user ON role_grant(user_id);

CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES app_user(id),
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);

CREATE TABLE category (
    code            TEXT PRIMARY KEY,
    parent_code     TEXT REFERENCES category(code),
    name_zh         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    department_code TEXT NOT NULL,
    phrases         TEXT NOT NULL DEFAULT '[]',
    sort            INTEGER NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE grading_rule (
    code    TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    label   TEXT NOT NULL,
    phrases TEXT NOT NULL,
    sort    INTEGER NOT NULL,
    active  INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE complainant (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    phone      TEXT UNIQUE,
    email      TEXT,
    kind       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX complainant_email ON complainant(email);

CREATE TABLE month_counter (
    month TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE complaint (
    id                  BLOB PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    month               TEXT NOT NULL,
    serial              INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    state               TEXT NOT NULL,
    grade               TEXT NOT NULL,
    grade_decided_by    TEXT NOT NULL,
    suggested_grade     TEXT NOT NULL,
    grade_reasons       TEXT NOT NULL,
    grade_note          TEXT,
    category_code       TEXT NOT NULL REFERENCES category(code),
    category_decided_by TEXT NOT NULL,
    category_reasons    TEXT NOT NULL,
    channel             TEXT NOT NULL,
    complainant_id      BLOB NOT NULL REFERENCES complainant(id),
    complainant_name    TEXT NOT NULL,
    complainant_kind    TEXT NOT NULL,
    project_id          INTEGER NOT NULL REFERENCES org_node(id),
    org_path            TEXT NOT NULL,
    building            TEXT,
    unit                TEXT,
    location            TEXT,
    stage               TEXT,
    subject             TEXT NOT NULL,
    description         TEXT NOT NULL,
    demands             TEXT,
    households          INTEGER NOT NULL,
    received_at         INTEGER NOT NULL,
    registered_by       INTEGER REFERENCES app_user(id),
    suggested_department TEXT NOT NULL,
    lead_department_id  INTEGER REFERENCES department(id),
    handler_id          INTEGER REFERENCES app_user(id),
    repeat_of           TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (month, serial)
);
CREATE INDEX complaint_received ON complaint(received_at DESC, id DESC);
CREATE INDEX complaint_path ON complaint(org_path, received_at DESC);
CREATE INDEX complaint_project ON complaint(project_id, received_at DESC);
CREATE INDEX complaint_state ON complaint(state, received_at DESC);
-- Repeat-complaint lookup (R-GR-2): one person, one project, one matter, newest first.
CREATE INDEX complaint_repeat ON complaint(complainant_id, project_id, category_code, received_at DESC);
CREATE INDEX complaint_lead_department ON complaint(lead_department_id);

CREATE TABLE deadline (
    complaint_id BLOB NOT NULL REFERENCES complaint(id),
    clock        TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    state        TEXT NOT NULL,
    met_at       INTEGER,
    PRIMARY KEY (complaint_id, clock)
);
CREATE INDEX deadline_due ON deadline(state, due_at);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE event (
    seq          INTEGER PRIMARY KEY,
    complaint_id BLOB,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX event_complaint ON event(complaint_id, seq);

CREATE TABLE idempotency (
    user_id      INTEGER NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    complaint_id    BLOB,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    delivered_at    INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
