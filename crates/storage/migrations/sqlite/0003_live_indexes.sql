-- Partial indexes over live (not archived) enterprises, one per list order and filter, so that
-- a filtered count reads only the index and the first page stops after fifty entries; replaces
-- the full indexes of 0001/0002 that made the planner scan 300,000 rows for an industry count.
-- Statistics are refreshed so the planner prefers the search index's postings to a scan.
-- Twin: the other backend's 0003_live_indexes.sql.

DROP INDEX enterprises_live_name;
DROP INDEX enterprises_division;
DROP INDEX enterprises_zone;
DROP INDEX enterprises_industry;
CREATE INDEX enterprises_live_name ON enterprises(name, id) WHERE archived_at IS NULL;
CREATE INDEX enterprises_live_division ON enterprises(division_id, name, id) WHERE archived_at IS NULL;
CREATE INDEX enterprises_live_zone ON enterprises(zone_id, name, id) WHERE archived_at IS NULL;
CREATE INDEX enterprises_live_industry ON enterprises(industry, name, id) WHERE archived_at IS NULL;
ANALYZE;
