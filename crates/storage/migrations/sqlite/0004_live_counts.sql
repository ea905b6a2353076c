-- Live (not archived) enterprises per division and zone, kept exact by triggers inside every
-- writing transaction, so list totals and home-page figures need no scan of the enterprises.
-- zone_id 0 stands for "no zone". Derived data: never dumped, rebuilt by the triggers when a
-- backup is restored or a database copied. Twin: the other backend's 0004_live_counts.sql.

CREATE TABLE enterprise_counts (
    division_id BIGINT NOT NULL,
    zone_id BIGINT NOT NULL,
    live BIGINT NOT NULL,
    PRIMARY KEY (division_id, zone_id)
);

INSERT INTO enterprise_counts (division_id, zone_id, live)
SELECT division_id, COALESCE(zone_id, 0), COUNT(*) FROM enterprises
WHERE archived_at IS NULL GROUP BY division_id, COALESCE(zone_id, 0);

CREATE TRIGGER enterprise_counts_insert AFTER INSERT ON enterprises
WHEN NEW.archived_at IS NULL
BEGIN
    INSERT INTO enterprise_counts (division_id, zone_id, live)
    VALUES (NEW.division_id, COALESCE(NEW.zone_id, 0), 1)
    ON CONFLICT (division_id, zone_id) DO UPDATE SET live = enterprise_counts.live + 1;
END;

CREATE TRIGGER enterprise_counts_update AFTER UPDATE OF archived_at, division_id, zone_id ON enterprises
BEGIN
    UPDATE enterprise_counts SET live = live - 1
    WHERE OLD.archived_at IS NULL AND division_id = OLD.division_id AND zone_id = COALESCE(OLD.zone_id, 0);
    INSERT INTO enterprise_counts (division_id, zone_id, live)
    SELECT NEW.division_id, COALESCE(NEW.zone_id, 0), 1 WHERE NEW.archived_at IS NULL
    ON CONFLICT (division_id, zone_id) DO UPDATE SET live = enterprise_counts.live + 1;
END;

CREATE TRIGGER enterprise_counts_delete AFTER DELETE ON enterprises
WHEN OLD.archived_at IS NULL
BEGIN
    UPDATE enterprise_counts SET live = live - 1
    WHERE division_id = OLD.division_id AND zone_id = COALESCE(OLD.zone_id, 0);
END;
