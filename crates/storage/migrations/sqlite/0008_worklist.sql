-- The responsibility list, supervision, notifications and the year-end unit assessment
-- (issue 3). Twin: ../postgres/0008_worklist.sql. Dates are ISO text 'YYYY-MM-DD'.

-- A work item under a key task of the programme (task_key), owned by one or more units.
CREATE TABLE work_items (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    programme_version_id INTEGER NOT NULL REFERENCES programme_versions(id),
    task_key TEXT NOT NULL,
    title TEXT NOT NULL,
    expected_output TEXT NOT NULL DEFAULT '',
    opened_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    completed_on TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX work_items_status ON work_items(status, deadline);
CREATE INDEX work_items_task ON work_items(task_key);

-- Owning units, the lead unit first (sort_order 0).
CREATE TABLE work_item_units (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES work_items(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    sort_order INTEGER NOT NULL,
    UNIQUE (item_id, unit_id)
);
CREATE INDEX work_item_units_unit ON work_item_units(unit_id);

CREATE TABLE work_reports (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    item_id INTEGER NOT NULL REFERENCES work_items(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    reported_on TEXT NOT NULL,
    content TEXT NOT NULL,
    figures_json TEXT NOT NULL DEFAULT '[]',
    claims_done INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    review_reasons TEXT NOT NULL DEFAULT '',
    reviewed_by INTEGER REFERENCES users(id),
    reviewed_at INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX work_reports_item ON work_reports(item_id, reported_on);
CREATE INDEX work_reports_status ON work_reports(status);

-- Supervision notices (督办单) to a unit, about an item, with a reply deadline.
CREATE TABLE supervision_notices (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    number TEXT NOT NULL UNIQUE,
    item_id INTEGER REFERENCES work_items(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    issued_on TEXT NOT NULL,
    reply_by TEXT NOT NULL,
    reply_by_uncertain INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT '',
    replied_on TEXT,
    replied_by INTEGER REFERENCES users(id),
    closed_on TEXT,
    return_reasons TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX supervision_notices_unit ON supervision_notices(unit_id, status);

-- A person's inbox. dedupe_key keeps a reminder from being sent twice. email_status: none (no
-- address or no mail configured), pending, sending (claimed by one instance), sent, failed (tried again
-- until email_attempts reaches 3).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT UNIQUE,
    email_status TEXT NOT NULL DEFAULT 'none',
    email_error TEXT NOT NULL DEFAULT '',
    email_attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);
CREATE INDEX notifications_mail ON notifications(email_status, id);

-- The year-end assessment of responsible units: one per year, scored against the programme
-- version's unit indicators (kept, so a new version does not change it).
CREATE TABLE unit_assessments (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL UNIQUE,
    programme_version_id INTEGER NOT NULL REFERENCES programme_versions(id),
    status TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    closed_at INTEGER
);

CREATE TABLE unit_assessment_scores (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES unit_assessments(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    indicator_key TEXT NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    scored_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (assessment_id, unit_id, indicator_key)
);
