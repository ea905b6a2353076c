-- The evidence ledger (存证): a transparency log of document digests (never documents).
-- Twin: the other backend's 0010_ledger.sql. Nothing here is updated except the head, the last
-- tile at each level (which grows until full) and a checkpoint's note (which gains witness
-- cosignatures); nothing is deleted except pending rows once they are sequenced. Every table's
-- first column is `id`, as backup and copy-db expect.

-- The latest checkpoint: the fence every sequencing transaction checks and moves.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    cosigned_size INTEGER NOT NULL DEFAULT 0
);

-- Sequenced entries: id = index in the tree; identity = SHA-256 of the entry with its time
-- zeroed ("the same registration again"); entry = the entry bytes (the Merkle leaf);
-- submitter = the entry's submitter identifier, copied out for "my registrations" (the audit
-- checks that it matches the entry).
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    identity BLOB NOT NULL UNIQUE,
    entry BLOB NOT NULL,
    submitter TEXT NOT NULL
);
CREATE INDEX ledger_entries_submitter ON ledger_entries(submitter, id);

-- tlog-tiles hash tiles, id = level · 2^56 + index: the bottom row, 32 bytes a hash, ≤ 256.
CREATE TABLE ledger_tiles (
    id INTEGER PRIMARY KEY,
    hashes BLOB NOT NULL
);

-- Every checkpoint the log signed (id = tree size), as a signed note; witness cosignatures
-- are added to the note as they arrive.
CREATE TABLE ledger_checkpoints (
    id INTEGER PRIMARY KEY,
    note TEXT NOT NULL
);

-- Acknowledged (durable) entries not yet in the tree: any instance writes here, the one that
-- holds the sequencer lock moves them into ledger_entries.
CREATE TABLE ledger_pending (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity BLOB NOT NULL,
    entry BLOB NOT NULL,
    submitter TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ledger_pending_identity ON ledger_pending(identity);
