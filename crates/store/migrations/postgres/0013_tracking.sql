-- Owners track complaints filed on the portal with a tracking token (R-IN-5); only its SHA-256
-- is stored. Keep in step with ../sqlite.
ALTER TABLE complaint ADD COLUMN tracking_hash TEXT;
