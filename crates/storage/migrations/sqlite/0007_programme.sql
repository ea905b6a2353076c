-- Programme management (issue 3): programme versions, evidence files, demonstration-unit
-- applications with their history, assessors, scores and publicity objections, and the service
-- log of guidance stations. Twin: ../postgres/0007_programme.sql. Dates without a time of day
-- (deadlines, designation dates) are ISO text 'YYYY-MM-DD', which sorts as it reads.

-- Every imported programme is kept; the newest row is the current programme. The stored spec is
-- the canonical JSON of crates/domain/src/programme.rs, digested with SHA-256 and SM3.
CREATE TABLE programme_versions (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    programme_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    sm3 TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (programme_key, version)
);

-- Evidence files: content kept in the database (backed up with it), hashed on arrival.
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    owner_kind TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    sm3 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX files_owner ON files(owner_kind, owner_id);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    programme_version_id INTEGER NOT NULL REFERENCES programme_versions(id),
    unit_type TEXT NOT NULL,
    enterprise_id INTEGER REFERENCES enterprises(id),
    unit_id INTEGER REFERENCES units(id),
    division_id INTEGER REFERENCES divisions(id),
    zone_id INTEGER REFERENCES zones(id),
    subject_name TEXT NOT NULL,
    origin TEXT NOT NULL,
    statement TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL,
    stage_since INTEGER NOT NULL,
    submitted_on TEXT,
    score INTEGER,
    publicity_start TEXT,
    publicity_end TEXT,
    publicity_uncertain INTEGER NOT NULL DEFAULT 0,
    designation_number TEXT UNIQUE,
    designated_on TEXT,
    valid_until TEXT,
    rectify_by TEXT,
    ended_on TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX applications_stage ON applications(stage, unit_type);
CREATE INDEX applications_designated ON applications(unit_type, designated_on);
CREATE INDEX applications_division ON applications(division_id);
CREATE INDEX applications_zone ON applications(zone_id);
CREATE INDEX applications_enterprise ON applications(enterprise_id);
CREATE INDEX applications_unit ON applications(unit_id);

-- The history of every step: never updated, never deleted.
CREATE TABLE application_events (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    step TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '',
    on_date TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX application_events_app ON application_events(application_id, id);
CREATE INDEX application_events_at ON application_events(at);

CREATE TABLE application_assessors (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    assigned_by INTEGER REFERENCES users(id),
    assigned_at INTEGER NOT NULL,
    UNIQUE (application_id, user_id)
);
CREATE INDEX application_assessors_user ON application_assessors(user_id);

-- Scores in tenths of a point, against the indicator keys of the application's programme version.
CREATE TABLE application_scores (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    assessor_user_id INTEGER NOT NULL REFERENCES users(id),
    indicator_key TEXT NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (application_id, assessor_user_id, indicator_key)
);

CREATE TABLE application_objections (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    received_on TEXT NOT NULL,
    objector TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    resolution TEXT NOT NULL DEFAULT 'open',
    resolution_reasons TEXT NOT NULL DEFAULT '',
    resolved_by INTEGER REFERENCES users(id),
    resolved_at INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX application_objections_app ON application_objections(application_id);

-- What a service station did: lectures, consultations, complaints received.
CREATE TABLE station_log (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    title TEXT NOT NULL,
    people INTEGER NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX station_log_unit ON station_log(unit_id, on_date);
