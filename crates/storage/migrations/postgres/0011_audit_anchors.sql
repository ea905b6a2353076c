-- The audit trail anchored in the evidence ledger: every so often the audit rows written since
-- the last anchor are hashed (SHA-256 and SM3, chained from the previous anchor) and the digests
-- registered as an "audit-trail checkpoint" entry, so that changing or removing an audit row
-- afterwards is found (`shoumi log audit`). Twin: the other backend's 0011_audit_anchors.sql.
CREATE TABLE audit_anchors (
    id BIGSERIAL PRIMARY KEY,
    from_audit_id BIGINT NOT NULL,
    to_audit_id BIGINT NOT NULL UNIQUE,
    sha256 BYTEA NOT NULL,
    sm3 BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
