-- Search results newest first without visiting every match (R-AN-1, bench/RESULTS.md): a
-- document's key now follows the complaint's time of receipt, received_at (ms) * 2^20 plus a
-- tie-breaker, so walking the FTS index by rowid is walking complaints by time of receipt and a
-- page stops after its first 50 matches. PostgreSQL needs no change (its planner orders by
-- received_at with the GIN index); this file keeps the numbering in step with ../postgres.
CREATE TABLE search_doc_new (
    doc          INTEGER PRIMARY KEY,
    complaint_id BLOB NOT NULL UNIQUE REFERENCES complaint(id)
);
INSERT INTO search_doc_new (doc, complaint_id)
SELECT c.received_at * 1048576 + ROW_NUMBER() OVER (PARTITION BY c.received_at ORDER BY c.id) - 1, s.complaint_id
FROM search_doc s JOIN complaint c ON c.id = s.complaint_id;
CREATE VIRTUAL TABLE complaint_fts_new USING fts5(words, tokenize = 'unicode61 remove_diacritics 0');
INSERT INTO complaint_fts_new (rowid, words)
SELECT n.doc, f.words FROM search_doc_new n JOIN search_doc s ON s.complaint_id = n.complaint_id
JOIN complaint_fts f ON f.rowid = s.doc;
DROP TABLE complaint_fts;
DROP TABLE search_doc;
ALTER TABLE search_doc_new RENAME TO search_doc;
ALTER TABLE complaint_fts_new RENAME TO complaint_fts;
