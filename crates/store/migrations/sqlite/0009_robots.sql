-- Group-robot webhooks per department (R-NT-1): WeCom, DingTalk, Feishu. Keep in step with ../postgres.
CREATE TABLE robot (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES department(id),
    kind          TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu')),
    url           TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX robot_department ON robot(department_id);
