//! The evidence ledger's operator side: keys on disk, starting the ledger in a process, and the
//! `shoumi log …` and `shoumi witness …` commands.
//!
//! Key files (one line each, Go `note` format, mode 0600):
//! `<key_dir>/ed25519.key`, `<key_dir>/sm2.key`; the verifier keys, which are public, are written
//! to `<key_dir>/verifier-keys.txt` and printed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use shoumi_ledger::entry::{Digests, Entry, EntryKind, canonical_json, metadata_digest};
use shoumi_ledger::note::{Algorithm, SignerKey, VerifierKey};
use shoumi_ledger::witness::Witness;
use shoumi_ledger::{Policy, Verifier};
use shoumi_storage::ledger::{self as store, Ack, Submission};
use shoumi_storage::{Actor, Db};
use shoumi_web::ledger::{Ledger, LedgerConfig, WitnessEndpoint};

use crate::cli::write_secret;
use crate::config::Config;

const ED_FILE: &str = "ed25519.key";
const SM2_FILE: &str = "sm2.key";
const VKEYS_FILE: &str = "verifier-keys.txt";

/// `shoumi log init`: new Ed25519 and SM2 keys for the log named `origin`.
pub fn init(dir: &Path, origin: &str) -> anyhow::Result<(VerifierKey, VerifierKey)> {
    if !shoumi_ledger::checkpoint::valid_origin(origin) {
        bail!(
            "the origin {origin:?} must be a name without spaces or '+', e.g. gaotang.example/ledger"
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    if dir.join(ED_FILE).exists() || dir.join(SM2_FILE).exists() {
        bail!(
            "{} already holds ledger keys: a log keeps its keys for life (move them away to start a new log)",
            dir.display()
        );
    }
    let ed = SignerKey::generate(origin, Algorithm::Ed25519)?;
    let sm2 = SignerKey::generate(origin, Algorithm::Sm2)?;
    write_secret(&dir.join(ED_FILE), &ed.to_private_string())?;
    write_secret(&dir.join(SM2_FILE), &sm2.to_private_string())?;
    std::fs::write(
        dir.join(VKEYS_FILE),
        format!("{}\n{}\n", ed.verifier(), sm2.verifier()),
    )?;
    Ok((ed.verifier().clone(), sm2.verifier().clone()))
}

fn read_key(path: &Path) -> anyhow::Result<SignerKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    SignerKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The ledger configuration, when the keys exist (`None`: the ledger is not set up).
pub fn config(cfg: &Config) -> anyhow::Result<Option<LedgerConfig>> {
    let dir = cfg.ledger_dir();
    if !dir.join(ED_FILE).exists() {
        return Ok(None);
    }
    let ed25519 = read_key(&dir.join(ED_FILE))?;
    let sm2 = read_key(&dir.join(SM2_FILE))?;
    if ed25519.name() != sm2.name() {
        bail!(
            "the Ed25519 and SM2 keys name different logs ({} and {})",
            ed25519.name(),
            sm2.name()
        );
    }
    let mut witnesses = Vec::new();
    for (i, w) in cfg.ledger.witnesses.iter().enumerate() {
        let key = VerifierKey::parse(&w.key)
            .map_err(|e| anyhow::anyhow!("ledger.witnesses[{i}].key: {e}"))?;
        if key.algorithm() != Algorithm::Cosignature {
            bail!("ledger.witnesses[{i}].key: a witness key is a cosignature (type 0x04) key");
        }
        witnesses.push(WitnessEndpoint {
            url: w.url.clone(),
            label: if w.label.is_empty() {
                key.name().to_string()
            } else {
                w.label.clone()
            },
            key,
        });
    }
    let quorum = cfg.ledger.quorum.unwrap_or(witnesses.len());
    if quorum > witnesses.len() {
        bail!(
            "ledger.quorum {quorum} is more than the {} witnesses configured",
            witnesses.len()
        );
    }
    Ok(Some(LedgerConfig {
        origin: ed25519.name().to_string(),
        ed25519,
        sm2,
        witnesses,
        quorum,
        interval: Duration::from_millis(cfg.ledger.interval_ms.clamp(10, 1000)),
        audit_anchor_every: (cfg.ledger.audit_anchor_minutes > 0)
            .then(|| Duration::from_secs(cfg.ledger.audit_anchor_minutes * 60)),
    }))
}

/// Starts the ledger in this process when it is set up.
pub async fn start(cfg: &Config, db: &Db) -> anyhow::Result<Option<Arc<Ledger>>> {
    let Some(lc) = config(cfg)? else {
        return Ok(None);
    };
    let l = Ledger::start(db.clone(), lc)
        .await
        .map_err(|e| anyhow::anyhow!("starting the evidence ledger: {e}"))?;
    Ok(Some(l))
}

/// The ledger of a command that needs it: an error that says what to do when it is not set up.
async fn require(cfg: &Config, db: &Db) -> anyhow::Result<Arc<Ledger>> {
    start(cfg, db)
        .await?
        .context("the ledger is not set up: run `shoumi log init` first")
}

/// Verifier keys given on the command line, each error naming its flag.
fn parse_keys(flag: &str, keys: &[String]) -> anyhow::Result<Vec<VerifierKey>> {
    keys.iter()
        .map(|k| VerifierKey::parse(k).map_err(|e| anyhow::anyhow!("{flag} {k}: {e}")))
        .collect()
}

/// The metadata `shoumi log add` commits to for a file: its name and size.
pub fn file_metadata(path: &Path, size: u64) -> serde_json::Value {
    serde_json::json!({
        "file_name": path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
        "file_size": size,
    })
}

/// `shoumi log add`: hashes each file here, registers the digests, waits for integration (and
/// for the witness quorum, when witnesses are configured) and writes `FILE.tlog-proof`.
pub async fn add(
    cfg: &Config,
    db: &Db,
    files: &[PathBuf],
    kind: EntryKind,
    submitter: &str,
) -> anyhow::Result<()> {
    let l = require(cfg, db).await?;
    let t = shoumi_storage::now() / 1000;
    let mut entries = Vec::new();
    for f in files {
        let file = std::fs::File::open(f).with_context(|| format!("opening {}", f.display()))?;
        let size = file.metadata()?.len();
        let d = Digests::of_reader(std::io::BufReader::new(file))
            .with_context(|| format!("reading {}", f.display()))?;
        let meta = file_metadata(f, size);
        let e = Entry::new(kind, d, metadata_digest(&meta), t, submitter)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        entries.push((f, e, meta));
    }
    let acks = l
        .append(Submission {
            actor: Actor::system("log-add"),
            entries: entries.iter().map(|e| e.1.clone()).collect(),
        })
        .await?;
    for ((f, e, meta), ack) in entries.iter().zip(acks) {
        let identity = e.identity();
        let index = match ack {
            Ack::Existing(i) => {
                println!("{}: already registered as entry {i}", f.display());
                i
            }
            Ack::Pending => {
                l.wait_sequenced(&identity, Duration::from_secs(30))
                    .await
                    .with_context(|| format!("{}: waiting for integration", f.display()))?
                    .0
            }
        };
        if !l.wait_cosigned(index, Duration::from_secs(15)).await? {
            eprintln!(
                "{}: the witness quorum has not cosigned yet; the proof carries the log's signatures only",
                f.display()
            );
        }
        let proof = l.proof(index).await?;
        let out = PathBuf::from(format!("{}.tlog-proof", f.display()));
        std::fs::write(&out, proof.to_text())
            .with_context(|| format!("writing {}", out.display()))?;
        println!(
            "{}: entry {index}, sha256 {}, sm3 {}; proof {}; metadata {}",
            f.display(),
            hex::encode(e.document.sha256),
            hex::encode(e.document.sm3),
            out.display(),
            canonical_json(meta)
        );
    }
    Ok(())
}

/// `shoumi log verify`: true when valid; the report is printed either way.
pub fn verify(
    keys: &[String],
    witnesses: &[String],
    quorum: Option<usize>,
    file: &Path,
    proof: &Path,
) -> anyhow::Result<bool> {
    let log_keys = parse_keys("--key", keys)?;
    let Some(origin) = log_keys.first().map(|k| k.name().to_string()) else {
        bail!("give the log's verifier key with --key");
    };
    let witness_keys = parse_keys("--witness", witnesses)?;
    let quorum = quorum.unwrap_or(witness_keys.len());
    if quorum > witness_keys.len() {
        bail!(
            "--quorum {quorum} is more than the {} witnesses given",
            witness_keys.len()
        );
    }
    let v = Verifier::new(Policy {
        origin,
        log_keys,
        witnesses: witness_keys,
        quorum,
    });
    let doc = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let digests = Digests::of_reader(std::io::BufReader::new(doc))?;
    let bytes = std::fs::read(proof).with_context(|| format!("reading {}", proof.display()))?;
    match v.verify(&bytes, Some(&digests)) {
        Ok(ok) => {
            let e = &ok.entry;
            println!("有效 / VALID");
            println!(
                "  entry {} of a log of {} entries ({})",
                ok.index, ok.checkpoint.checkpoint.size, ok.checkpoint.checkpoint.origin
            );
            println!("  kind: {} / {}", e.kind.name_zh(), e.kind.name_en());
            println!("  submitter: {}", e.submitter);
            println!(
                "  registered: {}",
                shoumi_domain::Timestamp(e.time_ms * 1000).rfc3339()
            );
            for (n, a) in &ok.checkpoint.log_signatures {
                println!("  signed by {n} ({a})");
            }
            for (n, t) in &ok.checkpoint.cosignatures {
                println!(
                    "  cosigned by {n} at {}",
                    shoumi_domain::Timestamp(*t as i64 * 1_000_000).rfc3339()
                );
            }
            Ok(true)
        }
        Err(e) => {
            println!("无效 / INVALID: {e}");
            Ok(false)
        }
    }
}

/// `shoumi log audit`.
pub async fn audit(cfg: &Config, db: &Db) -> anyhow::Result<bool> {
    let Some(lc) = config(cfg)? else {
        bail!("the ledger is not set up: run `shoumi log init` first");
    };
    match store::audit(db, &lc.origin, &lc.log_keys(), &lc.witness_keys()).await {
        Ok(r) => println!(
            "ledger consistent: {} entries, {} tiles, {} checkpoints, {} cosignatures, {} pending",
            r.entries, r.tiles, r.checkpoints, r.cosignatures, r.pending
        ),
        Err(e) => {
            println!("LEDGER INCONSISTENT: {e}");
            return Ok(false);
        }
    }
    match store::verify_audit_anchors(db).await {
        Ok((anchors, rows)) => {
            println!("audit trail matches its {anchors} anchors ({rows} rows anchored)");
            Ok(true)
        }
        Err(e) => {
            println!("AUDIT TRAIL ALTERED: {e}");
            Ok(false)
        }
    }
}

/// `shoumi witness init`: a witness key for the agency `name`.
pub fn witness_init(dir: &Path, name: &str) -> anyhow::Result<VerifierKey> {
    std::fs::create_dir_all(dir)?;
    let k = SignerKey::generate(name, Algorithm::Cosignature)?;
    write_secret(&dir.join("witness.key"), &k.to_private_string())?;
    std::fs::write(dir.join("witness.vkey"), format!("{}\n", k.verifier()))?;
    Ok(k.verifier().clone())
}

/// `shoumi witness serve`.
pub async fn witness_serve(
    addr: &str,
    key: &Path,
    state: &Path,
    logs: &[String],
) -> anyhow::Result<()> {
    let key = read_key(key)?;
    if key.verifier().algorithm() != Algorithm::Cosignature {
        bail!("the witness key must be a cosignature key (shoumi witness init)");
    }
    let logs = parse_keys("--log", logs)?;
    if logs.is_empty() {
        bail!("name at least one log to witness with --log VKEY");
    }
    let w = Arc::new(Witness::open(key, logs, Some(state)).map_err(|e| anyhow::anyhow!(e))?);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    println!(
        "shoumi witness {} listening on http://{}",
        w.verifier(),
        listener.local_addr()?
    );
    axum::serve(listener, shoumi_web::ledger::witness_server::router(w)).await?;
    Ok(())
}

/// What `shoumi log load` measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadReport {
    pub appended: u64,
    pub seconds: f64,
    pub appends_per_sec: f64,
    pub integration_p50_ms: f64,
    pub integration_p99_ms: f64,
    pub integration_max_ms: f64,
    pub batches: usize,
}

/// `shoumi log load`: `clients` concurrent writers, each appending `batch` fresh entries per
/// request, for `seconds`; then waits until everything is integrated. With `print_acks`, each
/// acknowledged entry's identity is printed (and flushed) as soon as its commit returns, so a
/// crash test can check that none of them is lost.
pub async fn load(
    cfg: &Config,
    db: &Db,
    seconds: f64,
    clients: usize,
    batch: usize,
    print_acks: bool,
) -> anyhow::Result<LoadReport> {
    use std::io::Write;
    let l = require(cfg, db).await?;
    let started = std::time::Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let stdout = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let l = l.clone();
        let stdout = stdout.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            let mut seq = 0u64;
            let pid = std::process::id();
            while std::time::Instant::now() < deadline {
                let t = shoumi_storage::now() / 1000;
                let entries: Vec<Entry> = (0..batch)
                    .map(|_| {
                        seq += 1;
                        let doc = format!("load {pid} {c} {seq} {t}");
                        Entry::new(
                            EntryKind::Document,
                            Digests::of(doc.as_bytes()),
                            [0; 32],
                            t,
                            "user:load",
                        )
                        .expect("valid entry")
                    })
                    .collect();
                l.append(Submission {
                    actor: Actor::system("load"),
                    entries: entries.clone(),
                })
                .await?;
                n += entries.len() as u64;
                if print_acks {
                    let mut out = stdout.lock().expect("stdout");
                    for e in &entries {
                        writeln!(out, "ack {}", hex::encode(e.identity()))?;
                    }
                    out.flush()?;
                }
            }
            anyhow::Ok(n)
        }));
    }
    let mut appended = 0;
    for t in tasks {
        appended += t.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    // Everything acknowledged gets integrated.
    let wait = std::time::Instant::now();
    while store::pending_count(db).await? > 0 {
        if wait.elapsed() > Duration::from_secs(120) {
            bail!("entries still pending after two minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut lat = l.integration_latencies();
    lat.sort();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i].as_secs_f64() * 1000.0
    };
    Ok(LoadReport {
        appended,
        seconds,
        appends_per_sec: appended as f64 / seconds,
        integration_p50_ms: pct(0.50),
        integration_p99_ms: pct(0.99),
        integration_max_ms: pct(1.0),
        batches: lat.len(),
    })
}

/// The demo's ledger: keys under the data directory (made on first use), two in-process
/// witnesses standing in for the county court and procuratorate (plus any configured), and
/// a few registrations by the demo enterprise and the office, integrated and cosigned.
pub async fn demo(cfg: &Config, db: &Db) -> anyhow::Result<Arc<Ledger>> {
    let dir = cfg.ledger_dir();
    if !dir.join(ED_FILE).exists() {
        init(&dir, "gaotang.shoumi.demo/ledger")?;
    }
    let mut lc = config(cfg)?.context("the demo's ledger keys")?;
    let logs = lc.log_keys();
    for (name, label) in [
        ("court.gaotang.demo/witness", "高唐县人民法院（演示见证方）"),
        (
            "procuratorate.gaotang.demo/witness",
            "高唐县人民检察院（演示见证方）",
        ),
    ] {
        let key = SignerKey::generate(name, Algorithm::Cosignature)?;
        let vkey = key.verifier().clone();
        let w = Arc::new(Witness::open(key, logs.clone(), None).map_err(|e| anyhow::anyhow!(e))?);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            axum::serve(listener, shoumi_web::ledger::witness_server::router(w)).await
        });
        lc.witnesses.push(WitnessEndpoint {
            url,
            key: vkey,
            label: label.into(),
        });
    }
    if cfg.ledger.quorum.is_none() {
        lc.quorum = lc.witnesses.len();
    }
    let l = Ledger::start(db.clone(), lc)
        .await
        .map_err(|e| anyhow::anyhow!("starting the evidence ledger: {e}"))?;
    // The demo enterprise's registrations, and one by the office.
    let enterprise = shoumi_storage::users::by_username(db, "enterprise")
        .await?
        .context("the demo enterprise account")?;
    let p = shoumi_storage::users::principal(db, enterprise.id)
        .await?
        .context("its grants")?;
    let own = p.enterprise_scope().own().first().copied();
    let code = match own {
        Some(id) => {
            shoumi_storage::enterprises::get_by_id(db, &p.enterprise_scope(), id)
                .await?
                .credit_code
        }
        None => bail!("the demo enterprise account has no enterprise"),
    };
    let t = shoumi_storage::now() / 1000;
    let docs = [
        (
            EntryKind::SecretVersion,
            "配方与工艺参数 v1（演示）",
            format!("uscc:{code}"),
        ),
        (
            EntryKind::SecretVersion,
            "配方与工艺参数 v2（演示）",
            format!("uscc:{code}"),
        ),
        (
            EntryKind::MeasureRecord,
            "员工保密协议（演示）",
            format!("uscc:{code}"),
        ),
        (
            EntryKind::MeasureRecord,
            "涉密区域门禁制度（演示）",
            format!("uscc:{code}"),
        ),
        (
            EntryKind::Document,
            "商业秘密保护工作方案（演示）",
            "user:office".to_string(),
        ),
    ];
    let entries: Vec<Entry> = docs
        .iter()
        .map(|(k, title, who)| {
            let meta = serde_json::json!({"title": title, "file_name": format!("{title}.pdf")});
            Entry::new(
                *k,
                Digests::of(title.as_bytes()),
                metadata_digest(&meta),
                t,
                who,
            )
            .map_err(|e| anyhow::anyhow!(e))
        })
        .collect::<anyhow::Result<_>>()?;
    l.append(Submission {
        actor: Actor::system("demo"),
        entries: entries.clone(),
    })
    .await?;
    for e in &entries {
        let (i, _) = l
            .wait_sequenced(&e.identity(), Duration::from_secs(30))
            .await?;
        l.wait_cosigned(i, Duration::from_secs(10)).await?;
    }
    Ok(l)
}

/// What `shoumi log bench-proofs` measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProofReport {
    pub log_size: u64,
    pub proofs: u64,
    pub seconds: f64,
    pub proofs_per_sec: f64,
    pub verified_sample: u64,
}

/// `shoumi log bench-proofs`: `tasks` concurrent callers building `.tlog-proof`s of uniformly
/// random entries (entry, tiles and checkpoint read from the database, as a request would)
/// for `seconds`; every 1,000th proof is verified.
pub async fn bench_proofs(
    cfg: &Config,
    db: &Db,
    seconds: f64,
    warmup: f64,
    tasks: usize,
) -> anyhow::Result<ProofReport> {
    let l = require(cfg, db).await?;
    let size = store::head(db).await?.map(|h| h.size).unwrap_or(0);
    if size == 0 {
        bail!("the log is empty");
    }
    let verifier = Arc::new(Verifier::new(Policy {
        quorum: 0,
        ..l.config.policy()
    }));
    if warmup > 0.0 {
        run_proofs(&l, &verifier, size, warmup, tasks, 1).await?;
    }
    let started = std::time::Instant::now();
    let (proofs, verified) = run_proofs(&l, &verifier, size, seconds, tasks, 2).await?;
    let seconds = started.elapsed().as_secs_f64();
    l.stop();
    Ok(ProofReport {
        log_size: size,
        proofs,
        seconds,
        proofs_per_sec: proofs as f64 / seconds,
        verified_sample: verified,
    })
}

async fn run_proofs(
    l: &Arc<Ledger>,
    verifier: &Arc<Verifier>,
    size: u64,
    seconds: f64,
    tasks: usize,
    round: u64,
) -> anyhow::Result<(u64, u64)> {
    let deadline = std::time::Instant::now() + Duration::from_secs_f64(seconds);
    let mut handles = Vec::new();
    for t in 0..tasks {
        let l = l.clone();
        let verifier = verifier.clone();
        handles.push(tokio::spawn(async move {
            use rand::{Rng, SeedableRng};
            let mut rng = rand::rngs::StdRng::seed_from_u64(t as u64 + round * 1_000);
            let (mut n, mut checked) = (0u64, 0u64);
            while std::time::Instant::now() < deadline {
                let i = rng.random_range(0..size);
                let p = l.proof(i).await?;
                n += 1;
                if n % 1000 == 0 {
                    verifier
                        .verify_parsed(&p, None)
                        .map_err(|e| anyhow::anyhow!("proof of {i} does not verify: {e}"))?;
                    checked += 1;
                }
            }
            anyhow::Ok((n, checked))
        }));
    }
    let (mut proofs, mut verified) = (0, 0);
    for h in handles {
        let (n, c) = h.await??;
        proofs += n;
        verified += c;
    }
    Ok((proofs, verified))
}
