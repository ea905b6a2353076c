use shoumi_storage::{ConnectOptions, Db, sql};
use std::time::Instant;
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let db = Db::connect(&std::env::args().nth(1).unwrap(), ConnectOptions::default())
        .await
        .unwrap();
    let qs = [
        (
            "count-table",
            "SELECT CAST(COALESCE(SUM(e.live), 0) AS BIGINT) AS n FROM enterprise_counts e WHERE 1 = 1",
        ),
        (
            "list",
            "SELECT e.id, e.public_id, e.name, e.credit_code, e.legal_representative, e.address, e.division_id, e.zone_id, e.industry, e.size, e.tags, e.contact_name, e.contact_phone, e.contact_email, e.share_contacts, e.status, e.created_at, e.updated_at FROM enterprises e WHERE e.archived_at IS NULL AND 1 = 1 ORDER BY e.name, e.id LIMIT 50 OFFSET 0",
        ),
        (
            "areas",
            "SELECT 0 AS k, id, code AS a, name FROM divisions WHERE id IN (1,2,3,4,5,6,7,8,9,10,11,12,13) UNION ALL SELECT 1 AS k, id, key AS a, name FROM zones WHERE id IN (1)",
        ),
        (
            "session",
            "SELECT s.id AS sid, s.csrf_token, s.last_seen_at, u.id AS uid, u.username, u.display_name, u.must_change_password, g.role, g.scope_kind, g.scope_id, un.division_id AS unit_division_id, un.zone_id AS unit_zone_id FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN grants g ON g.user_id = u.id AND g.revoked_at IS NULL LEFT JOIN units un ON g.scope_kind = 'unit' AND un.id = g.scope_id WHERE s.token_hash = 'x' AND s.revoked_at IS NULL AND s.expires_at > 0 AND u.disabled = 0 ORDER BY g.id",
        ),
        ("select1", "SELECT 1"),
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
