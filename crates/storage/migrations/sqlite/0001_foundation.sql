-- shoumi foundation schema (SQLite). Its PostgreSQL twin is ../postgres/0001_foundation.sql:
-- the two must stay column-for-column identical. Never edit once released; add a migration.
-- Times are Unix microseconds in UTC. Booleans are INTEGER (SQLite) or BIGINT (PostgreSQL) 0/1.
-- Nothing user-visible is deleted: rows carry archived_at instead.

CREATE TABLE divisions (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE zones (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    division_codes TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    key TEXT UNIQUE,
    name TEXT NOT NULL UNIQUE,
    short_name TEXT,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    credit_code TEXT,
    division_id INTEGER REFERENCES divisions(id),
    zone_id INTEGER REFERENCES zones(id),
    programme_office INTEGER NOT NULL DEFAULT 0,
    address TEXT,
    phone TEXT,
    opening_hours TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL UNIQUE,
    legal_representative TEXT,
    address TEXT,
    division_id INTEGER NOT NULL REFERENCES divisions(id),
    zone_id INTEGER REFERENCES zones(id),
    industry TEXT NOT NULL,
    size TEXT,
    tags TEXT NOT NULL DEFAULT '',
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    share_contacts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX enterprises_division ON enterprises(division_id, name);
CREATE INDEX enterprises_zone ON enterprises(zone_id);
CREATE INDEX enterprises_industry ON enterprises(industry);
CREATE INDEX enterprises_name ON enterprises(name);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    enterprise_id INTEGER REFERENCES enterprises(id),
    unit_id INTEGER REFERENCES units(id),
    title TEXT,
    phone TEXT,
    email TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX people_enterprise ON people(enterprise_id);
CREATE INDEX people_unit ON people(unit_id);

CREATE TABLE task_forces (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    office_unit_id INTEGER NOT NULL REFERENCES units(id),
    office_duty TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE task_force_members (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    task_force_id INTEGER NOT NULL REFERENCES task_forces(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    position TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0,
    email TEXT,
    person_id INTEGER REFERENCES people(id),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    last_login_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id INTEGER,
    granted_by INTEGER REFERENCES users(id),
    granted_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_by INTEGER REFERENCES users(id)
);
CREATE INDEX grants_user ON grants(user_id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    success INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts(username, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    actor_name TEXT NOT NULL,
    ip TEXT,
    request_id TEXT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id, at);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '',
    run_at INTEGER NOT NULL,
    locked_by TEXT,
    locked_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    done_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(done_at, run_at);
