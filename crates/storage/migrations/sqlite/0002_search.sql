-- Search: an inverted index of enterprise-name bigrams and tags (derived data: rebuilt from
-- enterprises after a migration, restore or copy, never backed up), and an index that lets the
-- live-enterprise count use an index instead of the table. Twin: ../postgres/0002_search.sql.

CREATE TABLE enterprise_terms (
    term TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    PRIMARY KEY (term, enterprise_id)
) WITHOUT ROWID;
CREATE INDEX enterprise_terms_enterprise ON enterprise_terms(enterprise_id);
CREATE INDEX enterprises_live ON enterprises(archived_at, division_id);
-- The list's default order without a sort: live enterprises by name (replaces enterprises_name).
CREATE INDEX enterprises_live_name ON enterprises(archived_at, name, id);
DROP INDEX enterprises_name;
