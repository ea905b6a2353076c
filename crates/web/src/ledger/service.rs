//! The ledger running inside a server process: group commit of appends, the sequencer (one per
//! database, by lock), witness pushes, waiting for integration, and proofs built from tiles.
//!
//! ```text
//!  append ──► committer task ──(one durable tx per batch)──► ledger_pending ──► ack
//!                                                                │
//!  sequencer task (holds SequencerLock) ── every 100 ms ─────────┘
//!      └─ one durable tx: entries + tiles + signed checkpoint + head + audit row
//!      └─ wakes waiters (watch channel), nudges the witness pusher
//!  witness pusher ── POST add-checkpoint ──► witnesses ──► cosignatures stored on the checkpoint
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shoumi_ledger::merkle::{consistency_proof, inclusion_proof};
use shoumi_ledger::note::{Note, Signature, SignerKey, VerifierKey};
use shoumi_ledger::tiles::{self, ExpandedTile, TileId, TileRecorder, TileSet};
use shoumi_ledger::witness::AddCheckpoint;
use shoumi_ledger::{Checkpoint, Policy, TlogProof};
use shoumi_storage::ledger::{self as store, Ack, Lookup, SequencerLock, Submission};
use shoumi_storage::{Db, StorageError};
use tokio::sync::{Notify, mpsc, oneshot, watch};

/// A witness this log pushes its checkpoints to.
#[derive(Debug, Clone)]
pub struct WitnessEndpoint {
    /// Submission prefix: `add-checkpoint` is appended.
    pub url: String,
    pub key: VerifierKey,
    /// Who runs it, as shown to people (e.g. 高唐县人民法院).
    pub label: String,
}

/// The log's identity and keys, and whom it asks to witness.
pub struct LedgerConfig {
    pub origin: String,
    /// Signs every checkpoint (standard verifiers).
    pub ed25519: SignerKey,
    /// Signs every checkpoint beside Ed25519 (国密).
    pub sm2: SignerKey,
    pub witnesses: Vec<WitnessEndpoint>,
    /// Cosignatures a checkpoint needs before proofs use it (default: all witnesses).
    pub quorum: usize,
    /// How often the sequencer integrates pending entries.
    pub interval: Duration,
    /// How often the audit trail is anchored in the ledger (`None`: never).
    pub audit_anchor_every: Option<Duration>,
}

impl LedgerConfig {
    /// The policy a verifier uses for this log: both log keys, `quorum` of the witnesses.
    pub fn policy(&self) -> Policy {
        Policy {
            origin: self.origin.clone(),
            log_keys: vec![self.ed25519.verifier().clone(), self.sm2.verifier().clone()],
            witnesses: self.witnesses.iter().map(|w| w.key.clone()).collect(),
            quorum: self.quorum,
        }
    }

    pub fn log_keys(&self) -> Vec<VerifierKey> {
        vec![self.ed25519.verifier().clone(), self.sm2.verifier().clone()]
    }

    pub fn witness_keys(&self) -> Vec<VerifierKey> {
        self.witnesses.iter().map(|w| w.key.clone()).collect()
    }

    /// Signs a checkpoint with both log keys.
    pub fn sign(&self, cp: &Checkpoint) -> String {
        let text = cp.to_text();
        let mut note = Note {
            text: text.clone(),
            signatures: vec![],
        };
        note.add(self.ed25519.sign(text.as_bytes(), None));
        note.add(self.sm2.sign(text.as_bytes(), None));
        note.to_text()
    }
}

/// Why the ledger could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the ledger is shutting down")]
    Closed,
    #[error("entry {0} is not in the log")]
    NotFound(u64),
    #[error("not integrated within {0:?}")]
    Timeout(Duration),
    #[error("the stored tree is inconsistent: {0}")]
    Integrity(String),
}

struct Job {
    sub: Submission,
    reply: oneshot::Sender<Result<Vec<Ack>, String>>,
}

/// Expanded upper and partial tiles kept (≈8 KiB each).
const TILE_CACHE: usize = 4096;

/// The ledger of one server process.
pub struct Ledger {
    db: Db,
    pub config: Arc<LedgerConfig>,
    jobs: mpsc::Sender<Job>,
    head: watch::Receiver<u64>,
    tiles: Mutex<HashMap<(u8, u64, u16), Arc<ExpandedTile>>>,
    mids: Mutex<HashMap<u64, Arc<[shoumi_ledger::Hash]>>>,
    head_cache: Mutex<Option<(std::time::Instant, store::Head)>>,
    notes: Mutex<HashMap<u64, (std::time::Instant, String)>>,
    stop: watch::Sender<bool>,
    latencies: Arc<Mutex<Vec<Duration>>>,
}

/// Mid rows of full bottom tiles kept (512 bytes each: 200,000 cover 51 million entries).
const MID_CACHE: usize = 200_000;

/// How many integration latencies are kept for [`Ledger::integration_latencies`].
const LATENCIES: usize = 100_000;

impl Ledger {
    /// Starts the committer, the sequencer (it takes the lock when free) and the witness
    /// pusher, and returns the handle.
    pub async fn start(db: Db, config: LedgerConfig) -> Result<Arc<Ledger>, LedgerError> {
        let config = Arc::new(config);
        // A new log gets its empty signed checkpoint (and that audit row) now, not later from
        // the background.
        if store::head(&db).await?.is_none() {
            let sign = |cp: &Checkpoint| config.sign(cp);
            store::sequence(&db, &config.origin, &sign, &mut None, 0).await?;
        }
        let (tx, rx) = mpsc::channel::<Job>(65_536);
        let initial = store::head(&db).await?.map(|h| h.size).unwrap_or(0);
        let (head_tx, head_rx) = watch::channel(initial);
        let nudge = Arc::new(Notify::new());
        tokio::spawn(committer(db.clone(), rx, nudge.clone()));
        let pushed = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let latencies = Arc::new(Mutex::new(Vec::new()));
        tokio::spawn(sequencer(
            db.clone(),
            config.clone(),
            head_tx,
            nudge,
            pushed.clone(),
            stopped.clone(),
            latencies.clone(),
        ));
        let ledger = Arc::new(Ledger {
            db,
            config,
            jobs: tx,
            head: head_rx,
            tiles: Mutex::new(HashMap::new()),
            mids: Mutex::new(HashMap::new()),
            head_cache: Mutex::new(None),
            notes: Mutex::new(HashMap::new()),
            stop,
            latencies,
        });
        if !ledger.config.witnesses.is_empty() {
            tokio::spawn(pusher(Arc::downgrade(&ledger), pushed, stopped));
        }
        Ok(ledger)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Stops sequencing and pushing (the sequencer lock is released); appends still commit.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// For each sequencing transaction since start (up to the last 100,000): the time from the
    /// oldest entry's acknowledgement to the commit that integrated it — the worst latency of
    /// that batch.
    pub fn integration_latencies(&self) -> Vec<Duration> {
        self.latencies.lock().expect("latencies").clone()
    }

    /// Appends entries (already encoded and valid) durably; returns once they are acknowledged
    /// (committed), not necessarily integrated.
    pub async fn append(&self, sub: Submission) -> Result<Vec<Ack>, LedgerError> {
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Job { sub, reply })
            .await
            .map_err(|_| LedgerError::Closed)?;
        rx.await
            .map_err(|_| LedgerError::Closed)?
            .map_err(|e| LedgerError::Storage(StorageError::Integrity(e)))
    }

    /// Waits until the entry with this identity is in the tree; its index and bytes.
    pub async fn wait_sequenced(
        &self,
        identity: &[u8],
        timeout: Duration,
    ) -> Result<(u64, Vec<u8>), LedgerError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut head = self.head.clone();
        loop {
            if let Lookup::Sequenced { index, entry } = store::lookup(&self.db, identity).await? {
                return Ok((index, entry));
            }
            match tokio::time::timeout_at(deadline, head.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err(LedgerError::Closed),
                Err(_) => return Err(LedgerError::Timeout(timeout)),
            }
        }
    }

    /// Waits until a checkpoint covering `index` has the witness quorum (immediately when no
    /// witness is configured). False on timeout.
    pub async fn wait_cosigned(&self, index: u64, timeout: Duration) -> Result<bool, LedgerError> {
        if self.config.witnesses.is_empty() || self.config.quorum == 0 {
            return Ok(true);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if store::head(&self.db)
                .await?
                .is_some_and(|h| h.cosigned_size > index)
            {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Tiles `wanted` as of tree `size`, expanded. Tiles never change at a given width, so
    /// expanded upper tiles and partial tiles are kept by (level, index, width), and of full
    /// bottom tiles (too many to keep whole) the mid row, which makes expanding them cheap.
    async fn tile_set(&self, wanted: &[(u8, u64)], size: u64) -> Result<TileSet, LedgerError> {
        let mut set = TileSet::default();
        let mut fetch = Vec::new();
        {
            let cache = self.tiles.lock().expect("tile cache");
            for &(l, i) in wanted {
                let t = TileId::at(l, i, size).ok_or_else(|| {
                    LedgerError::Integrity(format!("tile {l}/{i} is beyond size {size}"))
                })?;
                match cache.get(&(l, i, t.width)) {
                    Some(e) => set.insert(l, i, e.clone()),
                    None => fetch.push((l, i)),
                }
            }
        }
        if fetch.is_empty() {
            return Ok(set);
        }
        let stored = store::tiles(&self.db, &fetch).await?;
        for (l, i) in fetch {
            let t = TileId::at(l, i, size).expect("checked above");
            let bytes = stored
                .get(&(l, i))
                .ok_or_else(|| LedgerError::Integrity(format!("tile {} is missing", t.path())))?;
            let want = usize::from(t.width) * 32;
            if bytes.len() < want {
                return Err(LedgerError::Integrity(format!(
                    "tile {} holds {} bytes, size {size} needs {want}",
                    t.path(),
                    bytes.len()
                )));
            }
            let bytes = &bytes[..want];
            let bottom_full = l == 0 && t.is_full();
            let mid = if bottom_full {
                self.mids.lock().expect("mid cache").get(&i).cloned()
            } else {
                None
            };
            let e = Arc::new(
                match &mid {
                    Some(m) => ExpandedTile::with_mid(bytes, m),
                    None => ExpandedTile::new(bytes),
                }
                .map_err(LedgerError::Integrity)?,
            );
            if bottom_full {
                if mid.is_none() {
                    let mut mids = self.mids.lock().expect("mid cache");
                    if mids.len() >= MID_CACHE {
                        mids.clear();
                    }
                    mids.insert(i, e.mid().into());
                }
            } else {
                let mut cache = self.tiles.lock().expect("tile cache");
                if cache.len() >= TILE_CACHE {
                    cache.clear();
                }
                cache.insert((l, i, t.width), e.clone());
            }
            set.insert(l, i, e);
        }
        Ok(set)
    }

    /// The head, read at most every 100 ms (proofs of entries it does not cover read it again).
    async fn head_for(&self, index: u64) -> Result<store::Head, LedgerError> {
        if let Some((at, h)) = *self.head_cache.lock().expect("head cache")
            && at.elapsed() < Duration::from_millis(100)
            && index < h.size
        {
            return Ok(h);
        }
        let h = store::head(&self.db)
            .await?
            .ok_or(LedgerError::NotFound(index))?;
        *self.head_cache.lock().expect("head cache") = Some((std::time::Instant::now(), h));
        Ok(h)
    }

    /// A checkpoint's note, kept for a second (cosignatures may still be added to it).
    async fn note_for(&self, size: u64) -> Result<String, LedgerError> {
        if let Some((at, n)) = self.notes.lock().expect("note cache").get(&size)
            && at.elapsed() < Duration::from_secs(1)
        {
            return Ok(n.clone());
        }
        let note = store::checkpoint(&self.db, size)
            .await?
            .ok_or_else(|| LedgerError::Integrity(format!("checkpoint {size} is missing")))?;
        let mut notes = self.notes.lock().expect("note cache");
        if notes.len() > 64 {
            notes.clear();
        }
        notes.insert(size, (std::time::Instant::now(), note.clone()));
        Ok(note)
    }

    /// The inclusion proof of `index` in the tree of `size`.
    pub async fn inclusion(&self, index: u64, size: u64) -> Result<Vec<[u8; 32]>, LedgerError> {
        let rec = TileRecorder::default();
        inclusion_proof(&rec, index, size).map_err(|_| LedgerError::NotFound(index))?;
        let set = self.tile_set(&rec.tiles(), size).await?;
        inclusion_proof(&set, index, size).map_err(|e| LedgerError::Integrity(e.to_string()))
    }

    /// The consistency proof from `old` to `size`.
    pub async fn consistency(&self, old: u64, size: u64) -> Result<Vec<[u8; 32]>, LedgerError> {
        let rec = TileRecorder::default();
        consistency_proof(&rec, old, size).map_err(|e| LedgerError::Integrity(e.to_string()))?;
        let set = self.tile_set(&rec.tiles(), size).await?;
        consistency_proof(&set, old, size).map_err(|e| LedgerError::Integrity(e.to_string()))
    }

    /// The `.tlog-proof` for entry `index`: against the latest checkpoint that carries the
    /// witness quorum and covers it, or else against the latest checkpoint.
    pub async fn proof(&self, index: u64) -> Result<TlogProof, LedgerError> {
        let head = self.head_for(index).await?;
        if index >= head.size {
            return Err(LedgerError::NotFound(index));
        }
        let size = if head.cosigned_size > index {
            head.cosigned_size
        } else {
            head.size
        };
        let note = self.note_for(size).await?;
        // The usual case, a full bottom tile whose mid row is remembered: read the entry and
        // the 16 bottom hashes around it in one query.
        let t0 = index / tiles::WIDTH;
        let bottom_full = TileId::at(0, t0, size).is_some_and(|t| t.is_full());
        let mid = if bottom_full {
            self.mids.lock().expect("mid cache").get(&t0).cloned()
        } else {
            None
        };
        if let Some(mid) = mid {
            let group = ((index % tiles::WIDTH) >> tiles::MID_ROW) as usize;
            let span = 32usize << tiles::MID_ROW;
            let (entry, part) =
                store::entry_and_tile_part(&self.db, index, (0, t0), group * span, span)
                    .await?
                    .ok_or(LedgerError::NotFound(index))?;
            let tile0 =
                ExpandedTile::from_group(&mid, group, &part).map_err(LedgerError::Integrity)?;
            let rec = TileRecorder::default();
            inclusion_proof(&rec, index, size).map_err(|_| LedgerError::NotFound(index))?;
            let others: Vec<(u8, u64)> =
                rec.tiles().into_iter().filter(|t| *t != (0, t0)).collect();
            let mut set = self.tile_set(&others, size).await?;
            set.insert(0, t0, Arc::new(tile0));
            return Ok(TlogProof {
                extra: Some(entry),
                index,
                hashes: inclusion_proof(&set, index, size)
                    .map_err(|e| LedgerError::Integrity(e.to_string()))?,
                checkpoint: note,
            });
        }
        let entry = store::entry(&self.db, index)
            .await?
            .ok_or(LedgerError::NotFound(index))?;
        Ok(TlogProof {
            extra: Some(entry),
            index,
            hashes: self.inclusion(index, size).await?,
            checkpoint: note,
        })
    }
}

/// Pending entries beyond which acknowledgements wait for the sequencer.
const MAX_BACKLOG: i64 = 20_000;

/// Most submissions one commit takes (their entries are bounded by the API's own limit).
const GROUP: usize = 2048;

/// Group commit: everything queued while the previous commit was being made goes into the
/// next one, so one fsync acknowledges many appends.
async fn committer(db: Db, mut rx: mpsc::Receiver<Job>, nudge: Arc<Notify>) {
    // Acknowledged but not yet integrated, as far as this process knows (an estimate that only
    // grows; the exact count is read from the database when it passes the limit).
    let mut backlog: i64 = 0;
    while let Some(first) = rx.recv().await {
        // Back-pressure: while more is pending than the sequencer integrates in about a second,
        // acknowledgements wait, so integration stays within its bound under any load.
        while backlog > MAX_BACKLOG {
            match store::pending_count(&db).await {
                Ok(n) if n <= MAX_BACKLOG => backlog = n,
                Ok(_) => {
                    nudge.notify_one();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "ledger: cannot count pending entries");
                    backlog = 0;
                }
            }
        }
        let mut jobs = vec![first];
        while jobs.len() < GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let (subs, replies): (Vec<Submission>, Vec<_>) =
            jobs.into_iter().map(|j| (j.sub, j.reply)).unzip();
        match store::append(&db, &subs).await {
            Ok(acks) => {
                backlog += acks
                    .iter()
                    .flatten()
                    .filter(|a| **a == Ack::Pending)
                    .count() as i64;
                for (r, a) in replies.into_iter().zip(acks) {
                    let _ = r.send(Ok(a));
                }
                nudge.notify_one();
            }
            Err(e) => {
                tracing::error!(error = %e, "ledger: append failed");
                for r in replies {
                    let _ = r.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// Audit rows younger than this are left to the next anchor (a transaction open when the anchor
/// is taken could still commit a row below it).
const AUDIT_SETTLE_US: i64 = 5 * 60 * 1_000_000;

/// Entries one sequencing transaction takes at most.
const SEQUENCE_BATCH: usize = 50_000;

/// Holds the sequencer lock when it can; while held, integrates pending entries every
/// `interval` (sooner when nudged by a commit, but not more often than every 10 ms). Without
/// the lock it follows the head for this process's waiters.
async fn sequencer(
    db: Db,
    config: Arc<LedgerConfig>,
    head: watch::Sender<u64>,
    nudge: Arc<Notify>,
    pushed: Arc<Notify>,
    stop: watch::Receiver<bool>,
    latencies: Arc<Mutex<Vec<Duration>>>,
) {
    let sign = |cp: &Checkpoint| config.sign(cp);
    loop {
        if *stop.borrow() {
            return;
        }
        let lock = match SequencerLock::try_acquire(&db).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "ledger: cannot try the sequencer lock");
                None
            }
        };
        let Some(mut lock) = lock else {
            // Another process sequences: follow the head.
            for _ in 0..10 {
                if let Ok(Some(h)) = store::head(&db).await {
                    head.send_if_modified(|s| std::mem::replace(s, h.size) != h.size);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            continue;
        };
        tracing::info!("ledger: this process sequences the log");
        let mut edge = None;
        let mut checks = 0u32;
        // The first attempt right away: a restarted server anchors what has settled.
        let mut anchored: Option<std::time::Instant> = None;
        loop {
            let _ = tokio::time::timeout(config.interval, nudge.notified()).await;
            tokio::time::sleep(Duration::from_millis(10)).await;
            if *stop.borrow() {
                return; // drops the lock
            }
            checks += 1;
            if checks.is_multiple_of(50) && !lock.alive().await {
                tracing::warn!("ledger: lost the sequencer lock");
                break;
            }
            if let Some(every) = config.audit_anchor_every
                && anchored.is_none_or(|t| t.elapsed() >= every)
            {
                anchored = Some(std::time::Instant::now());
                match store::anchor_audit_trail(&db, AUDIT_SETTLE_US).await {
                    Ok(Some(a)) => tracing::info!(
                        from = a.from_audit_id,
                        to = a.to_audit_id,
                        "ledger: audit trail anchored"
                    ),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "ledger: anchoring the audit trail failed")
                    }
                }
            }
            // Idle: a count of an empty table, not a write transaction every interval.
            if edge.is_some() && matches!(store::pending_count(&db).await, Ok(0)) {
                continue;
            }
            loop {
                match store::sequence(&db, &config.origin, &sign, &mut edge, SEQUENCE_BATCH).await {
                    Ok(Some(s)) => {
                        if let Some(at) = s.oldest_pending_at {
                            let waited = (shoumi_storage::now() - at).max(0) as u64;
                            let mut l = latencies.lock().expect("latencies");
                            if l.len() == LATENCIES {
                                l.remove(0);
                            }
                            l.push(Duration::from_micros(waited));
                        }
                        head.send_replace(s.size);
                        pushed.notify_one();
                        if s.consumed < SEQUENCE_BATCH {
                            break;
                        }
                    }
                    // Nothing pending; while this process holds the lock the head is its own.
                    Ok(None) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "ledger: sequencing failed");
                        edge = None;
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        break;
                    }
                }
            }
        }
    }
}

/// Pushes the latest checkpoint to every witness whenever it changes (and retries every few
/// seconds), storing the cosignatures that come back.
async fn pusher(ledger: std::sync::Weak<Ledger>, pushed: Arc<Notify>, stop: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "ledger: no HTTP client for witnesses");
            return;
        }
    };
    // The size each witness has cosigned: from the stored cosignatures once, then as answered.
    let mut known: Option<HashMap<String, u64>> = None;
    loop {
        let _ = tokio::time::timeout(Duration::from_secs(5), pushed.notified()).await;
        if *stop.borrow() {
            return;
        }
        // The sequencing process is nudged at once; at most one round every 200 ms.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let Some(l) = ledger.upgrade() else {
            return; // the ledger is gone
        };
        let Ok(Some((size, note))) = store::latest_checkpoint(&l.db).await else {
            continue;
        };
        let sizes = match known.as_mut() {
            Some(k) => k,
            None => match store::witness_sizes(&l.db, &l.config.witness_keys()).await {
                Ok(k) => known.insert(k),
                Err(e) => {
                    tracing::warn!(error = %e, "ledger: cannot read the witnesses' sizes");
                    continue;
                }
            },
        };
        let rounds = l.config.witnesses.iter().map(|w| {
            push_one(
                &l,
                &client,
                w,
                size,
                &note,
                sizes.get(w.key.name()).copied(),
            )
        });
        let results = futures::future::join_all(rounds).await;
        for (w, r) in l.config.witnesses.iter().zip(results) {
            match r {
                Ok(now) => {
                    sizes.insert(w.key.name().to_string(), now);
                }
                Err(e) => {
                    tracing::warn!(witness = w.key.name(), error = %e, "ledger: witness did not cosign")
                }
            }
        }
    }
}

async fn push_one(
    l: &Ledger,
    client: &reqwest::Client,
    w: &WitnessEndpoint,
    size: u64,
    note: &str,
    known: Option<u64>,
) -> Result<u64, String> {
    let mut old = known.unwrap_or(0);
    if old == size && known.is_some() {
        return Ok(size);
    }
    for _ in 0..2 {
        if old > size {
            return Err(format!(
                "the witness has cosigned size {old}, beyond this log's {size}: the log was rolled back or forked"
            ));
        }
        let proof = if old == 0 {
            Vec::new()
        } else {
            l.consistency(old, size).await.map_err(|e| e.to_string())?
        };
        let body = AddCheckpoint {
            old,
            proof,
            checkpoint: note.to_string(),
        }
        .to_body();
        let url = format!("{}/add-checkpoint", w.url.trim_end_matches('/'));
        let resp = client
            .post(&url)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        match status {
            200 => {
                let cp_text = Note::parse(note.as_bytes())
                    .map_err(|e| e.to_string())?
                    .text;
                let mut sigs: Vec<Signature> = Vec::new();
                for line in text.lines().filter(|l| !l.is_empty()) {
                    let s = Signature::parse_line(line).map_err(|e| e.to_string())?;
                    if s.name == w.key.name() && s.id == w.key.id() {
                        w.key
                            .verify(cp_text.as_bytes(), &s.bytes)
                            .map_err(|_| "the witness's cosignature does not verify".to_string())?;
                        sigs.push(s);
                    }
                }
                if sigs.is_empty() {
                    return Err("the witness answered without a cosignature by its key".into());
                }
                store::add_cosignatures(
                    &l.db,
                    w.key.name(),
                    size,
                    &sigs,
                    &l.config.witness_keys(),
                    l.config.quorum,
                )
                .await
                .map_err(|e| e.to_string())?;
                return Ok(size);
            }
            409 if !text.trim().is_empty() && text.trim().bytes().all(|b| b.is_ascii_digit()) => {
                // The witness's size (e.g. it was restored, or our record is stale): ask again
                // from there; at the same size it cosigns the same checkpoint again.
                old = text.trim().parse().map_err(|_| "bad size".to_string())?;
            }
            s => return Err(format!("HTTP {s}: {}", text.trim())),
        }
    }
    Err("the witness kept reporting a different size".into())
}
