-- Chinese full-text search (R-AN-1, DESIGN.md): words segmented by the server (jieba), kept as
-- exact lexemes (array_to_tsvector, no parser involved) with a GIN index. Keep in step with
-- ../sqlite (an FTS5 table there).
ALTER TABLE complaint ADD COLUMN search tsvector;
CREATE INDEX complaint_search ON complaint USING GIN (search);
