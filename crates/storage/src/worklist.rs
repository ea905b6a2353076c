//! The responsibility list: work items under the programme's key tasks, progress reports and
//! their review, supervision notices, and the daily reminders.
//!
//! Reads of the list are open to the programme's government readers (the task force works from
//! one list); writes take a [`WorkScope`]: only the office creates items, reviews reports and
//! issues notices, and a unit's report or reply can only come from someone who acts for it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use shoumi_domain::calendar::WorkCalendar;
use shoumi_domain::programme::{ProgrammeSpec, SupervisionRules};
use shoumi_domain::worklist::{
    self, Figure, Flag, ItemFacts, ItemStatus, NoticeStatus, ReportStatus, SupervisionReason,
};
use shoumi_domain::{FieldError, FieldErrors, WorkScope};

use crate::notify::{self, Kind, Message};
use crate::query::id_list;
use crate::sql;
use crate::{AuditedTx, Db, Result, StorageError, new_public_id, now};

/// SQL over a units alias `u`: the units this scope acts for.
fn acts_for_sql(scope: &WorkScope) -> String {
    let mut parts = vec!["1=0".to_string()];
    if !scope.units().is_empty() {
        parts.push(format!("u.id IN ({})", id_list(scope.units())));
    }
    if !scope.town_divisions().is_empty() {
        parts.push(format!(
            "(u.kind = 'town_government' AND u.division_id IN ({}))",
            id_list(scope.town_divisions())
        ));
    }
    if !scope.town_zones().is_empty() {
        parts.push(format!(
            "(u.kind = 'zone_committee' AND u.zone_id IN ({}))",
            id_list(scope.town_zones())
        ));
    }
    format!("({})", parts.join(" OR "))
}

fn invalid(field: &str, zh: &str, en: &str) -> StorageError {
    StorageError::Invalid(FieldErrors {
        errors: vec![FieldError::new(field, "invalid", zh, en)],
        warnings: vec![],
    })
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// An owning unit of an item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemUnit {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub lead: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub task_key: String,
    pub title: String,
    pub expected_output: String,
    pub deadline: NaiveDate,
    pub status: ItemStatus,
    pub completed_on: Option<String>,
    pub units: Vec<ItemUnit>,
    /// The latest report's date (any review), or the day the item was assigned.
    pub last_activity: NaiveDate,
    pub reports: i64,
    pub pending_reports: i64,
    pub created_at: i64,
}

impl Item {
    /// Supervision flags of an open item on `today` (none once done or cancelled).
    pub fn flags(
        &self,
        cal: &WorkCalendar,
        today: NaiveDate,
        rules: &SupervisionRules,
    ) -> Vec<Flag> {
        if self.status != ItemStatus::Open {
            return vec![];
        }
        worklist::flags(
            cal,
            ItemFacts {
                deadline: self.deadline,
                last_activity: self.last_activity,
            },
            today,
            rules.stale_report_working_days,
            rules.reminder_working_days,
        )
    }
    pub fn unit_names(&self) -> String {
        self.units
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

const ITEM_SELECT: &str = "SELECT i.id, i.public_id, i.task_key, i.title, i.expected_output, i.deadline, i.status, \
     i.completed_on, i.created_at, i.opened_on, \
     (SELECT MAX(r.reported_on) FROM work_reports r WHERE r.item_id = i.id) AS last_report, \
     (SELECT COUNT(*) FROM work_reports r WHERE r.item_id = i.id) AS reports, \
     (SELECT COUNT(*) FROM work_reports r WHERE r.item_id = i.id AND r.status = 'submitted') AS pending \
     FROM work_items i";

async fn decode_items(ex: impl Into<sql::Ex<'_>>, rows: Vec<sql::Row>) -> Result<Vec<Item>> {
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let st: String = r.try_get("status")?;
        let deadline: String = r.try_get("deadline")?;
        let created_at: i64 = r.try_get("created_at")?;
        let last: Option<String> = r.try_get("last_report")?;
        let opened: String = r.try_get("opened_on")?;
        let created_day =
            date(&opened).unwrap_or_else(|| shoumi_domain::Timestamp(created_at).local_date());
        items.push(Item {
            id: r.try_get("id")?,
            public_id: r.try_get("public_id")?,
            task_key: r.try_get("task_key")?,
            title: r.try_get("title")?,
            expected_output: r.try_get("expected_output")?,
            deadline: date(&deadline)
                .ok_or_else(|| StorageError::Decode(format!("deadline {deadline}")))?,
            status: ItemStatus::parse(&st)
                .ok_or_else(|| StorageError::Decode(format!("item status {st}")))?,
            completed_on: r.try_get("completed_on")?,
            units: vec![],
            last_activity: last.as_deref().and_then(date).unwrap_or(created_day),
            reports: r.try_get("reports")?,
            pending_reports: r.try_get("pending")?,
            created_at,
        });
    }
    if items.is_empty() {
        return Ok(items);
    }
    let list = id_list(&items.iter().map(|i| i.id).collect::<Vec<_>>());
    let rows = sql::query(&format!(
        "SELECT wu.item_id, wu.sort_order, u.id, u.public_id, COALESCE(u.short_name, u.name) AS name \
         FROM work_item_units wu JOIN units u ON u.id = wu.unit_id WHERE wu.item_id IN ({list}) \
         ORDER BY wu.item_id, wu.sort_order"
    ))
    .fetch_all(ex)
    .await?;
    let mut by_item: HashMap<i64, Vec<ItemUnit>> = HashMap::new();
    for r in rows {
        let order: i64 = r.try_get("sort_order")?;
        by_item
            .entry(r.try_get("item_id")?)
            .or_default()
            .push(ItemUnit {
                id: r.try_get("id")?,
                public_id: r.try_get("public_id")?,
                name: r.try_get("name")?,
                lead: order == 0,
            });
    }
    for i in &mut items {
        i.units = by_item.remove(&i.id).unwrap_or_default();
    }
    Ok(items)
}

/// The list's filters.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct ItemQuery {
    #[serde(default)]
    pub task: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub status: String,
    /// Only items of the units the reader acts for.
    #[serde(default)]
    pub mine: String,
}

/// Items matching the filters, by deadline. `scope` is used only for `mine`.
pub async fn items(db: &Db, scope: &WorkScope, q: &ItemQuery) -> Result<Vec<Item>> {
    items_where(db, q, Some(scope)).await
}

/// Every open item (supervision, reminders).
async fn open_items(db: &Db) -> Result<Vec<Item>> {
    let q = ItemQuery {
        status: ItemStatus::Open.as_str().into(),
        ..Default::default()
    };
    items_where(db, &q, None).await
}

async fn items_where(db: &Db, q: &ItemQuery, scope: Option<&WorkScope>) -> Result<Vec<Item>> {
    let mut filter = vec!["i.archived_at IS NULL".to_string()];
    let mut args = sql::Args::default();
    let mut n = 0;
    if !q.task.is_empty() {
        n += 1;
        filter.push(format!("i.task_key = ${n}"));
        args.add(q.task.clone());
    }
    if let Some(s) = ItemStatus::parse(&q.status) {
        n += 1;
        filter.push(format!("i.status = ${n}"));
        args.add(s.as_str());
    }
    if !q.unit.is_empty() {
        n += 1;
        filter.push(format!(
            "EXISTS (SELECT 1 FROM work_item_units wu JOIN units u ON u.id = wu.unit_id WHERE wu.item_id = i.id AND u.public_id = ${n})"
        ));
        args.add(q.unit.clone());
    }
    if let Some(scope) = scope.filter(|_| !q.mine.is_empty()) {
        filter.push(format!(
            "EXISTS (SELECT 1 FROM work_item_units wu JOIN units u ON u.id = wu.unit_id WHERE wu.item_id = i.id AND {})",
            acts_for_sql(scope)
        ));
    }
    let mut tx = db.read().await?;
    let rows = sql::query_with(
        &format!(
            "{ITEM_SELECT} WHERE {} ORDER BY i.deadline, i.id",
            filter.join(" AND ")
        ),
        args,
    )
    .fetch_all(&mut tx)
    .await?;
    let items = decode_items(&mut tx, rows).await?;
    tx.commit().await?;
    Ok(items)
}

pub async fn item(db: &Db, public_id: &str) -> Result<Item> {
    let mut tx = db.read().await?;
    let rows = sql::query(&format!(
        "{ITEM_SELECT} WHERE i.public_id = $1 AND i.archived_at IS NULL"
    ))
    .bind(public_id.to_string())
    .fetch_all(&mut tx)
    .await?;
    let mut items = decode_items(&mut tx, rows).await?;
    tx.commit().await?;
    items.pop().ok_or(StorageError::NotFound)
}

/// Of an item's units, those the scope acts for.
pub async fn acting_units(db: &Db, scope: &WorkScope, item: &Item) -> Result<Vec<ItemUnit>> {
    if scope.acts_for_none() {
        return Ok(vec![]);
    }
    let rows = sql::query(&format!(
        "SELECT u.id FROM work_item_units wu JOIN units u ON u.id = wu.unit_id WHERE wu.item_id = $1 AND {}",
        acts_for_sql(scope)
    ))
    .bind(item.id)
    .fetch_all(db)
    .await?;
    let mine: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_>>()?;
    Ok(item
        .units
        .iter()
        .filter(|u| mine.contains(&u.id))
        .cloned()
        .collect())
}

/// A new item (the office).
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct ItemForm {
    #[serde(default)]
    pub task_key: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub expected_output: String,
    #[serde(default)]
    pub deadline: String,
    /// Unit public ids, lead first (a form sends `units` several times).
    #[serde(default)]
    pub units: Vec<String>,
}

pub async fn create_item(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    spec: &ProgrammeSpec,
    version_id: i64,
    form: &ItemForm,
    today: NaiveDate,
) -> Result<String> {
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以新建责任事项",
            "only the programme office creates work items",
        ));
    }
    let mut errors = FieldErrors::default();
    if !spec.tasks.iter().any(|t| t.key == form.task_key) {
        errors.errors.push(FieldError::new(
            "task_key",
            "invalid",
            "请选择重点任务",
            "choose a key task",
        ));
    }
    let title = form.title.trim();
    if title.is_empty() {
        errors.errors.push(FieldError::required("title"));
    } else if title.chars().count() > 200 {
        errors.errors.push(FieldError::too_long("title", 200));
    }
    if form.expected_output.chars().count() > 2000 {
        errors
            .errors
            .push(FieldError::too_long("expected_output", 2000));
    }
    let deadline = date(&form.deadline);
    if deadline.is_none() {
        errors.errors.push(FieldError::new(
            "deadline",
            "invalid",
            "请填写期限（YYYY-MM-DD）",
            "give the deadline (YYYY-MM-DD)",
        ));
    }
    let mut unit_ids = Vec::new();
    for pid in form.units.iter().filter(|u| !u.trim().is_empty()) {
        let id: Option<i64> =
            sql::query_scalar("SELECT id FROM units WHERE public_id = $1 AND archived_at IS NULL")
                .bind(pid.trim().to_string())
                .fetch_optional(tx.conn())
                .await?;
        match id {
            Some(id) if !unit_ids.contains(&id) => unit_ids.push(id),
            Some(_) => {}
            None => errors.errors.push(FieldError::new(
                "units",
                "invalid",
                "责任单位不存在",
                "no such unit",
            )),
        }
    }
    if unit_ids.is_empty() {
        errors.errors.push(FieldError::new(
            "units",
            "required",
            "请至少选择牵头单位",
            "choose at least the lead unit",
        ));
    }
    let Some(deadline) = deadline.filter(|_| errors.is_empty()) else {
        return Err(StorageError::Invalid(errors));
    };
    let pid = new_public_id();
    let t = now();
    let item_id: i64 = sql::query_scalar(
        "INSERT INTO work_items (public_id, programme_version_id, task_key, title, expected_output, opened_on, deadline, status, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $9, $6, 'open', $7, $8, $8) RETURNING id",
    )
    .bind(pid.clone())
    .bind(version_id)
    .bind(form.task_key.clone())
    .bind(title.to_string())
    .bind(form.expected_output.trim().to_string())
    .bind(deadline.to_string())
    .bind(tx.actor().user_id)
    .bind(t)
    .bind(today.to_string())
    .fetch_one(tx.conn())
    .await?;
    for (i, u) in unit_ids.iter().enumerate() {
        sql::query(
            "INSERT INTO work_item_units (item_id, unit_id, sort_order) VALUES ($1, $2, $3)",
        )
        .bind(item_id)
        .bind(*u)
        .bind(i as i64)
        .execute(tx.conn())
        .await?;
    }
    tx.audit(
        "work_item.create",
        "work_item",
        Some(&pid),
        &format!("新建责任事项：{title}（期限 {deadline}）"),
        None,
        Some(&json!({"task": form.task_key, "title": title, "deadline": deadline.to_string(), "units": form.units})),
    )
    .await?;
    let mut members = Vec::new();
    for u in &unit_ids {
        members.extend(notify::unit_members(tx, *u).await?);
    }
    notify::send(
        tx,
        &members,
        &Message {
            kind: Kind::Notice,
            title: &format!("新的责任事项：{title}"),
            body: &format!("期限 {deadline}"),
            link: &format!("/worklist/{pid}"),
            dedupe_key: None,
        },
    )
    .await?;
    Ok(pid)
}

/// Cancels an open item (the office), with reasons.
pub async fn cancel_item(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    public_id: &str,
    reasons: &str,
) -> Result<()> {
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以取消责任事项",
            "only the programme office cancels work items",
        ));
    }
    if reasons.trim().is_empty() {
        return Err(invalid("reasons", "请填写理由", "give the reasons"));
    }
    let done = sql::query(
        "UPDATE work_items SET status = 'cancelled', updated_at = $1 WHERE public_id = $2 AND status = 'open'",
    )
    .bind(now())
    .bind(public_id.to_string())
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StorageError::refused(
            "只有进行中的事项可以取消",
            "only an open item can be cancelled",
        ));
    }
    tx.audit(
        "work_item.cancel",
        "work_item",
        Some(public_id),
        &format!("取消责任事项：{}", reasons.trim()),
        Some(&json!({"status": "open"})),
        Some(&json!({"status": "cancelled", "reasons": reasons.trim()})),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reports

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub unit_name: String,
    pub reported_on: String,
    pub content: String,
    pub figures: Vec<Figure>,
    pub claims_done: bool,
    pub status: ReportStatus,
    pub review_reasons: String,
    pub author: Option<String>,
    pub files: Vec<crate::demonstration::FileMeta>,
}

pub async fn reports(db: &Db, item: &Item) -> Result<Vec<Report>> {
    let rows = sql::query(
        "SELECT r.id, r.public_id, COALESCE(u.short_name, u.name) AS unit_name, r.reported_on, r.content, \
         r.figures_json, r.claims_done, r.status, r.review_reasons, us.display_name AS author \
         FROM work_reports r JOIN units u ON u.id = r.unit_id LEFT JOIN users us ON us.id = r.created_by \
         WHERE r.item_id = $1 ORDER BY r.reported_on DESC, r.id DESC",
    )
    .bind(item.id)
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let st: String = r.try_get("status")?;
        let figures: String = r.try_get("figures_json")?;
        let id: i64 = r.try_get("id")?;
        out.push(Report {
            id,
            public_id: r.try_get("public_id")?,
            unit_name: r.try_get("unit_name")?,
            reported_on: r.try_get("reported_on")?,
            content: r.try_get("content")?,
            figures: serde_json::from_str(&figures).unwrap_or_default(),
            claims_done: r.try_get::<i64>("claims_done")? != 0,
            status: ReportStatus::parse(&st)
                .ok_or_else(|| StorageError::Decode(format!("report status {st}")))?,
            review_reasons: r.try_get("review_reasons")?,
            author: r.try_get("author")?,
            files: crate::demonstration::files_of(db, "work_report", id).await?,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct ReportForm {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub figures: String,
    #[serde(default)]
    pub claims_done: String,
}

/// Files a progress report for one of the item's units the scope acts for. Returns the
/// report's public id and row id (for an attached file).
pub async fn file_report(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    item: &Item,
    form: &ReportForm,
    today: NaiveDate,
) -> Result<(String, i64)> {
    if item.status != ItemStatus::Open {
        return Err(StorageError::refused(
            format!("事项{}，不再接收进展报告", item.status.label_zh()),
            format!("the item is {}: no more reports", item.status.label_en()),
        ));
    }
    let unit = item.units.iter().find(|u| u.public_id == form.unit.trim());
    let acts: bool = match unit {
        Some(u) if !scope.acts_for_none() => {
            let n: i64 = sql::query_scalar(&format!(
                "SELECT COUNT(*) FROM units u WHERE u.id = $1 AND {}",
                acts_for_sql(scope)
            ))
            .bind(u.id)
            .fetch_one(tx.conn())
            .await?;
            n > 0
        }
        _ => false,
    };
    let Some(unit) = unit.filter(|_| acts) else {
        return Err(StorageError::refused(
            "您只能为本单位负责的事项报送进展",
            "you report only on your own unit's items",
        ));
    };
    let mut errors = FieldErrors::default();
    let content = form.content.trim();
    if content.is_empty() {
        errors.errors.push(FieldError::required("content"));
    } else if content.chars().count() > 10_000 {
        errors.errors.push(FieldError::too_long("content", 10_000));
    }
    let figures = match worklist::parse_figures(&form.figures) {
        Ok(f) => f,
        Err(m) => {
            let (zh, en) = m.split_once(" / ").unwrap_or((&m, &m));
            errors
                .errors
                .push(FieldError::new("figures", "invalid", zh, en));
            vec![]
        }
    };
    if !errors.is_empty() {
        return Err(StorageError::Invalid(errors));
    }
    let claims = !form.claims_done.is_empty();
    let pid = new_public_id();
    let id: i64 = sql::query_scalar(
        "INSERT INTO work_reports (public_id, item_id, unit_id, reported_on, content, figures_json, claims_done, status, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $9) RETURNING id",
    )
    .bind(pid.clone())
    .bind(item.id)
    .bind(unit.id)
    .bind(today.to_string())
    .bind(content.to_string())
    .bind(serde_json::to_string(&figures).unwrap_or_else(|_| "[]".into()))
    .bind(i64::from(claims))
    .bind(tx.actor().user_id)
    .bind(now())
    .fetch_one(tx.conn())
    .await?;
    tx.audit(
        "work_report.file",
        "work_item",
        Some(&item.public_id),
        &format!("{}报送进展：{}", unit.name, item.title),
        None,
        Some(&json!({"report": pid, "unit": unit.name, "claims_done": claims, "figures": figures})),
    )
    .await?;
    let office = notify::office_users(tx).await?;
    notify::send(
        tx,
        &office,
        &Message {
            kind: Kind::ReportFiled,
            title: &format!("{}报送了进展：{}", unit.name, item.title),
            body: if claims {
                "报告称事项已完成，请审核。"
            } else {
                "请审核。"
            },
            link: &format!("/worklist/{}", item.public_id),
            dedupe_key: None,
        },
    )
    .await?;
    Ok((pid, id))
}

/// Accepts or returns a report (the office). Accepting a report that says the item is done
/// completes the item on the report's date.
pub async fn review_report(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    item: &Item,
    report_pid: &str,
    accept: bool,
    reasons: &str,
) -> Result<()> {
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以审核进展报告",
            "only the programme office reviews reports",
        ));
    }
    if !accept && reasons.trim().is_empty() {
        return Err(invalid(
            "reasons",
            "退回须说明理由",
            "give the reasons for returning it",
        ));
    }
    let r = sql::query(
        "SELECT id, claims_done, reported_on, created_by FROM work_reports WHERE public_id = $1 AND item_id = $2 AND status = 'submitted'",
    )
    .bind(report_pid.to_string())
    .bind(item.id)
    .fetch_optional(tx.conn())
    .await?;
    let Some(r) = r else {
        return Err(StorageError::refused(
            "该报告不存在或已审核",
            "no such report awaiting review",
        ));
    };
    if reasons.chars().count() > 2000 {
        return Err(StorageError::Invalid(FieldErrors {
            errors: vec![FieldError::too_long("reasons", 2000)],
            warnings: vec![],
        }));
    }
    let status = if accept { "accepted" } else { "returned" };
    let done = sql::query(
        "UPDATE work_reports SET status = $1, review_reasons = $2, reviewed_by = $3, reviewed_at = $4 \
         WHERE id = $5 AND status = 'submitted'",
    )
    .bind(status)
    .bind(reasons.trim().to_string())
    .bind(tx.actor().user_id)
    .bind(now())
    .bind(r.try_get::<i64>("id")?)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StorageError::refused(
            "该报告已被他人审核",
            "the report was reviewed meanwhile",
        ));
    }
    let mut completes = false;
    if accept && r.try_get::<i64>("claims_done")? != 0 {
        let on: String = r.try_get("reported_on")?;
        let done = sql::query(
            "UPDATE work_items SET status = 'done', completed_on = $1, updated_at = $2 WHERE id = $3 AND status = 'open'",
        )
        .bind(on)
        .bind(now())
        .bind(item.id)
        .execute(tx.conn())
        .await?;
        completes = done.rows_affected() == 1;
    }
    tx.audit(
        &format!("work_report.{status}"),
        "work_item",
        Some(&item.public_id),
        &format!(
            "{}进展报告：{}{}",
            if accept { "采纳" } else { "退回" },
            item.title,
            if completes { "（事项完成）" } else { "" }
        ),
        Some(&json!({"report": report_pid, "status": "submitted"})),
        Some(&json!({"report": report_pid, "status": status, "reasons": reasons.trim(), "item_done": completes})),
    )
    .await?;
    if let Some(author) = r.try_get::<Option<i64>>("created_by")? {
        notify::send(
            tx,
            &[author],
            &Message {
                kind: if accept {
                    Kind::ReportAccepted
                } else {
                    Kind::ReportReturned
                },
                title: &format!(
                    "进展报告{}：{}",
                    if accept { "已采纳" } else { "被退回" },
                    item.title
                ),
                body: reasons.trim(),
                link: &format!("/worklist/{}", item.public_id),
                dedupe_key: None,
            },
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Supervision notices

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub number: String,
    pub item_public_id: Option<String>,
    pub item_title: Option<String>,
    #[serde(skip)]
    pub unit_id: i64,
    pub unit_name: String,
    pub issued_on: String,
    pub reply_by: String,
    pub reply_by_uncertain: bool,
    pub content: String,
    pub status: NoticeStatus,
    pub reply: String,
    pub replied_on: Option<String>,
    pub closed_on: Option<String>,
    /// Why the office sent the last reply back.
    pub return_reasons: String,
}

impl Notice {
    /// Past its reply date without a reply.
    pub fn late(&self, today: NaiveDate) -> bool {
        self.status == NoticeStatus::Issued && date(&self.reply_by).is_some_and(|d| d < today)
    }
}

const NOTICE_SELECT: &str = "SELECT n.id, n.public_id, n.number, i.public_id AS item_public_id, i.title AS item_title, \
     n.unit_id, COALESCE(u.short_name, u.name) AS unit_name, n.issued_on, n.reply_by, n.reply_by_uncertain, n.content, \
     n.status, n.reply, n.replied_on, n.closed_on, n.return_reasons FROM supervision_notices n JOIN units u ON u.id = n.unit_id \
     LEFT JOIN work_items i ON i.id = n.item_id";

fn decode_notice(r: &sql::Row) -> Result<Notice> {
    let st: String = r.try_get("status")?;
    Ok(Notice {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        number: r.try_get("number")?,
        item_public_id: r.try_get("item_public_id")?,
        item_title: r.try_get("item_title")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        issued_on: r.try_get("issued_on")?,
        reply_by: r.try_get("reply_by")?,
        reply_by_uncertain: r.try_get::<i64>("reply_by_uncertain")? != 0,
        content: r.try_get("content")?,
        status: NoticeStatus::parse(&st)
            .ok_or_else(|| StorageError::Decode(format!("notice status {st}")))?,
        reply: r.try_get("reply")?,
        replied_on: r.try_get("replied_on")?,
        closed_on: r.try_get("closed_on")?,
        return_reasons: r.try_get("return_reasons")?,
    })
}

/// Notices, open ones first. `item`: only those about one item.
pub async fn notices(db: &Db, item: Option<&Item>) -> Result<Vec<Notice>> {
    let rows = match item {
        Some(i) => {
            sql::query(&format!(
                "{NOTICE_SELECT} WHERE n.item_id = $1 ORDER BY n.id DESC"
            ))
            .bind(i.id)
            .fetch_all(db)
            .await?
        }
        None => {
            sql::query(&format!(
                "{NOTICE_SELECT} ORDER BY CASE n.status WHEN 'issued' THEN 0 WHEN 'answered' THEN 1 ELSE 2 END, n.reply_by, n.id DESC"
            ))
            .fetch_all(db)
            .await?
        }
    };
    rows.iter().map(decode_notice).collect()
}

/// Notices past their reply date without a reply, the longest overdue first.
pub async fn late_notices(db: &Db, today: NaiveDate, limit: i64) -> Result<Vec<Notice>> {
    sql::query(&format!(
        "{NOTICE_SELECT} WHERE n.status = 'issued' AND n.reply_by < $1 ORDER BY n.reply_by, n.id LIMIT {limit}"
    ))
    .bind(today.to_string())
    .fetch_all(db)
    .await?
    .iter()
    .map(decode_notice)
    .collect()
}

pub async fn notice(db: &Db, public_id: &str) -> Result<Notice> {
    let r = sql::query(&format!("{NOTICE_SELECT} WHERE n.public_id = $1"))
        .bind(public_id.to_string())
        .fetch_one(db)
        .await?;
    decode_notice(&r)
}

/// Whether the scope acts for the notice's unit.
pub async fn acts_for_unit(db: &Db, scope: &WorkScope, unit_id: i64) -> Result<bool> {
    if scope.acts_for_none() {
        return Ok(false);
    }
    let n: i64 = sql::query_scalar(&format!(
        "SELECT COUNT(*) FROM units u WHERE u.id = $1 AND {}",
        acts_for_sql(scope)
    ))
    .bind(unit_id)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct NoticeForm {
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub reply_by: String,
}

/// Issues a supervision notice to a unit (the office). The reply deadline defaults to the
/// programme's number of working days from today.
pub async fn issue_notice(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    cal: &WorkCalendar,
    rules: &SupervisionRules,
    form: &NoticeForm,
    today: NaiveDate,
) -> Result<String> {
    use chrono::Datelike;
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以下发督办单",
            "only the programme office issues supervision notices",
        ));
    }
    let mut errors = FieldErrors::default();
    let unit: Option<(i64, String)> = match sql::query(
        "SELECT id, COALESCE(short_name, name) AS name FROM units WHERE public_id = $1 AND archived_at IS NULL",
    )
    .bind(form.unit.trim().to_string())
    .fetch_optional(tx.conn())
    .await?
    {
        Some(r) => Some((r.try_get("id")?, r.try_get("name")?)),
        None => {
            errors.errors.push(FieldError::new(
                "unit",
                "required",
                "请选择督办单位",
                "choose the unit",
            ));
            None
        }
    };
    let item_id: Option<i64> = if form.item.trim().is_empty() {
        None
    } else {
        let id = sql::query_scalar("SELECT id FROM work_items WHERE public_id = $1")
            .bind(form.item.trim().to_string())
            .fetch_optional(tx.conn())
            .await?;
        if id.is_none() {
            errors.errors.push(FieldError::new(
                "item",
                "invalid",
                "事项不存在",
                "no such item",
            ));
        }
        id
    };
    let content = form.content.trim();
    if content.is_empty() {
        errors.errors.push(FieldError::required("content"));
    } else if content.chars().count() > 5000 {
        errors.errors.push(FieldError::too_long("content", 5000));
    }
    let (reply_by, uncertain) = if form.reply_by.trim().is_empty() {
        let r = cal.add_working_days(today, i64::from(rules.notice_reply_working_days));
        (Some(r.value), r.uncertain())
    } else {
        match date(&form.reply_by) {
            Some(d) if d > today => (Some(d), !cal.knows(d.year())),
            _ => {
                errors.errors.push(FieldError::new(
                    "reply_by",
                    "invalid",
                    "回复期限应为今天之后的日期",
                    "the reply deadline is a date after today",
                ));
                (None, false)
            }
        }
    };
    let (Some((unit_id, unit_name)), Some(reply_by)) = (unit, reply_by) else {
        return Err(StorageError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(StorageError::Invalid(errors));
    }
    let year = today.year();
    let n: i64 = sql::query_scalar(
        "SELECT COUNT(*) FROM supervision_notices WHERE issued_on >= $1 AND issued_on <= $2",
    )
    .bind(format!("{year}-01-01"))
    .bind(format!("{year}-12-31"))
    .fetch_one(tx.conn())
    .await?;
    let number = shoumi_domain::demonstration::document_number(&rules.notice_prefix, year, n + 1);
    let pid = new_public_id();
    let t = now();
    sql::query(
        "INSERT INTO supervision_notices (public_id, number, item_id, unit_id, issued_on, reply_by, reply_by_uncertain, \
         content, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'issued', $9, $10, $10)",
    )
    .bind(pid.clone())
    .bind(number.clone())
    .bind(item_id)
    .bind(unit_id)
    .bind(today.to_string())
    .bind(reply_by.to_string())
    .bind(i64::from(uncertain))
    .bind(content.to_string())
    .bind(tx.actor().user_id)
    .bind(t)
    .execute(tx.conn())
    .await?;
    tx.audit(
        "notice.issue",
        "supervision_notice",
        Some(&pid),
        &format!("{number} 督办{unit_name}，{reply_by}前回复"),
        None,
        Some(&json!({"number": number, "unit": unit_name, "reply_by": reply_by.to_string(), "content": content})),
    )
    .await?;
    let members = notify::unit_members(tx, unit_id).await?;
    notify::send(
        tx,
        &members,
        &Message {
            kind: Kind::Notice,
            title: &format!("督办单 {number}：请于{reply_by}前回复"),
            body: content,
            link: &format!("/supervision/notices/{pid}"),
            dedupe_key: None,
        },
    )
    .await?;
    Ok(pid)
}

/// The unit answers a notice.
pub async fn reply_notice(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    notice: &Notice,
    reply: &str,
    today: NaiveDate,
) -> Result<()> {
    let acts = if scope.acts_for_none() {
        false
    } else {
        let n: i64 = sql::query_scalar(&format!(
            "SELECT COUNT(*) FROM units u WHERE u.id = $1 AND {}",
            acts_for_sql(scope)
        ))
        .bind(notice.unit_id)
        .fetch_one(tx.conn())
        .await?;
        n > 0
    };
    if !acts {
        return Err(StorageError::refused(
            "只有被督办单位可以回复督办单",
            "only the unit the notice is addressed to may answer it",
        ));
    }
    let reply = reply.trim();
    if reply.is_empty() || reply.chars().count() > 5000 {
        return Err(StorageError::Invalid(FieldErrors {
            errors: vec![if reply.is_empty() {
                FieldError::required("reply")
            } else {
                FieldError::too_long("reply", 5000)
            }],
            warnings: vec![],
        }));
    }
    let done = sql::query(
        "UPDATE supervision_notices SET status = 'answered', reply = $1, replied_on = $2, replied_by = $3, updated_at = $4 \
         WHERE id = $5 AND status = 'issued'",
    )
    .bind(reply.to_string())
    .bind(today.to_string())
    .bind(tx.actor().user_id)
    .bind(now())
    .bind(notice.id)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StorageError::refused(
            format!("督办单{}，不能回复", notice.status.label_zh()),
            format!(
                "the notice is {}: it takes no reply",
                notice.status.label_en()
            ),
        ));
    }
    tx.audit(
        "notice.reply",
        "supervision_notice",
        Some(&notice.public_id),
        &format!("{} {}回复", notice.number, notice.unit_name),
        Some(&json!({"status": "issued"})),
        Some(&json!({"status": "answered", "reply": reply, "late": notice.late(today)})),
    )
    .await?;
    let office = notify::office_users(tx).await?;
    notify::send(
        tx,
        &office,
        &Message {
            kind: Kind::NoticeAnswered,
            title: &format!("{} {}已回复", notice.number, notice.unit_name),
            body: reply,
            link: &format!("/supervision/notices/{}", notice.public_id),
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}

/// The office closes an answered notice, or sends it back for a better answer.
#[allow(clippy::too_many_arguments)]
pub async fn close_notice(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    cal: &WorkCalendar,
    rules: &SupervisionRules,
    notice: &Notice,
    accept: bool,
    reasons: &str,
    today: NaiveDate,
) -> Result<()> {
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以办结督办单",
            "only the programme office closes notices",
        ));
    }
    if !accept && reasons.trim().is_empty() {
        return Err(invalid("reasons", "退回须说明理由", "give the reasons"));
    }
    let done = if accept {
        sql::query(
            "UPDATE supervision_notices SET status = 'closed', closed_on = $1, updated_at = $2 WHERE id = $3 AND status = 'answered'",
        )
        .bind(today.to_string())
        .bind(now())
        .bind(notice.id)
        .execute(tx.conn())
        .await?
    } else {
        // Sent back: a fresh reply period from today, and the reasons kept on the notice.
        let by = cal.add_working_days(today, i64::from(rules.notice_reply_working_days));
        sql::query(
            "UPDATE supervision_notices SET status = 'issued', reply_by = $1, reply_by_uncertain = $2, \
             return_reasons = $3, updated_at = $4 WHERE id = $5 AND status = 'answered'",
        )
        .bind(by.value.to_string())
        .bind(i64::from(by.uncertain()))
        .bind(reasons.trim().to_string())
        .bind(now())
        .bind(notice.id)
        .execute(tx.conn())
        .await?
    };
    if done.rows_affected() != 1 {
        return Err(StorageError::refused(
            "只有已回复的督办单可以办结或退回",
            "only an answered notice can be closed or sent back",
        ));
    }
    tx.audit(
        if accept {
            "notice.close"
        } else {
            "notice.return"
        },
        "supervision_notice",
        Some(&notice.public_id),
        &format!(
            "{} {}",
            notice.number,
            if accept {
                "办结"
            } else {
                "退回重新回复"
            }
        ),
        Some(&json!({"status": "answered"})),
        Some(
            &json!({"status": if accept { "closed" } else { "issued" }, "reasons": reasons.trim()}),
        ),
    )
    .await?;
    if !accept {
        let members = notify::unit_members(tx, notice.unit_id).await?;
        notify::send(
            tx,
            &members,
            &Message {
                kind: Kind::Notice,
                title: &format!("督办单 {} 的回复被退回", notice.number),
                body: reasons.trim(),
                link: &format!("/supervision/notices/{}", notice.public_id),
                dedupe_key: None,
            },
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Counts and reminders

/// Open, done, cancelled and overdue item counts (for the dashboard).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusCounts {
    pub open: i64,
    pub done: i64,
    pub cancelled: i64,
    pub overdue: i64,
    pub reports_pending: i64,
    pub notices_open: i64,
    pub notices_late: i64,
}

pub async fn status_counts(db: &Db, today: NaiveDate) -> Result<StatusCounts> {
    let r = sql::query(
        "SELECT \
         (SELECT COUNT(*) FROM work_items WHERE status = 'open' AND archived_at IS NULL) AS open, \
         (SELECT COUNT(*) FROM work_items WHERE status = 'open' AND deadline < $1 AND archived_at IS NULL) AS overdue, \
         (SELECT COUNT(*) FROM work_items WHERE status = 'done' AND archived_at IS NULL) AS done, \
         (SELECT COUNT(*) FROM work_items WHERE status = 'cancelled' AND archived_at IS NULL) AS cancelled, \
         (SELECT COUNT(*) FROM work_reports WHERE status = 'submitted') AS reports_pending, \
         (SELECT COUNT(*) FROM supervision_notices WHERE status = 'issued') AS notices_open, \
         (SELECT COUNT(*) FROM supervision_notices WHERE status = 'issued' AND reply_by < $1) AS notices_late",
    )
    .bind(today.to_string())
    .fetch_one(db)
    .await?;
    Ok(StatusCounts {
        open: r.try_get("open")?,
        done: r.try_get("done")?,
        cancelled: r.try_get("cancelled")?,
        overdue: r.try_get("overdue")?,
        reports_pending: r.try_get("reports_pending")?,
        notices_open: r.try_get("notices_open")?,
        notices_late: r.try_get("notices_late")?,
    })
}

/// Open items with their supervision flags: those on the office's list (overdue or quiet).
pub async fn supervision_list(
    db: &Db,
    cal: &WorkCalendar,
    rules: &SupervisionRules,
    today: NaiveDate,
) -> Result<Vec<(Item, Vec<Flag>)>> {
    let open = open_items(db).await?;
    Ok(open
        .into_iter()
        .filter_map(|i| {
            let f = i.flags(cal, today, rules);
            worklist::supervised(&f).then_some((i, f))
        })
        .collect())
}

/// The first `limit` supervised items in deadline order, for the dashboard: only open items that
/// could be flagged — overdue, or without a report for at least `stale` calendar days (a working
/// day count is never larger) — are read and checked, however long the list.
pub async fn supervised_first(
    db: &Db,
    cal: &WorkCalendar,
    rules: &SupervisionRules,
    today: NaiveDate,
    limit: usize,
) -> Result<Vec<(Item, Vec<Flag>)>> {
    let quiet_since = today - chrono::Duration::days(i64::from(rules.stale_report_working_days));
    // Two plain statements, no snapshot: a list of ten for a dashboard may read an item's units
    // a moment after the item (PostgreSQL round trips are this page's cost).
    let rows = sql::query(&format!(
        "{ITEM_SELECT} WHERE i.status = 'open' AND i.archived_at IS NULL AND (i.deadline < $1 OR \
         COALESCE((SELECT MAX(r2.reported_on) FROM work_reports r2 WHERE r2.item_id = i.id), i.opened_on) <= $2) \
         ORDER BY i.deadline, i.id LIMIT {}",
        limit * 4
    ))
    .bind(today.to_string())
    .bind(quiet_since.to_string())
    .fetch_all(db)
    .await?;
    let items = decode_items(db, rows).await?;
    Ok(items
        .into_iter()
        .filter_map(|i| {
            let f = i.flags(cal, today, rules);
            worklist::supervised(&f).then_some((i, f))
        })
        .take(limit)
        .collect())
}

/// The daily reminders: owners of items due within the reminder period or overdue, and of
/// notices past their reply date, get one notification each (deduplicated). Returns how many
/// were written.
pub async fn remind(
    db: &Db,
    cal: &WorkCalendar,
    rules: &SupervisionRules,
    today: NaiveDate,
) -> Result<usize> {
    let open = open_items(db).await?;
    let late_notices: Vec<Notice> = notices(db, None)
        .await?
        .into_iter()
        .filter(|n| n.late(today))
        .collect();
    let actor = crate::Actor::system("reminders");
    let mut tx = db.begin(&actor).await?;
    let mut sent = 0;
    for i in &open {
        for f in i.flags(cal, today, rules) {
            let (kind, title, key) = match f.reason {
                SupervisionReason::DueSoon => (
                    Kind::DeadlineSoon,
                    if f.days == 0 {
                        format!("今天到期：{}", i.title)
                    } else {
                        format!("{}个工作日后到期：{}", f.days, i.title)
                    },
                    format!("due_soon:{}:{}", i.public_id, i.deadline),
                ),
                SupervisionReason::Overdue => (
                    Kind::Overdue,
                    format!("已逾期：{}（期限 {}）", i.title, i.deadline),
                    format!("overdue:{}:{}", i.public_id, i.deadline),
                ),
                SupervisionReason::Stale => continue,
            };
            let mut members = Vec::new();
            for u in &i.units {
                members.extend(notify::unit_members(&mut tx, u.id).await?);
            }
            sent += notify::send(
                &mut tx,
                &members,
                &Message {
                    kind,
                    title: &title,
                    body: &i.expected_output,
                    link: &format!("/worklist/{}", i.public_id),
                    dedupe_key: Some(&key),
                },
            )
            .await?;
        }
    }
    for n in &late_notices {
        let mut people = notify::unit_members(&mut tx, n.unit_id).await?;
        people.extend(notify::office_users(&mut tx).await?);
        sent += notify::send(
            &mut tx,
            &people,
            &Message {
                kind: Kind::NoticeOverdue,
                title: &format!("督办单 {} 已过回复期限（{}）", n.number, n.reply_by),
                body: &n.content,
                link: &format!("/supervision/notices/{}", n.public_id),
                dedupe_key: Some(&format!("notice_overdue:{}", n.public_id)),
            },
        )
        .await?;
    }
    if sent > 0 {
        tx.audit(
            "reminders.send",
            "notification",
            None,
            &format!("{today} 发送提醒 {sent} 条"),
            None,
            Some(&json!({"sent": sent, "on": today.to_string()})),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(sent)
}

/// Attaches a checked file to a report (by the report's author in the same request, or the
/// office), audited with the item.
pub async fn attach_report_file(
    tx: &mut AuditedTx<'_>,
    item: &Item,
    report_id: i64,
    file: &shoumi_domain::files::CheckedFile,
    bytes: Vec<u8>,
) -> Result<String> {
    let pid = crate::demonstration::store_file(tx, "work_report", report_id, "report", file, bytes)
        .await?;
    tx.audit(
        "file.attach",
        "work_item",
        Some(&item.public_id),
        &format!("进展报告附件：{}", file.name),
        None,
        Some(&json!({"file": pid, "name": file.name, "size": file.size, "sha256": file.digests.sha256, "sm3": file.digests.sm3})),
    )
    .await?;
    Ok(pid)
}

/// A report file's content, if it belongs to a report on this item.
pub async fn report_file(
    db: &Db,
    item: &Item,
    file_pid: &str,
) -> Result<(crate::demonstration::FileMeta, Vec<u8>)> {
    let r = sql::query(&format!(
        "SELECT {}, f.content FROM files f LEFT JOIN users u ON u.id = f.uploaded_by \
         JOIN work_reports r ON r.id = f.owner_id AND f.owner_kind = 'work_report' \
         WHERE f.public_id = $1 AND r.item_id = $2 AND f.archived_at IS NULL",
        crate::demonstration::FILE_COLUMNS
    ))
    .bind(file_pid.to_string())
    .bind(item.id)
    .fetch_one(db)
    .await?;
    Ok((
        crate::demonstration::file_meta_row(&r)?,
        r.try_get("content")?,
    ))
}
