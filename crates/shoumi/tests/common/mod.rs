//! Test support: a fresh database per test ([`ScratchDb`]: a SQLite file, or a PostgreSQL
//! database of its own when `SHOUMI_TEST_DATABASE_URL` is set, dropped with the test), the Gaotang demo loaded, the real router driven
//! in-process, and signed-in clients that keep their cookies and CSRF token.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
pub use shoumi_storage::scratch::ScratchDb;
use shoumi_storage::{Backend, ConnectOptions, Db};
use tower::ServiceExt;

pub const PASSWORD: &str = "Test-Password-2026";

pub struct TestApp {
    pub db: Db,
    pub router: Router,
    /// The evidence ledger (fresh keys, no witnesses, integrating every 10 ms).
    pub ledger: std::sync::Arc<shoumi_web::ledger::Ledger>,
    pub url: String,
    /// The database itself, dropped with the test.
    _scratch: ScratchDb,
}

pub async fn connect(url: &str) -> Db {
    Db::connect(
        url,
        ConnectOptions {
            max_connections: 5,
            ..Default::default()
        },
    )
    .await
    .expect("connect")
}

/// A ledger on `db` with fresh keys (origin `test.example/ledger`).
pub async fn start_ledger(
    db: &Db,
    witnesses: Vec<shoumi_web::ledger::WitnessEndpoint>,
    quorum: usize,
) -> std::sync::Arc<shoumi_web::ledger::Ledger> {
    use shoumi_ledger::note::{Algorithm, SignerKey};
    let origin = "test.example/ledger";
    shoumi_web::ledger::Ledger::start(
        db.clone(),
        shoumi_web::ledger::LedgerConfig {
            origin: origin.into(),
            ed25519: SignerKey::generate(origin, Algorithm::Ed25519).unwrap(),
            sm2: SignerKey::generate(origin, Algorithm::Sm2).unwrap(),
            witnesses,
            quorum,
            interval: std::time::Duration::from_millis(10),
            audit_anchor_every: None,
        },
    )
    .await
    .expect("ledger starts")
}

impl TestApp {
    /// A fresh database with the Gaotang demo (every demo account uses [`PASSWORD`]).
    pub async fn spawn() -> TestApp {
        let scratch = ScratchDb::new().await;
        let db = connect(&scratch.url).await;
        shoumi::demo::load(&db, PASSWORD, 7)
            .await
            .expect("demo loads");
        let ledger = start_ledger(&db, Vec::new(), 0).await;
        let router = shoumi_web::app(
            shoumi_web::AppState::new(db.clone(), Default::default()).with_ledger(ledger.clone()),
        );
        TestApp {
            db,
            router,
            ledger,
            url: scratch.url.clone(),
            _scratch: scratch,
        }
    }

    /// A second server instance on the same database (as behind a load balancer).
    pub fn another_instance(&self, db: Db) -> Router {
        shoumi_web::app(shoumi_web::AppState::new(db, Default::default()))
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: Vec::new(),
            csrf: String::new(),
            bearer: None,
        }
    }

    /// A client signed in as `username` through the sign-in form.
    pub async fn signed_in(&self, username: &str) -> Client {
        let mut c = self.client();
        c.sign_in(username, PASSWORD).await;
        c
    }
}

pub struct Response {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: String,
    pub body: Vec<u8>,
    pub headers: axum::http::HeaderMap,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    /// A refusal: 401/403/404, or the sign-in redirect.
    pub fn is_denied(&self) -> bool {
        matches!(self.status.as_u16(), 401 | 403 | 404)
            || (self.status.is_redirection()
                && self
                    .location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("/login?")))
    }
}

pub struct Client {
    pub router: Router,
    cookies: Vec<(String, String)>,
    pub csrf: String,
    pub bearer: Option<String>,
}

fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let j = html[i..].find('"')? + i;
    Some(html[i..j].to_string())
}

impl Client {
    pub fn with_router(&self, router: Router) -> Client {
        Client {
            router,
            cookies: self.cookies.clone(),
            csrf: self.csrf.clone(),
            bearer: self.bearer.clone(),
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Response {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap_or("");
            if let Some((kv, _)) = v.split_once(';').or(Some((v, "")))
                && let Some((k, val)) = kv.split_once('=')
            {
                self.cookies.retain(|(n, _)| n != k);
                if !val.is_empty() && !v.contains("Max-Age=0") {
                    self.cookies.push((k.to_string(), val.to_string()));
                }
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = axum::body::to_bytes(resp.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body")
            .to_vec();
        let r = Response {
            status,
            location,
            content_type,
            body,
            headers,
        };
        if r.content_type.starts_with("text/html")
            && let Some(c) = extract_csrf(&r.text())
        {
            self.csrf = c;
        }
        r
    }

    fn builder(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            b = b.header(header::COOKIE, c);
        }
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let req = self
            .builder("GET", path)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    /// Posts a form, adding the client's CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).expect("form");
        let req = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Posts a multipart form with one file.
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        data: &[u8],
    ) -> Response {
        let boundary = "shoumi-test-boundary";
        let mut body = Vec::new();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        for (k, v) in all {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .builder("POST", path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn json(&mut self, method: &str, path: &str, body: serde_json::Value) -> Response {
        let req = self
            .builder(method, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(req).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Response {
        self.get("/login").await;
        let r = self
            .post_form(
                "/login",
                &[
                    ("username", username),
                    ("password", password),
                    ("next", "/home"),
                ],
            )
            .await;
        if r.status == StatusCode::SEE_OTHER {
            // Load a page to pick up the session's CSRF token.
            self.get("/account").await;
        }
        r
    }

    /// Signs in through the API and uses the bearer token from then on.
    pub async fn api_sign_in(&mut self, username: &str) {
        let r = self
            .json(
                "POST",
                "/api/v1/session",
                serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        self.bearer = Some(r.json()["token"].as_str().expect("token").to_string());
    }
}

/// A local SMTP sink for tests: accepts every message on 127.0.0.1 and keeps what it received
/// (envelope recipients and the DATA section), speaking just enough SMTP for a client.
pub struct SmtpSink {
    pub port: u16,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

/// One message the sink received: its envelope recipients and its DATA.
pub type Received = (Vec<String>, String);

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let mut rcpt = Vec::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                            b"250 ok\r\n"
                        } else if upper.starts_with("DATA") {
                            let _ = w.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            store
                                .lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), data));
                            b"250 queued\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = w.write_all(reply).await;
                    }
                });
            }
        });
        SmtpSink { port, received }
    }
}
