//! The audit trail: who, when, from where, and what changed (before and after), written in the
//! same transaction as the change. No code path deletes or updates an audit row.

use crate::sql;
use serde::Serialize;

use crate::query::Filter;
use crate::{Backend, Db, Page, Result, StorageError, now};

/// Who is acting: a signed-in user, an API token's owner, or the system (CLI, demo loader).
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The platform itself (migrations, seeding, CLI commands run by the operator).
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            name: format!("system:{what}"),
            ip: None,
            request_id: None,
        }
    }
}

/// A write transaction that records its audit rows. Commit refuses if nothing was audited.
pub struct AuditedTx<'a> {
    pub(crate) tx: crate::sql::Tx,
    actor: &'a Actor,
    audited: usize,
    pub(crate) backend: Backend,
}

impl<'a> AuditedTx<'a> {
    pub(crate) fn new(tx: crate::sql::Tx, actor: &'a Actor, backend: Backend) -> Self {
        AuditedTx {
            tx,
            actor,
            audited: 0,
            backend,
        }
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Records one change. `before`/`after` are the entity's fields as JSON (None for create /
    /// for a change that has no after-state).
    pub async fn audit(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: Option<&str>,
        summary: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<()> {
        sql::query(
            "INSERT INTO audit_log (at, actor_user_id, actor_name, ip, request_id, action, \
             entity_type, entity_id, summary, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(now())
        .bind(self.actor.user_id)
        .bind(self.actor.name.clone())
        .bind(self.actor.ip.clone())
        .bind(self.actor.request_id.clone())
        .bind(action.to_string())
        .bind(entity_type.to_string())
        .bind(entity_id.map(str::to_string))
        .bind(summary.to_string())
        .bind(before.map(|v| v.to_string()))
        .bind(after.map(|v| v.to_string()))
        .execute(&mut self.tx)
        .await?;
        self.audited += 1;
        Ok(())
    }

    /// Records many audit rows in one statement (bulk imports). Each value tuple lists
    /// `(at, actor_user_id, actor_name, ip, request_id, action, entity_type, entity_id, summary,
    /// after_json)`; build it with [`AuditedTx::push_audit_row`].
    pub(crate) async fn audit_many(
        &mut self,
        values: Vec<String>,
        args: crate::sql::Args,
    ) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        let n = values.len();
        let sql = format!(
            "INSERT INTO audit_log (at, actor_user_id, actor_name, ip, request_id, action, entity_type, \
             entity_id, summary, after_json) VALUES {}",
            values.join(",")
        );
        sql::query_with(&sql, args).execute(&mut self.tx).await?;
        self.audited += n;
        Ok(())
    }

    /// Appends one audit row's placeholders and values for [`AuditedTx::audit_many`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_audit_row(
        &self,
        values: &mut Vec<String>,
        args: &mut crate::sql::Args,
        at: i64,
        action: &str,
        entity_type: &str,
        entity_id: &str,
        summary: String,
        after: String,
    ) -> Result<()> {
        self.push_audit_row_by(
            self.actor,
            values,
            args,
            at,
            action,
            entity_type,
            Some(entity_id),
            summary,
            after,
        )
    }

    /// As [`AuditedTx::push_audit_row`], for a change made on behalf of another actor (a group
    /// commit that writes many callers' requests in one transaction).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_audit_row_by(
        &self,
        actor: &Actor,
        values: &mut Vec<String>,
        args: &mut crate::sql::Args,
        at: i64,
        action: &str,
        entity_type: &str,
        entity_id: Option<&str>,
        summary: String,
        after: String,
    ) -> Result<()> {
        let b = values.len() * 10;
        values.push(crate::query::tuple(self.backend, b, 10));
        args.add(at);
        args.add(actor.user_id);
        args.add(actor.name.clone());
        args.add(actor.ip.clone());
        args.add(actor.request_id.clone());
        args.add(action.to_string());
        args.add(entity_type.to_string());
        args.add(entity_id.map(str::to_string));
        args.add(summary);
        args.add(after);
        Ok(())
    }

    /// Commits the change and its audit rows together.
    pub async fn commit(self) -> Result<()> {
        if self.audited == 0 {
            // Dropping the transaction rolls it back.
            return Err(StorageError::Integrity(
                "a write transaction must record at least one audit row".into(),
            ));
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// For operations that may turn out to change nothing (an edit that leaves every field as it
    /// was, a grant the person already holds): commits when something was audited, otherwise
    /// rolls back. Returns whether anything was written. Errors are not swallowed.
    pub async fn commit_if_audited(self) -> Result<bool> {
        if self.audited == 0 {
            self.tx.rollback().await?;
            return Ok(false);
        }
        self.tx.commit().await?;
        Ok(true)
    }

    /// The underlying connection, for queries inside the transaction.
    pub fn conn(&mut self) -> &mut crate::sql::Tx {
        &mut self.tx
    }
}

/// One audit row as shown and exported.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_name: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Filters for browsing the audit trail.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity_type: String,
    #[serde(default)]
    pub entity_id: String,
    /// Inclusive lower bound, Unix microseconds.
    pub from: Option<i64>,
    /// Exclusive upper bound, Unix microseconds.
    pub to: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> Filter {
        let mut f = Filter::default();
        if !self.actor.trim().is_empty() {
            f.push("actor_name = ?").bind_str(self.actor.trim());
        }
        if !self.action.trim().is_empty() {
            f.push("action = ?").bind_str(self.action.trim());
        }
        if !self.entity_type.trim().is_empty() {
            f.push("entity_type = ?").bind_str(self.entity_type.trim());
        }
        if !self.entity_id.trim().is_empty() {
            f.push("entity_id = ?").bind_str(self.entity_id.trim());
        }
        if let Some(from) = self.from {
            f.push("at >= ?").bind_i64(from);
        }
        if let Some(to) = self.to {
            f.push("at < ?").bind_i64(to);
        }
        f
    }
}

fn entry(r: &crate::sql::Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor_name: r.try_get("actor_name")?,
        ip: r.try_get("ip")?,
        request_id: r.try_get("request_id")?,
        action: r.try_get("action")?,
        entity_type: r.try_get("entity_type")?,
        entity_id: r.try_get("entity_id")?,
        summary: r.try_get("summary")?,
        before_json: r.try_get("before_json")?,
        after_json: r.try_get("after_json")?,
    })
}

const COLUMNS: &str = "id, at, actor_name, ip, request_id, action, entity_type, entity_id, \
                       summary, before_json, after_json";

/// Reads the audit trail, newest first. Requires the [`shoumi_domain::Action::ReadAudit`]
/// capability.
pub async fn list(
    db: &Db,
    _cap: shoumi_domain::Capability,
    q: &AuditQuery,
    page: Page,
) -> Result<(Vec<AuditEntry>, i64)> {
    let f = q.filter();
    let count_sql = format!("SELECT COUNT(*) AS n FROM audit_log{}", f.where_sql());
    let total: i64 = sql::query_with(&count_sql, f.args())
        .fetch_one(db)
        .await?
        .try_get("n")?;
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log{} ORDER BY id DESC LIMIT {} OFFSET {}",
        f.where_sql(),
        page.size,
        page.offset()
    );
    let rows = sql::query_with(&sql, f.args()).fetch_all(db).await?;
    let list = rows.iter().map(entry).collect::<Result<Vec<_>>>()?;
    Ok((list, total))
}

/// The newest `n` rows, without counting the whole trail (for home pages).
/// The latest `n` rows for a summary (home pages): without their before/after JSON, which can be
/// large and is not shown there (`before_json` and `after_json` are `None`).
pub async fn recent(db: &Db, _cap: shoumi_domain::Capability, n: i64) -> Result<Vec<AuditEntry>> {
    let rows = sql::query(&format!(
        "SELECT id, at, actor_name, ip, request_id, action, entity_type, entity_id, summary, \
         NULL AS before_json, NULL AS after_json FROM audit_log ORDER BY id DESC LIMIT {n}"
    ))
    .fetch_all(db)
    .await?;
    rows.iter().map(entry).collect()
}

/// Every matching row, oldest first, for export (bounded by `limit`).
pub async fn export(
    db: &Db,
    _cap: shoumi_domain::Capability,
    q: &AuditQuery,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let f = q.filter();
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log{} ORDER BY id LIMIT {limit}",
        f.where_sql()
    );
    let rows = sql::query_with(&sql, f.args()).fetch_all(db).await?;
    rows.iter().map(entry).collect()
}

/// Audit rows about one entity (for history panels), newest first.
pub async fn for_entity(db: &Db, entity_type: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
    let rows = sql::query(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 100"
    ))
    .bind(entity_type.to_string())
    .bind(entity_id.to_string())
    .fetch_all(db)
    .await?;
    rows.iter().map(entry).collect()
}
