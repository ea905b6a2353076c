//! shoumi HTTP: server-rendered pages (askama templates, Chinese first) and the JSON API under
//! `/api/v1`, sharing one authorization model. Every route is registered through [`Routes`], so
//! the role × route test can check that none is missing from its matrix.

#![forbid(unsafe_code)]

pub mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod error;
pub mod i18n;
pub mod import;
pub mod ledger;
pub mod mail;
pub mod metrics;
pub mod middleware;
pub mod pagecache;
pub mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderName, Method};
use axum::routing::{MethodFilter, on};
use shoumi_storage::Db;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Settings of the web layer (the `[server]` section of the configuration).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` and send HSTS (behind TLS, directly or via a proxy).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Idle lifetime of a session.
    pub session_ttl_secs: i64,
    pub throttle: shoumi_storage::users::ThrottlePolicy,
    /// Largest accepted upload (import files).
    pub max_upload_bytes: usize,
    /// How long a rendered page may be served again (see [`pagecache`]); zero turns it off.
    pub page_cache: Duration,
    /// Memory for those pages.
    pub page_cache_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trust_proxy: false,
            session_ttl_secs: 8 * 3600,
            throttle: Default::default(),
            max_upload_bytes: 32 * 1024 * 1024,
            page_cache: Duration::from_secs(2),
            page_cache_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Shared state: the database, the configuration and the metrics. No session or cache lives
/// here: any number of instances can serve one database.
///
/// One reference-counted pointer: every middleware layer and extractor clones the state for each
/// request, and a clone of a struct of six `Arc`s cost six atomic increments and six decrements
/// on cache lines shared by every core (8 % of a trivial request's CPU in a `perf` profile).
#[derive(Clone)]
pub struct AppState(Arc<State>);

/// What [`AppState`] points to.
#[derive(Clone)]
pub struct State {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub reference: Arc<ReferenceCache>,
    pub programme: Arc<ProgrammeCache>,
    /// The evidence ledger, when this platform has its keys (`shoumi log init`).
    pub ledger: Option<Arc<ledger::Ledger>>,
    /// Rendered pages, served again while the database is unchanged ([`pagecache`]).
    pub page_cache: Arc<pagecache::PageCache>,
}

/// The programme in force, parsed once per version. Each use checks the current version's id
/// (one indexed row), so a version loaded on any instance is used at once; the document itself
/// (tens of kilobytes of JSON) is read and parsed only when it changes. The working-day calendar
/// likewise, checked by a fingerprint of the imported years.
#[derive(Default)]
pub struct ProgrammeCache {
    programme: Stamped<i64, shoumi_storage::programme::Stored>,
    calendar: Stamped<(i64, i64), shoumi_domain::calendar::WorkCalendar>,
}

/// One value kept with the stamp (version id, fingerprint) it was built from.
struct Stamped<K, V>(std::sync::Mutex<Option<(K, Arc<V>)>>);

impl<K, V> Default for Stamped<K, V> {
    fn default() -> Self {
        Stamped(std::sync::Mutex::new(None))
    }
}

impl<K: PartialEq + Copy, V> Stamped<K, V> {
    /// The kept value if it was built from `stamp`, else `load`ed and kept.
    async fn get_or_load<F>(
        &self,
        stamp: K,
        load: F,
    ) -> Result<Arc<V>, shoumi_storage::StorageError>
    where
        F: std::future::Future<Output = Result<V, shoumi_storage::StorageError>>,
    {
        if let Some((k, v)) = self.0.lock().expect("cache lock").as_ref()
            && *k == stamp
        {
            return Ok(v.clone());
        }
        let v = Arc::new(load.await?);
        *self.0.lock().expect("cache lock") = Some((stamp, v.clone()));
        Ok(v)
    }
}

impl ProgrammeCache {
    async fn programme_for(
        &self,
        db: &Db,
        id: i64,
    ) -> Result<Arc<shoumi_storage::programme::Stored>, shoumi_storage::StorageError> {
        self.programme
            .get_or_load(id, shoumi_storage::programme::by_id(db, id))
            .await
    }

    async fn calendar_for(
        &self,
        db: &Db,
        stamp: (i64, i64),
    ) -> Result<Arc<shoumi_domain::calendar::WorkCalendar>, shoumi_storage::StorageError> {
        self.calendar
            .get_or_load(stamp, shoumi_storage::calendar::load(db))
            .await
    }

    pub async fn programme(
        &self,
        db: &Db,
    ) -> Result<Arc<shoumi_storage::programme::Stored>, shoumi_storage::StorageError> {
        let id = shoumi_storage::programme::current_id(db).await?;
        self.programme_for(db, id).await
    }

    pub async fn calendar(
        &self,
        db: &Db,
    ) -> Result<Arc<shoumi_domain::calendar::WorkCalendar>, shoumi_storage::StorageError> {
        let stamp = shoumi_storage::calendar::stamp(db).await?;
        self.calendar_for(db, stamp).await
    }

    /// Both, checked with one query (the dashboard).
    pub async fn both(
        &self,
        db: &Db,
    ) -> Result<ProgrammeAndCalendar, shoumi_storage::StorageError> {
        let (id, stamp) = shoumi_storage::programme::stamps(db).await?;
        Ok((
            self.programme_for(db, id).await?,
            self.calendar_for(db, stamp).await?,
        ))
    }
}

/// The programme in force and the calendar.
pub type ProgrammeAndCalendar = (
    Arc<shoumi_storage::programme::Stored>,
    Arc<shoumi_domain::calendar::WorkCalendar>,
);

/// Divisions and zones for the filter and form menus, kept for a few seconds. They change a few
/// times a year; a menu a few seconds stale is harmless, and authorization never reads this.
#[derive(Default)]
pub struct ReferenceCache {
    entry: std::sync::Mutex<Option<(std::time::Instant, ReferenceLists)>>,
}

/// The cached lists.
#[derive(Clone)]
pub struct ReferenceLists {
    pub divisions: Arc<Vec<shoumi_storage::orgs::Division>>,
    pub zones: Arc<Vec<shoumi_storage::orgs::Zone>>,
}

impl ReferenceCache {
    const TTL: Duration = Duration::from_secs(10);

    pub async fn get(&self, db: &Db) -> Result<ReferenceLists, shoumi_storage::StorageError> {
        if let Some((at, lists)) = self.entry.lock().expect("cache lock").as_ref()
            && at.elapsed() < Self::TTL
        {
            return Ok(lists.clone());
        }
        let lists = ReferenceLists {
            divisions: Arc::new(shoumi_storage::orgs::divisions(db).await?),
            zones: Arc::new(shoumi_storage::orgs::zones(db).await?),
        };
        *self.entry.lock().expect("cache lock") = Some((std::time::Instant::now(), lists.clone()));
        Ok(lists)
    }
}

impl std::ops::Deref for AppState {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

impl AppState {
    /// The programme in force (cached per version).
    pub async fn current_programme(
        &self,
    ) -> Result<Arc<shoumi_storage::programme::Stored>, shoumi_storage::StorageError> {
        self.programme.programme(&self.db).await
    }

    /// The working-day calendar in force (cached until a year is imported).
    pub async fn calendar(
        &self,
    ) -> Result<Arc<shoumi_domain::calendar::WorkCalendar>, shoumi_storage::StorageError> {
        self.programme.calendar(&self.db).await
    }

    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState(Arc::new(State {
            db,
            page_cache: Arc::new(pagecache::PageCache::new(
                config.page_cache,
                config.page_cache_bytes,
            )),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            reference: Arc::new(ReferenceCache::default()),
            programme: Arc::new(ProgrammeCache::default()),
            ledger: None,
        }))
    }

    /// The same state with the evidence ledger running.
    pub fn with_ledger(mut self, ledger: Arc<ledger::Ledger>) -> AppState {
        Arc::make_mut(&mut self.0).ledger = Some(ledger);
        self
    }
}

/// A route as registered: method and path pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
}

/// Registers routes and remembers them.
pub struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
    /// Paths whose pages may be served again from the [`pagecache`].
    cacheable: std::collections::HashSet<&'static str>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            specs: Vec::new(),
            cacheable: Default::default(),
        }
    }
    fn add<H, T>(mut self, method: Method, path: &'static str, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("supported method");
        self.specs.push(RouteSpec { method, path });
        self.router = self.router.route(path, on(filter, h));
        self
    }
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::GET, path, h)
    }
    /// A GET page that may be served again from the [`pagecache`]: it must write nothing and
    /// depend only on the person signed in, the address, the language and the database.
    pub fn get_cached<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        h: H,
    ) -> Self {
        self.cacheable.insert(path);
        self.add(Method::GET, path, h)
    }
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::POST, path, h)
    }
    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::PATCH, path, h)
    }
}

/// Every route of the application.
pub fn routes() -> Routes {
    let r = Routes::new();
    let r = pages::routes(r);
    let r = api::routes(r);
    let r = ledger::routes(r);
    r.get("/healthz", pages::ops::healthz)
        .get("/readyz", pages::ops::readyz)
        .get("/metrics", pages::ops::metrics)
        .get("/assets/{*path}", assets::serve)
}

/// The list of registered routes (for the authorization matrix test).
pub fn route_specs() -> Vec<RouteSpec> {
    routes().specs
}

/// The application with all its layers.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let max = state.config.max_upload_bytes;
    let Routes {
        router, cacheable, ..
    } = routes();
    let cache = pagecache::Layer {
        app: state.clone(),
        routes: Arc::new(cacheable),
    };
    router
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(middleware::render_error_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::load_ctx))
        .layer(axum::middleware::from_fn_with_state(cache, pagecache::serve))
        .layer(axum::middleware::from_fn(middleware::same_origin_writes))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::track_metrics))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::run_to_completion))
        .layer(axum::extract::DefaultBodyLimit::max(max))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .with_state(state)
}

/// The daily work: designations past their validity expire, and the reminders of the day are
/// written (deduplicated, so every instance may run it). Returns how many reminders were written.
pub async fn daily_reminders(db: &Db) -> Result<usize, shoumi_storage::StorageError> {
    let cal = shoumi_storage::calendar::load(db).await?;
    let p = shoumi_storage::programme::current(db).await?;
    let today = shoumi_storage::demonstration::today();
    let expired = shoumi_storage::demonstration::expire_due(db, &cal, today).await?;
    if expired > 0 {
        tracing::info!(expired, "designations past their validity expired");
    }
    shoumi_storage::worklist::remind(db, &cal, &p.spec.supervision, today).await
}

/// Runs the background jobs of this instance until the process ends: housekeeping hourly,
/// reminders every hour (each reminder is written once), and — with SMTP configured — the
/// e-mail outbox every half minute.
pub async fn run_jobs(db: Db, worker: String, mailer: Option<Arc<mail::Mailer>>) {
    if let Some(m) = mailer {
        let db = db.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = m.deliver_pending(&db, 100).await {
                    tracing::warn!(error = %e, "e-mail outbox unavailable");
                }
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        });
    }
    loop {
        let _ =
            shoumi_storage::jobs::ensure_pending(&db, "housekeeping", shoumi_storage::now()).await;
        let _ = shoumi_storage::jobs::ensure_pending(&db, "reminders", shoumi_storage::now()).await;
        match shoumi_storage::jobs::claim(&db, &worker, 300).await {
            Ok(Some(job)) => {
                let result = match job.kind.as_str() {
                    "housekeeping" => shoumi_storage::jobs::housekeeping(&db).await.map(|_| ()),
                    "reminders" => daily_reminders(&db).await.map(|_| ()),
                    other => Err(shoumi_storage::StorageError::Integrity(format!(
                        "unknown job kind {other}"
                    ))),
                };
                match result {
                    Ok(()) => {
                        let _ = shoumi_storage::jobs::complete(&db, job.id).await;
                        if job.kind == "housekeeping" || job.kind == "reminders" {
                            let _ = shoumi_storage::jobs::enqueue(
                                &db,
                                &job.kind,
                                "",
                                shoumi_storage::now() + 3_600_000_000,
                            )
                            .await;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(job = job.id, error = %e, "job failed");
                        let _ = shoumi_storage::jobs::fail(&db, &job, &e.to_string()).await;
                    }
                }
            }
            Ok(None) => tokio::time::sleep(Duration::from_secs(30)).await,
            Err(e) => {
                tracing::warn!(error = %e, "job queue unavailable");
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        }
    }
}
