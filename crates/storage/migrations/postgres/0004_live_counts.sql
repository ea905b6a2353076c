-- Live (not archived) enterprises per division and zone, kept exact by a trigger inside every
-- writing transaction, so list totals and home-page figures need no scan of the enterprises.
-- zone_id 0 stands for "no zone". Derived data: never dumped, rebuilt by the trigger when a
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

CREATE FUNCTION enterprise_counts_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.archived_at IS NULL THEN
        UPDATE enterprise_counts SET live = live - 1
        WHERE division_id = OLD.division_id AND zone_id = COALESCE(OLD.zone_id, 0);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.archived_at IS NULL THEN
        INSERT INTO enterprise_counts (division_id, zone_id, live)
        VALUES (NEW.division_id, COALESCE(NEW.zone_id, 0), 1)
        ON CONFLICT (division_id, zone_id) DO UPDATE SET live = enterprise_counts.live + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER enterprise_counts AFTER INSERT OR DELETE OR UPDATE OF archived_at, division_id, zone_id
ON enterprises FOR EACH ROW EXECUTE FUNCTION enterprise_counts_maintain();
