//! `shoumi`: the trade-secret protection platform in one binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use indicatif::ProgressBar;
use shoumi::cli::bar;
use shoumi::config::{Config, Overrides};
use shoumi::demo;
use shoumi_domain::{Action, Role, Scope};
use shoumi_storage::{Actor, ConnectOptions, Db, dump, enterprises, orgs, users};

mod similarity;

/// mimalloc: the request path allocates many small, short-lived objects on several threads
/// (tokio workers and one thread per SQLite connection), where glibc malloc's arenas contend.
/// Measured in docs/PERFORMANCE.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "shoumi",
    version,
    about = "守秘 — trade-secret protection platform"
)]
struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "SHOUMI_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://…
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Data directory (the SQLite database lives here by default).
    #[arg(long = "data", global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the server.
    Serve {
        #[arg(long)]
        addr: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Create a fresh database with the Gaotang demo data and serve it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Seed of the generated data.
        #[arg(long, default_value_t = 2023)]
        seed: u64,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Import units or enterprises from XLSX or CSV (all or nothing).
    Import {
        file: PathBuf,
        #[arg(long, default_value = "enterprises")]
        kind: String,
    },
    /// Export units or enterprises to XLSX or CSV (by the file's extension).
    Export {
        file: PathBuf,
        #[arg(long, default_value = "enterprises")]
        kind: String,
    },
    /// Write a consistent backup of the whole installation.
    Backup {
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Restore a backup into an empty database.
    Restore { file: PathBuf },
    /// Generate synthetic data for benchmarks: `province` = 300,000 enterprises and
    /// 3,000,000 people over ~1,700 divisions (fictional), added to the configured database.
    /// `programme` = 5,000 demonstration applications and 20,000 progress reports over the
    /// enterprises already there.
    Generate {
        #[arg(value_parser = ["province", "programme"])]
        scale: String,
        #[arg(long, default_value_t = 300_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 3_000_000)]
        people: usize,
        #[arg(long, default_value_t = 5_000)]
        applications: usize,
        #[arg(long, default_value_t = 20_000)]
        reports: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The working-day calendar (State Council holiday notices): import a year, count days.
    Calendar {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// The programme (plan): load a new version from a file, export one, list the versions.
    Programme {
        #[command(subcommand)]
        cmd: ProgrammeCmd,
    },
    /// The evidence ledger (存证): keys, registering files, verifying proofs, auditing storage.
    Log {
        #[command(subcommand)]
        cmd: LogCmd,
    },
    /// A witness (见证方) run by a partner agency: its key, and the tlog-witness server.
    Witness {
        #[command(subcommand)]
        cmd: WitnessCmd,
    },
    /// The similarity appraisal engine (同一性比对): keyed fingerprints of secrets, scans of
    /// suspect material, side-by-side reports. Needs no database.
    Match {
        #[command(subcommand)]
        cmd: similarity::MatchCmd,
    },
    /// Copy a whole installation into another (empty) database, e.g. SQLite to PostgreSQL.
    CopyDb {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum LogCmd {
    /// Create the log's Ed25519 and SM2 keys (under [ledger] key_dir, default <data>/ledger)
    /// and print its verifier keys.
    Init {
        /// The log's name (origin), e.g. gaotang.example/ledger.
        #[arg(long)]
        origin: String,
    },
    /// Hash files here, register their digests, and write FILE.tlog-proof once integrated.
    Add {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// secret-version, measure-record, complaint-material, case-evidence,
        /// audit-checkpoint or document.
        #[arg(long, default_value = "document")]
        kind: String,
        /// Who registers (e.g. uscc:<credit code>, user:<name>); default: the operator.
        #[arg(long)]
        submitter: Option<String>,
    },
    /// Verify a document against its .tlog-proof offline (exit status 0 only when valid).
    Verify {
        /// The log's verifier key(s): every one must have signed.
        #[arg(long = "key", required = true)]
        keys: Vec<String>,
        /// A witness's verifier key (repeat).
        #[arg(long = "witness")]
        witnesses: Vec<String>,
        /// How many of the witnesses must have cosigned (default: all given).
        #[arg(long)]
        quorum: Option<usize>,
        file: PathBuf,
        proof: PathBuf,
    },
    /// Recompute every tile and checkpoint from storage; report the first inconsistency.
    Audit,
    /// Benchmark and crash-test load: concurrent writers appending generated entries.
    #[command(hide = true)]
    Load {
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Entries per append request.
        #[arg(long, default_value_t = 1)]
        batch: usize,
        /// Print `ack <identity>` for every acknowledged entry.
        #[arg(long)]
        print_acks: bool,
    },
    /// Benchmark: concurrent callers building proofs of random entries.
    #[command(hide = true)]
    BenchProofs {
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Unmeasured seconds first (the tile mid-row cache fills as a server's would).
        #[arg(long, default_value_t = 10.0)]
        warmup: f64,
        #[arg(long, default_value_t = 16)]
        tasks: usize,
    },
}

#[derive(Subcommand)]
enum WitnessCmd {
    /// Create a witness key (witness.key, witness.vkey) in a directory.
    Init {
        /// The witness's name, e.g. court.gaotang.example/witness.
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "witness")]
        dir: PathBuf,
    },
    /// Serve C2SP tlog-witness add-checkpoint for the given logs.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: String,
        #[arg(long, default_value = "witness/witness.key")]
        key: PathBuf,
        /// The witness's state (latest cosigned checkpoint per log), replaced atomically.
        #[arg(long, default_value = "witness/state.json")]
        state: PathBuf,
        /// A log's verifier key (repeat; the key name is the log's origin).
        #[arg(long = "log", required = true)]
        logs: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ProgrammeCmd {
    /// Load a programme file (YAML or JSON, docs/PROGRAMME_FORMAT.md) as a new version.
    Import {
        file: PathBuf,
        /// Why this version (kept with it).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Write the programme in force (or version N) to stdout.
    Export {
        /// yaml or json.
        #[arg(long, default_value = "yaml")]
        format: String,
        #[arg(long)]
        version: Option<i64>,
    },
    /// The versions, newest first, with their digests.
    Versions,
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Add or correct years from a file: shoumi's calendar TOML, or a holiday-cn `YYYY.json`.
    Import { file: PathBuf },
    /// The date N working days after DATE (before it, for negative N).
    AddDays {
        date: String,
        #[arg(allow_negative_numbers = true)]
        n: i64,
    },
    /// Working days from FROM (exclusive) to TO (inclusive).
    Between { from: String, to: String },
    /// The years known, with their sources; with --export, the calendar as TOML.
    Show {
        #[arg(long)]
        export: bool,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account; prints a temporary password that must be changed at first sign-in.
    Create {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Role to grant (admin, office, department, town, station, enterprise_admin, …).
        #[arg(long)]
        role: Option<String>,
        /// Scope: county, unit:KEY-OR-NAME, division:CODE, zone:KEY, enterprise:CREDIT-CODE.
        #[arg(long, default_value = "county")]
        scope: String,
    },
    /// Set a new temporary password (printed once; must be changed at next sign-in).
    ResetPassword {
        username: String,
    },
    Disable {
        username: String,
    },
    Enable {
        username: String,
    },
    Grant {
        username: String,
        role: String,
        #[arg(default_value = "county")]
        scope: String,
    },
    Revoke {
        username: String,
        role: String,
    },
    List,
}

fn init_tracing(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&cfg.log.filter));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log.json {
        let _ = b.json().try_init();
    } else {
        let _ = b.try_init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The similarity engine reads no configuration and opens no database.
    let cli = match cli {
        Cli {
            cmd: Cmd::Match { cmd },
            ..
        } => return similarity::run(cmd),
        cli => cli,
    };
    let addr_flag = match &cli.cmd {
        Cmd::Serve { addr } => addr.clone(),
        Cmd::Demo { addr, .. } => Some(addr.clone()),
        _ => None,
    };
    let overrides = Overrides {
        addr: addr_flag,
        database_url: cli.database_url.clone(),
        data_dir: cli.data_dir.clone(),
    };
    let cfg = Config::load(cli.config.as_deref(), &overrides)?;
    init_tracing(&cfg);
    match cli.cmd {
        Cmd::Serve { .. } => {
            let db = shoumi::open(&cfg).await?;
            serve(&cfg, db).await
        }
        Cmd::Migrate => {
            let db = Db::connect(&cfg.database_url(), ConnectOptions::default()).await?;
            let done = shoumi_storage::migrate::run(&db).await?;
            println!(
                "migrations applied: {done:?} (schema version {})",
                shoumi_storage::migrate::latest_version()
            );
            Ok(())
        }
        Cmd::Demo { seed, .. } => run_demo(cfg, seed).await,
        Cmd::User { cmd } => user(&cfg, cmd).await,
        Cmd::Calendar { cmd } => calendar_cmd(&cfg, cmd).await,
        Cmd::Programme { cmd } => programme_cmd(&cfg, cmd).await,
        Cmd::Import { file, kind } => {
            let db = shoumi::open(&cfg).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("file")
                .to_string();
            let pb = ProgressBar::new_spinner();
            pb.set_message(format!("importing {name}"));
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            let started = Instant::now();
            let r = shoumi_web::import::import_file(
                &db,
                &Actor::system("cli"),
                &demo::operator(),
                &kind,
                &name,
                &bytes,
            )
            .await?;
            pb.finish_and_clear();
            for p in &r.problems {
                eprintln!(
                    "row {} column {}: {} ({:?})",
                    p.row, p.column, p.message_en, p.severity
                );
            }
            if !r.is_clean() {
                bail!("{} problem(s): nothing was imported", r.problems.len());
            }
            println!(
                "imported {name} in {:.2?}: created {}, updated {}, unchanged {}",
                started.elapsed(),
                r.created,
                r.updated,
                r.unchanged
            );
            Ok(())
        }
        Cmd::Export { file, kind } => {
            let db = shoumi::open(&cfg).await?;
            let format = match file.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("csv") => shoumi_exchange::Format::Csv,
                Some(e) if e.eq_ignore_ascii_case("xlsx") => shoumi_exchange::Format::Xlsx,
                _ => bail!("the output file must end in .xlsx or .csv"),
            };
            let op = demo::operator();
            let bytes = match kind.as_str() {
                "enterprises" => {
                    let rows =
                        enterprises::list_all(&db, &op.enterprise_scope(), &Default::default())
                            .await?;
                    let inputs: Vec<_> = rows.iter().filter_map(|e| e.to_input()).collect();
                    println!("{} enterprises", inputs.len());
                    shoumi_exchange::export_enterprises(&inputs, format)
                }
                "units" => {
                    let rows = orgs::units(&db, &Default::default()).await?;
                    let inputs: Vec<_> = rows
                        .iter()
                        .filter_map(|u| u.to_form().parse().ok().map(|(i, _)| i))
                        .collect();
                    println!("{} units", inputs.len());
                    shoumi_exchange::export_units(&inputs, format)
                }
                other => bail!("unknown kind {other}: enterprises or units"),
            };
            std::fs::write(&file, bytes)?;
            println!("wrote {}", file.display());
            Ok(())
        }
        Cmd::Backup { output } => {
            let db = shoumi::open(&cfg).await?;
            let tmp = output.with_extension("partial");
            let f = std::fs::File::create(&tmp)?;
            let pb = bar(0, "backup");
            let progress = |t: &str, done: u64, total: u64| {
                pb.set_message(t.to_string());
                pb.set_length(total);
                pb.set_position(done);
            };
            let header = dump::backup(&db, std::io::BufWriter::new(f), &progress).await?;
            pb.finish_and_clear();
            std::fs::rename(&tmp, &output)?;
            let rows: i64 = header.tables.iter().map(|t| t.1).sum();
            println!(
                "backup written to {} ({rows} rows in {} tables)",
                output.display(),
                header.tables.len()
            );
            Ok(())
        }
        Cmd::Restore { file } => {
            let db = Db::connect(&cfg.database_url(), ConnectOptions::default()).await?;
            shoumi_storage::migrate::run(&db).await?;
            let f = std::fs::File::open(&file)
                .with_context(|| format!("opening {}", file.display()))?;
            let pb = bar(0, "restore");
            let progress = |t: &str, done: u64, total: u64| {
                pb.set_message(t.to_string());
                pb.set_length(total);
                pb.set_position(done);
            };
            let header = dump::restore(&db, std::io::BufReader::new(f), &progress).await?;
            pb.finish_and_clear();
            println!(
                "restored {} tables from {}",
                header.tables.len(),
                file.display()
            );
            Ok(())
        }
        Cmd::Generate {
            scale,
            enterprises,
            people,
            applications,
            reports,
            seed,
        } => {
            let db = shoumi::open(&cfg).await?;
            if scale == "programme" {
                let started = Instant::now();
                let (a, i, r) = shoumi_storage::bulk::programme_scale(
                    &db,
                    &Actor::system("generate"),
                    applications,
                    reports,
                    seed,
                )
                .await?;
                shoumi_storage::bulk::analyze(&db).await?;
                println!(
                    "generated {a} applications, {i} work items and {r} reports in {:.1?}",
                    started.elapsed()
                );
                return Ok(());
            }
            generate_province(&db, enterprises, people, seed).await
        }
        Cmd::Log { cmd } => log_cmd(&cfg, cmd).await,
        Cmd::Match { .. } => unreachable!("match commands return before the configuration loads"),
        Cmd::Witness { cmd } => match cmd {
            WitnessCmd::Init { name, dir } => {
                let k = shoumi::ledger::witness_init(&dir, &name)?;
                println!("witness key written to {}", dir.display());
                println!("verifier key (give it to the log operator): {k}");
                Ok(())
            }
            WitnessCmd::Serve {
                addr,
                key,
                state,
                logs,
            } => shoumi::ledger::witness_serve(&addr, &key, &state, &logs).await,
        },
        Cmd::CopyDb { from, to } => {
            let src = Db::connect(&from, ConnectOptions::default()).await?;
            let dst = Db::connect(&to, ConnectOptions::default()).await?;
            shoumi_storage::migrate::run(&src).await?;
            shoumi_storage::migrate::run(&dst).await?;
            let pb = bar(0, "copy");
            let progress = |t: &str, done: u64, total: u64| {
                pb.set_message(t.to_string());
                pb.set_length(total);
                pb.set_position(done);
            };
            let counts = dump::copy_db(&src, &dst, &progress).await?;
            pb.finish_and_clear();
            let after = dump::counts(&dst).await?;
            println!("{:<20} {:>10} {:>10}", "table", "source", "target");
            for ((t, n), (_, m)) in counts.iter().zip(after.iter()) {
                println!("{t:<20} {n:>10} {m:>10}");
            }
            println!(
                "copied {} → {}",
                shoumi_storage::redact_url(&from),
                shoumi_storage::redact_url(&to)
            );
            Ok(())
        }
    }
}

async fn log_cmd(cfg: &Config, cmd: LogCmd) -> anyhow::Result<()> {
    match cmd {
        LogCmd::Init { origin } => {
            let dir = cfg.ledger_dir();
            let (ed, sm2) = shoumi::ledger::init(&dir, &origin)?;
            println!(
                "ledger keys written to {} (keep them secret, back them up)",
                dir.display()
            );
            println!("verifier keys (publish them; give them to witnesses and verifiers):");
            println!("{ed}\n{sm2}");
            Ok(())
        }
        LogCmd::Add {
            files,
            kind,
            submitter,
        } => {
            let kind = shoumi_ledger::EntryKind::parse_key(&kind)
                .with_context(|| format!("unknown --kind {kind}"))?;
            let who = submitter.unwrap_or_else(|| {
                format!(
                    "operator:{}",
                    std::env::var("USER").unwrap_or_else(|_| "cli".into())
                )
            });
            let db = shoumi::open(cfg).await?;
            shoumi::ledger::add(cfg, &db, &files, kind, &who).await
        }
        LogCmd::Verify {
            keys,
            witnesses,
            quorum,
            file,
            proof,
        } => {
            if shoumi::ledger::verify(&keys, &witnesses, quorum, &file, &proof)? {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        LogCmd::Load {
            seconds,
            clients,
            batch,
            print_acks,
        } => {
            let db = shoumi::open(cfg).await?;
            let r =
                shoumi::ledger::load(cfg, &db, seconds, clients, batch.max(1), print_acks).await?;
            eprintln!("{}", serde_json::to_string(&r)?);
            Ok(())
        }
        LogCmd::BenchProofs {
            seconds,
            warmup,
            tasks,
        } => {
            let db = Db::connect(&cfg.database_url(), cfg.connect_options()).await?;
            let r = shoumi::ledger::bench_proofs(cfg, &db, seconds, warmup, tasks.max(1)).await?;
            eprintln!("{}", serde_json::to_string(&r)?);
            Ok(())
        }
        LogCmd::Audit => {
            let db = Db::connect(&cfg.database_url(), ConnectOptions::default()).await?;
            if shoumi::ledger::audit(cfg, &db).await? {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
    }
}

async fn serve(cfg: &Config, db: Db) -> anyhow::Result<()> {
    let ledger = shoumi::ledger::start(cfg, &db).await?;
    serve_with(cfg, db, ledger).await
}

async fn serve_with(
    cfg: &Config,
    db: Db,
    ledger: Option<std::sync::Arc<shoumi_web::ledger::Ledger>>,
) -> anyhow::Result<()> {
    let mut state = shoumi_web::AppState::new(db.clone(), cfg.web());
    if let Some(l) = ledger {
        tracing::info!(origin = %l.config.origin, "evidence ledger running");
        state = state.with_ledger(l);
    }
    let app = shoumi_web::app(state).into_make_service_with_connect_info::<SocketAddr>();
    let addr: SocketAddr = cfg
        .server
        .addr
        .parse()
        .with_context(|| format!("bad listen address {}", cfg.server.addr))?;
    let worker = format!("{}-{}", std::process::id(), shoumi_storage::new_public_id());
    // Any TLS in the process (SMTP, PostgreSQL, the server) uses ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mailer = if cfg.smtp.enabled() {
        let m = shoumi_web::mail::Mailer::new(&cfg.smtp).map_err(|e| anyhow::anyhow!(e))?;
        tracing::info!(host = %cfg.smtp.host, "e-mail of notifications enabled");
        Some(std::sync::Arc::new(m))
    } else {
        None
    };
    tokio::spawn(shoumi_web::run_jobs(db, worker, mailer));
    tracing::info!(config = %cfg.describe(), "starting");
    match (&cfg.server.tls_cert, &cfg.server.tls_key) {
        (Some(cert), Some(key)) => {
            // One crypto provider for the whole process (ring, as sqlx's TLS already uses).
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .context("loading TLS certificate and key")?;
            println!("shoumi listening on https://{addr}");
            axum_server::bind_rustls(addr, tls).serve(app).await?;
        }
        (None, None) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding {addr}"))?;
            println!("shoumi listening on http://{}", listener.local_addr()?);
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await?;
        }
        _ => bail!("server.tls_cert and server.tls_key go together"),
    }
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}

async fn run_demo(mut cfg: Config, seed: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let url = cfg.database_url();
    if url.starts_with("sqlite://") {
        let path = cfg.data_dir.join("shoumi.db");
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            if p.exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("removing the old demo database {}", p.display()))?;
            }
        }
        std::fs::create_dir_all(&cfg.data_dir)?;
    }
    let password = match std::env::var("SHOUMI_DEMO_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => shoumi_web::pages::admin::temporary_password(),
    };
    let db = Db::connect(&url, ConnectOptions::default()).await?;
    if dump::counts(&db)
        .await
        .map(|c| c.iter().any(|(_, n)| *n > 0))
        .unwrap_or(false)
    {
        bail!(
            "the database at {} is not empty; the demo needs a fresh one",
            shoumi_storage::redact_url(&url)
        );
    }
    let accounts = demo::load(&db, &password, seed).await?;
    let ledger = shoumi::ledger::demo(&cfg, &db).await?;
    cfg.server.secure_cookies = false;
    println!(
        "shoumi demo ready in {:.1?}: Gaotang County, {} enterprises",
        started.elapsed(),
        enterprises::count(&db, &demo::operator().enterprise_scope()).await?
    );
    println!("  URL: http://{}/", cfg.server.addr);
    println!("  database: {}", shoumi_storage::redact_url(&url));
    println!("  accounts (password: {password}):");
    for (name, display) in &accounts {
        println!("    {name:<14} {display}");
    }
    println!(
        "  evidence ledger {} (verifier keys in {}), witnessed by {}",
        ledger.config.origin,
        cfg.ledger_dir().join("verifier-keys.txt").display(),
        ledger
            .config
            .witnesses
            .iter()
            .map(|w| w.label.as_str())
            .collect::<Vec<_>>()
            .join("、")
    );
    serve_with(&cfg, db, Some(ledger)).await
}

async fn generate_province(
    db: &Db,
    n_enterprises: usize,
    n_people: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let actor = Actor::system("generate");
    let op = demo::operator();
    let mut tx = db.begin(&actor).await?;
    let divisions = shoumi_demo::province_divisions(seed);
    shoumi_storage::bulk::insert_divisions(&mut tx, &divisions).await?;
    tx.commit().await?;
    let pb = bar(n_enterprises as u64, "enterprises");
    let mut batch = Vec::with_capacity(10_000);
    let mut codes = Vec::with_capacity(n_enterprises);
    for (i, e) in shoumi_demo::province_enterprises(seed, n_enterprises).enumerate() {
        codes.push(e.credit_code.to_string());
        batch.push((i + 2, e));
        if batch.len() == 10_000 {
            let mut tx = db.begin(&actor).await?;
            shoumi_storage::bulk::prepare(&mut tx)?;
            let out =
                enterprises::import_batch(&mut tx, &op.enterprise_edit_scope(), &batch).await?;
            if let Some((row, e)) = out.problems.first() {
                bail!("generated row {row}: {}: {}", e.field, e.message_en);
            }
            tx.commit().await?;
            pb.inc(batch.len() as u64);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        let mut tx = db.begin(&actor).await?;
        enterprises::import_batch(&mut tx, &op.enterprise_edit_scope(), &batch).await?;
        tx.commit().await?;
        pb.inc(batch.len() as u64);
    }
    pb.finish_and_clear();
    let ids = shoumi_storage::bulk::enterprise_ids(db).await?;
    let pb = bar(n_people as u64, "people");
    let mut rows = Vec::with_capacity(50_000);
    for p in shoumi_demo::province_people(seed, n_people) {
        let Some(code) = codes.get(p.enterprise) else {
            continue;
        };
        rows.push((p.name, ids[code], p.title.to_string(), p.mobile));
        if rows.len() == 50_000 {
            let mut tx = db.begin(&actor).await?;
            shoumi_storage::bulk::insert_people(&mut tx, &rows).await?;
            tx.commit().await?;
            pb.inc(rows.len() as u64);
            rows.clear();
        }
    }
    if !rows.is_empty() {
        let mut tx = db.begin(&actor).await?;
        shoumi_storage::bulk::insert_people(&mut tx, &rows).await?;
        tx.commit().await?;
        pb.inc(rows.len() as u64);
    }
    pb.finish_and_clear();
    shoumi_storage::bulk::analyze(db).await?;
    println!(
        "generated {} divisions, {n_enterprises} enterprises and {n_people} people in {:.1?}",
        divisions.len(),
        started.elapsed()
    );
    Ok(())
}

async fn find_user(db: &Db, username: &str) -> anyhow::Result<users::User> {
    users::by_username(db, username)
        .await?
        .with_context(|| format!("no user named {username}"))
}

/// Parses `county`, `unit:KEY-OR-NAME`, `division:CODE`, `zone:KEY`, `enterprise:CREDIT-CODE`.
async fn parse_scope(db: &Db, s: &str) -> anyhow::Result<Scope> {
    let (kind, v) = s.split_once(':').unwrap_or((s, ""));
    Ok(match kind {
        "county" => Scope::County,
        "unit" => {
            let u = match orgs::unit_by_key(db, v).await {
                Ok(u) => u,
                Err(_) => orgs::units(
                    db,
                    &orgs::UnitQuery {
                        q: v.into(),
                        kind: String::new(),
                    },
                )
                .await?
                .into_iter()
                .find(|u| u.name == v)
                .with_context(|| format!("no unit {v}"))?,
            };
            Scope::Unit(u.id)
        }
        "division" => Scope::Division(
            orgs::divisions(db)
                .await?
                .into_iter()
                .find(|d| d.code == v || d.name == v)
                .with_context(|| format!("no division {v}"))?
                .id,
        ),
        "zone" => Scope::Zone(
            orgs::zones(db)
                .await?
                .into_iter()
                .find(|z| z.key == v || z.name == v)
                .with_context(|| format!("no zone {v}"))?
                .id,
        ),
        "enterprise" => {
            let cap = demo::operator().can(Action::ManageUsers).expect("operator");
            Scope::Enterprise(
                enterprises::id_by_credit_code(db, cap, v)
                    .await?
                    .with_context(|| format!("no enterprise with credit code {v}"))?
                    .0,
            )
        }
        other => bail!("unknown scope kind {other}: county, unit:, division:, zone:, enterprise:"),
    })
}

async fn user(cfg: &Config, cmd: UserCmd) -> anyhow::Result<()> {
    let db = shoumi::open(cfg).await?;
    let op = demo::operator();
    let cap = op.can(Action::ManageUsers).expect("operator");
    let actor = Actor::system("cli");
    let hash = |pw: String| async move {
        tokio::task::spawn_blocking(move || users::hash_password(&pw)).await
    };
    match cmd {
        UserCmd::Create {
            username,
            name,
            email,
            role,
            scope,
        } => {
            let role = role
                .map(|r| Role::parse(&r).with_context(|| format!("unknown role {r}")))
                .transpose()?;
            let scope = parse_scope(&db, &scope).await?;
            let pw = shoumi_web::pages::admin::temporary_password();
            let h = hash(pw.clone()).await?;
            let mut tx = db.begin(&actor).await?;
            let (uid, _) = users::create(
                &mut tx,
                cap,
                &users::NewUser {
                    username: username.clone(),
                    display_name: name,
                    email: email.unwrap_or_default(),
                },
                &h,
                true,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Some(r) = role {
                users::grant(&mut tx, cap, uid, r, scope)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            tx.commit().await?;
            println!(
                "created {username}; temporary password (must be changed at first sign-in): {pw}"
            );
        }
        UserCmd::ResetPassword { username } => {
            let u = find_user(&db, &username).await?;
            let pw = shoumi_web::pages::admin::temporary_password();
            let h = hash(pw.clone()).await?;
            let mut tx = db.begin(&actor).await?;
            users::set_password(&mut tx, u.id, &h, true).await?;
            tx.commit().await?;
            println!("new temporary password for {username}: {pw}");
        }
        UserCmd::Disable { username } => {
            let u = find_user(&db, &username).await?;
            let mut tx = db.begin(&actor).await?;
            users::set_disabled(&mut tx, cap, u.id, true).await?;
            tx.commit().await?;
            println!("disabled {username}");
        }
        UserCmd::Enable { username } => {
            let u = find_user(&db, &username).await?;
            let mut tx = db.begin(&actor).await?;
            users::set_disabled(&mut tx, cap, u.id, false).await?;
            tx.commit().await?;
            println!("enabled {username}");
        }
        UserCmd::Grant {
            username,
            role,
            scope,
        } => {
            let u = find_user(&db, &username).await?;
            let role = Role::parse(&role).with_context(|| format!("unknown role {role}"))?;
            let scope = parse_scope(&db, &scope).await?;
            let mut tx = db.begin(&actor).await?;
            users::grant(&mut tx, cap, u.id, role, scope)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit_if_audited().await?;
            println!("granted {} to {username}", role.as_str());
        }
        UserCmd::Revoke { username, role } => {
            let u = find_user(&db, &username).await?;
            let role = Role::parse(&role).with_context(|| format!("unknown role {role}"))?;
            let grants: Vec<_> = users::grants_of(&db, u.id)
                .await?
                .into_iter()
                .filter(|g| g.role == role)
                .collect();
            if grants.is_empty() {
                bail!("{username} does not hold {}", role.as_str());
            }
            let mut tx = db.begin(&actor).await?;
            for g in &grants {
                users::revoke(&mut tx, cap, &g.public_id).await?;
            }
            tx.commit().await?;
            println!(
                "revoked {} from {username} ({} grant(s))",
                role.as_str(),
                grants.len()
            );
        }
        UserCmd::List => {
            for u in users::list(&db, cap).await? {
                let roles: Vec<String> = users::grants_of(&db, u.id)
                    .await?
                    .iter()
                    .map(|g| format!("{}@{}", g.role.as_str(), g.scope_name))
                    .collect();
                println!(
                    "{:<16} {:<24} {}{}",
                    u.username,
                    u.display_name,
                    roles.join(", "),
                    if u.disabled { " (disabled)" } else { "" }
                );
            }
        }
    }
    Ok(())
}

fn parse_date(s: &str) -> anyhow::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .with_context(|| format!("“{s}” is not a date (YYYY-MM-DD) / 日期格式应为 YYYY-MM-DD"))
}

fn warn_assumed(years: &[i32]) {
    if !years.is_empty() {
        let list = years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!(
            "注意：{list} 年的节假日安排尚未导入，这些年份按周一至周五计算，结果不确定。\n\
             warning: no holiday notice for {list}; Monday–Friday assumed there — the result is uncertain \
             (add the year with `shoumi calendar import FILE`)."
        );
    }
}

async fn programme_cmd(cfg: &shoumi::config::Config, cmd: ProgrammeCmd) -> anyhow::Result<()> {
    use shoumi_domain::programme::{ProgrammeSpec, SpecFormat};
    use shoumi_storage::programme as stored;
    let db = shoumi::open(cfg).await?;
    match cmd {
        ProgrammeCmd::Import { file, note } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let units = stored::unit_keys(&db).await?;
            let spec =
                ProgrammeSpec::parse(&text, SpecFormat::from_name(&file.to_string_lossy()), |k| {
                    units.contains(k)
                })
                .map_err(|e| anyhow::anyhow!("{}:\n{e}", file.display()))?;
            let op = shoumi::demo::operator();
            let cap = op
                .can(shoumi_domain::Action::ManageProgramme)
                .expect("operator");
            let actor = Actor::system("cli programme import");
            let mut tx = db.begin(&actor).await?;
            match stored::import(&mut tx, cap, &spec, &note).await? {
                stored::Imported::Version(v, _) => {
                    tx.commit().await?;
                    println!("{}: version {v} / 第{v}版", spec.key);
                }
                stored::Imported::Unchanged(v) => {
                    println!(
                        "{}: unchanged, version {v} stays in force / 与现行第{v}版相同",
                        spec.key
                    );
                }
            }
        }
        ProgrammeCmd::Export { format, version } => {
            let Some(fmt) = SpecFormat::parse(&format) else {
                bail!("--format is yaml or json, not {format}");
            };
            let p = match version {
                None => stored::current(&db).await?,
                Some(n) => {
                    let v = stored::versions(&db)
                        .await?
                        .into_iter()
                        .find(|v| v.version == n)
                        .with_context(|| format!("no programme version {n}"))?;
                    stored::by_public_id(&db, &v.public_id).await?
                }
            };
            print!("{}", p.spec.to_text(fmt));
        }
        ProgrammeCmd::Versions => {
            for v in stored::versions(&db).await? {
                println!(
                    "{:>3}  {}  {}  sha256 {}  sm3 {}  {}",
                    v.version,
                    v.programme_key,
                    shoumi_domain::Timestamp(v.created_at).display_local(),
                    v.sha256,
                    v.sm3,
                    v.note
                );
            }
        }
    }
    Ok(())
}

async fn calendar_cmd(cfg: &shoumi::config::Config, cmd: CalendarCmd) -> anyhow::Result<()> {
    use shoumi_storage::calendar as stored;
    let db = shoumi::open(cfg).await?;
    let cal = stored::load(&db).await?;
    match cmd {
        CalendarCmd::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let notices = shoumi_domain::calendar::parse_file(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let actor = Actor::system("cli calendar import");
            let mut tx = db.begin(&actor).await?;
            let mut lines = Vec::new();
            for n in &notices {
                let what = stored::import(&mut tx, &cal, n).await?;
                lines.push(format!(
                    "{}: {} ({} days off, {} weekend working days) — {}",
                    n.year,
                    match what {
                        stored::Imported::Added => "added / 已添加",
                        stored::Imported::Replaced => "replaced / 已更正",
                        stored::Imported::Unchanged => "unchanged / 无变化",
                    },
                    n.off.len(),
                    n.work.len(),
                    n.source
                ));
            }
            tx.commit_if_audited().await?;
            for l in lines {
                println!("{l}");
            }
        }
        CalendarCmd::AddDays { date, n } => {
            let d = parse_date(&date)?;
            if n.abs() > shoumi_domain::calendar::MAX_DAYS {
                bail!(
                    "N must be between -{0} and {0}",
                    shoumi_domain::calendar::MAX_DAYS
                );
            }
            let r = cal.add_working_days(d, n);
            println!(
                "{} {}",
                r.value,
                shoumi_domain::calendar::weekday_zh(r.value)
            );
            warn_assumed(&r.assumed_years);
        }
        CalendarCmd::Between { from, to } => {
            let r = cal.working_days_between(parse_date(&from)?, parse_date(&to)?);
            println!("{}", r.value);
            warn_assumed(&r.assumed_years);
        }
        CalendarCmd::Show { export } => {
            if export {
                let all: Vec<_> = cal.notices().collect();
                print!("{}", shoumi_domain::calendar::to_toml(&all));
            } else {
                for n in cal.notices() {
                    println!(
                        "{}  {:>3} days off  {:>2} weekend working days  {}",
                        n.year,
                        n.off.len(),
                        n.work.len(),
                        n.source
                    );
                }
            }
        }
    }
    Ok(())
}
