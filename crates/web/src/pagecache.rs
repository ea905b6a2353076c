//! Rendered pages served again while nothing has changed.
//!
//! A person who opens the same page twice (the home page after every task, the enterprise list
//! while paging back) is sent, the second time, the bytes rendered the first time — if and only
//! if all of these hold:
//!
//! - the route is registered as cacheable ([`crate::Routes::get_cached`]): a GET page that
//!   writes nothing (no access log) and whose content depends only on the person signed in, the
//!   address (path and query), the language and the database;
//! - the request carries the same session cookie, the same language cookie and no other cookie;
//! - the database's [`DataVersion`] is the one read *before* the page was rendered: no commit of
//!   any kind, by any instance or tool, has happened since, so a fresh rendering would read the
//!   same rows (a commit that lands during the rendering changes the version, and the page is
//!   simply not used again);
//! - the page is younger than the configured lifetime (`[server] page_cache_ms`, 2 s by default:
//!   this bounds what time alone changes, such as "due in 3 days" at midnight) and the session
//!   has not expired.
//!
//! Signing out, a revoked grant, a disabled account and every other change are commits, so they
//! take effect at once. The cache lives in one process and is keyed by a hash of the session
//! token, so one person's page can never reach another; several instances each keep their own,
//! and the version check makes them agree with the database, not with each other.
//!
//! What it saves: the session lookup, the queries and the rendering — on the enterprise list,
//! about three quarters of the CPU a request costs. What it costs: one version check per request
//! to a cacheable route (a microsecond on SQLite, one round trip on PostgreSQL), a SHA-256 of
//! the session cookie, and the memory of the pages (bounded by `[server] page_cache_mb`).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use shoumi_storage::DataVersion;

use crate::AppState;
use crate::auth::{LANG_COOKIE, SESSION_COOKIE};

/// Put on a response by the session layer when the request was resolved to a live session:
/// only such a page is kept, and never past the session's end (Unix microseconds).
#[derive(Debug, Clone, Copy)]
pub struct SignedIn {
    pub session_expires_at: i64,
}

struct Entry {
    version: DataVersion,
    stored: Instant,
    session_expires_at: i64,
    headers: HeaderMap,
    body: Bytes,
    /// A request is rendering this page again (it is past its lifetime).
    refreshing: bool,
}

#[derive(Default)]
struct Entries {
    map: HashMap<[u8; 32], Entry>,
    bytes: usize,
}

/// The pages of one process. See the module documentation.
pub struct PageCache {
    ttl: Duration,
    max_bytes: usize,
    entries: Mutex<Entries>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl PageCache {
    pub fn new(ttl: Duration, max_bytes: usize) -> PageCache {
        PageCache {
            ttl,
            max_bytes,
            entries: Mutex::new(Entries::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.max_bytes > 0
    }

    fn get(&self, key: &[u8; 32], version: &DataVersion) -> Option<(HeaderMap, Bytes)> {
        let now = shoumi_storage::now();
        let mut e = self.entries.lock().expect("page cache lock");
        let x = e.map.get_mut(key)?;
        let age = x.stored.elapsed();
        let usable = x.version == *version && now < x.session_expires_at;
        if usable && age < self.ttl {
            return Some((x.headers.clone(), x.body.clone()));
        }
        // Past its lifetime, with the data unchanged: the first request renders it again and
        // the others are served this copy meanwhile, so that fifty connections do not all render
        // the same page at the same moment. Never beyond twice the lifetime.
        if usable && age < self.ttl * 2 {
            if x.refreshing {
                return Some((x.headers.clone(), x.body.clone()));
            }
            x.refreshing = true;
            return None;
        }
        if let Some(old) = e.map.remove(key) {
            e.bytes -= old.body.len();
        }
        None
    }

    fn put(&self, key: [u8; 32], entry: Entry) {
        let size = entry.body.len();
        // A page larger than an eighth of the budget is not worth evicting the others for.
        if size > self.max_bytes / 8 {
            return;
        }
        let mut e = self.entries.lock().expect("page cache lock");
        if e.bytes + size > self.max_bytes {
            // First what can no longer be served, then whatever the map yields first.
            let ttl = self.ttl;
            let version = entry.version.clone();
            e.map
                .retain(|_, x| x.version == version && x.stored.elapsed() < ttl);
            e.bytes = e.map.values().map(|x| x.body.len()).sum();
            while e.bytes + size > self.max_bytes {
                let Some(k) = e.map.keys().next().copied() else {
                    break;
                };
                if let Some(old) = e.map.remove(&k) {
                    e.bytes -= old.body.len();
                }
            }
        }
        if let Some(old) = e.map.insert(key, entry) {
            e.bytes -= old.body.len();
        }
        e.bytes += size;
    }

    /// The Prometheus lines of the cache.
    pub fn render_metrics(&self, out: &mut String) {
        use std::fmt::Write;
        let (n, bytes) = {
            let e = self.entries.lock().expect("page cache lock");
            (e.map.len(), e.bytes)
        };
        out.push_str(
            "# HELP shoumi_page_cache_requests_total Requests to cacheable pages by outcome.\n",
        );
        out.push_str("# TYPE shoumi_page_cache_requests_total counter\n");
        let _ = writeln!(
            out,
            "shoumi_page_cache_requests_total{{outcome=\"hit\"}} {}",
            self.hits.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "shoumi_page_cache_requests_total{{outcome=\"miss\"}} {}",
            self.misses.load(Ordering::Relaxed)
        );
        out.push_str("# HELP shoumi_page_cache_pages Pages held.\n");
        out.push_str("# TYPE shoumi_page_cache_pages gauge\n");
        let _ = writeln!(out, "shoumi_page_cache_pages {n}");
        out.push_str("# HELP shoumi_page_cache_bytes Bytes of the pages held.\n");
        out.push_str("# TYPE shoumi_page_cache_bytes gauge\n");
        let _ = writeln!(out, "shoumi_page_cache_bytes {bytes}");
    }
}

/// The key of a request to a cacheable page: the session, the language cookie and the address.
/// None when the request has no session or carries another cookie of ours.
fn key(req: &Request) -> Option<[u8; 32]> {
    let mut session = None;
    let mut lang = "";
    for v in req.headers().get_all(header::COOKIE) {
        for kv in v.to_str().ok()?.split(';') {
            let (k, v) = kv.trim().split_once('=')?;
            match k {
                SESSION_COOKIE if session.is_none() => session = Some(v),
                LANG_COOKIE => lang = v,
                // Any other cookie of ours might change the page: render it.
                _ if k.starts_with("shoumi_") => return None,
                // Other applications' cookies on the same host are never read.
                _ => {}
            }
        }
    }
    let session = session?;
    let uri = req.uri();
    let mut h = Sha256::new();
    for part in [session, lang, uri.path(), uri.query().unwrap_or("")] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    Some(h.finalize().into())
}

/// The state of [`serve`]: the application and the routes that may be cached.
#[derive(Clone)]
pub struct Layer {
    pub app: AppState,
    pub routes: std::sync::Arc<HashSet<&'static str>>,
}

/// Middleware, just outside the session layer: answers from the cache when it may (see the
/// module documentation), and keeps what a cacheable route renders.
pub async fn serve(State(l): State<Layer>, req: Request, next: Next) -> Response {
    let cache = &l.app.page_cache;
    let cacheable = req.method() == Method::GET
        && cache.enabled()
        && req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|m| l.routes.contains(m.as_str()));
    let Some(key) = cacheable.then(|| key(&req)).flatten() else {
        return next.run(req).await;
    };
    // Read before anything else reads the database: a commit after this reading makes the
    // stored page's version stale, never the other way round.
    let version = match l.app.db.data_version().await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "page cache: no data version; rendering");
            return next.run(req).await;
        }
    };
    if let Some((headers, body)) = cache.get(&key, &version) {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        let mut resp = Response::new(Body::from(body));
        *resp.headers_mut() = headers;
        return resp;
    }
    cache.misses.fetch_add(1, Ordering::Relaxed);
    let resp = next.run(req).await;
    let Some(signed) = resp.extensions().get::<SignedIn>().copied() else {
        return resp;
    };
    if resp.status() != StatusCode::OK || resp.headers().contains_key(header::SET_COOKIE) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // A rendered page is already in memory: collecting it copies nothing and cannot fail short
    // of a bug, which is then a 500 rather than a page cut short.
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "page cache: reading a rendered page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    cache.put(
        key,
        Entry {
            version,
            stored: Instant::now(),
            session_expires_at: signed.session_expires_at,
            headers: parts.headers.clone(),
            body: body.clone(),
            refreshing: false,
        },
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(cookie: &str, uri: &str) -> Request {
        axum::http::Request::builder()
            .uri(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request")
    }

    #[test]
    fn the_key_separates_sessions_languages_and_addresses() {
        let a = key(&req("shoumi_session=a", "/home")).expect("key");
        assert_eq!(Some(a), key(&req("shoumi_session=a", "/home")));
        assert_ne!(Some(a), key(&req("shoumi_session=b", "/home")));
        assert_ne!(
            Some(a),
            key(&req("shoumi_session=a; shoumi_lang=en", "/home"))
        );
        assert_ne!(Some(a), key(&req("shoumi_session=a", "/home?page=2")));
        assert_ne!(Some(a), key(&req("shoumi_session=a", "/enterprises")));
        // Lengths are part of the hash: moving a character between fields changes the key.
        assert_ne!(
            key(&req("shoumi_session=ab", "/x")),
            key(&req("shoumi_session=a", "/bx"))
        );
    }

    #[test]
    fn requests_without_a_session_or_with_other_cookies_are_not_cached() {
        assert_eq!(None, key(&req("shoumi_lang=en", "/home")));
        assert_eq!(None, key(&req("shoumi_session=a; shoumi_flash=1", "/home")));
        assert_eq!(None, key(&req("shoumi_session=a; shoumi_pre=x", "/home")));
        // Another application's cookie is never read, so it neither refuses nor changes the key.
        assert_eq!(
            key(&req("shoumi_session=a", "/home")),
            key(&req("_ga=1; shoumi_session=a", "/home"))
        );
        let no_cookie = axum::http::Request::builder()
            .uri("/home")
            .body(Body::empty())
            .expect("request");
        assert_eq!(None, key(&no_cookie));
    }

    fn entry(version: DataVersion, body: &'static str) -> Entry {
        Entry {
            version,
            stored: Instant::now(),
            session_expires_at: i64::MAX,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
            refreshing: false,
        }
    }

    #[test]
    fn a_page_is_served_only_at_the_version_it_was_rendered_at() {
        let c = PageCache::new(Duration::from_secs(60), 1 << 20);
        let (v1, v2) = (DataVersion::for_tests(1), DataVersion::for_tests(2));
        c.put([1; 32], entry(v1.clone(), "page"));
        assert_eq!(c.get(&[1; 32], &v1).map(|x| x.1), Some(Bytes::from("page")));
        assert!(c.get(&[1; 32], &v2).is_none());
        // The stale page is gone, not only skipped.
        assert!(c.get(&[1; 32], &v1).is_none());
        assert_eq!(c.entries.lock().expect("lock").bytes, 0);
    }

    #[test]
    fn past_its_lifetime_one_request_renders_again_while_the_others_are_served() {
        // Wide margins: a loaded machine may pause the test between two steps.
        let c = PageCache::new(Duration::from_millis(300), 1 << 20);
        let v = DataVersion::for_tests(1);
        c.put([1; 32], entry(v.clone(), "page"));
        std::thread::sleep(Duration::from_millis(310));
        assert!(c.get(&[1; 32], &v).is_none(), "the first renders");
        assert!(
            c.get(&[1; 32], &v).is_some(),
            "the next are served meanwhile"
        );
        assert!(c.get(&[1; 32], &v).is_some());
        // Not at another version, and not past twice the lifetime.
        assert!(c.get(&[1; 32], &DataVersion::for_tests(2)).is_none());
        c.put([2; 32], entry(v.clone(), "page"));
        assert!(c.get(&[2; 32], &v).is_some());
        std::thread::sleep(Duration::from_millis(610));
        assert!(c.get(&[2; 32], &v).is_none());
        assert!(c.get(&[2; 32], &v).is_none(), "gone, not refreshing");
    }

    #[test]
    fn a_page_is_not_served_after_twice_its_lifetime_or_after_its_session() {
        let c = PageCache::new(Duration::from_millis(1), 1 << 20);
        let v = DataVersion::for_tests(1);
        c.put([1; 32], entry(v.clone(), "page"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(c.get(&[1; 32], &v).is_none());

        let c = PageCache::new(Duration::from_secs(60), 1 << 20);
        let mut e = entry(v.clone(), "page");
        e.session_expires_at = shoumi_storage::now() - 1;
        c.put([2; 32], e);
        assert!(c.get(&[2; 32], &v).is_none());
    }

    #[test]
    fn memory_stays_within_the_budget() {
        let c = PageCache::new(Duration::from_secs(60), 64);
        let v = DataVersion::for_tests(1);
        for i in 0..20u8 {
            c.put([i; 32], entry(v.clone(), "eight by"));
            assert!(c.entries.lock().expect("lock").bytes <= 64);
        }
        // Too large for the budget: not kept.
        c.put([99; 32], entry(v.clone(), "more than an eighth of 64"));
        assert!(c.get(&[99; 32], &v).is_none());
    }
}
