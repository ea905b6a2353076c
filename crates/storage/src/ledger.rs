//! The evidence ledger on the platform's database: acknowledged entries (`ledger_pending`),
//! sequencing them into the tree (entries, tiles, a signed checkpoint and the head, in one
//! durable transaction), reads for tiles, bundles and proofs, and the audit that recomputes
//! everything from storage.
//!
//! Why the platform's database and not files of its own: one transaction covers an entry, its
//! tiles, the checkpoint that commits to it and the audit row, so there is no state in which a
//! checkpoint names a tree the store does not hold; backup, restore and copy-db carry the log
//! with the rest; and several instances on one PostgreSQL share it with no shared file system.

use std::collections::{HashMap, HashSet};

use shoumi_ledger::entry::identity_of;
use shoumi_ledger::merkle::{Hash, leaf_hash};
use shoumi_ledger::note::{Note, VerifierKey};
use shoumi_ledger::tiles::{Edge, TileId, WIDTH};
use shoumi_ledger::{Checkpoint, Entry};

use crate::query::tuple;
use crate::sql::{self, Args};
use crate::{Actor, Backend, Db, Result, StorageError, now};

/// Rows per multi-row statement (3 parameters a row stays far below both engines' limits).
const CHUNK: usize = 1000;

/// Row locking for a read-modify-write: `FOR UPDATE` on PostgreSQL; SQLite's write transaction
/// already excludes every other writer.
fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

/// The tile table's key: level · 2^56 + index.
pub fn tile_key(level: u8, index: u64) -> i64 {
    ((u64::from(level) << 56) | index) as i64
}

/// The latest state of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub size: u64,
    pub root: Hash,
    /// The largest size whose checkpoint carries the witness quorum's cosignatures (0: none).
    pub cosigned_size: u64,
}

/// What an append acknowledged for one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    /// Already in the tree at this index (the same registration again).
    Existing(u64),
    /// Durable, waiting to be sequenced (or already waiting: the same registration again).
    Pending,
}

/// One caller's entries and who submitted them.
pub struct Submission {
    pub actor: Actor,
    pub entries: Vec<Entry>,
}

fn hash32(b: Vec<u8>, what: &str) -> Result<Hash> {
    b.try_into()
        .map_err(|_| StorageError::Integrity(format!("{what} is not 32 bytes")))
}

pub async fn head(db: &Db) -> Result<Option<Head>> {
    let row = sql::query("SELECT size, root, cosigned_size FROM ledger_head WHERE id = 1")
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        Ok(Head {
            size: r.try_get::<i64>("size")? as u64,
            root: hash32(r.try_get("root")?, "the head's root")?,
            cosigned_size: r.try_get::<i64>("cosigned_size")? as u64,
        })
    })
    .transpose()
}

/// Existing (identity → index) among `identities`, read in chunks.
async fn existing(
    conn: &mut sql::Tx,
    backend: Backend,
    ids: &[&[u8]],
) -> Result<HashMap<Vec<u8>, u64>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let marks = tuple(backend, 0, chunk.len());
        let mut args = Args::default();
        for id in chunk {
            args.add(id.to_vec());
        }
        let rows = sql::query_with(
            &format!("SELECT id, identity FROM ledger_entries WHERE identity IN {marks}"),
            args,
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            out.insert(
                r.try_get::<Vec<u8>>("identity")?,
                r.try_get::<i64>("id")? as u64,
            );
        }
    }
    Ok(out)
}

/// Writes the submissions durably in one transaction (group commit) with one audit row per
/// submission, and returns what each entry became.
pub async fn append(db: &Db, subs: &[Submission]) -> Result<Vec<Vec<Ack>>> {
    let backend = db.backend;
    let system = Actor::system("ledger");
    let mut tx = db.begin_durable(&system).await?;
    // (encoded entry, identity) of every entry, per submission.
    let encoded: Vec<Vec<(Vec<u8>, [u8; 32])>> = subs
        .iter()
        .map(|s| {
            s.entries
                .iter()
                .map(|e| {
                    let b = e.encode();
                    let id = identity_of(&b);
                    (b, id)
                })
                .collect()
        })
        .collect();
    let all: Vec<&[u8]> = encoded
        .iter()
        .flatten()
        .map(|(_, id)| id.as_slice())
        .collect();
    let found = existing(tx.conn(), backend, &all).await?;
    let t = now();
    let mut acks = Vec::with_capacity(subs.len());
    let mut rows: Vec<(&[u8; 32], &[u8], &str)> = Vec::new();
    let mut seen: HashSet<&[u8; 32]> = HashSet::new();
    for (s, enc) in subs.iter().zip(&encoded) {
        let mut a = Vec::with_capacity(enc.len());
        for (e, (bytes, id)) in s.entries.iter().zip(enc) {
            if let Some(i) = found.get(id.as_slice()) {
                a.push(Ack::Existing(*i));
            } else {
                if seen.insert(id) {
                    rows.push((id, bytes, &e.submitter));
                }
                a.push(Ack::Pending);
            }
        }
        acks.push(a);
    }
    for chunk in rows.chunks(CHUNK) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut args = Args::default();
        for (i, (id, e, who)) in chunk.iter().enumerate() {
            values.push(tuple(backend, i * 4, 4));
            args.add(id.to_vec());
            args.add(e.to_vec());
            args.add(who.to_string());
            args.add(t);
        }
        sql::query_with(
            &format!(
                "INSERT INTO ledger_pending (identity, entry, submitter, created_at) VALUES {}",
                values.join(",")
            ),
            args,
        )
        .execute(tx.conn())
        .await?;
    }
    // One audit row per submission, by its own actor: how many entries, which identities.
    for (c, chunk) in subs.chunks(CHUNK / 10).enumerate() {
        let (mut values, mut args) = (Vec::new(), Args::default());
        for (i, s) in chunk.iter().enumerate() {
            let k = c * (CHUNK / 10) + i;
            let new = acks[k].iter().filter(|a| **a == Ack::Pending).count();
            let ids: Vec<String> = encoded[k].iter().map(|(_, id)| hex::encode(id)).collect();
            tx.push_audit_row_by(
                &s.actor,
                &mut values,
                &mut args,
                t,
                "ledger.register",
                "ledger_entry",
                // No entity id: a random identity in the (entity_type, entity_id) index would
                // cost a page write per registration; the identities are in after_json.
                None,
                format!(
                    "登记存证 {} 条（新 {new} 条）/ registered {} entries ({new} new)",
                    ids.len(),
                    ids.len()
                ),
                serde_json::json!({ "identities": ids }).to_string(),
            )?;
        }
        tx.audit_many(values, args).await?;
    }
    tx.commit().await?;
    Ok(acks)
}

/// Where an entry stands, by identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Sequenced { index: u64, entry: Vec<u8> },
    Pending,
    Unknown,
}

pub async fn lookup(db: &Db, identity: &[u8]) -> Result<Lookup> {
    if let Some(r) = sql::query("SELECT id, entry FROM ledger_entries WHERE identity = $1")
        .bind(identity.to_vec())
        .fetch_optional(db)
        .await?
    {
        return Ok(Lookup::Sequenced {
            index: r.try_get::<i64>("id")? as u64,
            entry: r.try_get("entry")?,
        });
    }
    let pending: i64 = sql::query_scalar("SELECT COUNT(*) FROM ledger_pending WHERE identity = $1")
        .bind(identity.to_vec())
        .fetch_one(db)
        .await?;
    Ok(if pending > 0 {
        Lookup::Pending
    } else {
        Lookup::Unknown
    })
}

pub async fn entry(db: &Db, index: u64) -> Result<Option<Vec<u8>>> {
    sql::query_scalar("SELECT entry FROM ledger_entries WHERE id = $1")
        .bind(index as i64)
        .fetch_optional(db)
        .await
}

/// An entry and `len` bytes of a tile from byte `offset`, in one round trip (a proof's reads).
pub async fn entry_and_tile_part(
    db: &Db,
    index: u64,
    tile: (u8, u64),
    offset: usize,
    len: usize,
) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let r = sql::query(
        "SELECT (SELECT entry FROM ledger_entries WHERE id = $1) AS entry, \
         (SELECT substr(hashes, $3, $4) FROM ledger_tiles WHERE id = $2) AS part",
    )
    .bind(index as i64)
    .bind(tile_key(tile.0, tile.1))
    .bind(offset as i64 + 1)
    .bind(len as i64)
    .fetch_one(db)
    .await?;
    match (
        r.try_get::<Option<Vec<u8>>>("entry")?,
        r.try_get::<Option<Vec<u8>>>("part")?,
    ) {
        (Some(e), Some(p)) => Ok(Some((e, p))),
        _ => Ok(None),
    }
}

/// Entries `start..end` in order (an entry bundle's worth).
pub async fn entries(db: &Db, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
    let rows =
        sql::query("SELECT entry FROM ledger_entries WHERE id >= $1 AND id < $2 ORDER BY id")
            .bind(start as i64)
            .bind(end as i64)
            .fetch_all(db)
            .await?;
    rows.iter().map(|r| r.try_get_at::<Vec<u8>>(0)).collect()
}

/// Stored tile bytes for (level, index) pairs; tiles not stored are absent.
pub async fn tiles(db: &Db, wanted: &[(u8, u64)]) -> Result<HashMap<(u8, u64), Vec<u8>>> {
    let mut out = HashMap::new();
    for chunk in wanted.chunks(CHUNK) {
        let marks = tuple(db.backend, 0, chunk.len());
        let mut args = Args::default();
        for (l, i) in chunk {
            args.add(tile_key(*l, *i));
        }
        let rows = sql::query_with(
            &format!("SELECT id, hashes FROM ledger_tiles WHERE id IN {marks}"),
            args,
        )
        .fetch_all(db)
        .await?;
        for r in rows {
            let key = r.try_get::<i64>("id")? as u64;
            out.insert(
                ((key >> 56) as u8, key & ((1 << 56) - 1)),
                r.try_get("hashes")?,
            );
        }
    }
    Ok(out)
}

pub async fn checkpoint(db: &Db, size: u64) -> Result<Option<String>> {
    sql::query_scalar("SELECT note FROM ledger_checkpoints WHERE id = $1")
        .bind(size as i64)
        .fetch_optional(db)
        .await
}

/// The latest checkpoint (size, note).
pub async fn latest_checkpoint(db: &Db) -> Result<Option<(u64, String)>> {
    let row = sql::query(
        "SELECT c.id, c.note FROM ledger_head h JOIN ledger_checkpoints c ON c.id = h.size WHERE h.id = 1",
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| Ok((r.try_get::<i64>("id")? as u64, r.try_get("note")?)))
        .transpose()
}

/// The edge of the stored tree, for a sequencer taking over.
async fn load_edge(conn: &mut sql::Tx, size: u64) -> Result<Edge> {
    let want = Edge::last_tiles(size);
    let mut last = Vec::with_capacity(want.len());
    for t in &want {
        let bytes: Vec<u8> = sql::query_scalar("SELECT hashes FROM ledger_tiles WHERE id = $1")
            .bind(tile_key(t.level, t.index))
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| {
                StorageError::Integrity(format!("ledger tile {} is missing", t.path()))
            })?;
        last.push(bytes);
    }
    Edge::from_tiles(size, &last).map_err(StorageError::Integrity)
}

/// What one sequencing transaction did.
#[derive(Debug, Clone)]
pub struct Sequenced {
    pub old_size: u64,
    pub size: u64,
    pub root: Hash,
    /// The signed checkpoint note.
    pub checkpoint: String,
    /// How many pending rows were consumed (duplicates included).
    pub consumed: usize,
    /// The oldest consumed row's acknowledgement time (µs), for integration latency.
    pub oldest_pending_at: Option<i64>,
}

/// Signs a checkpoint's text, returning the signed note.
pub type SignFn<'a> = &'a (dyn Fn(&Checkpoint) -> String + Send + Sync);

/// Moves up to `max` pending entries into the tree: entries, changed tiles, a signed checkpoint
/// and the head, in one durable transaction. `edge` is the caller's cached right edge; it is
/// reloaded from storage when the head has moved (another sequencer ran), and left as it was
/// if the transaction fails. Creates the empty log (size 0, signed) on first use. Returns
/// `None` when nothing was pending.
pub async fn sequence(
    db: &Db,
    origin: &str,
    sign: SignFn<'_>,
    edge: &mut Option<Edge>,
    max: usize,
) -> Result<Option<Sequenced>> {
    let backend = db.backend;
    let system = Actor::system("ledger");
    let mut tx = db.begin_durable(&system).await?;
    let head = sql::query(&format!(
        "SELECT size, root FROM ledger_head WHERE id = 1{}",
        for_update(backend)
    ))
    .fetch_optional(tx.conn())
    .await?;
    let (size, created) = match head {
        Some(r) => (r.try_get::<i64>("size")? as u64, false),
        None => {
            let cp = Checkpoint::new(origin, 0, shoumi_ledger::merkle::empty_root());
            let note = sign(&cp);
            sql::query(
                "INSERT INTO ledger_head (id, size, root, cosigned_size) VALUES (1, 0, $1, 0)",
            )
            .bind(cp.root.to_vec())
            .execute(tx.conn())
            .await?;
            sql::query("INSERT INTO ledger_checkpoints (id, note) VALUES (0, $1)")
                .bind(note)
                .execute(tx.conn())
                .await?;
            tx.audit(
                "ledger.init",
                "ledger_checkpoint",
                Some("0"),
                &format!("存证日志 {origin} 开始 / log {origin} started"),
                None,
                None,
            )
            .await?;
            (0, true)
        }
    };
    let mut work = match edge.as_ref().filter(|e| e.size() == size) {
        Some(e) => e.clone(),
        None => load_edge(tx.conn(), size).await?,
    };
    let rows = sql::query(&format!(
        "SELECT id, identity, entry, submitter, created_at FROM ledger_pending ORDER BY id LIMIT {max}"
    ))
    .fetch_all(tx.conn())
    .await?;
    if rows.is_empty() {
        if created {
            tx.commit().await?;
        }
        *edge = Some(work);
        return Ok(None);
    }
    let mut pending = Vec::with_capacity(rows.len());
    for r in &rows {
        pending.push((
            r.try_get::<i64>("id")?,
            r.try_get::<Vec<u8>>("identity")?,
            r.try_get::<Vec<u8>>("entry")?,
            r.try_get::<i64>("created_at")?,
            r.try_get::<String>("submitter")?,
        ));
    }
    let ids: Vec<&[u8]> = pending.iter().map(|p| p.1.as_slice()).collect();
    let found = existing(tx.conn(), backend, &ids).await?;
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut new_rows: Vec<(u64, &[u8], &[u8], &str)> = Vec::new();
    for (_, id, e, _, who) in &pending {
        if found.contains_key(id) || !seen.insert(id.as_slice()) {
            continue;
        }
        let index = work.size();
        work.append(leaf_hash(e));
        new_rows.push((index, id.as_slice(), e.as_slice(), who.as_str()));
    }
    for chunk in new_rows.chunks(CHUNK) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut args = Args::default();
        for (i, (index, id, e, who)) in chunk.iter().enumerate() {
            values.push(tuple(backend, i * 4, 4));
            args.add(*index as i64);
            args.add(id.to_vec());
            args.add(e.to_vec());
            args.add(who.to_string());
        }
        sql::query_with(
            &format!(
                "INSERT INTO ledger_entries (id, identity, entry, submitter) VALUES {}",
                values.join(",")
            ),
            args,
        )
        .execute(tx.conn())
        .await?;
    }
    let changed = work.take_changed();
    for chunk in changed.chunks(CHUNK / 4) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut args = Args::default();
        for (i, (level, index, bytes)) in chunk.iter().enumerate() {
            values.push(tuple(backend, i * 2, 2));
            args.add(tile_key(*level, *index));
            args.add(bytes.clone());
        }
        sql::query_with(
            &format!(
                "INSERT INTO ledger_tiles (id, hashes) VALUES {} \
                 ON CONFLICT (id) DO UPDATE SET hashes = excluded.hashes",
                values.join(",")
            ),
            args,
        )
        .execute(tx.conn())
        .await?;
    }
    let new_size = work.size();
    let root = work.root();
    let note = if new_size > size {
        let note = sign(&Checkpoint::new(origin, new_size, root));
        sql::query("INSERT INTO ledger_checkpoints (id, note) VALUES ($1, $2)")
            .bind(new_size as i64)
            .bind(note.clone())
            .execute(tx.conn())
            .await?;
        sql::query("UPDATE ledger_head SET size = $1, root = $2 WHERE id = 1")
            .bind(new_size as i64)
            .bind(root.to_vec())
            .execute(tx.conn())
            .await?;
        note
    } else {
        String::new()
    };
    let consumed: Vec<i64> = pending.iter().map(|p| p.0).collect();
    for chunk in consumed.chunks(CHUNK) {
        sql::query(&format!(
            "DELETE FROM ledger_pending WHERE id IN ({})",
            crate::query::id_list(chunk)
        ))
        .execute(tx.conn())
        .await?;
    }
    tx.audit(
        "ledger.integrate",
        "ledger_checkpoint",
        Some(&new_size.to_string()),
        &format!(
            "存证日志 {size} → {new_size}（待处理 {} 条）/ log {size} → {new_size} ({} pending consumed)",
            pending.len(),
            pending.len()
        ),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    let oldest = pending.iter().map(|p| p.3).min();
    *edge = Some(work);
    Ok(Some(Sequenced {
        old_size: size,
        size: new_size,
        root,
        checkpoint: note,
        consumed: pending.len(),
        oldest_pending_at: oldest,
    }))
}

/// One registration as listed: index, entry.
#[derive(Debug, Clone)]
pub struct Listed {
    pub index: u64,
    pub entry: Entry,
}

/// The latest entries of these submitters, newest first.
pub async fn by_submitters(db: &Db, submitters: &[String], limit: i64) -> Result<Vec<Listed>> {
    if submitters.is_empty() {
        return Ok(Vec::new());
    }
    let marks = tuple(db.backend, 0, submitters.len());
    let mut args = Args::default();
    for s in submitters {
        args.add(s.clone());
    }
    let rows = sql::query_with(
        &format!(
            "SELECT id, entry FROM ledger_entries WHERE submitter IN {marks} ORDER BY id DESC LIMIT {limit}"
        ),
        args,
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let entry: Vec<u8> = r.try_get("entry")?;
            Ok(Listed {
                index: r.try_get::<i64>("id")? as u64,
                entry: Entry::parse(&entry).map_err(StorageError::Integrity)?,
            })
        })
        .collect()
}

/// How many entries are waiting to be sequenced.
pub async fn pending_count(db: &Db) -> Result<i64> {
    sql::query_scalar("SELECT COUNT(*) FROM ledger_pending")
        .fetch_one(db)
        .await
}

/// The largest checkpoint each witness has cosigned, as stored: the size its next request
/// starts from (a witness that answers otherwise says so, and is asked again from its size).
pub async fn witness_sizes(db: &Db, witnesses: &[VerifierKey]) -> Result<HashMap<String, u64>> {
    let mut out = HashMap::new();
    for w in witnesses {
        let size: Option<i64> =
            // Newest first: the scan stops at the latest checkpoint the witness cosigned.
            sql::query_scalar(
                "SELECT id FROM ledger_checkpoints WHERE note LIKE $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(format!("%\n— {} %", w.name()))
            .fetch_optional(db)
            .await?;
        if let Some(s) = size {
            out.insert(w.name().to_string(), s as u64);
        }
    }
    Ok(out)
}

/// Records cosignatures a witness returned for the checkpoint of `size` (lines already
/// verified by the caller) and moves `cosigned_size` when the
/// checkpoint now has `quorum` cosignatures from `witnesses`.
pub async fn add_cosignatures(
    db: &Db,
    witness: &str,
    size: u64,
    lines: &[shoumi_ledger::note::Signature],
    witnesses: &[VerifierKey],
    quorum: usize,
) -> Result<()> {
    let system = Actor::system("ledger");
    let mut tx = db.begin(&system).await?;
    // Witnesses answer at the same time: the row is locked while its note gains this line, or
    // two read-modify-writes would each drop the other's cosignature (SQLite's single writer
    // serialises them already).
    let note: Option<String> = sql::query_scalar(&format!(
        "SELECT note FROM ledger_checkpoints WHERE id = $1{}",
        for_update(db.backend)
    ))
    .bind(size as i64)
    .fetch_optional(tx.conn())
    .await?;
    let Some(note) = note else {
        return Err(StorageError::NotFound);
    };
    let mut n = Note::parse(note.as_bytes())
        .map_err(|e| StorageError::Integrity(format!("stored checkpoint {size}: {e}")))?;
    for l in lines {
        n.add(l.clone());
    }
    let text = n.to_text();
    sql::query("UPDATE ledger_checkpoints SET note = $1 WHERE id = $2")
        .bind(text)
        .bind(size as i64)
        .execute(tx.conn())
        .await?;
    let cosigners = n
        .verify(witnesses)
        .map(|v| {
            let mut names: Vec<&str> = v.iter().map(|x| x.key.name()).collect();
            names.sort_unstable();
            names.dedup();
            names.len()
        })
        .unwrap_or(0);
    if cosigners >= quorum.max(1) {
        sql::query("UPDATE ledger_head SET cosigned_size = $1 WHERE id = 1 AND cosigned_size < $1")
            .bind(size as i64)
            .execute(tx.conn())
            .await?;
    }
    tx.audit(
        "ledger.cosigned",
        "ledger_checkpoint",
        Some(&size.to_string()),
        &format!(
            "见证方 {witness} 联署检查点 {size} / witness {witness} cosigned checkpoint {size}"
        ),
        None,
        None,
    )
    .await?;
    tx.commit().await
}

/// Counts for the ledger page.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub size: u64,
    pub cosigned_size: u64,
    pub pending: i64,
    pub checkpoints: i64,
}

pub async fn stats(db: &Db) -> Result<Stats> {
    let h = head(db).await?;
    Ok(Stats {
        size: h.map(|h| h.size).unwrap_or(0),
        cosigned_size: h.map(|h| h.cosigned_size).unwrap_or(0),
        pending: pending_count(db).await?,
        checkpoints: sql::query_scalar("SELECT COUNT(*) FROM ledger_checkpoints")
            .fetch_one(db)
            .await?,
    })
}

/// The first inconsistency the audit found, or what it checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: u64,
    pub tiles: u64,
    pub checkpoints: u64,
    pub cosignatures: u64,
    pub pending: u64,
}

/// Recomputes every tile, root and checkpoint from the stored entries and checks every stored
/// value against the recomputation and the signatures: `log_keys` must all have signed every
/// checkpoint; cosignatures must be by `witnesses`. Returns the first inconsistency found.
pub async fn audit(
    db: &Db,
    origin: &str,
    log_keys: &[VerifierKey],
    witnesses: &[VerifierKey],
) -> std::result::Result<AuditReport, String> {
    let e = |e: StorageError| format!("reading the ledger: {e}");
    let head = head(db).await.map_err(e)?;
    let Some(head) = head else {
        return Err("the ledger has no head: it was never initialised (run the server or `shoumi log add` once)".into());
    };
    // Checkpoints, by size.
    let rows = sql::query("SELECT id, note FROM ledger_checkpoints ORDER BY id")
        .fetch_all(db)
        .await
        .map_err(e)?;
    let mut checkpoints: Vec<(u64, Checkpoint)> = Vec::new();
    let mut cosignatures = 0u64;
    let mut cosigned_by: HashMap<String, HashSet<u64>> = HashMap::new();
    let all_keys: Vec<VerifierKey> = log_keys.iter().chain(witnesses).cloned().collect();
    for r in &rows {
        let size = r.try_get::<i64>("id").map_err(e)? as u64;
        let text: String = r.try_get("note").map_err(e)?;
        let note = Note::parse(text.as_bytes()).map_err(|x| format!("checkpoint {size}: {x}"))?;
        let cp = Checkpoint::parse(&note.text).map_err(|x| format!("checkpoint {size}: {x}"))?;
        if cp.origin != origin {
            return Err(format!(
                "checkpoint {size} names origin {:?}, not {origin:?}",
                cp.origin
            ));
        }
        if cp.size != size {
            return Err(format!(
                "checkpoint stored as size {size} says size {}",
                cp.size
            ));
        }
        let verified = note
            .verify(&all_keys)
            .map_err(|x| format!("checkpoint {size}: {x}"))?;
        for k in log_keys {
            if !verified.iter().any(|v| v.key == k) {
                return Err(format!(
                    "checkpoint {size} is not signed by log key {}",
                    k.name()
                ));
            }
        }
        if verified.len() != note.signatures.len() {
            return Err(format!(
                "checkpoint {size} carries a signature by a key that is neither the log's nor a configured witness's"
            ));
        }
        for v in &verified {
            if witnesses.contains(v.key) {
                cosignatures += 1;
                cosigned_by
                    .entry(v.key.name().to_string())
                    .or_default()
                    .insert(size);
            }
        }
        checkpoints.push((size, cp));
    }
    if checkpoints.last().map(|c| c.0) != Some(head.size) {
        return Err(format!(
            "the head says size {}, the latest checkpoint is {:?}",
            head.size,
            checkpoints.last().map(|c| c.0)
        ));
    }
    if head.cosigned_size > head.size {
        return Err(format!(
            "the head's cosigned size {} is beyond its size {}",
            head.cosigned_size, head.size
        ));
    }
    if head.cosigned_size > 0 && !checkpoints.iter().any(|c| c.0 == head.cosigned_size) {
        return Err(format!(
            "the head's cosigned size {} has no checkpoint",
            head.cosigned_size
        ));
    }
    if head.cosigned_size > 0
        && !cosigned_by
            .values()
            .any(|s| s.contains(&head.cosigned_size))
    {
        return Err(format!(
            "the head says checkpoint {} is cosigned, it carries no cosignature",
            head.cosigned_size
        ));
    }
    // Entries in order: rebuild the tree, compare every checkpoint root and every tile.
    let mut edge = Edge::new();
    let mut next_cp = 0usize;
    let mut stored_tiles = 0u64;
    let check_cps = |edge: &Edge, next_cp: &mut usize| -> std::result::Result<(), String> {
        while *next_cp < checkpoints.len() && checkpoints[*next_cp].0 == edge.size() {
            if checkpoints[*next_cp].1.root != edge.root() {
                return Err(format!(
                    "checkpoint {}'s root hash does not match the stored entries",
                    edge.size()
                ));
            }
            *next_cp += 1;
        }
        Ok(())
    };
    check_cps(&edge, &mut next_cp)?;
    let mut after: i64 = -1;
    loop {
        let rows = sql::query("SELECT id, identity, entry, submitter FROM ledger_entries WHERE id > $1 ORDER BY id LIMIT 10000")
            .bind(after)
            .fetch_all(db)
            .await
            .map_err(e)?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let id = r.try_get::<i64>("id").map_err(e)? as u64;
            if id != edge.size() {
                return Err(format!(
                    "entry {} is missing (the next stored entry is {id})",
                    edge.size()
                ));
            }
            let identity: Vec<u8> = r.try_get("identity").map_err(e)?;
            let entry: Vec<u8> = r.try_get("entry").map_err(e)?;
            let parsed = Entry::parse(&entry).map_err(|x| format!("entry {id}: {x}"))?;
            if identity_of(&entry).as_slice() != identity.as_slice() {
                return Err(format!(
                    "entry {id}: its identity column does not match the entry"
                ));
            }
            if r.try_get::<String>("submitter").map_err(e)? != parsed.submitter {
                return Err(format!(
                    "entry {id}: its submitter column does not match the entry"
                ));
            }
            edge.append(leaf_hash(&entry));
            check_cps(&edge, &mut next_cp)?;
            after = id as i64;
        }
        stored_tiles += compare_tiles(db, &mut edge).await?;
    }
    stored_tiles += compare_tiles(db, &mut edge).await?;
    // The last, partial tile at each level: exactly what the tree holds, nothing more.
    let partial: Vec<TileId> = Edge::last_tiles(edge.size())
        .into_iter()
        .filter(|t| !t.is_full())
        .collect();
    let wanted: Vec<(u8, u64)> = partial.iter().map(|t| (t.level, t.index)).collect();
    let stored = tiles(db, &wanted).await.map_err(e)?;
    for t in &partial {
        if stored.get(&(t.level, t.index)) != Some(&edge.last_tile_bytes(t.level)) {
            return Err(format!(
                "tile {} does not match the stored entries",
                t.path()
            ));
        }
        stored_tiles += 1;
    }
    if edge.size() != head.size {
        return Err(format!(
            "the head says size {}, {} entries are stored",
            head.size,
            edge.size()
        ));
    }
    if edge.root() != head.root {
        return Err("the head's root hash does not match the stored entries".into());
    }
    if next_cp != checkpoints.len() {
        return Err(format!(
            "checkpoint {} is beyond the stored entries",
            checkpoints[next_cp].0
        ));
    }
    let total_tiles: i64 = sql::query_scalar("SELECT COUNT(*) FROM ledger_tiles")
        .fetch_one(db)
        .await
        .map_err(e)?;
    if total_tiles as u64 != stored_tiles {
        return Err(format!(
            "{} tiles are stored, the tree has {stored_tiles}",
            total_tiles
        ));
    }
    let pending = pending_count(db).await.map_err(e)? as u64;
    let rows = sql::query("SELECT id, identity, entry, submitter FROM ledger_pending ORDER BY id")
        .fetch_all(db)
        .await
        .map_err(e)?;
    for r in &rows {
        let id = r.try_get::<i64>("id").map_err(e)?;
        let identity: Vec<u8> = r.try_get("identity").map_err(e)?;
        let entry: Vec<u8> = r.try_get("entry").map_err(e)?;
        let parsed = Entry::parse(&entry).map_err(|x| format!("pending entry {id}: {x}"))?;
        if identity_of(&entry).as_slice() != identity.as_slice() {
            return Err(format!(
                "pending entry {id}: its identity column does not match the entry"
            ));
        }
        if r.try_get::<String>("submitter").map_err(e)? != parsed.submitter {
            return Err(format!(
                "pending entry {id}: its submitter column does not match the entry"
            ));
        }
    }
    Ok(AuditReport {
        entries: head.size,
        tiles: stored_tiles,
        checkpoints: checkpoints.len() as u64,
        cosignatures,
        pending,
    })
}

/// Compares the tiles the rebuilt edge produced since the last call with the stored ones: full
/// tiles exactly, a tile still growing as a prefix. Returns how many full tiles it checked.
async fn compare_tiles(db: &Db, edge: &mut Edge) -> std::result::Result<u64, String> {
    let changed = edge.take_changed();
    let wanted: Vec<(u8, u64)> = changed.iter().map(|(l, i, _)| (*l, *i)).collect();
    let stored = tiles(db, &wanted)
        .await
        .map_err(|e| format!("reading tiles: {e}"))?;
    let mut n = 0;
    for (l, i, bytes) in changed {
        let id = TileId::at(l, i, edge.size())
            .map(|t| t.path())
            .unwrap_or_default();
        let Some(s) = stored.get(&(l, i)) else {
            return Err(format!("tile {id} is missing"));
        };
        let full = bytes.len() as u64 == WIDTH * 32;
        if full {
            if s != &bytes {
                return Err(format!("tile {id} does not match the stored entries"));
            }
            n += 1;
        } else if !s.starts_with(&bytes) {
            return Err(format!("tile {id} does not match the stored entries"));
        }
    }
    Ok(n)
}

/// The right to sequence: held by exactly one process per database. On PostgreSQL a
/// session-level advisory lock on a connection of its own (released by the server the moment
/// that connection or its process dies); on SQLite an exclusive lock on a file beside the
/// database (released by the kernel when the process dies). Sequencing is also fenced by the
/// head row, so even two holders could not fork the log; the lock only keeps them from
/// wasting work.
pub struct SequencerLock {
    inner: LockInner,
}

enum LockInner {
    File(#[allow(dead_code)] std::fs::File),
    Pg(sqlx::PgConnection),
}

const LOCK_KEY: i64 = 7_256_010;

impl SequencerLock {
    /// Takes the lock if it is free; `None` when another process holds it.
    pub async fn try_acquire(db: &Db) -> Result<Option<SequencerLock>> {
        match &*db.pool {
            sql::Pool::Sqlite(p) => {
                let path = format!("{}.ledger-lock", p.path());
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(|e| StorageError::Config(format!("{path}: {e}")))?;
                match f.try_lock() {
                    Ok(()) => Ok(Some(SequencerLock {
                        inner: LockInner::File(f),
                    })),
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(e)) => {
                        Err(StorageError::Config(format!("{path}: {e}")))
                    }
                }
            }
            sql::Pool::Pg(p) => {
                let mut conn = p.acquire().await?.detach();
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(LOCK_KEY)
                    .fetch_one(&mut conn)
                    .await?;
                Ok(got.then_some(SequencerLock {
                    inner: LockInner::Pg(conn),
                }))
            }
        }
    }

    /// Whether the lock is still held (its PostgreSQL connection still answers).
    pub async fn alive(&mut self) -> bool {
        match &mut self.inner {
            LockInner::File(_) => true,
            LockInner::Pg(c) => sqlx::query("SELECT 1").execute(&mut *c).await.is_ok(),
        }
    }
}

/// A person-readable name for a submitter identifier: the enterprise for `uscc:`, the person
/// for `user:`; `None` when the platform does not know it.
pub async fn resolve_submitter(db: &Db, submitter: &str) -> Result<Option<String>> {
    if let Some(code) = submitter.strip_prefix("uscc:") {
        return sql::query_scalar("SELECT name FROM enterprises WHERE credit_code = $1")
            .bind(code.to_string())
            .fetch_optional(db)
            .await;
    }
    if let Some(user) = submitter.strip_prefix("user:") {
        return sql::query_scalar("SELECT display_name FROM users WHERE username = $1")
            .bind(user.to_string())
            .fetch_optional(db)
            .await;
    }
    Ok(None)
}

// ---------------------------------------------------------------------------------------------
// The audit trail anchored in the ledger

/// The submitter of audit-trail checkpoints.
pub const AUDIT_SUBMITTER: &str = "system:audit-trail";

/// One anchor: the audit rows `from_audit_id..=to_audit_id`, hashed after the previous anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub from_audit_id: i64,
    pub to_audit_id: i64,
    pub sha256: [u8; 32],
    pub sm3: [u8; 32],
}

impl Anchor {
    /// The metadata the ledger entry commits to: the range and the previous anchor's SHA-256.
    pub fn metadata(&self, previous_sha256: &[u8; 32]) -> serde_json::Value {
        serde_json::json!({
            "from_audit_id": self.from_audit_id,
            "to_audit_id": self.to_audit_id,
            "previous_sha256": hex::encode(previous_sha256),
        })
    }

    /// The ledger entry for this anchor (its identity does not depend on the time).
    pub fn entry(&self, previous_sha256: &[u8; 32], time_ms: i64) -> Result<Entry> {
        Entry::new(
            shoumi_ledger::EntryKind::AuditCheckpoint,
            shoumi_ledger::Digests {
                sha256: self.sha256,
                sm3: self.sm3,
            },
            shoumi_ledger::entry::metadata_digest(&self.metadata(previous_sha256)),
            time_ms,
            AUDIT_SUBMITTER,
        )
        .map_err(StorageError::Integrity)
    }
}

/// Hashes audit rows `from..=to` on top of the previous anchor's digests: each row as a JSON
/// array of its twelve columns in table order (NULL as null) followed by a newline.
async fn hash_audit_rows(
    conn: &mut sql::Tx,
    from: i64,
    to: i64,
    prev: ([u8; 32], [u8; 32]),
) -> Result<([u8; 32], [u8; 32], i64)> {
    use sha2::Digest;
    let mut a = sha2::Sha256::new();
    let mut b = sm3::Sm3::new();
    a.update(prev.0);
    b.update(prev.1);
    let mut after = from - 1;
    let mut n = 0;
    loop {
        let rows = sql::query(
            "SELECT id, at, actor_user_id, actor_name, ip, request_id, action, entity_type, \
             entity_id, summary, before_json, after_json FROM audit_log \
             WHERE id > $1 AND id <= $2 ORDER BY id LIMIT 5000",
        )
        .bind(after)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let int = |i: usize| -> Result<serde_json::Value> {
                Ok(r.try_get_at::<Option<i64>>(i)?
                    .map_or(serde_json::Value::Null, Into::into))
            };
            let text = |i: usize| -> Result<serde_json::Value> {
                Ok(r.try_get_at::<Option<String>>(i)?
                    .map_or(serde_json::Value::Null, Into::into))
            };
            let line = serde_json::Value::Array(vec![
                int(0)?,
                int(1)?,
                int(2)?,
                text(3)?,
                text(4)?,
                text(5)?,
                text(6)?,
                text(7)?,
                text(8)?,
                text(9)?,
                text(10)?,
                text(11)?,
            ])
            .to_string();
            a.update(line.as_bytes());
            a.update(b"\n");
            b.update(line.as_bytes());
            b.update(b"\n");
            after = r.try_get_at::<i64>(0)?;
            n += 1;
        }
    }
    Ok((a.finalize().into(), b.finalize().into(), n))
}

async fn last_anchor(conn: &mut sql::Tx) -> Result<Option<Anchor>> {
    let r = sql::query(
        "SELECT from_audit_id, to_audit_id, sha256, sm3 FROM audit_anchors ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(Anchor {
            from_audit_id: r.try_get("from_audit_id")?,
            to_audit_id: r.try_get("to_audit_id")?,
            sha256: hash32(r.try_get("sha256")?, "an anchor's SHA-256")?,
            sm3: hash32(r.try_get("sm3")?, "an anchor's SM3")?,
        })
    })
    .transpose()
}

/// Anchors the audit rows written since the last anchor and at least `settle_us` ago (a
/// transaction still open when the anchor is taken could otherwise commit a row below it):
/// hashes them, and in one durable transaction records the anchor, hands its entry to the
/// ledger (pending) and audits that. `None` when there is nothing new.
pub async fn anchor_audit_trail(db: &Db, settle_us: i64) -> Result<Option<Anchor>> {
    // Hash in a read snapshot (the rows are settled, and a first anchor of a large trail may
    // take a while), then record it in a short write transaction that checks nobody anchored
    // meanwhile.
    let mut read = db.read().await?;
    let prev = last_anchor(&mut read).await?;
    let (prev_to, prev_digests) = prev
        .as_ref()
        .map(|p| (p.to_audit_id, (p.sha256, p.sm3)))
        .unwrap_or((0, ([0; 32], [0; 32])));
    let t = now();
    let to: Option<i64> = sql::query_scalar("SELECT MAX(id) FROM audit_log WHERE at < $1")
        .bind(t - settle_us)
        .fetch_one(&mut read)
        .await?;
    let Some(to) = to.filter(|to| *to > prev_to) else {
        read.rollback().await?;
        return Ok(None);
    };
    let (sha256, sm3, _) = hash_audit_rows(&mut read, prev_to + 1, to, prev_digests).await?;
    read.rollback().await?;
    let anchor = Anchor {
        from_audit_id: prev_to + 1,
        to_audit_id: to,
        sha256,
        sm3,
    };
    let system = Actor::system("ledger");
    let mut tx = db.begin_durable(&system).await?;
    if last_anchor(tx.conn())
        .await?
        .map(|a| a.to_audit_id)
        .unwrap_or(0)
        != prev_to
    {
        return Ok(None); // anchored meanwhile; dropping the transaction rolls it back
    }
    let entry = anchor.entry(&prev_digests.0, t / 1000)?;
    let encoded = entry.encode();
    sql::query(
        "INSERT INTO ledger_pending (identity, entry, submitter, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(entry.identity().to_vec())
    .bind(encoded)
    .bind(AUDIT_SUBMITTER)
    .bind(t)
    .execute(tx.conn())
    .await?;
    sql::query(
        "INSERT INTO audit_anchors (from_audit_id, to_audit_id, sha256, sm3, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(anchor.from_audit_id)
    .bind(to)
    .bind(sha256.to_vec())
    .bind(sm3.to_vec())
    .bind(t)
    .execute(tx.conn())
    .await?;
    tx.audit(
        "audit.anchor",
        "audit_anchor",
        Some(&to.to_string()),
        &format!(
            "审计日志 {}–{to} 已存证 / audit rows {}–{to} anchored in the ledger (sha256 {})",
            anchor.from_audit_id,
            anchor.from_audit_id,
            hex::encode(sha256)
        ),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(anchor))
}

/// Recomputes every anchor from the audit trail and checks that each is registered in the
/// ledger: (anchors, audit rows covered), or the first range whose rows no longer match.
pub async fn verify_audit_anchors(db: &Db) -> std::result::Result<(u64, u64), String> {
    let e = |e: StorageError| format!("reading the audit anchors: {e}");
    let mut tx = db.read().await.map_err(e)?;
    let rows =
        sql::query("SELECT from_audit_id, to_audit_id, sha256, sm3 FROM audit_anchors ORDER BY id")
            .fetch_all(&mut tx)
            .await
            .map_err(e)?;
    let mut prev = ([0u8; 32], [0u8; 32]);
    let mut prev_to = 0i64;
    let mut covered = 0u64;
    for (i, r) in rows.iter().enumerate() {
        let a = Anchor {
            from_audit_id: r.try_get("from_audit_id").map_err(e)?,
            to_audit_id: r.try_get("to_audit_id").map_err(e)?,
            sha256: hash32(r.try_get("sha256").map_err(e)?, "sha256").map_err(e)?,
            sm3: hash32(r.try_get("sm3").map_err(e)?, "sm3").map_err(e)?,
        };
        if a.from_audit_id != prev_to + 1 || a.to_audit_id < a.from_audit_id {
            return Err(format!(
                "audit anchor {} covers rows {}–{}, but the previous one ended at {prev_to}",
                i + 1,
                a.from_audit_id,
                a.to_audit_id
            ));
        }
        let (sha256, sm3, n) = hash_audit_rows(&mut tx, a.from_audit_id, a.to_audit_id, prev)
            .await
            .map_err(e)?;
        if sha256 != a.sha256 || sm3 != a.sm3 {
            return Err(format!(
                "audit rows {}–{} no longer match their anchor: a row in that range was changed or removed",
                a.from_audit_id, a.to_audit_id
            ));
        }
        let identity = a.entry(&prev.0, 0).map_err(e)?.identity();
        let in_log: i64 = sql::query_scalar(
            "SELECT (SELECT COUNT(*) FROM ledger_entries WHERE identity = $1) + \
             (SELECT COUNT(*) FROM ledger_pending WHERE identity = $1)",
        )
        .bind(identity.to_vec())
        .fetch_one(&mut tx)
        .await
        .map_err(e)?;
        if in_log == 0 {
            return Err(format!(
                "audit anchor for rows {}–{} is not registered in the ledger",
                a.from_audit_id, a.to_audit_id
            ));
        }
        covered += n as u64;
        prev = (a.sha256, a.sm3);
        prev_to = a.to_audit_id;
    }
    tx.rollback().await.map_err(e)?;
    Ok((rows.len() as u64, covered))
}
