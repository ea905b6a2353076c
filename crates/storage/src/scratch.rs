//! A fresh, empty database that disappears when dropped — for tests and benchmarks. A SQLite file
//! in a temporary directory, or, when `SHOUMI_TEST_DATABASE_URL` names a PostgreSQL server, a
//! database of its own there (created here, dropped on drop, whether the test passed or not).
//! With `SHOUMI_REQUIRE_POSTGRES=1` a missing server URL is an error, so a CI run cannot
//! silently fall back to SQLite.

use crate::{ConnectOptions, Db, sql};

pub struct ScratchDb {
    /// The database's URL, for `Db::connect` or a `shoumi --database-url` child process.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// (server URL, database name) of a PostgreSQL database to drop.
    pg: Option<(String, String)>,
}

impl ScratchDb {
    pub async fn new() -> ScratchDb {
        match std::env::var("SHOUMI_TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let name = format!("shoumi_t_{}", crate::new_public_id());
                let admin = Db::connect(&base, ConnectOptions::default())
                    .await
                    .expect("connect to SHOUMI_TEST_DATABASE_URL");
                sql::execute_batch(&admin, &format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create a scratch database");
                admin.close().await;
                let mut u = url::Url::parse(&base).expect("SHOUMI_TEST_DATABASE_URL is a URL");
                u.set_path(&format!("/{name}"));
                ScratchDb {
                    url: u.to_string(),
                    _dir: None,
                    pg: Some((base, name)),
                }
            }
            _ => {
                if std::env::var("SHOUMI_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                    panic!("SHOUMI_REQUIRE_POSTGRES=1 but SHOUMI_TEST_DATABASE_URL is not set");
                }
                let dir = tempfile::tempdir().expect("temporary directory");
                ScratchDb {
                    url: format!("sqlite://{}", dir.path().join("t.db").display()),
                    _dir: Some(dir),
                    pg: None,
                }
            }
        }
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let Some((base, name)) = self.pg.take() else {
            return;
        };
        // Drop may run inside a runtime that is shutting down: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(admin) = Db::connect(&base, ConnectOptions::default()).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sql::execute_batch(&admin, &drop).await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}
