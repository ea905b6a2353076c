//! The evidence ledger over HTTP: the tlog-tiles read API (public, cacheable), the
//! authenticated API to register digests and fetch proofs, the pages to register, print a
//! certificate and verify a proof, and the witness server's router.

pub mod service;
pub mod witness_server;

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use shoumi_domain::{Action, FieldError, FieldErrors, Principal, Role, Scope};
use shoumi_ledger::Verifier;
use shoumi_ledger::entry::{Digests, Entry, EntryKind, metadata_digest};
use shoumi_ledger::policy::{Verified, VerifyError};
use shoumi_ledger::tiles::{self, TileId, TilePath, encode_bundle};
use shoumi_storage::ledger::{self as store, Ack, Submission};

use crate::auth::{Ctx, Signed};
use crate::error::{AppError, AppResult};
use crate::pages::{Layout, field_error, local, render, render_form};
use crate::{AppState, Routes};
pub use service::{Ledger, LedgerConfig, WitnessEndpoint};

pub fn routes(r: Routes) -> Routes {
    r.get("/log/checkpoint", checkpoint)
        .get("/log/tile/{*path}", tile)
        .get("/evidence", evidence_home)
        .post("/evidence", register)
        .get("/evidence/verify", verify_page)
        .post("/evidence/verify", verify_submit)
        .get("/evidence/{index}", certificate)
        .get("/evidence/{index}/proof", proof_file)
        .post("/api/v1/ledger/entries", api_register)
        .get("/api/v1/ledger/entries/{identity}", api_status)
        .get("/api/v1/ledger/proofs/{index}", proof_file)
}

/// How long a registration waits for its entry to be integrated before answering "pending".
const WAIT: Duration = Duration::from_secs(5);
/// Most entries one API request may register.
pub const MAX_ENTRIES: usize = 1000;

fn ledger(state: &AppState) -> AppResult<&Arc<Ledger>> {
    state.ledger.as_ref().ok_or_else(|| AppError::Refused {
        zh: "本平台未启用存证服务（请运行 shoumi log init 并重启）".into(),
        en: "the evidence ledger is not set up on this platform (run shoumi log init and restart)"
            .into(),
    })
}

fn text(body: String, cache: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// `GET /log/checkpoint`: the latest checkpoint with every signature it has.
pub async fn checkpoint(State(state): State<AppState>) -> AppResult<Response> {
    let l = ledger(&state)?;
    let (_, note) = store::latest_checkpoint(l.db())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(text(note, "no-cache"))
}

/// `GET /log/tile/…`: hash tiles and entry bundles (C2SP tlog-tiles).
pub async fn tile(State(state): State<AppState>, Path(path): Path<String>) -> AppResult<Response> {
    let l = ledger(&state)?;
    let p = tiles::parse_path(&path).map_err(|_| AppError::NotFound)?;
    let size = store::head(l.db()).await?.map(|h| h.size).unwrap_or(0);
    let (bytes, full) = match p {
        TilePath::Hashes(t) => {
            let now = TileId::at(t.level, t.index, size).ok_or(AppError::NotFound)?;
            // A partial tile may be asked for at any width the tree has passed.
            if now.width < t.width || (t.is_full() && !now.is_full()) {
                return Err(AppError::NotFound);
            }
            let stored = store::tiles(l.db(), &[(t.level, t.index)]).await?;
            let b = stored
                .get(&(t.level, t.index))
                .filter(|b| b.len() >= usize::from(t.width) * 32)
                .ok_or(AppError::NotFound)?;
            (b[..usize::from(t.width) * 32].to_vec(), t.is_full())
        }
        TilePath::Entries { index, width } => {
            let start = index.checked_mul(tiles::WIDTH).ok_or(AppError::NotFound)?;
            let end = start + u64::from(width);
            if end > size {
                return Err(AppError::NotFound);
            }
            let entries = store::entries(l.db(), start, end).await?;
            if entries.len() as u64 != end - start {
                return Err(AppError::Internal(format!(
                    "entries {start}..{end} are incomplete"
                )));
            }
            (
                encode_bundle(entries.iter().map(Vec::as_slice)),
                u64::from(width) == tiles::WIDTH,
            )
        }
    };
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if full {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=60"
        }),
    );
    Ok(r)
}

/// Whom a person may register as: each enterprise they belong to (`uscc:<credit code>`) and
/// themselves (`user:<username>`). (identifier, label)
async fn submitters(state: &AppState, p: &Principal) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    let scope = p.enterprise_scope();
    for g in &p.grants {
        if let (Role::EnterpriseAdmin | Role::EnterpriseMember, Scope::Enterprise(e)) =
            (g.role, g.scope)
        {
            let ent = shoumi_storage::enterprises::get_by_id(&state.db, &scope, e).await?;
            let id = format!("uscc:{}", ent.credit_code);
            if !out.iter().any(|(i, _)| *i == id) {
                out.push((id, ent.name.clone()));
            }
        }
    }
    out.push((format!("user:{}", p.username), p.display_name.clone()));
    Ok(out)
}

/// Whether this person may see entry `e`'s certificate and proof.
async fn may_see(state: &AppState, p: &Principal, e: &Entry) -> AppResult<bool> {
    if p.can(Action::ReadLedger).is_some() {
        return Ok(true);
    }
    Ok(submitters(state, p)
        .await?
        .iter()
        .any(|(id, _)| *id == e.submitter))
}

fn hex32(field: &str, v: &str, errors: &mut Vec<FieldError>) -> [u8; 32] {
    match hex::decode(v.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
    {
        Some(h) => h,
        None => {
            errors.push(FieldError::new(
                field,
                "invalid",
                "应为 64 位十六进制摘要",
                "must be a digest of 64 hex digits",
            ));
            [0; 32]
        }
    }
}

/// One entry of an API registration.
#[derive(Debug, Deserialize)]
pub struct EntryInput {
    pub kind: String,
    pub sha256: String,
    pub sm3: String,
    /// SHA-256 of the submitter's metadata (hex); see `docs/LEDGER.md` for the canonical form.
    pub metadata_sha256: String,
}

#[derive(Debug, Deserialize)]
pub struct RegisterInput {
    #[serde(default)]
    pub entries: Vec<EntryInput>,
    /// Register as this submitter (one the caller may act as); default: the caller's
    /// enterprise if they have exactly one, else themselves.
    #[serde(default)]
    pub submitter: Option<String>,
    /// Wait (up to 5 s) for integration and return indexes.
    #[serde(default)]
    pub wait: bool,
}

fn kind_of(field: &str, v: &str, errors: &mut Vec<FieldError>) -> EntryKind {
    EntryKind::parse_key(v.trim()).unwrap_or_else(|| {
        let keys: Vec<&str> = EntryKind::ALL.iter().map(|k| k.key()).collect();
        errors.push(FieldError::new(
            field,
            "invalid",
            format!("类型应为 {} 之一", keys.join("、")),
            format!("kind must be one of {}", keys.join(", ")),
        ));
        EntryKind::Document
    })
}

async fn choose_submitter(
    state: &AppState,
    p: &Principal,
    wanted: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> AppResult<String> {
    let mine = submitters(state, p).await?;
    Ok(match wanted.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => {
            if mine.iter().any(|(id, _)| id == w) {
                w.to_string()
            } else {
                errors.push(FieldError::new(
                    "submitter",
                    "forbidden",
                    "不能以该身份登记",
                    "you cannot register as this submitter",
                ));
                String::new()
            }
        }
        // The enterprise if there is exactly one, else the person.
        None if mine.len() == 2 => mine[0].0.clone(),
        None => mine.last().map(|m| m.0.clone()).unwrap_or_default(),
    })
}

fn now_ms() -> i64 {
    shoumi_storage::now() / 1000
}

/// `POST /api/v1/ledger/entries`: registers digests (never content).
pub async fn api_register(
    State(state): State<AppState>,
    s: Signed,
    body: Bytes,
) -> AppResult<Response> {
    s.can(Action::RegisterEvidence)?;
    let l = ledger(&state)?.clone();
    let input: RegisterInput = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("the body is not a registration: {e}")))?;
    let mut errors = Vec::new();
    if input.entries.is_empty() || input.entries.len() > MAX_ENTRIES {
        errors.push(FieldError::new(
            "entries",
            "invalid",
            format!("每次登记 1–{MAX_ENTRIES} 条"),
            format!("register 1–{MAX_ENTRIES} entries at a time"),
        ));
    }
    let submitter = choose_submitter(
        &state,
        &s.principal,
        input.submitter.as_deref(),
        &mut errors,
    )
    .await?;
    let t = now_ms();
    let mut entries = Vec::with_capacity(input.entries.len());
    for (i, e) in input.entries.iter().enumerate() {
        let kind = kind_of(&format!("entries[{i}].kind"), &e.kind, &mut errors);
        let sha256 = hex32(&format!("entries[{i}].sha256"), &e.sha256, &mut errors);
        let sm3 = hex32(&format!("entries[{i}].sm3"), &e.sm3, &mut errors);
        let meta = hex32(
            &format!("entries[{i}].metadata_sha256"),
            &e.metadata_sha256,
            &mut errors,
        );
        entries.push((kind, Digests { sha256, sm3 }, meta));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(FieldErrors {
            errors,
            warnings: vec![],
        }));
    }
    let entries: Vec<Entry> = entries
        .into_iter()
        .map(|(k, d, m)| Entry::new(k, d, m, t, &submitter))
        .collect::<Result<_, _>>()
        .map_err(AppError::BadRequest)?;
    let acks = l
        .append(Submission {
            actor: s.actor(),
            entries: entries.clone(),
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut out = Vec::with_capacity(acks.len());
    for (e, a) in entries.iter().zip(acks) {
        let identity = e.identity();
        let index = match a {
            Ack::Existing(i) => Some(i),
            Ack::Pending if input.wait => l.wait_sequenced(&identity, WAIT).await.ok().map(|x| x.0),
            Ack::Pending => None,
        };
        out.push(json!({
            "identity": hex::encode(identity),
            "status": if index.is_some() { "integrated" } else { "pending" },
            "existing": matches!(a, Ack::Existing(_)),
            "index": index,
            "proof": index.map(|i| format!("/api/v1/ledger/proofs/{i}")),
        }));
    }
    // Waiting, the answer also says whether the proofs already carry the witness quorum.
    let last = out.iter().filter_map(|e| e["index"].as_u64()).max();
    let cosigned = match last {
        Some(i) if input.wait => Some(l.wait_cosigned(i, WAIT).await.unwrap_or(false)),
        _ => None,
    };
    let status = if input.wait {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((
        status,
        Json(json!({ "submitter": submitter, "cosigned": cosigned, "entries": out })),
    )
        .into_response())
}

/// `GET /api/v1/ledger/entries/{identity}`: where a registration stands.
pub async fn api_status(
    State(state): State<AppState>,
    s: Signed,
    Path(identity): Path<String>,
) -> AppResult<Json<Value>> {
    s.can(Action::RegisterEvidence)
        .or_else(|_| s.can(Action::ReadLedger))?;
    let l = ledger(&state)?;
    let id = hex::decode(&identity).map_err(|_| AppError::NotFound)?;
    Ok(Json(match store::lookup(l.db(), &id).await? {
        store::Lookup::Sequenced { index, entry } => {
            let e = Entry::parse(&entry).map_err(AppError::Internal)?;
            if !may_see(&state, &s.principal, &e).await? {
                return Err(AppError::NotFound);
            }
            json!({"status": "integrated", "index": index, "entry": entry_json(&e),
                   "proof": format!("/api/v1/ledger/proofs/{index}")})
        }
        store::Lookup::Pending => json!({"status": "pending"}),
        store::Lookup::Unknown => return Err(AppError::NotFound),
    }))
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "kind": e.kind.key(),
        "sha256": hex::encode(e.document.sha256),
        "sm3": hex::encode(e.document.sm3),
        "metadata_sha256": hex::encode(e.metadata),
        "submitted_at": shoumi_domain::Timestamp(e.time_ms * 1000).rfc3339(),
        "submitter": e.submitter,
    })
}

/// `GET /api/v1/ledger/proofs/{index}` and `/evidence/{index}/proof`: an entry's `.tlog-proof`,
/// for its submitter's people and the ledger's readers.
pub async fn proof_file(
    State(state): State<AppState>,
    s: Signed,
    Path(index): Path<u64>,
) -> AppResult<Response> {
    let state = &state;
    let l = ledger(state)?;
    let bytes = store::entry(l.db(), index)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = Entry::parse(&bytes).map_err(AppError::Internal)?;
    if !may_see(state, &s.principal, &e).await? {
        return Err(AppError::NotFound);
    }
    let p = l
        .proof(index)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut r = text(p.to_text(), "private, no-cache");
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"entry-{index}.tlog-proof\""
        ))
        .expect("ascii"),
    );
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Pages

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    l: Layout,
    kinds: Vec<(&'static str, &'static str)>,
    submitters: Vec<(String, String)>,
    mine: Vec<Row>,
    errors: FieldErrors,
    form: RegisterForm,
    status: Option<LogStatus>,
    enabled: bool,
}

impl EvidencePage {
    fn error(&self, field: &str) -> String {
        field_error(&self.errors, self.l.t, field)
    }
}

struct Row {
    index: u64,
    kind: String,
    sha256: String,
    at: String,
    submitter: String,
}

struct LogStatus {
    origin: String,
    size: u64,
    cosigned_size: u64,
    pending: i64,
    checkpoints: i64,
    keys: Vec<String>,
    witnesses: Vec<(String, String, String)>,
    quorum: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub file_name: String,
    #[serde(default)]
    pub file_size: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub sm3: String,
    #[serde(default)]
    pub submitter: String,
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

fn kinds(l: &Layout) -> Vec<(&'static str, &'static str)> {
    EntryKind::ALL
        .iter()
        .map(|k| (k.key(), l.t.pick(k.name_zh(), k.name_en())))
        .collect()
}

async fn evidence_page(
    state: &AppState,
    s: &Signed,
    form: RegisterForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let l = Layout::new(&s.ctx, s.t().s("ledger.title"));
    let subs = submitters(state, &s.principal).await?;
    let ids: Vec<String> = subs.iter().map(|x| x.0.clone()).collect();
    let mut mine = Vec::new();
    let mut status = None;
    if let Some(ledger) = state.ledger.as_ref() {
        for e in store::by_submitters(&state.db, &ids, 100).await? {
            mine.push(Row {
                index: e.index,
                kind: l
                    .t
                    .pick(e.entry.kind.name_zh(), e.entry.kind.name_en())
                    .to_string(),
                sha256: hex::encode(e.entry.document.sha256),
                at: local(e.entry.time_ms * 1000),
                submitter: e.entry.submitter.clone(),
            });
        }
        if s.principal.can(Action::ReadLedger).is_some() {
            let st = store::stats(&state.db).await?;
            let sizes = store::witness_sizes(&state.db, &ledger.config.witness_keys()).await?;
            let c = &ledger.config;
            status = Some(LogStatus {
                origin: c.origin.clone(),
                size: st.size,
                cosigned_size: st.cosigned_size,
                pending: st.pending,
                checkpoints: st.checkpoints,
                keys: c.log_keys().iter().map(ToString::to_string).collect(),
                witnesses: c
                    .witnesses
                    .iter()
                    .map(|w| {
                        (
                            w.label.clone(),
                            w.key.to_string(),
                            sizes
                                .get(w.key.name())
                                .map(|n| n.to_string())
                                .unwrap_or_else(|| "—".into()),
                        )
                    })
                    .collect(),
                quorum: c.quorum,
            });
        }
    }
    let has_errors = !errors.errors.is_empty();
    render_form(
        EvidencePage {
            kinds: kinds(&l),
            l,
            submitters: subs,
            mine,
            errors,
            form,
            status,
            enabled: state.ledger.is_some(),
        },
        has_errors,
    )
}

pub async fn evidence_home(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::RegisterEvidence)
        .or_else(|_| s.can(Action::ReadLedger))?;
    evidence_page(&state, &s, RegisterForm::default(), FieldErrors::default()).await
}

/// The metadata a page registration commits to (its digest goes in the entry).
fn page_metadata(f: &RegisterForm) -> Value {
    json!({
        "title": f.title.trim(),
        "file_name": f.file_name.trim(),
        "file_size": f.file_size.trim().parse::<u64>().ok(),
    })
}

/// `POST /evidence`: the browser has hashed the file; only its digests arrive.
pub async fn register(
    State(state): State<AppState>,
    s: Signed,
    crate::auth::CsrfForm(form): crate::auth::CsrfForm<RegisterForm>,
) -> AppResult<Response> {
    s.can(Action::RegisterEvidence)?;
    let l = ledger(&state)?.clone();
    let mut errors = Vec::new();
    let kind = kind_of("kind", &form.kind, &mut errors);
    let sha256 = hex32("sha256", &form.sha256, &mut errors);
    let sm3 = hex32("sm3", &form.sm3, &mut errors);
    if form.title.trim().is_empty() || form.title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "required",
            "请填写 1–200 字的名称",
            "give a title of 1–200 characters",
        ));
    }
    let submitter =
        choose_submitter(&state, &s.principal, Some(&form.submitter), &mut errors).await?;
    if !errors.is_empty() {
        let errors = FieldErrors {
            errors,
            warnings: vec![],
        };
        return evidence_page(&state, &s, form, errors).await;
    }
    let meta = page_metadata(&form);
    let entry = Entry::new(
        kind,
        Digests { sha256, sm3 },
        metadata_digest(&meta),
        now_ms(),
        &submitter,
    )
    .map_err(AppError::BadRequest)?;
    let identity = entry.identity();
    let acks = l
        .append(Submission {
            actor: s.actor(),
            entries: vec![entry],
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let index = match acks.first() {
        Some(Ack::Existing(i)) => Some(*i),
        _ => l.wait_sequenced(&identity, WAIT).await.ok().map(|x| x.0),
    };
    Ok(match index {
        Some(i) => {
            // The certificate and its proof should carry the witnesses' cosignatures.
            let _ = l.wait_cosigned(i, WAIT).await;
            Redirect::to(&format!("/evidence/{i}?registered=1")).into_response()
        }
        None => Redirect::to("/evidence?pending=1").into_response(),
    })
}

#[derive(Template)]
#[template(path = "evidence_certificate.html")]
struct CertificatePage {
    l: Layout,
    index: u64,
    kind: String,
    sha256: String,
    sm3: String,
    metadata: String,
    submitted_at: String,
    submitter: String,
    submitter_name: String,
    size: u64,
    root: String,
    signatures: Vec<(String, String)>,
    cosigners: Vec<(String, String)>,
    verify_command: String,
    policy_keys: Vec<String>,
    registered: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct CertQuery {
    #[serde(default)]
    registered: Option<String>,
}

/// `GET /evidence/{index}`: the evidence certificate (存证证书), printable.
pub async fn certificate(
    State(state): State<AppState>,
    s: Signed,
    Path(index): Path<u64>,
    axum::extract::Query(q): axum::extract::Query<CertQuery>,
) -> AppResult<Response> {
    let l = ledger(&state)?.clone();
    let bytes = store::entry(&state.db, index)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = Entry::parse(&bytes).map_err(AppError::Internal)?;
    if !may_see(&state, &s.principal, &e).await? {
        return Err(AppError::NotFound);
    }
    let proof = l
        .proof(index)
        .await
        .map_err(|x| AppError::Internal(x.to_string()))?;
    let verifier = Verifier::new(shoumi_ledger::Policy {
        quorum: 0,
        ..l.config.policy()
    });
    let v = verifier
        .verify_parsed(&proof, None)
        .map_err(|x| AppError::Internal(format!("the ledger's own proof does not verify: {x}")))?;
    let layout = Layout::new(&s.ctx, s.t().s("ledger.certificate"));
    let t = layout.t;
    let labels = witness_labels(&l);
    let submitter_name = store::resolve_submitter(&state.db, &e.submitter)
        .await?
        .unwrap_or_default();
    render(CertificatePage {
        index,
        kind: t.pick(e.kind.name_zh(), e.kind.name_en()).to_string(),
        sha256: hex::encode(e.document.sha256),
        sm3: hex::encode(e.document.sm3),
        metadata: hex::encode(e.metadata),
        submitted_at: local(e.time_ms * 1000),
        submitter: e.submitter.clone(),
        submitter_name,
        size: v.checkpoint.checkpoint.size,
        root: hex::encode(v.checkpoint.checkpoint.root),
        signatures: v
            .checkpoint
            .log_signatures
            .iter()
            .map(|(n, a)| (n.clone(), a.to_string()))
            .collect(),
        cosigners: cosigners(&v, &labels),
        verify_command: verify_command(&l.config, index),
        policy_keys: l
            .config
            .log_keys()
            .iter()
            .map(ToString::to_string)
            .collect(),
        registered: q.registered.is_some(),
        l: layout,
    })
}

fn witness_labels(l: &Ledger) -> Vec<(String, String)> {
    l.config
        .witnesses
        .iter()
        .map(|w| (w.key.name().to_string(), w.label.clone()))
        .collect()
}

fn cosigners(v: &Verified, labels: &[(String, String)]) -> Vec<(String, String)> {
    v.checkpoint
        .cosignatures
        .iter()
        .map(|(name, t)| {
            let label = labels
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, l)| format!("{l}（{name}）"))
                .unwrap_or_else(|| name.clone());
            (label, local(*t as i64 * 1_000_000))
        })
        .collect()
}

fn verify_command(c: &LedgerConfig, index: u64) -> String {
    let mut cmd = String::from("shoumi log verify");
    for k in c.log_keys() {
        cmd.push_str(&format!(" \\\n  --key '{k}'"));
    }
    for w in &c.witnesses {
        cmd.push_str(&format!(" \\\n  --witness '{}'", w.key));
    }
    if !c.witnesses.is_empty() {
        cmd.push_str(&format!(" --quorum {}", c.quorum));
    }
    cmd.push_str(&format!(" \\\n  DOCUMENT entry-{index}.tlog-proof"));
    cmd
}

#[derive(Template)]
#[template(path = "evidence_verify.html")]
struct VerifyPage {
    l: Layout,
    outcome: Option<Outcome>,
}

struct Outcome {
    ok: bool,
    reason: String,
    index: u64,
    kind: String,
    submitted_at: String,
    submitter: String,
    submitter_name: String,
    size: u64,
    cosigners: Vec<(String, String)>,
    earliest: String,
    document_checked: bool,
}

/// `GET /evidence/verify`: public. The document is hashed in the browser and never uploaded.
pub async fn verify_page(ctx: Ctx) -> AppResult<Response> {
    let l = Layout::new(&ctx, ctx.t().s("ledger.verify_title"));
    render(VerifyPage { l, outcome: None })
}

/// `POST /evidence/verify`: the proof file and the document's digests (no side effects, so no
/// CSRF token: anyone may verify).
pub async fn verify_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    mut mp: Multipart,
) -> AppResult<Response> {
    let l = ledger(&state)?.clone();
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(e.to_string());
    let (mut proof, mut sha256, mut sm3) = (Vec::new(), String::new(), String::new());
    while let Some(f) = mp.next_field().await.map_err(bad)? {
        match f.name().unwrap_or("") {
            "proof" => proof = f.bytes().await.map_err(bad)?.to_vec(),
            "proof_text" if proof.is_empty() => proof = f.bytes().await.map_err(bad)?.to_vec(),
            "sha256" => sha256 = f.text().await.map_err(bad)?,
            "sm3" => sm3 = f.text().await.map_err(bad)?,
            _ => {}
        }
    }
    let layout = Layout::new(&ctx, ctx.t().s("ledger.verify_title"));
    let t = layout.t;
    let mut errs = Vec::new();
    let doc = if sha256.trim().is_empty() {
        None
    } else {
        let a = hex32("sha256", &sha256, &mut errs);
        let b = if sm3.trim().is_empty() {
            None
        } else {
            Some(hex32("sm3", &sm3, &mut errs))
        };
        Some((a, b))
    };
    let verifier = Verifier::new(l.config.policy());
    let result = if !errs.is_empty() {
        Err(t
            .pick("文件摘要格式不正确", "the document digest is malformed")
            .to_string())
    } else if proof.is_empty() {
        Err(t
            .pick("请选择 .tlog-proof 证明文件", "choose a .tlog-proof file")
            .to_string())
    } else {
        // With only a SHA-256 (no SM3 given), compare SHA-256 alone.
        let r = verifier.verify(&proof, None);
        match (r, doc) {
            (Ok(v), Some((a, b))) => {
                if v.entry.document.sha256 != a {
                    Err(explain(&VerifyError::DocumentSha256, t))
                } else if b.is_some_and(|b| v.entry.document.sm3 != b) {
                    Err(explain(&VerifyError::DocumentSm3, t))
                } else {
                    Ok((v, true))
                }
            }
            (Ok(v), None) => Ok((v, false)),
            (Err(e), _) => Err(explain(&e, t)),
        }
    };
    let labels = witness_labels(&l);
    let outcome = match result {
        Ok((v, checked)) => Outcome {
            ok: true,
            reason: String::new(),
            index: v.index,
            kind: t
                .pick(v.entry.kind.name_zh(), v.entry.kind.name_en())
                .to_string(),
            submitted_at: local(v.entry.time_ms * 1000),
            submitter_name: store::resolve_submitter(&state.db, &v.entry.submitter)
                .await?
                .unwrap_or_default(),
            submitter: v.entry.submitter.clone(),
            size: v.checkpoint.checkpoint.size,
            earliest: v
                .checkpoint
                .earliest_cosignature()
                .map(|s| local(s as i64 * 1_000_000))
                .unwrap_or_default(),
            cosigners: cosigners(&v, &labels),
            document_checked: checked,
        },
        Err(reason) => Outcome {
            ok: false,
            reason,
            index: 0,
            kind: String::new(),
            submitted_at: String::new(),
            submitter: String::new(),
            submitter_name: String::new(),
            size: 0,
            cosigners: vec![],
            earliest: String::new(),
            document_checked: false,
        },
    };
    let mut r = render(VerifyPage {
        l: layout,
        outcome: Some(outcome),
    })?;
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// A verification failure in plain words.
pub fn explain(e: &VerifyError, t: crate::i18n::T) -> String {
    let zh = match e {
        VerifyError::Malformed(_) => "证明文件格式不正确，可能已损坏或不是 .tlog-proof 文件",
        VerifyError::Checkpoint(_) => "证明中的检查点格式不正确",
        VerifyError::WrongOrigin { .. } => "证明来自另一个存证日志，而非本平台的日志",
        VerifyError::MissingLogSignature(_) => "检查点缺少本平台存证日志的签名",
        VerifyError::Signature(_) => "签名校验失败：证明已被篡改",
        VerifyError::Quorum { .. } => "见证机构的联署数量不足",
        VerifyError::NoEntry => "证明中没有登记条目",
        VerifyError::Entry(_) => "证明中的登记条目格式不正确",
        VerifyError::DocumentSha256 | VerifyError::DocumentSm3 => {
            "所选文件与登记的文件不一致（摘要不同）：这不是当时登记的文件"
        }
        VerifyError::Inclusion(_) => "登记条目不在日志的该位置：证明无效",
    };
    let en = e.to_string();
    t.pick(zh, &en).to_string()
}
