-- The search index holds live enterprises only: archiving now removes an enterprise's terms, so a
-- tag's postings are exactly its live enterprises (list totals by tag without a join). Removes
-- the terms of enterprises archived before. Twin: the other backend's 0006_live_terms.sql.

DELETE FROM enterprise_terms WHERE enterprise_id IN (SELECT id FROM enterprises WHERE archived_at IS NOT NULL);
