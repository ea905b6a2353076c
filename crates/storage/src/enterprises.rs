//! Enterprises. Every read takes an [`EnterpriseScope`] from the caller's principal, and the
//! scope becomes part of the SQL: a query for a town officer cannot return another town's rows.

use crate::sql;
use serde::Serialize;
use shoumi_domain::enterprise::{parse_tags, tags_to_string};
use shoumi_domain::{
    EnterpriseInput, EnterpriseScope, EnterpriseSize, EnterpriseStatus, FieldError, FieldErrors,
    Industry, KeyTag, Relation,
};

use crate::query::{Filter, id_list, like_contains};
use crate::{AuditedTx, Db, Page, Result, StorageError, new_public_id, now};

/// An enterprise as stored, with the names of its division and zone.
#[derive(Debug, Clone, Serialize)]
pub struct Enterprise {
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "id")]
    pub public_id: String,
    pub name: String,
    pub credit_code: String,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    #[serde(skip)]
    pub division_id: i64,
    pub division_code: String,
    pub division_name: String,
    #[serde(skip)]
    pub zone_id: Option<i64>,
    pub zone_key: Option<String>,
    pub zone_name: Option<String>,
    pub industry: String,
    pub industry_name: String,
    pub size: Option<EnterpriseSize>,
    pub tags: Vec<KeyTag>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub share_contacts: bool,
    pub status: EnterpriseStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Enterprise {
    /// What a reader with this relation may see: the government sees contacts only when the
    /// enterprise shares them.
    pub fn view_for(mut self, relation: Relation) -> Enterprise {
        if relation == Relation::Government && !self.share_contacts {
            self.contact_name = None;
            self.contact_phone = None;
            self.contact_email = None;
        }
        self
    }

    /// The record as a parsed input (for export and for the edit form).
    pub fn to_input(&self) -> Option<EnterpriseInput> {
        Some(EnterpriseInput {
            name: self.name.clone(),
            credit_code: shoumi_domain::CreditCode::parse(&self.credit_code).ok()?.0,
            legal_representative: self.legal_representative.clone(),
            address: self.address.clone(),
            division_code: shoumi_domain::DivisionCode::parse(&self.division_code).ok()?,
            zone_key: self.zone_key.clone(),
            industry: Industry::parse(&self.industry).ok()?,
            size: self.size,
            tags: self.tags.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            contact_email: self.contact_email.clone(),
            share_contacts: self.share_contacts,
            status: self.status,
        })
    }
}

/// One table in the FROM clause, so the planner walks an enterprise index in list order and stops
/// after a page; the names of the division and zone are looked up for the returned rows only.
/// The columns of [`row`]. Division and zone codes and names are filled in afterwards by
/// [`decode`] with one query for the whole page: per-row scalar subqueries cost ~0.45 µs each
/// on SQLite, four per row, 40% of the list query (measured; docs/PERFORMANCE.md).
const SELECT: &str = "SELECT e.id, e.public_id, e.name, e.credit_code, e.legal_representative, e.address, \
     e.division_id, e.zone_id, e.industry, e.size, e.tags, \
     e.contact_name, e.contact_phone, e.contact_email, e.share_contacts, e.status, e.created_at, \
     e.updated_at FROM enterprises e";

async fn one<'e>(ex: impl Into<sql::Ex<'e>>, r: sql::Row) -> Result<Enterprise> {
    decode(ex, std::slice::from_ref(&r))
        .await?
        .pop()
        .ok_or(StorageError::NotFound)
}

/// [`SELECT`] for list pages: the columns a list shows. Address, legal representative and
/// contacts come back empty (`None`), which saves decoding a third of the row for every line.
const SELECT_LISTING: &str = "SELECT e.id, e.public_id, e.name, e.credit_code, NULL AS legal_representative, \
     NULL AS address, e.division_id, e.zone_id, e.industry, e.size, e.tags, \
     NULL AS contact_name, NULL AS contact_phone, NULL AS contact_email, 0 AS share_contacts, e.status, \
     e.created_at, e.updated_at FROM enterprises e";

/// Which columns a list reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// Everything (API, export).
    Full,
    /// What the list page shows; address, legal representative and contacts are `None`.
    Listing,
}

/// Rows of [`SELECT`] as enterprises, with their division and zone names.
async fn decode<'e>(ex: impl Into<sql::Ex<'e>>, rows: &[sql::Row]) -> Result<Vec<Enterprise>> {
    let ex = ex.into();
    let mut out = rows.iter().map(row).collect::<Result<Vec<_>>>()?;
    if out.is_empty() {
        return Ok(out);
    }
    let mut divisions: Vec<i64> = out.iter().map(|e| e.division_id).collect();
    divisions.sort_unstable();
    divisions.dedup();
    let mut zones: Vec<i64> = out.iter().filter_map(|e| e.zone_id).collect();
    zones.sort_unstable();
    zones.dedup();
    let backend = match &ex {
        sql::Ex::Db(db) => db.backend,
        sql::Ex::Tx(tx) => tx.backend(),
    };
    // Placeholder lists padded to a power of two (repeating the last id), so a page needs one of
    // a handful of statement texts and the prepared statement is reused.
    let mut args = sql::Args::default();
    let mut n = 0;
    let mut in_list = |ids: &[i64], args: &mut sql::Args| {
        let width = ids.len().next_power_of_two();
        let marks: Vec<String> = (0..width)
            .map(|i| {
                n += 1;
                args.add(ids[i.min(ids.len() - 1)]);
                crate::query::mark(backend, n)
            })
            .collect();
        marks.join(",")
    };
    let mut q = format!(
        "SELECT 0 AS k, id, code AS a, name FROM divisions WHERE id IN ({})",
        in_list(&divisions, &mut args)
    );
    if !zones.is_empty() {
        q.push_str(&format!(
            " UNION ALL SELECT 1 AS k, id, key AS a, name FROM zones WHERE id IN ({})",
            in_list(&zones, &mut args)
        ));
    }
    let mut names: std::collections::HashMap<(i64, i64), (String, String)> =
        std::collections::HashMap::new();
    for r in sql::query_with(&q, args).fetch_all(ex).await? {
        names.insert(
            (r.try_get("k")?, r.try_get("id")?),
            (r.try_get("a")?, r.try_get("name")?),
        );
    }
    for e in &mut out {
        if let Some((code, name)) = names.get(&(0, e.division_id)) {
            e.division_code.clone_from(code);
            e.division_name.clone_from(name);
        }
        if let Some((key, name)) = e.zone_id.and_then(|z| names.get(&(1, z))) {
            e.zone_key = Some(key.clone());
            e.zone_name = Some(name.clone());
        }
    }
    Ok(out)
}

fn row(r: &sql::Row) -> Result<Enterprise> {
    // Columns are read in SELECT order (the row's name lookup expects it).
    let id = r.try_get("id")?;
    let public_id = r.try_get("public_id")?;
    let name = r.try_get("name")?;
    let credit_code = r.try_get("credit_code")?;
    let legal_representative = r.try_get("legal_representative")?;
    let address = r.try_get("address")?;
    let division_id = r.try_get("division_id")?;
    let zone_id = r.try_get("zone_id")?;
    let industry: String = r.try_get("industry")?;
    let size: Option<String> = r.try_get("size")?;
    let tags: String = r.try_get("tags")?;
    let contact_name = r.try_get("contact_name")?;
    let contact_phone = r.try_get("contact_phone")?;
    let contact_email = r.try_get("contact_email")?;
    let share: i64 = r.try_get("share_contacts")?;
    let status: String = r.try_get("status")?;
    Ok(Enterprise {
        id,
        public_id,
        name,
        credit_code,
        legal_representative,
        address,
        division_id,
        division_code: String::new(),
        division_name: String::new(),
        zone_id,
        zone_key: None,
        zone_name: None,
        // Stored codes were checked on the way in ("C26"): a map lookup, not a parse.
        industry_name: shoumi_domain::industry::catalogue()
            .division_name(industry.get(1..).unwrap_or_default())
            .unwrap_or_default()
            .to_string(),
        industry,
        size: size.as_deref().and_then(EnterpriseSize::parse),
        tags: parse_tags(&tags).unwrap_or_default(),
        contact_name,
        contact_phone,
        contact_email,
        share_contacts: share != 0,
        status: EnterpriseStatus::parse(&status).unwrap_or(EnterpriseStatus::Operating),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The scope as a SQL condition on `e`. Ids are integers from the principal, never user text.
fn scope_sql(scope: &EnterpriseScope) -> String {
    if scope.is_all() {
        return "1 = 1".into();
    }
    let mut parts = Vec::new();
    if !scope.divisions().is_empty() {
        parts.push(format!("e.division_id IN ({})", id_list(scope.divisions())));
    }
    if !scope.zones().is_empty() {
        parts.push(format!("e.zone_id IN ({})", id_list(scope.zones())));
    }
    if !scope.own().is_empty() {
        parts.push(format!("e.id IN ({})", id_list(scope.own())));
    }
    if parts.is_empty() {
        "1 = 0".into()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// Search and sort options of the enterprise list.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct EnterpriseQuery {
    /// Substring of the Chinese name, or a (partial) credit code.
    #[serde(default)]
    pub q: String,
    /// Division public id or code.
    #[serde(default)]
    pub division: String,
    /// Industry: a section letter (`C`) or a division (`C26`).
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub status: String,
    /// `name`, `credit_code`, `division`, `industry`, `updated`; prefix `-` for descending.
    #[serde(default)]
    pub sort: String,
}

/// Where a list's total comes from.
enum Total {
    /// Only the scope, a division and a zone narrow the list: the live-count table (migration
    /// 0004, kept by triggers in every write's transaction), so an unfiltered county list costs no
    /// scan at all. The filter's clauses name `e`, the alias the count query gives that table.
    CountTable(Filter),
    /// A county-wide list narrowed by one tag and nothing else: the tag's postings, which hold
    /// live enterprises only (archiving removes them, migration 0006).
    TagPostings(String),
    /// Anything else: a count over the list's own filter.
    Filter,
}

/// The industry filter: a section letter is a range of codes ("C" ≤ code < "D"), a division one code.
enum IndustryFilter {
    Section(String, String),
    Division(String),
}

impl EnterpriseQuery {
    fn industry_filter(&self) -> Option<IndustryFilter> {
        let ind = self.industry.trim().to_ascii_uppercase();
        if ind.len() == 1 && ind.chars().all(|c| c.is_ascii_uppercase()) {
            let next = char::from(ind.as_bytes()[0] + 1).to_string();
            Some(IndustryFilter::Section(ind, next))
        } else {
            Industry::parse(&ind)
                .ok()
                .map(|i| IndustryFilter::Division(i.code()))
        }
    }

    fn total(&self, scope: &EnterpriseScope) -> Total {
        let narrowed_beyond_area = !self.q.trim().is_empty()
            || self.industry_filter().is_some()
            || EnterpriseStatus::parse(&self.status).is_some();
        let tag = KeyTag::parse(&self.tag);
        if narrowed_beyond_area || !scope.own().is_empty() {
            return Total::Filter;
        }
        match tag {
            None => {
                let mut f = Filter::default();
                f.push(&scope_sql(scope));
                self.area_clauses(&mut f);
                Total::CountTable(f)
            }
            Some(t)
                if scope.is_all()
                    && self.division.trim().is_empty()
                    && self.zone.trim().is_empty() =>
            {
                Total::TagPostings(shoumi_domain::search::tag_term(t))
            }
            Some(_) => Total::Filter,
        }
    }

    fn area_clauses(&self, f: &mut Filter) {
        // Divisions and zones by scalar subquery, so the count needs no join.
        let div = self.division.trim();
        if !div.is_empty() {
            f.push("e.division_id IN (SELECT id FROM divisions WHERE public_id = ? OR code = ? OR name = ?)")
                .bind_str(div)
                .bind_str(div)
                .bind_str(div);
        }
        let zone = self.zone.trim();
        if !zone.is_empty() {
            f.push("e.zone_id = (SELECT id FROM zones WHERE public_id = ? OR key = ?)")
                .bind_str(zone)
                .bind_str(zone);
        }
    }

    fn filter(&self, scope: &EnterpriseScope) -> Filter {
        let mut f = Filter::default();
        f.push("e.archived_at IS NULL");
        f.push(&scope_sql(scope));
        let q = self.q.trim();
        if !q.is_empty() {
            let upper = q.to_ascii_uppercase();
            if upper.len() >= 4 && upper.chars().all(|c| c.is_ascii_alphanumeric()) {
                // A credit-code prefix: an index range, [prefix, prefix with its last byte + 1).
                let mut hi = upper.clone().into_bytes();
                if let Some(last) = hi.last_mut() {
                    *last += 1;
                }
                f.push("e.credit_code >= ? AND e.credit_code < ?")
                    .bind_str(upper.clone())
                    .bind_str(String::from_utf8(hi).unwrap_or_default());
            } else {
                // Candidates from the bigram index, then the exact substring test.
                if let Some(terms) = shoumi_domain::search::query_terms(q) {
                    let sub = vec![
                        "SELECT enterprise_id FROM enterprise_terms WHERE term = ?";
                        terms.len()
                    ];
                    f.push(&format!("e.id IN ({})", sub.join(" INTERSECT ")));
                    for t in terms {
                        f.bind_str(t);
                    }
                }
                f.push("e.name LIKE ? ESCAPE '\\'")
                    .bind_str(like_contains(q));
            }
        }
        self.area_clauses(&mut f);
        match self.industry_filter() {
            Some(IndustryFilter::Section(from, to)) => {
                f.push("e.industry >= ? AND e.industry < ?")
                    .bind_str(from)
                    .bind_str(to);
            }
            Some(IndustryFilter::Division(code)) => {
                f.push("e.industry = ?").bind_str(code);
            }
            None => {}
        }
        if let Some(t) = KeyTag::parse(&self.tag) {
            f.push("e.id IN (SELECT enterprise_id FROM enterprise_terms WHERE term = ?)")
                .bind_str(shoumi_domain::search::tag_term(t));
        }
        if let Some(s) = EnterpriseStatus::parse(&self.status) {
            f.push("e.status = ?").bind_str(s.as_str());
        }
        f
    }

    fn order_sql(&self) -> &'static str {
        match self.sort.trim() {
            "-name" => "e.name DESC, e.id DESC",
            "credit_code" => "e.credit_code",
            "-credit_code" => "e.credit_code DESC",
            "division" => "e.division_id, e.name, e.id",
            "-division" => "e.division_id DESC, e.name, e.id",
            "industry" => "e.industry, e.name, e.id",
            "-industry" => "e.industry DESC, e.name, e.id",
            "updated" => "e.updated_at, e.id",
            "-updated" => "e.updated_at DESC, e.id DESC",
            _ => "e.name, e.id",
        }
    }
}

/// The number of enterprises `q` finds in `scope` (`f` is `q.filter(scope)`), from the cheapest
/// source that is exact ([`Total`]).
async fn count_total<'e>(
    ex: impl Into<sql::Ex<'e>>,
    q: &EnterpriseQuery,
    scope: &EnterpriseScope,
    f: &Filter,
) -> Result<i64> {
    match q.total(scope) {
        Total::TagPostings(term) => {
            sql::query_scalar("SELECT COUNT(*) FROM enterprise_terms WHERE term = $1")
                .bind(term)
                .fetch_one(ex)
                .await
        }
        Total::CountTable(c) => {
            let count_sql = format!(
                "SELECT CAST(COALESCE(SUM(e.live), 0) AS BIGINT) FROM enterprise_counts e{}",
                c.where_sql()
            );
            sql::query_scalar_with(&count_sql, c.args())
                .fetch_one(ex)
                .await
        }
        Total::Filter => {
            let count_sql = format!("SELECT COUNT(*) FROM enterprises e{}", f.where_sql());
            sql::query_scalar_with(&count_sql, f.args())
                .fetch_one(ex)
                .await
        }
    }
}

/// A page of enterprises the scope allows, and the total that match.
pub async fn list(
    db: &Db,
    scope: &EnterpriseScope,
    q: &EnterpriseQuery,
    page: Page,
) -> Result<(Vec<Enterprise>, i64)> {
    list_with(db, scope, q, page, Columns::Full).await
}

/// [`list`], reading only `columns`.
pub async fn list_with(
    db: &Db,
    scope: &EnterpriseScope,
    q: &EnterpriseQuery,
    page: Page,
    columns: Columns,
) -> Result<(Vec<Enterprise>, i64)> {
    let f = q.filter(scope);
    // The total and the page from one snapshot, so they agree.
    let mut tx = db.read().await?;
    let total = count_total(&mut tx, q, scope, &f).await?;
    let select = match columns {
        Columns::Full => SELECT,
        Columns::Listing => SELECT_LISTING,
    };
    let sql = format!(
        "{select}{} ORDER BY {} LIMIT {} OFFSET {}",
        f.where_sql(),
        q.order_sql(),
        page.size,
        page.offset()
    );
    let rows = sql::query_with(&sql, f.args()).fetch_all(&mut tx).await?;
    let items = decode(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok((items, total))
}

/// All enterprises the scope allows (for export), in name order.
pub async fn list_all(
    db: &Db,
    scope: &EnterpriseScope,
    q: &EnterpriseQuery,
) -> Result<Vec<Enterprise>> {
    let f = q.filter(scope);
    let sql = format!("{SELECT}{} ORDER BY {}", f.where_sql(), q.order_sql());
    let rows = sql::query_with(&sql, f.args()).fetch_all(db).await?;
    decode(db, &rows).await
}

/// One enterprise by public id, if the scope allows it; otherwise `NotFound` (not "forbidden":
/// a reader outside the scope must not learn that the enterprise exists).
pub async fn get(db: &Db, scope: &EnterpriseScope, public_id: &str) -> Result<Enterprise> {
    let sql = format!(
        "{SELECT} WHERE e.public_id = $1 AND e.archived_at IS NULL AND {}",
        scope_sql(scope)
    );
    let r = sql::query(&sql)
        .bind(public_id.to_string())
        .fetch_optional(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    one(db, r).await
}

/// Internal lookup by row id for code that already holds a scope decision.
pub async fn get_by_id(db: &Db, scope: &EnterpriseScope, id: i64) -> Result<Enterprise> {
    let sql = format!("{SELECT} WHERE e.id = $1 AND {}", scope_sql(scope));
    let r = sql::query(&sql)
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    one(db, r).await
}

async fn resolve(tx: &mut AuditedTx<'_>, input: &EnterpriseInput) -> Result<(i64, Option<i64>)> {
    let (division_id, zone_id) = crate::orgs::resolve_area(
        tx,
        Some(input.division_code.as_str()),
        input.zone_key.as_deref(),
    )
    .await?;
    Ok((division_id.unwrap_or_default(), zone_id))
}

fn audit_json(e: &EnterpriseInput) -> serde_json::Value {
    serde_json::to_value(e.to_form()).unwrap_or_default()
}

/// Checks that the writer may place an enterprise in this division/zone.
fn check_edit_scope(
    edit: &EnterpriseScope,
    id: Option<i64>,
    division: i64,
    zone: Option<i64>,
) -> Result<()> {
    let allowed = match id {
        Some(id) => edit.contains(id, division, zone),
        None => {
            edit.is_all()
                || edit.divisions().contains(&division)
                || zone.is_some_and(|z| edit.zones().contains(&z))
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(StorageError::Invalid(FieldErrors {
            errors: vec![FieldError::new(
                "division_code",
                "out_of_scope",
                "您无权在该镇街登记企业",
                "you may not register enterprises in that division",
            )],
            warnings: vec![],
        }))
    }
}

/// Creates an enterprise. `edit` is the caller's edit scope: a town officer may register
/// enterprises only in their own division.
pub async fn create(
    tx: &mut AuditedTx<'_>,
    edit: &EnterpriseScope,
    input: &EnterpriseInput,
) -> Result<String> {
    let (division_id, zone_id) = resolve(tx, input).await?;
    check_edit_scope(edit, None, division_id, zone_id)?;
    let pid = new_public_id();
    insert(tx, &pid, division_id, zone_id, input).await?;
    tx.audit(
        "enterprise.create",
        "enterprise",
        Some(&pid),
        &format!("新增企业 {}", input.name),
        None,
        Some(&audit_json(input)),
    )
    .await?;
    Ok(pid)
}

async fn insert(
    tx: &mut AuditedTx<'_>,
    pid: &str,
    division_id: i64,
    zone_id: Option<i64>,
    input: &EnterpriseInput,
) -> Result<()> {
    let t = now();
    sql::query(
        "INSERT INTO enterprises (public_id, name, credit_code, legal_representative, address, division_id, \
         zone_id, industry, size, tags, contact_name, contact_phone, contact_email, share_contacts, status, \
         created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16)",
    )
    .bind(pid.to_string())
    .bind(input.name.clone())
    .bind(input.credit_code.to_string())
    .bind(input.legal_representative.clone())
    .bind(input.address.clone())
    .bind(division_id)
    .bind(zone_id)
    .bind(input.industry.code())
    .bind(input.size.map(|s| s.as_str().to_string()))
    .bind(tags_to_string(&input.tags))
    .bind(input.contact_name.clone())
    .bind(input.contact_phone.clone())
    .bind(input.contact_email.clone())
    .bind(input.share_contacts as i64)
    .bind(input.status.as_str())
    .bind(t)
    .execute(tx.conn())
    .await?;
    let id: i64 = sql::query_scalar("SELECT id FROM enterprises WHERE public_id = $1")
        .bind(pid.to_string())
        .fetch_one(tx.conn())
        .await?;
    {
        let backend = tx.backend();
        write_terms(tx.conn(), backend, id, &input.name, &input.tags).await
    }
}

async fn fetch_in_tx(
    tx: &mut AuditedTx<'_>,
    clause: &str,
    value: String,
) -> Result<Option<Enterprise>> {
    let r = sql::query(&format!("{SELECT} WHERE {clause}"))
        .bind(value)
        .fetch_optional(tx.conn())
        .await?;
    match r {
        Some(r) => Ok(Some(one(tx.conn(), r).await?)),
        None => Ok(None),
    }
}

async fn write_update(
    tx: &mut AuditedTx<'_>,
    before: &Enterprise,
    division_id: i64,
    zone_id: Option<i64>,
    input: &EnterpriseInput,
) -> Result<()> {
    sql::query(
        "UPDATE enterprises SET name = $1, credit_code = $2, legal_representative = $3, address = $4, \
         division_id = $5, zone_id = $6, industry = $7, size = $8, tags = $9, contact_name = $10, \
         contact_phone = $11, contact_email = $12, share_contacts = $13, status = $14, updated_at = $15 \
         WHERE id = $16",
    )
    .bind(input.name.clone())
    .bind(input.credit_code.to_string())
    .bind(input.legal_representative.clone())
    .bind(input.address.clone())
    .bind(division_id)
    .bind(zone_id)
    .bind(input.industry.code())
    .bind(input.size.map(|s| s.as_str().to_string()))
    .bind(tags_to_string(&input.tags))
    .bind(input.contact_name.clone())
    .bind(input.contact_phone.clone())
    .bind(input.contact_email.clone())
    .bind(input.share_contacts as i64)
    .bind(input.status.as_str())
    .bind(now())
    .bind(before.id)
    .execute(tx.conn())
    .await?;
    let backend = tx.backend();
    write_terms(tx.conn(), backend, before.id, &input.name, &input.tags).await?;
    let before_json = before.to_input().map(|b| audit_json(&b));
    tx.audit(
        "enterprise.update",
        "enterprise",
        Some(&before.public_id),
        &format!("修改企业 {}", input.name),
        before_json.as_ref(),
        Some(&audit_json(input)),
    )
    .await
}

/// Updates an enterprise the caller may edit.
pub async fn update(
    tx: &mut AuditedTx<'_>,
    edit: &EnterpriseScope,
    public_id: &str,
    input: &EnterpriseInput,
) -> Result<()> {
    let before = fetch_in_tx(
        tx,
        "e.public_id = $1 AND e.archived_at IS NULL",
        public_id.to_string(),
    )
    .await?
    .ok_or(StorageError::NotFound)?;
    if !edit.contains(before.id, before.division_id, before.zone_id) {
        return Err(StorageError::NotFound);
    }
    let (division_id, zone_id) = resolve(tx, input).await?;
    check_edit_scope(edit, None, division_id, zone_id).or_else(|e| {
        if edit.own().contains(&before.id) && division_id == before.division_id {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    if before.to_input().as_ref() == Some(input) {
        return Ok(());
    }
    write_update(tx, &before, division_id, zone_id, input).await
}

/// Archives an enterprise (never deleted: its history and audit remain).
pub async fn archive(
    tx: &mut AuditedTx<'_>,
    edit: &EnterpriseScope,
    public_id: &str,
) -> Result<()> {
    let before = fetch_in_tx(
        tx,
        "e.public_id = $1 AND e.archived_at IS NULL",
        public_id.to_string(),
    )
    .await?
    .ok_or(StorageError::NotFound)?;
    if !edit.is_all() {
        return Err(StorageError::NotFound);
    }
    sql::query("UPDATE enterprises SET archived_at = $1 WHERE id = $2")
        .bind(now())
        .bind(before.id)
        .execute(tx.conn())
        .await?;
    // The search index holds live enterprises only (so a tag's postings are its live count);
    // anything that brings an enterprise back must write its terms again.
    sql::query("DELETE FROM enterprise_terms WHERE enterprise_id = $1")
        .bind(before.id)
        .execute(tx.conn())
        .await?;
    tx.audit(
        "enterprise.archive",
        "enterprise",
        Some(public_id),
        &format!("归档企业 {}", before.name),
        before.to_input().map(|b| audit_json(&b)).as_ref(),
        None,
    )
    .await
}

/// Counts per division within a scope (for home pages).
pub async fn count_by_division(
    db: &Db,
    scope: &EnterpriseScope,
) -> Result<Vec<(String, String, i64)>> {
    // From the live-count table unless the scope lists single enterprises; groups that have
    // emptied (live = 0) are left out, as a count would.
    let inner = if scope.own().is_empty() {
        format!(
            "SELECT e.division_id, CAST(SUM(e.live) AS BIGINT) AS n FROM enterprise_counts e \
             WHERE {} GROUP BY e.division_id HAVING SUM(e.live) > 0",
            scope_sql(scope)
        )
    } else {
        format!(
            "SELECT e.division_id, COUNT(*) AS n FROM enterprises e \
             WHERE e.archived_at IS NULL AND {} GROUP BY e.division_id",
            scope_sql(scope)
        )
    };
    let sql = format!(
        "SELECT d.public_id, d.name, c.n FROM ({inner}) c JOIN divisions d ON d.id = c.division_id \
         ORDER BY d.code"
    );
    let rows = sql::query(&sql).fetch_all(db).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("public_id")?, r.try_get("name")?, r.try_get("n")?)))
        .collect()
}

/// Count within a scope.
pub async fn count(db: &Db, scope: &EnterpriseScope) -> Result<i64> {
    let q = EnterpriseQuery::default();
    count_total(db, &q, scope, &q.filter(scope)).await
}

/// The result of importing many rows at once.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Problems found against the database: (row number, error).
    pub problems: Vec<(usize, FieldError)>,
}

/// Imports many parsed rows in one transaction with few round trips: references are resolved
/// from maps, existing enterprises fetched in chunks, new ones inserted many per statement, each
/// with its own audit row. Rows with problems are reported; the caller rolls back if any.
pub async fn import_batch(
    tx: &mut AuditedTx<'_>,
    edit: &EnterpriseScope,
    rows: &[(usize, EnterpriseInput)],
) -> Result<BatchOutcome> {
    use std::collections::HashMap;
    let mut out = BatchOutcome::default();
    let divisions: HashMap<String, i64> =
        sql::query("SELECT id, code, name FROM divisions WHERE archived_at IS NULL")
            .fetch_all(tx.conn())
            .await?
            .iter()
            .flat_map(|r| {
                let id: i64 = r.try_get("id").unwrap_or_default();
                let code: String = r.try_get("code").unwrap_or_default();
                let name: String = r.try_get("name").unwrap_or_default();
                [(code, id), (name, id)]
            })
            .collect();
    let zones: HashMap<String, i64> =
        sql::query("SELECT id, key, name FROM zones WHERE archived_at IS NULL")
            .fetch_all(tx.conn())
            .await?
            .iter()
            .flat_map(|r| {
                let id: i64 = r.try_get("id").unwrap_or_default();
                let key: String = r.try_get("key").unwrap_or_default();
                let name: String = r.try_get("name").unwrap_or_default();
                [(key, id), (name, id)]
            })
            .collect();
    let mut existing: HashMap<String, Enterprise> = HashMap::new();
    for chunk in rows.chunks(500) {
        let mut args = crate::sql::Args::default();
        let mut ph = Vec::with_capacity(chunk.len());
        for (i, (_, e)) in chunk.iter().enumerate() {
            args.add(e.credit_code.to_string());
            ph.push(crate::query::mark(tx.backend(), i + 1));
        }
        let sql = format!("{SELECT} WHERE e.credit_code IN ({})", ph.join(","));
        let found = sql::query_with(&sql, args).fetch_all(tx.conn()).await?;
        for e in decode(tx.conn(), &found).await? {
            existing.insert(e.credit_code.clone(), e);
        }
    }
    let mut new_rows: Vec<(String, i64, Option<i64>, &EnterpriseInput)> = Vec::new();
    for (rowno, input) in rows {
        let Some(&division_id) = divisions.get(input.division_code.as_str()) else {
            out.problems.push((
                *rowno,
                FieldError::new(
                    "division_code",
                    "unknown",
                    format!("没有代码为 {} 的镇街", input.division_code),
                    format!("no division has code {}", input.division_code),
                ),
            ));
            continue;
        };
        let zone_id = match &input.zone_key {
            Some(k) => match zones.get(k) {
                Some(z) => Some(*z),
                None => {
                    out.problems.push((
                        *rowno,
                        FieldError::new(
                            "zone_key",
                            "unknown",
                            format!("没有“{k}”这个园区"),
                            format!("no zone '{k}'"),
                        ),
                    ));
                    continue;
                }
            },
            None => None,
        };
        match existing.get(input.credit_code.as_str()) {
            Some(before) => {
                // A government importer never saw contacts the enterprise does not share (its
                // export left them out), so the file cannot erase or overwrite them.
                let merged;
                let input = if !before.share_contacts && !edit.own().contains(&before.id) {
                    let mut m = input.clone();
                    m.contact_name = before.contact_name.clone();
                    m.contact_phone = before.contact_phone.clone();
                    m.contact_email = before.contact_email.clone();
                    m.share_contacts = false;
                    merged = m;
                    &merged
                } else {
                    input
                };
                if before.to_input().as_ref() == Some(input) {
                    out.unchanged += 1;
                } else if !edit.contains(before.id, before.division_id, before.zone_id) {
                    out.problems.push((
                        *rowno,
                        FieldError::new(
                            "credit_code",
                            "out_of_scope",
                            "无权修改该企业",
                            "you may not change this enterprise",
                        ),
                    ));
                } else {
                    let before = before.clone();
                    write_update(tx, &before, division_id, zone_id, input).await?;
                    out.updated += 1;
                }
            }
            None => {
                if !(edit.is_all()
                    || edit.divisions().contains(&division_id)
                    || zone_id.is_some_and(|z| edit.zones().contains(&z)))
                {
                    out.problems.push((
                        *rowno,
                        FieldError::new(
                            "division_code",
                            "out_of_scope",
                            "您无权在该镇街登记企业",
                            "you may not register enterprises in that division",
                        ),
                    ));
                    continue;
                }
                new_rows.push((new_public_id(), division_id, zone_id, input));
            }
        }
    }
    if !out.problems.is_empty() {
        return Ok(out);
    }
    let t = now();
    const COLS: usize = 17;
    // Anonymous placeholders on SQLite (see query::mark), so large statements are cheap.
    for chunk in new_rows.chunks(200) {
        let mut args = crate::sql::Args::default();
        let mut values = Vec::with_capacity(chunk.len());
        let mut audit_args = crate::sql::Args::default();
        let mut audit_values = Vec::with_capacity(chunk.len());
        for (i, (pid, division_id, zone_id, e)) in chunk.iter().enumerate() {
            let b = i * COLS;
            values.push(crate::query::tuple(tx.backend(), b, COLS));
            args.add(Some(pid.clone()));
            args.add(Some(e.name.clone()));
            args.add(Some(e.credit_code.to_string()));
            args.add(e.legal_representative.clone());
            args.add(e.address.clone());
            args.add(Some(*division_id));
            args.add(*zone_id);
            args.add(Some(e.industry.code()));
            args.add(e.size.map(|s| s.as_str().to_string()));
            args.add(Some(tags_to_string(&e.tags)));
            args.add(e.contact_name.clone());
            args.add(e.contact_phone.clone());
            args.add(e.contact_email.clone());
            args.add(Some(e.share_contacts as i64));
            args.add(Some(e.status.as_str().to_string()));
            args.add(Some(t));
            args.add(Some(t));
            tx.push_audit_row(
                &mut audit_values,
                &mut audit_args,
                t,
                "enterprise.import_create",
                "enterprise",
                pid,
                format!("导入新增企业 {}", e.name),
                audit_json(e).to_string(),
            )?;
        }
        // RETURNING gives the new ids in the same statement (no second lookup by public id).
        let ids: HashMap<String, i64> = sql::query_with(
            &format!(
                "INSERT INTO enterprises (public_id, name, credit_code, legal_representative, address, division_id, \
                 zone_id, industry, size, tags, contact_name, contact_phone, contact_email, share_contacts, status, \
                 created_at, updated_at) VALUES {} RETURNING id, public_id",
                values.join(",")
            ),
            args,
        )
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String>("public_id")?, r.try_get::<i64>("id")?)))
        .collect::<Result<_>>()?;
        let mut terms = Vec::new();
        for (pid, _, _, e) in chunk {
            let id = *ids.get(pid).ok_or_else(|| {
                StorageError::Integrity(format!("insert returned no id for {pid}"))
            })?;
            for t in shoumi_domain::search::enterprise_terms(&e.name, &e.tags) {
                terms.push((t, id));
            }
        }
        // In term order: the index is keyed by (term, enterprise), so sorted rows land on
        // neighbouring pages instead of all over the tree.
        terms.sort_unstable();
        let backend = tx.backend();
        insert_terms(tx.conn(), backend, &terms).await?;
        tx.audit_many(audit_values, audit_args).await?;
        out.created += chunk.len();
    }
    Ok(out)
}

/// Resolves a credit code to an enterprise id, for granting enterprise roles. Administrators
/// only: the capability proves the caller may manage users.
pub async fn id_by_credit_code(
    db: &Db,
    _cap: shoumi_domain::Capability,
    code: &str,
) -> Result<Option<(i64, String)>> {
    let r = sql::query(
        "SELECT id, name FROM enterprises WHERE credit_code = $1 AND archived_at IS NULL",
    )
    .bind(code.trim().to_ascii_uppercase())
    .fetch_optional(db)
    .await?;
    r.map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .transpose()
}

/// Replaces the search terms of one enterprise.
async fn write_terms(
    conn: &mut crate::sql::Tx,
    backend: crate::Backend,
    id: i64,
    name: &str,
    tags: &[KeyTag],
) -> Result<()> {
    sql::query("DELETE FROM enterprise_terms WHERE enterprise_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let terms: Vec<(String, i64)> = shoumi_domain::search::enterprise_terms(name, tags)
        .into_iter()
        .map(|t| (t, id))
        .collect();
    insert_terms(conn, backend, &terms).await
}

async fn insert_terms(
    conn: &mut crate::sql::Tx,
    backend: crate::Backend,
    terms: &[(String, i64)],
) -> Result<()> {
    for chunk in terms.chunks(2_000) {
        let mut args = crate::sql::Args::default();
        let mut values = Vec::with_capacity(chunk.len());
        for (i, (t, id)) in chunk.iter().enumerate() {
            args.add(t.clone());
            args.add(*id);
            values.push(crate::query::tuple(backend, 2 * i, 2));
        }
        let sql = format!(
            "INSERT INTO enterprise_terms (term, enterprise_id) VALUES {} ON CONFLICT DO NOTHING",
            values.join(",")
        );
        sql::query_with(&sql, args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rebuilds the whole search index from the enterprises (after a migration, restore or copy).
/// The index is derived data: rebuilding it changes nothing a person sees, so it is not audited.
pub async fn rebuild_terms(db: &Db) -> Result<usize> {
    let mut tx = db.begin_raw(crate::sql::TxKind::Write).await?;
    sql::query("DELETE FROM enterprise_terms")
        .execute(&mut tx)
        .await?;
    let rows = sql::query("SELECT id, name, tags FROM enterprises WHERE archived_at IS NULL")
        .fetch_all(&mut tx)
        .await?;
    let mut terms = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let name: String = r.try_get("name")?;
        let tags: String = r.try_get("tags")?;
        for t in
            shoumi_domain::search::enterprise_terms(&name, &parse_tags(&tags).unwrap_or_default())
        {
            terms.push((t, id));
        }
        if terms.len() >= 500_000 {
            terms.sort_unstable();
            insert_terms(&mut tx, db.backend, &terms).await?;
            terms.clear();
        }
    }
    terms.sort_unstable();
    insert_terms(&mut tx, db.backend, &terms).await?;
    tx.commit().await?;
    Ok(rows.len())
}
