use shoumi_storage::{ConnectOptions, Db, sql};
use std::time::Instant;
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let db = Db::connect(&std::env::args().nth(1).unwrap(), ConnectOptions::default())
        .await
        .unwrap();
    let qs = [
        (
            "count",
            "SELECT COUNT(*) AS n FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1",
        ),
        (
            "list-ids",
            "SELECT e.id FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 ORDER BY e.name, e.id LIMIT 50 OFFSET 0",
        ),
        (
            "list-lookup",
            "SELECT e.id, e.updated_at FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 ORDER BY e.name, e.id LIMIT 50 OFFSET 0",
        ),
        (
            "list-sub1",
            "SELECT e.id, e.updated_at, (SELECT name FROM divisions WHERE id = e.division_id) FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 ORDER BY e.name, e.id LIMIT 50 OFFSET 0",
        ),
        (
            "list-sub-cached",
            "SELECT e.id, e.updated_at, e.division_id, e.zone_id FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 ORDER BY e.name, e.id LIMIT 50 OFFSET 0",
        ),
        (
            "list-cols",
            "SELECT e.id, e.public_id, e.name, e.credit_code, e.legal_representative, e.address, e.division_id, e.zone_id, e.industry, e.size, e.tags, e.contact_name, e.contact_phone, e.contact_email, e.share_contacts, e.status, e.created_at, e.updated_at FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 ORDER BY e.name, e.id LIMIT 50 OFFSET 0",
        ),
        (
            "list-full",
            "SELECT e.id, e.public_id, e.name, e.credit_code, e.legal_representative, e.address, e.division_id, (SELECT code FROM divisions WHERE id = e.division_id) AS division_code, (SELECT name FROM divisions WHERE id = e.division_id) AS division_name, e.zone_id, (SELECT key FROM zones WHERE id = e.zone_id) AS zone_key, (SELECT name FROM zones WHERE id = e.zone_id) AS zone_name, e.industry, e.size, e.tags, e.contact_name, e.contact_phone, e.contact_email, e.share_contacts, e.status, e.created_at, e.updated_at FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 ORDER BY e.name, e.id LIMIT 50 OFFSET 0",
        ),
    ];
    for (name, q) in qs {
        for _ in 0..50 {
            sql::query(q).fetch_all(&db).await.unwrap();
        }
        let n = 2000;
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
