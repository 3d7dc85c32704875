-- Chinese full-text search (R-AN-1, DESIGN.md): words segmented by the server (jieba) and kept
-- in an FTS5 index, one document per complaint; `search_doc` gives each complaint a stable
-- integer key for the index. Keep in step with ../postgres (a tsvector column there).
CREATE TABLE search_doc (
    doc          INTEGER PRIMARY KEY,
    complaint_id BLOB NOT NULL UNIQUE REFERENCES complaint(id)
);
CREATE VIRTUAL TABLE complaint_fts USING fts5(words, tokenize = 'unicode61 remove_diacritics 0');
