//! Notifications: a per-user inbox, written in the same transaction as the change that causes
//! it, and an outbox of e-mails that a background job delivers when SMTP is configured.
//!
//! Reminders (a deadline a few working days ahead, an overdue item, a supervision notice past its
//! reply date) carry a dedupe key, so the daily job may run any number of times — on any number
//! of instances — and each reminder is written once.

use serde::Serialize;

use crate::sql;
use crate::{AuditedTx, Db, Result, new_public_id, now};

/// What a notification is about (stored as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    DeadlineSoon,
    Overdue,
    ReportReturned,
    ReportAccepted,
    ReportFiled,
    Notice,
    NoticeAnswered,
    NoticeOverdue,
    Application,
    Assigned,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DeadlineSoon => "deadline_soon",
            Kind::Overdue => "overdue",
            Kind::ReportReturned => "report_returned",
            Kind::ReportAccepted => "report_accepted",
            Kind::ReportFiled => "report_filed",
            Kind::Notice => "notice",
            Kind::NoticeAnswered => "notice_answered",
            Kind::NoticeOverdue => "notice_overdue",
            Kind::Application => "application",
            Kind::Assigned => "assigned",
        }
    }
}

/// One message to a set of people.
pub struct Message<'a> {
    pub kind: Kind,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    /// Written once per (key, user): later attempts with the same key are skipped.
    pub dedupe_key: Option<&'a str>,
}

/// Writes a message to each user's inbox (and outbox when they have an e-mail address).
/// Returns how many were written.
pub async fn send(tx: &mut AuditedTx<'_>, users: &[i64], m: &Message<'_>) -> Result<usize> {
    let mut users = users.to_vec();
    users.sort_unstable();
    users.dedup();
    let mut n = 0;
    for u in users {
        let key = m.dedupe_key.map(|k| format!("{k}:{u}"));
        // A reminder already written (by this run, an earlier one or another instance) is skipped
        // by the unique key itself, not by a check that could race.
        let done = sql::query(
            "INSERT INTO notifications (public_id, user_id, kind, title, body, link, dedupe_key, email_status, created_at) \
             SELECT $1, u.id, $2, $3, $4, $5, $6, \
                    CASE WHEN u.email IS NOT NULL AND u.email <> '' THEN 'pending' ELSE 'none' END, $7 \
             FROM users u WHERE u.id = $8 AND u.disabled = 0 \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(new_public_id())
        .bind(m.kind.as_str())
        .bind(m.title.to_string())
        .bind(m.body.to_string())
        .bind(m.link.to_string())
        .bind(key)
        .bind(now())
        .bind(u)
        .execute(tx.conn())
        .await?;
        n += done.rows_affected() as usize;
    }
    Ok(n)
}

/// Users who act for a unit on the responsibility list: department and agency officers of the
/// unit, and for a town government or zone committee the town or zone officers of its area.
pub async fn unit_members(tx: &mut AuditedTx<'_>, unit_id: i64) -> Result<Vec<i64>> {
    let rows = sql::query(
        "SELECT DISTINCT g.user_id FROM grants g JOIN units u ON u.id = $1 JOIN users us ON us.id = g.user_id \
         WHERE g.revoked_at IS NULL AND us.disabled = 0 AND ( \
           (g.role IN ('department', 'agency') AND g.scope_kind = 'unit' AND g.scope_id = u.id) \
           OR (g.role = 'town' AND g.scope_kind = 'division' AND u.kind = 'town_government' AND g.scope_id = u.division_id) \
           OR (g.role = 'town' AND g.scope_kind = 'zone' AND u.kind = 'zone_committee' AND g.scope_id = u.zone_id))",
    )
    .bind(unit_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| r.try_get("user_id")).collect()
}

/// The programme office's people.
pub async fn office_users(tx: &mut AuditedTx<'_>) -> Result<Vec<i64>> {
    let rows = sql::query(
        "SELECT DISTINCT g.user_id FROM grants g JOIN users u ON u.id = g.user_id \
         WHERE g.role = 'office' AND g.revoked_at IS NULL AND u.disabled = 0",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| r.try_get("user_id")).collect()
}

/// Town or zone officers of an area.
pub async fn area_officers(
    tx: &mut AuditedTx<'_>,
    division_id: Option<i64>,
    zone_id: Option<i64>,
) -> Result<Vec<i64>> {
    let rows = sql::query(
        "SELECT DISTINCT user_id FROM grants WHERE role = 'town' AND revoked_at IS NULL AND \
         ((scope_kind = 'division' AND scope_id = $1) OR (scope_kind = 'zone' AND scope_id = $2))",
    )
    .bind(division_id.unwrap_or(-1))
    .bind(zone_id.unwrap_or(-1))
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| r.try_get("user_id")).collect()
}

/// Administrators of an enterprise.
pub async fn enterprise_admins(tx: &mut AuditedTx<'_>, enterprise_id: i64) -> Result<Vec<i64>> {
    let rows = sql::query(
        "SELECT DISTINCT user_id FROM grants WHERE role = 'enterprise_admin' AND scope_kind = 'enterprise' \
         AND scope_id = $1 AND revoked_at IS NULL",
    )
    .bind(enterprise_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| r.try_get("user_id")).collect()
}

/// Staff of a station.
pub async fn station_staff(tx: &mut AuditedTx<'_>, unit_id: i64) -> Result<Vec<i64>> {
    let rows = sql::query(
        "SELECT DISTINCT user_id FROM grants WHERE role = 'station' AND scope_kind = 'unit' \
         AND scope_id = $1 AND revoked_at IS NULL",
    )
    .bind(unit_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| r.try_get("user_id")).collect()
}

/// One inbox entry.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub public_id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

pub async fn inbox(db: &Db, user_id: i64, limit: i64) -> Result<Vec<Notification>> {
    let rows = sql::query(&format!(
        "SELECT public_id, kind, title, body, link, created_at, read_at FROM notifications \
         WHERE user_id = $1 ORDER BY id DESC LIMIT {limit}"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                public_id: r.try_get("public_id")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
                created_at: r.try_get("created_at")?,
                read: r.try_get::<Option<i64>>("read_at")?.is_some(),
            })
        })
        .collect()
}

pub async fn unread(db: &Db, user_id: i64) -> Result<i64> {
    sql::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// One of the user's own notifications.
pub async fn get(db: &Db, user_id: i64, public_id: &str) -> Result<Notification> {
    let r = sql::query(
        "SELECT public_id, kind, title, body, link, created_at, read_at FROM notifications \
         WHERE user_id = $1 AND public_id = $2",
    )
    .bind(user_id)
    .bind(public_id.to_string())
    .fetch_one(db)
    .await?;
    Ok(Notification {
        public_id: r.try_get("public_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        created_at: r.try_get("created_at")?,
        read: r.try_get::<Option<i64>>("read_at")?.is_some(),
    })
}

/// Marks one (or, with None, every) unread notification of the user as read. Reading is not an
/// audited change of the record, so it runs outside an audited transaction.
pub async fn mark_read(db: &Db, user_id: i64, public_id: Option<&str>) -> Result<u64> {
    let done = match public_id {
        Some(id) => {
            sql::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND public_id = $3 AND read_at IS NULL",
            )
            .bind(now())
            .bind(user_id)
            .bind(id.to_string())
            .execute(db)
            .await?
        }
        None => {
            sql::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
            )
            .bind(now())
            .bind(user_id)
            .execute(db)
            .await?
        }
    };
    Ok(done.rows_affected())
}

/// An e-mail waiting to be sent.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub to: String,
    pub to_name: String,
    pub title: String,
    pub body: String,
    pub link: String,
}

/// How often a failed e-mail is tried before it stays failed.
pub const MAIL_ATTEMPTS: i64 = 3;

/// E-mails waiting: pending ones, and failed ones with attempts left.
pub async fn pending_mail(db: &Db, limit: i64) -> Result<Vec<Outgoing>> {
    let rows = sql::query(&format!(
        "SELECT n.id, u.email, u.display_name, n.title, n.body, n.link FROM notifications n \
         JOIN users u ON u.id = n.user_id WHERE n.email_status = 'pending' \
            OR (n.email_status = 'failed' AND n.email_attempts < {MAIL_ATTEMPTS}) \
         ORDER BY n.id LIMIT {limit}"
    ))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Outgoing {
                id: r.try_get("id")?,
                to: r.try_get::<Option<String>>("email")?.unwrap_or_default(),
                to_name: r.try_get("display_name")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
            })
        })
        .collect()
}

/// Claims one e-mail for sending: true for exactly one caller, so two instances working the
/// outbox never send the same message twice.
pub async fn claim_mail(db: &Db, id: i64) -> Result<bool> {
    let done = sql::query(
        "UPDATE notifications SET email_status = 'sending', email_attempts = email_attempts + 1 \
         WHERE id = $1 AND (email_status = 'pending' OR (email_status = 'failed' AND email_attempts < $2))",
    )
    .bind(id)
    .bind(MAIL_ATTEMPTS)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the outcome of sending one (claimed) e-mail.
pub async fn mail_done(db: &Db, id: i64, error: Option<&str>) -> Result<()> {
    sql::query("UPDATE notifications SET email_status = $1, email_error = $2 WHERE id = $3")
        .bind(if error.is_some() { "failed" } else { "sent" })
        .bind(error.unwrap_or("").chars().take(500).collect::<String>())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
