//! The working-day calendar as stored: the notices shipped in the binary plus the years an
//! administrator imported (a stored year replaces the shipped notice of the same year).

use serde_json::json;
use shoumi_domain::calendar::{self, WorkCalendar, YearNotice};

use crate::sql;
use crate::{AuditedTx, Db, Result, StorageError, now};

/// The calendar in force: shipped notices, overridden by imported ones.
pub async fn load(db: &Db) -> Result<WorkCalendar> {
    let mut cal = WorkCalendar::builtin().clone();
    for r in sql::query("SELECT year, notice FROM calendar_years ORDER BY year")
        .fetch_all(db)
        .await?
    {
        let year: i64 = r.try_get("year")?;
        let text: String = r.try_get("notice")?;
        let notice = calendar::parse_toml(&text)
            .map_err(|e| StorageError::Integrity(format!("stored calendar year {year}: {e}")))?
            .into_iter()
            .next()
            .ok_or_else(|| {
                StorageError::Integrity(format!("stored calendar year {year} is empty"))
            })?;
        cal.insert(notice);
    }
    Ok(cal)
}

/// A fingerprint of the imported years (how many, last change): a cache of [`load`] is valid
/// while it is unchanged.
pub async fn stamp(db: &Db) -> Result<(i64, i64)> {
    let r = sql::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(MAX(updated_at), 0) AS BIGINT) AS at FROM calendar_years",
    )
    .fetch_one(db)
    .await?;
    Ok((r.try_get("n")?, r.try_get("at")?))
}

/// What an import did to one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// A year the calendar did not know.
    Added,
    /// A year it knew (shipped or imported before), now with different dates or source.
    Replaced,
    /// Exactly the notice already in force.
    Unchanged,
}

/// Stores one (checked) notice, audited with the notice it replaces.
pub async fn import(
    tx: &mut AuditedTx<'_>,
    current: &WorkCalendar,
    notice: &YearNotice,
) -> Result<Imported> {
    let before = current.notices().find(|n| n.year == notice.year);
    if before == Some(notice) {
        return Ok(Imported::Unchanged);
    }
    let text = calendar::to_toml(&[notice]);
    let t = now();
    sql::query(
        "INSERT INTO calendar_years (year, source, notice, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (year) DO UPDATE SET source = $2, notice = $3, updated_at = $4",
    )
    .bind(notice.year as i64)
    .bind(notice.source.clone())
    .bind(text.clone())
    .bind(t)
    .execute(tx.conn())
    .await?;
    let summary = format!(
        "{} 年节假日安排：休息日 {} 天，调休上班 {} 天（{}）",
        notice.year,
        notice.off.len(),
        notice.work.len(),
        notice.source
    );
    let before_json = before.map(|b| json!({ "notice": calendar::to_toml(&[b]) }));
    tx.audit(
        if before.is_some() {
            "calendar.replace"
        } else {
            "calendar.add"
        },
        "calendar_year",
        Some(&notice.year.to_string()),
        &summary,
        before_json.as_ref(),
        Some(&json!({ "notice": text })),
    )
    .await?;
    Ok(if before.is_some() {
        Imported::Replaced
    } else {
        Imported::Added
    })
}
