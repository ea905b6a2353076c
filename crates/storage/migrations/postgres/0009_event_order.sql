-- Recent activity is read newest first by (at, id): an index in that order serves it without a
-- sort (at province scale the sort of every event took 13 ms on PostgreSQL).
-- Twin: the other backend's 0009_event_order.sql.
DROP INDEX IF EXISTS application_events_at;
CREATE INDEX application_events_at ON application_events(at, id);
