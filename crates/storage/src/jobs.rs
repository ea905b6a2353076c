//! Background jobs, kept in the database: any instance may run any job, and a job claimed by an
//! instance that dies is picked up by another when its lease runs out.

use crate::sql;
use crate::{Backend, Db, Result, now};

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

/// Queues a job to run at `run_at` (Unix microseconds).
pub async fn enqueue(db: &Db, kind: &str, payload: &str, run_at: i64) -> Result<i64> {
    sql::query_scalar(
        "INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(kind.to_string())
    .bind(payload.to_string())
    .bind(run_at)
    .bind(now())
    .fetch_one(db)
    .await
}

/// Queues a job of `kind` unless one is already pending (for periodic housekeeping).
pub async fn ensure_pending(db: &Db, kind: &str, run_at: i64) -> Result<()> {
    let n: i64 = sql::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND done_at IS NULL")
        .bind(kind.to_string())
        .fetch_one(db)
        .await?;
    if n == 0 {
        enqueue(db, kind, "", run_at).await?;
    }
    Ok(())
}

/// Claims one due job for `worker` with a lease of `lease_secs`. The conditional UPDATE makes
/// the claim atomic: two instances racing for the same job cannot both get it.
pub async fn claim(db: &Db, worker: &str, lease_secs: i64) -> Result<Option<Job>> {
    let t = now();
    let candidate = sql::query(
        "SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
         ORDER BY run_at LIMIT 1",
    )
    .bind(t)
    .fetch_optional(db)
    .await?;
    let Some(c) = candidate else { return Ok(None) };
    let id: i64 = c.try_get("id")?;
    let claimed = sql::query(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
         WHERE id = $3 AND done_at IS NULL AND (locked_until IS NULL OR locked_until < $4) \
         RETURNING id, kind, payload, attempts",
    )
    .bind(worker.to_string())
    .bind(t + lease_secs * 1_000_000)
    .bind(id)
    .bind(t)
    .fetch_optional(db)
    .await?;
    claimed
        .map(|r| {
            Ok(Job {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                payload: r.try_get("payload")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .transpose()
}

pub async fn complete(db: &Db, id: i64) -> Result<()> {
    sql::query("UPDATE jobs SET done_at = $1, locked_until = NULL WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Records a failure and retries later with backoff; after 10 attempts the job is closed.
pub async fn fail(db: &Db, job: &Job, error: &str) -> Result<()> {
    let t = now();
    let done = (job.attempts >= 10).then_some(t);
    sql::query("UPDATE jobs SET last_error = $1, locked_until = NULL, run_at = $2, done_at = $3 WHERE id = $4")
        .bind(error.chars().take(500).collect::<String>())
        .bind(t + 30_000_000 * job.attempts.max(1))
        .bind(done)
        .bind(job.id)
        .execute(db)
        .await?;
    Ok(())
}

/// Housekeeping: forgets expired sessions and old login attempts. These are security records of
/// the server, not user data; the audit trail keeps the sign-ins themselves.
pub async fn housekeeping(db: &Db) -> Result<(u64, u64)> {
    let t = now();
    let day = 86_400_000_000i64;
    let s = sql::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(t - 30 * day)
        .execute(db)
        .await?
        .rows_affected();
    let a = sql::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(t - 90 * day)
        .execute(db)
        .await?
        .rows_affected();
    if db.backend == Backend::Sqlite {
        sql::query("PRAGMA optimize").execute(db).await?;
    }
    Ok((s, a))
}
