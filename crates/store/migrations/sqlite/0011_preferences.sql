-- Each user's notification channels beyond the inbox and interface language (R-NT-1, R-OP-5).
-- Keep in step with ../postgres.
ALTER TABLE app_user ADD COLUMN notify_email TEXT NOT NULL DEFAULT 'off';
ALTER TABLE app_user ADD COLUMN notify_sms TEXT NOT NULL DEFAULT 'off';
ALTER TABLE app_user ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh';
