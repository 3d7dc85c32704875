-- Compensation payments and customer-relations expense budgets (R-AC-3; seed 004 客户关系费用
-- 4.2). Keep in step with ../postgres.
CREATE TABLE compensation_payment (
    complaint_id BLOB PRIMARY KEY REFERENCES complaint(id),
    amount_fen   INTEGER NOT NULL,
    paid_on      TEXT NOT NULL,
    reference    TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL REFERENCES app_user(id),
    recorded_at  INTEGER NOT NULL
);
CREATE TABLE expense_budget (
    region           TEXT NOT NULL,
    year             INTEGER NOT NULL,
    sales_target_fen INTEGER NOT NULL,
    budget_fen       INTEGER NOT NULL,
    PRIMARY KEY (region, year)
);
CREATE TABLE expense (
    id          INTEGER PRIMARY KEY,
    region      TEXT NOT NULL,
    spent_on    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL,
    note        TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES app_user(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX expense_region ON expense(region, spent_on);
