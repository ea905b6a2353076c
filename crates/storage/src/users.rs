//! Accounts, grants, sessions, API tokens and login throttling — all in the database, so that
//! any number of server instances can serve one database.

use crate::sql;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Serialize;
use serde_json::json;
use shoumi_domain::user::Username;
use shoumi_domain::{Capability, FieldError, FieldErrors, Grant, Principal, Role, Scope};

use crate::{AuditedTx, Db, Result, StorageError, hash_secret, new_public_id, new_secret, now};

/// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"),
    )
}

/// Hashes a password (PHC string). CPU-heavy: call it off the async executor.
pub fn hash_password(pw: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(pw.as_bytes(), &salt)
        .expect("argon2 hashing")
        .to_string()
}

pub fn verify_password(pw: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon2().verify_password(pw.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so timing does not reveal it.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password-0"))
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "id")]
    pub public_id: String,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub email: Option<String>,
    #[serde(skip)]
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

fn user(r: &sql::Row) -> Result<User> {
    let mc: i64 = r.try_get("must_change_password")?;
    let dis: i64 = r.try_get("disabled")?;
    Ok(User {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        must_change_password: mc != 0,
        disabled: dis != 0,
        email: r.try_get("email")?,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        last_login_at: r.try_get("last_login_at")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    let r = sql::query("SELECT * FROM users WHERE username = $1")
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(db)
        .await?;
    r.as_ref().map(user).transpose()
}

pub async fn by_public_id(db: &Db, public_id: &str) -> Result<User> {
    let r = sql::query("SELECT * FROM users WHERE public_id = $1")
        .bind(public_id.to_string())
        .fetch_one(db)
        .await?;
    user(&r)
}

pub async fn by_id(db: &Db, id: i64) -> Result<User> {
    let r = sql::query("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    user(&r)
}

/// Every account, for administrators.
pub async fn list(db: &Db, _cap: Capability) -> Result<Vec<User>> {
    let rows = sql::query("SELECT * FROM users ORDER BY username")
        .fetch_all(db)
        .await?;
    rows.iter().map(user).collect()
}

/// How many accounts exist.
pub async fn count(db: &Db, _cap: Capability) -> Result<i64> {
    sql::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

/// Every active grant of every account, keyed by user id (one query for the user list).
pub async fn all_grants(
    db: &Db,
    _cap: Capability,
) -> Result<std::collections::HashMap<i64, Vec<GrantRow>>> {
    let rows = sql::query(&format!(
        "SELECT g.user_id AS grant_user_id, {} WHERE g.revoked_at IS NULL ORDER BY g.id",
        GRANT_SELECT.trim_start_matches("SELECT ")
    ))
    .fetch_all(db)
    .await?;
    let mut out: std::collections::HashMap<i64, Vec<GrantRow>> = std::collections::HashMap::new();
    for r in &rows {
        let uid: i64 = r.try_get("grant_user_id")?;
        out.entry(uid).or_default().push(grant_row(r)?.0);
    }
    Ok(out)
}

/// A grant as listed, with the name of what it is bound to.
#[derive(Debug, Clone, Serialize)]
pub struct GrantRow {
    pub public_id: String,
    pub role: Role,
    pub scope: Scope,
    pub scope_name: String,
    /// Public id of the scope's row, for links and the API.
    pub scope_public_id: Option<String>,
    pub granted_at: i64,
}

const GRANT_SELECT: &str = "SELECT g.public_id, g.role, g.scope_kind, g.scope_id, g.granted_at, \
    COALESCE(u.name, d.name, z.name, e.name, '') AS scope_name, \
    COALESCE(u.public_id, d.public_id, z.public_id, e.public_id) AS scope_public_id, \
    u.division_id AS unit_division_id, u.zone_id AS unit_zone_id \
    FROM grants g \
    LEFT JOIN units u ON g.scope_kind = 'unit' AND u.id = g.scope_id \
    LEFT JOIN divisions d ON g.scope_kind = 'division' AND d.id = g.scope_id \
    LEFT JOIN zones z ON g.scope_kind = 'zone' AND z.id = g.scope_id \
    LEFT JOIN enterprises e ON g.scope_kind = 'enterprise' AND e.id = g.scope_id";

/// The role, scope and (for a unit, e.g. a station) the area of the grant on a row that has
/// `role`, `scope_kind`, `scope_id`, `unit_division_id` and `unit_zone_id`.
fn grant_of(r: &sql::Row) -> Result<Grant> {
    let role: String = r.try_get("role")?;
    let kind: String = r.try_get("scope_kind")?;
    let sid: Option<i64> = r.try_get("scope_id")?;
    let scope = Scope::from_parts(&kind, sid)
        .ok_or_else(|| StorageError::Integrity(format!("bad grant scope {kind}")))?;
    let role =
        Role::parse(&role).ok_or_else(|| StorageError::Integrity(format!("bad role {role}")))?;
    let ud: Option<i64> = r.try_get("unit_division_id")?;
    let uz: Option<i64> = r.try_get("unit_zone_id")?;
    let area = match scope {
        Scope::Unit(_) => ud.map(Scope::Division).or(uz.map(Scope::Zone)),
        _ => None,
    };
    Ok(Grant { role, scope, area })
}

fn grant_row(r: &sql::Row) -> Result<(GrantRow, Option<Scope>)> {
    let Grant { role, scope, area } = grant_of(r)?;
    Ok((
        GrantRow {
            public_id: r.try_get("public_id")?,
            role,
            scope,
            scope_name: r.try_get("scope_name")?,
            scope_public_id: r.try_get("scope_public_id")?,
            granted_at: r.try_get("granted_at")?,
        },
        area,
    ))
}

/// The active grants of a user.
pub async fn grants_of(db: &Db, user_id: i64) -> Result<Vec<GrantRow>> {
    let rows = sql::query(&format!(
        "{GRANT_SELECT} WHERE g.user_id = $1 AND g.revoked_at IS NULL ORDER BY g.id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| grant_row(r).map(|(g, _)| g)).collect()
}

/// Loads the principal of an enabled user, with station areas resolved.
pub async fn principal(db: &Db, user_id: i64) -> Result<Option<Principal>> {
    let Some(r) = sql::query("SELECT * FROM users WHERE id = $1 AND disabled = 0")
        .bind(user_id)
        .fetch_optional(db)
        .await?
    else {
        return Ok(None);
    };
    let u = user(&r)?;
    let rows = sql::query(&format!(
        "{GRANT_SELECT} WHERE g.user_id = $1 AND g.revoked_at IS NULL ORDER BY g.id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let mut grants = Vec::new();
    for r in &rows {
        let (g, area) = grant_row(r)?;
        grants.push(Grant {
            role: g.role,
            scope: g.scope,
            area,
        });
    }
    Ok(Some(Principal {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        grants,
        must_change_password: u.must_change_password,
    }))
}

/// Input for a new account.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewUser {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
}

/// Creates an account with an already-hashed initial password. Accounts made by an administrator
/// must change the password at first sign-in (`must_change`).
pub async fn create(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    input: &NewUser,
    password_hash: &str,
    must_change: bool,
) -> Result<(i64, String)> {
    let mut e = FieldErrors::default();
    let username = match Username::parse(&input.username) {
        Ok(u) => Some(u),
        Err(fe) => {
            e.push(fe);
            None
        }
    };
    let display_name =
        shoumi_domain::validation::required_text(&mut e, "display_name", &input.display_name, 50);
    let email = shoumi_domain::validation::optional_text(&mut e, "email", &input.email, 100);
    if !e.is_empty() {
        return Err(StorageError::Invalid(e));
    }
    let username = username.expect("checked");
    let pid = new_public_id();
    let t = now();
    let id: i64 = sql::query_scalar(
        "INSERT INTO users (public_id, username, display_name, password_hash, must_change_password, disabled, \
         email, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $7) RETURNING id",
    )
    .bind(pid.clone())
    .bind(username.as_str().to_string())
    .bind(display_name.clone())
    .bind(password_hash.to_string())
    .bind(must_change as i64)
    .bind(email.clone())
    .bind(t)
    .fetch_one(tx.conn())
    .await?;
    tx.audit(
        "user.create",
        "user",
        Some(&pid),
        &format!("创建账号 {}", username.as_str()),
        None,
        Some(&json!({"username": username.as_str(), "display_name": display_name, "email": email})),
    )
    .await?;
    Ok((id, pid))
}

/// Grants a role bound to a scope. Refuses a scope kind the role does not accept.
pub async fn grant(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    user_id: i64,
    role: Role,
    scope: Scope,
) -> Result<String> {
    if !role.accepts(scope) {
        return Err(StorageError::Invalid(FieldErrors {
            errors: vec![FieldError::new(
                "scope",
                "invalid",
                format!("角色“{}”不能绑定到该范围", role.label_zh()),
                format!(
                    "role '{}' cannot be bound to a {}",
                    role.label_en(),
                    scope.kind_str()
                ),
            )],
            warnings: vec![],
        }));
    }
    let existing: Option<String> = sql::query_scalar(
        "SELECT public_id FROM grants WHERE user_id = $1 AND role = $2 AND scope_kind = $3 \
         AND COALESCE(scope_id, 0) = $4 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(scope.kind_str())
    .bind(scope.id().unwrap_or(0))
    .fetch_optional(tx.conn())
    .await?;
    if let Some(pid) = existing {
        return Ok(pid);
    }
    let pid = new_public_id();
    sql::query(
        "INSERT INTO grants (public_id, user_id, role, scope_kind, scope_id, granted_by, granted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(pid.clone())
    .bind(user_id)
    .bind(role.as_str())
    .bind(scope.kind_str())
    .bind(scope.id())
    .bind(tx.actor().user_id)
    .bind(now())
    .execute(tx.conn())
    .await?;
    let username: String = sql::query_scalar("SELECT public_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(tx.conn())
        .await?;
    tx.audit(
        "grant.create",
        "user",
        Some(&username),
        &format!("授予角色 {}", role.label_zh()),
        None,
        Some(&json!({"grant": pid, "role": role, "scope": scope})),
    )
    .await?;
    Ok(pid)
}

/// Revokes a grant (kept as history with `revoked_at`).
pub async fn revoke(tx: &mut AuditedTx<'_>, _cap: Capability, grant_public_id: &str) -> Result<()> {
    let r = sql::query(
        "SELECT g.role, g.scope_kind, g.scope_id, u.public_id AS user_pid FROM grants g JOIN users u ON u.id = g.user_id \
         WHERE g.public_id = $1 AND g.revoked_at IS NULL",
    )
    .bind(grant_public_id.to_string())
    .fetch_optional(tx.conn())
    .await?
    .ok_or(StorageError::NotFound)?;
    let role: String = r.try_get("role")?;
    let user_pid: String = r.try_get("user_pid")?;
    let kind: String = r.try_get("scope_kind")?;
    let sid: Option<i64> = r.try_get("scope_id")?;
    sql::query("UPDATE grants SET revoked_at = $1, revoked_by = $2 WHERE public_id = $3")
        .bind(now())
        .bind(tx.actor().user_id)
        .bind(grant_public_id.to_string())
        .execute(tx.conn())
        .await?;
    tx.audit(
        "grant.revoke",
        "user",
        Some(&user_pid),
        &format!("撤销角色 {role}"),
        Some(&json!({"grant": grant_public_id, "role": role, "scope_kind": kind, "scope_id": sid})),
        None,
    )
    .await
}

/// Sets a new password hash. `must_change` is true when an administrator resets it.
pub async fn set_password(
    tx: &mut AuditedTx<'_>,
    user_id: i64,
    password_hash: &str,
    must_change: bool,
) -> Result<()> {
    let pid: String = sql::query_scalar(
        "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL, \
         updated_at = $3 WHERE id = $4 RETURNING public_id",
    )
    .bind(password_hash.to_string())
    .bind(must_change as i64)
    .bind(now())
    .bind(user_id)
    .fetch_one(tx.conn())
    .await?;
    // A changed password ends every other session.
    sql::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    tx.audit(
        if must_change {
            "user.password_reset"
        } else {
            "user.password_change"
        },
        "user",
        Some(&pid),
        if must_change {
            "重置密码"
        } else {
            "修改密码"
        },
        None,
        Some(&json!({"must_change_password": must_change})),
    )
    .await
}

/// Disables or re-enables an account; disabling ends its sessions and tokens.
pub async fn set_disabled(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    user_id: i64,
    disabled: bool,
) -> Result<()> {
    let pid: String = sql::query_scalar(
        "UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3 RETURNING public_id",
    )
    .bind(disabled as i64)
    .bind(now())
    .bind(user_id)
    .fetch_one(tx.conn())
    .await?;
    if disabled {
        sql::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(user_id)
            .execute(tx.conn())
            .await?;
        sql::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    }
    tx.audit(
        if disabled {
            "user.disable"
        } else {
            "user.enable"
        },
        "user",
        Some(&pid),
        if disabled {
            "停用账号"
        } else {
            "启用账号"
        },
        Some(&json!({"disabled": !disabled})),
        Some(&json!({"disabled": disabled})),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Login throttling and lockout

/// The throttling policy. Failures are counted in the database, so every instance agrees.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failed attempts on one account within the window that lock it.
    pub account_failures: i64,
    /// Failed attempts from one address within the window that refuse it.
    pub ip_failures: i64,
    pub window_secs: i64,
    pub lockout_secs: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            account_failures: 5,
            ip_failures: 30,
            window_secs: 15 * 60,
            lockout_secs: 15 * 60,
        }
    }
}

/// Whether an address is currently refused for too many failures.
pub async fn ip_throttled(db: &Db, ip: &str, p: ThrottlePolicy) -> Result<bool> {
    let since = now() - p.window_secs * 1_000_000;
    let n: i64 = sql::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND success = 0 AND at >= $2",
    )
    .bind(ip.to_string())
    .bind(since)
    .fetch_one(db)
    .await?;
    Ok(n >= p.ip_failures)
}

/// Records an attempt; on enough failures locks the account. Returns the lock end if locked now.
pub async fn record_attempt(
    tx: &mut AuditedTx<'_>,
    username: &str,
    ip: &str,
    user_id: Option<i64>,
    success: bool,
    p: ThrottlePolicy,
) -> Result<Option<i64>> {
    let t = now();
    sql::query("INSERT INTO login_attempts (username, ip, success, at) VALUES ($1, $2, $3, $4)")
        .bind(username.to_string())
        .bind(ip.to_string())
        .bind(success as i64)
        .bind(t)
        .execute(tx.conn())
        .await?;
    let Some(uid) = user_id else {
        tx.audit(
            "session.login_failed",
            "session",
            None,
            &format!("登录失败（无此账号）{username}"),
            None,
            None,
        )
        .await?;
        return Ok(None);
    };
    if success {
        sql::query("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
            .bind(t)
            .bind(uid)
            .execute(tx.conn())
            .await?;
        return Ok(None);
    }
    let failures: i64 = sql::query_scalar(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
    )
    .bind(uid)
    .fetch_one(tx.conn())
    .await?;
    let mut locked = None;
    if failures >= p.account_failures {
        let until = t + p.lockout_secs * 1_000_000;
        sql::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(until)
            .bind(uid)
            .execute(tx.conn())
            .await?;
        locked = Some(until);
    }
    let pid: String = sql::query_scalar("SELECT public_id FROM users WHERE id = $1")
        .bind(uid)
        .fetch_one(tx.conn())
        .await?;
    tx.audit(
        if locked.is_some() {
            "user.locked"
        } else {
            "session.login_failed"
        },
        "user",
        Some(&pid),
        &if locked.is_some() {
            format!("连续登录失败，账号 {username} 临时锁定")
        } else {
            format!("登录失败 {username}")
        },
        None,
        Some(&json!({"failed_logins": failures, "locked_until": locked})),
    )
    .await?;
    Ok(locked)
}

// ---------------------------------------------------------------------------------------------
// Sessions

/// A live session as the request layer sees it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: i64,
    pub user_id: i64,
    pub csrf_token: String,
    pub last_seen_at: i64,
    /// When the session ends (Unix microseconds), unless used again before.
    pub expires_at: i64,
}

/// Creates a session and returns its (cookie token, CSRF token). Only the token's hash is stored.
pub async fn create_session(
    tx: &mut AuditedTx<'_>,
    user_id: i64,
    ip: Option<&str>,
    user_agent: Option<&str>,
    ttl_secs: i64,
) -> Result<(String, String)> {
    let token = new_secret();
    let csrf = new_secret();
    let t = now();
    sql::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(hash_secret(&token))
    .bind(user_id)
    .bind(csrf.clone())
    .bind(ip.map(str::to_string))
    .bind(user_agent.map(|s| s.chars().take(200).collect::<String>()))
    .bind(t)
    .bind(t + ttl_secs * 1_000_000)
    .execute(tx.conn())
    .await?;
    let pid: String = sql::query_scalar("SELECT public_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(tx.conn())
        .await?;
    tx.audit("session.login", "user", Some(&pid), "登录", None, None)
        .await?;
    Ok((token, csrf))
}

/// Columns that build a principal, joined onto a `sessions s` or `api_tokens t` row: one row per
/// active grant (or one row with NULL grant columns).
const PRINCIPAL_COLUMNS: &str = "u.id AS uid, u.username, u.display_name, u.must_change_password, \
    g.role, g.scope_kind, g.scope_id, un.division_id AS unit_division_id, un.zone_id AS unit_zone_id";
const PRINCIPAL_JOINS: &str = "JOIN users u ON u.id = {owner}.user_id \
    LEFT JOIN grants g ON g.user_id = u.id AND g.revoked_at IS NULL \
    LEFT JOIN units un ON g.scope_kind = 'unit' AND un.id = g.scope_id";

fn principal_from_rows(rows: &[sql::Row]) -> Result<Option<Principal>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mc: i64 = first.try_get("must_change_password")?;
    let mut grants = Vec::new();
    for r in rows {
        // A user without grants comes back as one row with NULL grant columns.
        if r.try_get::<Option<String>>("role")?.is_none() {
            continue;
        }
        grants.push(grant_of(r)?);
    }
    Ok(Some(Principal {
        user_id: first.try_get("uid")?,
        username: first.try_get("username")?,
        display_name: first.try_get("display_name")?,
        grants,
        must_change_password: mc != 0,
    }))
}

/// A live session and its principal in one query: the request path's only read for sign-in.
pub async fn session_principal(db: &Db, token: &str) -> Result<Option<(SessionInfo, Principal)>> {
    // Built once: this runs on every signed-in request.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT s.id AS sid, s.csrf_token, s.last_seen_at, s.expires_at, {PRINCIPAL_COLUMNS} FROM sessions s {} \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled = 0 ORDER BY g.id",
            PRINCIPAL_JOINS.replace("{owner}", "s")
        )
    });
    let rows = sql::query(&SQL)
        .bind(hash_secret(token))
        .bind(now())
        .fetch_all(db)
        .await?;
    let Some(p) = principal_from_rows(&rows)? else {
        return Ok(None);
    };
    let r = &rows[0];
    Ok(Some((
        SessionInfo {
            id: r.try_get("sid")?,
            user_id: p.user_id,
            csrf_token: r.try_get("csrf_token")?,
            last_seen_at: r.try_get("last_seen_at")?,
            expires_at: r.try_get("expires_at")?,
        },
        p,
    )))
}

/// A live API token, its scope and its principal in one query.
pub async fn token_principal(db: &Db, secret: &str) -> Result<Option<(TokenScope, Principal)>> {
    // Built once: this runs on every API request.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT t.id AS tid, t.scopes, t.last_used_at, {PRINCIPAL_COLUMNS} FROM api_tokens t {} \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
             AND u.disabled = 0 ORDER BY g.id",
            PRINCIPAL_JOINS.replace("{owner}", "t")
        )
    });
    let rows = sql::query(&SQL)
        .bind(hash_secret(secret))
        .bind(now())
        .fetch_all(db)
        .await?;
    let Some(p) = principal_from_rows(&rows)? else {
        return Ok(None);
    };
    let r = &rows[0];
    let tid: i64 = r.try_get("tid")?;
    let last: Option<i64> = r.try_get("last_used_at")?;
    if last.is_none_or(|l| now() - l > 60_000_000) {
        sql::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now())
            .bind(tid)
            .execute(db)
            .await?;
    }
    let s: String = r.try_get("scopes")?;
    Ok(Some((
        if s == "write" {
            TokenScope::Write
        } else {
            TokenScope::Read
        },
        p,
    )))
}

/// Slides a session's idle expiry; called at most once a minute per session.
pub async fn touch_session(db: &Db, id: i64, ttl_secs: i64) -> Result<()> {
    let t = now();
    sql::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
        .bind(t)
        .bind(t + ttl_secs * 1_000_000)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn end_session(tx: &mut AuditedTx<'_>, id: i64) -> Result<()> {
    let r = sql::query(
        "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING user_id",
    )
    .bind(now())
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let uid: Option<i64> = r.map(|r| r.try_get("user_id")).transpose()?;
    let pid: Option<String> = match uid {
        Some(u) => {
            sql::query_scalar("SELECT public_id FROM users WHERE id = $1")
                .bind(u)
                .fetch_optional(tx.conn())
                .await?
        }
        None => None,
    };
    tx.audit(
        "session.logout",
        "user",
        pid.as_deref(),
        "退出登录",
        None,
        None,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// API tokens

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// GET requests only.
    Read,
    /// Reads and writes, within the owner's roles.
    Write,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    #[serde(rename = "id")]
    pub public_id: String,
    pub name: String,
    pub prefix: String,
    pub scope: TokenScope,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn token(r: &sql::Row) -> Result<ApiToken> {
    let s: String = r.try_get("scopes")?;
    Ok(ApiToken {
        public_id: r.try_get("public_id")?,
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        scope: if s == "write" {
            TokenScope::Write
        } else {
            TokenScope::Read
        },
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// Creates a token; the secret is returned once and only its hash is kept.
pub async fn create_token(
    tx: &mut AuditedTx<'_>,
    user_id: i64,
    name: &str,
    scope: TokenScope,
    ttl_secs: Option<i64>,
) -> Result<(String, ApiToken)> {
    let mut e = FieldErrors::default();
    let name = shoumi_domain::validation::required_text(&mut e, "name", name, 60);
    if !e.is_empty() {
        return Err(StorageError::Invalid(e));
    }
    let secret = format!("shm_{}", new_secret());
    let prefix: String = secret.chars().take(10).collect();
    let pid = new_public_id();
    let t = now();
    let r = sql::query(
        "INSERT INTO api_tokens (public_id, user_id, name, token_hash, prefix, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
    )
    .bind(pid.clone())
    .bind(user_id)
    .bind(name.clone())
    .bind(hash_secret(&secret))
    .bind(prefix)
    .bind(match scope {
        TokenScope::Read => "read",
        TokenScope::Write => "write",
    })
    .bind(t)
    .bind(ttl_secs.map(|s| t + s * 1_000_000))
    .fetch_one(tx.conn())
    .await?;
    tx.audit(
        "token.create",
        "api_token",
        Some(&pid),
        &format!("创建 API 令牌 {name}"),
        None,
        Some(&json!({"name": name, "scope": scope})),
    )
    .await?;
    Ok((secret, token(&r)?))
}

pub async fn tokens_of(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    let rows = sql::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
        .bind(user_id)
        .fetch_all(db)
        .await?;
    rows.iter().map(token).collect()
}

/// Revokes one of the user's own tokens.
pub async fn revoke_token(tx: &mut AuditedTx<'_>, user_id: i64, public_id: &str) -> Result<()> {
    let n = sql::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE public_id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(public_id.to_string())
    .bind(user_id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    tx.audit(
        "token.revoke",
        "api_token",
        Some(public_id),
        "撤销 API 令牌",
        None,
        None,
    )
    .await
}
