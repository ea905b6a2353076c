//! Importing a file of enterprises or units: parse every row (exchange), check every row against
//! the database (storage), and write only if nothing is wrong — all in one transaction.

use shoumi_domain::{Action, Principal};
use shoumi_exchange::{ENTERPRISE_COLUMNS, ExchangeError, RowProblem, Severity, UNIT_COLUMNS};
use shoumi_storage::{Actor, Db, StorageError, enterprises, orgs};

/// What an import did.
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportResult {
    pub problems: Vec<RowProblem>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportResult {
    pub fn is_clean(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Unreadable(#[from] ExchangeError),
    #[error("not allowed")]
    Forbidden,
    #[error("unknown kind of file: {0} (enterprises or units)")]
    Kind(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn header_of(columns: &[shoumi_exchange::Column], field: &str) -> String {
    columns
        .iter()
        .find(|c| c.field == field)
        .map(|c| c.zh.to_string())
        .unwrap_or_else(|| field.to_string())
}

/// Imports `bytes` (XLSX or CSV) as `kind` ("enterprises" or "units") on behalf of `principal`.
pub async fn import_file(
    db: &Db,
    actor: &Actor,
    principal: &Principal,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportResult, ImportError> {
    principal
        .can(Action::Import)
        .ok_or(ImportError::Forbidden)?;
    let mut result = ImportResult::default();
    match kind {
        "enterprises" | "" => {
            let outcome = shoumi_exchange::import_enterprises(file_name, bytes)?;
            result.problems = outcome.problems.clone();
            if !outcome.is_clean() {
                return Ok(result);
            }
            let rows: Vec<(usize, shoumi_domain::EnterpriseInput)> =
                outcome.rows.into_iter().map(|r| (r.row, r.value)).collect();
            let mut tx = db.begin(actor).await?;
            shoumi_storage::bulk::prepare(&mut tx)?;
            let batch =
                enterprises::import_batch(&mut tx, &principal.enterprise_edit_scope(), &rows)
                    .await?;
            for (row, e) in &batch.problems {
                result.problems.push(RowProblem {
                    row: *row,
                    column: header_of(ENTERPRISE_COLUMNS, &e.field),
                    field: e.field.clone(),
                    message_zh: e.message_zh.clone(),
                    message_en: e.message_en.clone(),
                    severity: Severity::Error,
                });
            }
            result.problems.sort_by_key(|p| p.row);
            result.created = batch.created;
            result.updated = batch.updated;
            result.unchanged = batch.unchanged;
            if !result.is_clean() {
                // Dropping the transaction rolls everything back.
                result.created = 0;
                result.updated = 0;
                return Ok(result);
            }
            if batch.created + batch.updated > 0 {
                tx.audit(
                    "import.enterprises",
                    "import",
                    None,
                    &format!("导入企业文件 {file_name}：新增 {}，更新 {}", batch.created, batch.updated),
                    None,
                    Some(&serde_json::json!({"file": file_name, "created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged})),
                )
                .await?;
                tx.commit().await?;
            }
        }
        "units" => {
            let cap = principal
                .can(Action::ManageOrganisations)
                .ok_or(ImportError::Forbidden)?;
            let outcome = shoumi_exchange::import_units(file_name, bytes)?;
            result.problems = outcome.problems.clone();
            if !outcome.is_clean() {
                return Ok(result);
            }
            let known: std::collections::HashSet<String> =
                orgs::units(db, &orgs::UnitQuery::default())
                    .await?
                    .into_iter()
                    .map(|u| u.name)
                    .collect();
            let mut tx = db.begin(actor).await?;
            for r in &outcome.rows {
                let existed = known.contains(&r.value.name);
                match orgs::upsert_unit(&mut tx, cap, None, &r.value).await {
                    Ok((_, changed)) => match (existed, changed) {
                        (false, _) => result.created += 1,
                        (true, true) => result.updated += 1,
                        (true, false) => result.unchanged += 1,
                    },
                    Err(StorageError::Invalid(errs)) => {
                        for e in errs.errors {
                            result.problems.push(RowProblem {
                                row: r.row,
                                column: header_of(UNIT_COLUMNS, &e.field),
                                field: e.field.clone(),
                                message_zh: e.message_zh,
                                message_en: e.message_en,
                                severity: Severity::Error,
                            });
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            result.problems.sort_by_key(|p| p.row);
            if !result.is_clean() {
                result.created = 0;
                result.updated = 0;
                return Ok(result);
            }
            if result.created + result.updated > 0 {
                tx.audit(
                    "import.units",
                    "import",
                    None,
                    &format!("导入单位文件 {file_name}"),
                    None,
                    Some(&serde_json::json!({"file": file_name, "created": result.created, "updated": result.updated})),
                )
                .await?;
                tx.commit().await?;
            }
        }
        other => return Err(ImportError::Kind(other.to_string())),
    }
    Ok(result)
}
