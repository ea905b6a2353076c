//! Configuration in layers: defaults → file (`--config`, TOML) → environment
//! (`SHOUMI__SECTION__KEY`, e.g. `SHOUMI__SERVER__ADDR`) → command-line flags.
//! Secrets (the database password) are never printed: see [`Config::describe`].

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the SQLite database and other files live.
    pub data_dir: PathBuf,
    pub server: Server,
    pub database: Database,
    /// A county reference file to seed a new installation with (default: Gaotang, embedded).
    pub county_file: Option<PathBuf>,
    /// A programme file (YAML or JSON, docs/PROGRAMME_FORMAT.md) to seed a new installation with
    /// (default: Gaotang's plan, embedded).
    pub programme_file: Option<PathBuf>,
    pub log: Log,
    pub security: Security,
    /// E-mail of notifications (`[smtp]`; no host: inbox only).
    pub smtp: shoumi_web::mail::MailConfig,
    /// The evidence ledger (`[ledger]`): its keys come from `shoumi log init`.
    pub ledger: LedgerSettings,
}

/// `[ledger]`: where the log's keys are, whom it asks to witness, how often it integrates.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerSettings {
    /// Directory of the log's private keys (default: `<data_dir>/ledger`).
    pub key_dir: Option<PathBuf>,
    /// Cosignatures a checkpoint needs before proofs use it (default: every witness).
    pub quorum: Option<usize>,
    /// How often pending entries are integrated, in milliseconds.
    pub interval_ms: u64,
    /// How often the audit trail is anchored in the ledger, in minutes (0: never).
    pub audit_anchor_minutes: u64,
    /// `[[ledger.witnesses]]` with `url` (submission prefix), `key` (verifier key) and
    /// `label` (who runs it, e.g. 高唐县人民法院).
    pub witnesses: Vec<WitnessSetting>,
}

impl Default for LedgerSettings {
    fn default() -> Self {
        LedgerSettings {
            key_dir: None,
            quorum: None,
            interval_ms: 100,
            audit_anchor_minutes: 60,
            witnesses: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WitnessSetting {
    pub url: String,
    pub key: String,
    #[serde(default)]
    pub label: String,
}

/// Sign-in throttling (counted in the database, so all instances agree).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Security {
    /// Failed sign-ins on one account within the window that lock it.
    pub lockout_failures: i64,
    /// How long a locked account stays locked.
    pub lockout_minutes: i64,
    /// Failed sign-ins from one address within the window after which it is refused.
    pub ip_failures: i64,
    /// The window over which failures are counted.
    pub window_minutes: i64,
}

impl Default for Security {
    fn default() -> Self {
        let p = shoumi_storage::users::ThrottlePolicy::default();
        Security {
            lockout_failures: p.account_failures,
            lockout_minutes: p.lockout_secs / 60,
            ip_failures: p.ip_failures,
            window_minutes: p.window_secs / 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Server {
    pub addr: String,
    /// PEM certificate chain and key: serve HTTPS directly with rustls.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Mark cookies Secure and send HSTS; on automatically with built-in TLS.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy.
    pub trust_proxy: bool,
    pub session_ttl_secs: i64,
    pub max_upload_mb: usize,
    /// How long a rendered page may be served again to the same session while nothing in the
    /// database changes (milliseconds; 0 = never). See `shoumi_web::pagecache`.
    pub page_cache_ms: u64,
    /// Memory for those pages (MiB).
    pub page_cache_mb: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Database {
    /// `sqlite://PATH` or `postgres://…`; default: SQLite under `data_dir`.
    pub url: Option<String>,
    pub max_connections: u32,
    /// SQLite: memory-map up to this many MiB of the database file (0 = off; SQLite caps it at
    /// 2 GiB). Helps reads of a large database, e.g. proofs from a log of millions of entries.
    pub sqlite_mmap_mb: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Log {
    /// `RUST_LOG`-style filter.
    pub filter: String,
    /// Emit JSON lines instead of text.
    pub json: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            server: Server::default(),
            database: Database::default(),
            county_file: None,
            programme_file: None,
            log: Log::default(),
            security: Security::default(),
            smtp: Default::default(),
            ledger: LedgerSettings::default(),
        }
    }
}

impl Default for Server {
    fn default() -> Self {
        Server {
            addr: "127.0.0.1:8080".into(),
            tls_cert: None,
            tls_key: None,
            secure_cookies: false,
            trust_proxy: false,
            session_ttl_secs: 8 * 3600,
            max_upload_mb: 32,
            page_cache_ms: 2000,
            page_cache_mb: 16,
        }
    }
}

impl Default for Database {
    fn default() -> Self {
        Database {
            url: None,
            max_connections: 10,
            sqlite_mmap_mb: 0,
        }
    }
}

impl Default for Log {
    fn default() -> Self {
        Log {
            filter: "info,sqlx=error".into(),
            json: false,
        }
    }
}

/// Flags that override everything else.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    pub addr: Option<String>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    pub fn load(file: Option<&Path>, o: &Overrides) -> anyhow::Result<Config> {
        let mut f = Figment::from(Serialized::defaults(Config::default()));
        if let Some(p) = file {
            if !p.exists() {
                anyhow::bail!("configuration file {} does not exist", p.display());
            }
            f = f.merge(Toml::file(p));
        }
        f = f.merge(Env::prefixed("SHOUMI__").split("__"));
        let mut c: Config = f.extract()?;
        if let Some(a) = &o.addr {
            c.server.addr = a.clone();
        }
        if let Some(u) = &o.database_url {
            c.database.url = Some(u.clone());
        }
        if let Some(d) = &o.data_dir {
            c.data_dir = d.clone();
        }
        if c.server.tls_cert.is_some() {
            c.server.secure_cookies = true;
        }
        Ok(c)
    }

    /// Connection options from `[database]`.
    pub fn connect_options(&self) -> shoumi_storage::ConnectOptions {
        shoumi_storage::ConnectOptions {
            max_connections: self.database.max_connections,
            sqlite_mmap_bytes: self.database.sqlite_mmap_mb * 1024 * 1024,
            ..Default::default()
        }
    }

    /// The database URL: configured, or SQLite under the data directory.
    pub fn database_url(&self) -> String {
        self.database
            .url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("shoumi.db").display()))
    }

    /// Where the ledger's keys live.
    pub fn ledger_dir(&self) -> PathBuf {
        self.ledger
            .key_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("ledger"))
    }

    /// A printable summary without secrets.
    pub fn describe(&self) -> String {
        format!(
            "addr={} database={} data_dir={} tls={}",
            self.server.addr,
            shoumi_storage::redact_url(&self.database_url()),
            self.data_dir.display(),
            self.server.tls_cert.is_some()
        )
    }

    pub fn web(&self) -> shoumi_web::WebConfig {
        shoumi_web::WebConfig {
            secure_cookies: self.server.secure_cookies,
            trust_proxy: self.server.trust_proxy,
            session_ttl_secs: self.server.session_ttl_secs,
            throttle: shoumi_storage::users::ThrottlePolicy {
                account_failures: self.security.lockout_failures.max(1),
                ip_failures: self.security.ip_failures.max(1),
                window_secs: self.security.window_minutes.max(1) * 60,
                lockout_secs: self.security.lockout_minutes.max(1) * 60,
            },
            max_upload_bytes: self.server.max_upload_mb * 1024 * 1024,
            page_cache: std::time::Duration::from_millis(self.server.page_cache_ms),
            page_cache_bytes: self.server.page_cache_mb * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API returns its own large error type
    fn flags_override_environment_which_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "shoumi.toml",
                "data_dir = \"/srv/x\"\n[server]\naddr = \"0.0.0.0:1\"\ntrust_proxy = true\n",
            )?;
            jail.set_env("SHOUMI__SERVER__ADDR", "0.0.0.0:2");
            let c = Config::load(Some(Path::new("shoumi.toml")), &Overrides::default()).unwrap();
            assert_eq!(c.server.addr, "0.0.0.0:2");
            assert!(c.server.trust_proxy);
            assert_eq!(c.database_url(), "sqlite:///srv/x/shoumi.db");
            let c = Config::load(
                Some(Path::new("shoumi.toml")),
                &Overrides {
                    addr: Some("127.0.0.1:3".into()),
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(c.server.addr, "127.0.0.1:3");
            Ok(())
        });
    }

    #[test]
    fn the_database_password_is_not_printed() {
        let c = Config {
            database: Database {
                url: Some("postgres://u:secret@h/db".into()),
                max_connections: 1,
                sqlite_mmap_mb: 0,
            },
            ..Default::default()
        };
        assert!(!c.describe().contains("secret"));
    }
}
