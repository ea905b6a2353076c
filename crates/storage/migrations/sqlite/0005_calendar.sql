-- Holiday notices added by an administrator (`shoumi calendar import`), beside the ones the binary
-- ships (crates/domain/data/calendar.toml); a row for a year replaces the shipped notice of that
-- year (a corrected notice). The notice is kept in shoumi's calendar TOML format. Changes are
-- audited with the previous notice as "before". Twin: the other backend's 0005_calendar.sql.

CREATE TABLE calendar_years (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    notice TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
