use shoumi_storage::{ConnectOptions, Db, sql};
use std::time::Instant;
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let db = Db::connect(&std::env::args().nth(1).unwrap(), ConnectOptions::default())
        .await
        .unwrap();
    let cols = "e.id, e.public_id, e.name, e.credit_code, e.division_id, e.zone_id, e.industry, e.size, e.tags, e.status, e.created_at, e.updated_at";
    let code = format!(
        "SELECT {cols} FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 AND e.credit_code >= '91371623MA' AND e.credit_code < '91371623MB' ORDER BY e.name, e.id LIMIT 50"
    );
    let code2 = format!(
        "SELECT {cols} FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 AND e.credit_code >= '91371623MA' AND e.credit_code < '91371623MB' ORDER BY e.name || '', e.id LIMIT 50"
    );
    let tag = format!(
        "SELECT {cols} FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 AND e.id IN (SELECT enterprise_id FROM enterprise_terms WHERE term = 'tag:gazelle') ORDER BY e.name, e.id LIMIT 50"
    );
    let tag2 = format!(
        "SELECT {cols} FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 AND e.id IN (SELECT enterprise_id FROM enterprise_terms WHERE term = 'tag:gazelle') ORDER BY e.name || '', e.id LIMIT 50"
    );
    let qs = [
        (
            "code-count",
            "SELECT COUNT(*) FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 AND e.credit_code >= '91371623MA' AND e.credit_code < '91371623MB'",
        ),
        ("code-list", code.as_str()),
        ("code-list-expr", code2.as_str()),
        (
            "tag-count",
            "SELECT COUNT(*) FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 AND e.id IN (SELECT enterprise_id FROM enterprise_terms WHERE term = 'tag:gazelle')",
        ),
        ("tag-list", tag.as_str()),
        ("tag-list-expr", tag2.as_str()),
    ];
    if let Ok(p) = std::env::var("PRAGMAS") {
        sql::execute_batch(&db, &p).await.unwrap();
    }
    for (name, q) in qs {
        for _ in 0..3 {
            sql::query(q).fetch_all(&db).await.unwrap();
        }
        let n = 20;
        let t = Instant::now();
        for _ in 0..n {
            sql::query(q).fetch_all(&db).await.unwrap();
        }
        println!(
            "{name}: {:.1} us",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}
