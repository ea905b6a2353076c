//! The database access layer behaves the same on SQLite and (with `SHOUMI_TEST_DATABASE_URL`)
//! PostgreSQL: placeholders, NULLs, errors, transactions.

use std::time::Duration;

use shoumi_storage::scratch::ScratchDb;
use shoumi_storage::sql::{self, Args};
use shoumi_storage::{ConnectOptions, Db, StorageError};

struct Fresh {
    db: Db,
    _scratch: ScratchDb,
}

async fn fresh(acquire_timeout: Duration) -> Fresh {
    fresh_with(acquire_timeout, 4).await
}

async fn fresh_with(acquire_timeout: Duration, max_connections: u32) -> Fresh {
    let scratch = ScratchDb::new().await;
    let db = Db::connect(
        &scratch.url,
        ConnectOptions {
            max_connections,
            acquire_timeout,
            ..Default::default()
        },
    )
    .await
    .expect("connect");
    setup(&db).await;
    Fresh {
        db,
        _scratch: scratch,
    }
}

async fn rows_in_t(db: &Db) -> i64 {
    sql::query_scalar("SELECT COUNT(*) FROM t")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn setup(db: &Db) {
    sql::execute_batch(
        db,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT UNIQUE, n BIGINT, note TEXT)",
    )
    .await
    .expect("create table");
}

#[tokio::test]
async fn numbered_placeholders_bind_by_number_not_by_position() {
    let f = fresh(Duration::from_secs(5)).await;
    sql::query("INSERT INTO t (note, name, id) VALUES ($3, $2, $1)")
        .bind(1_i64)
        .bind("甲")
        .bind("备注")
        .execute(&f.db)
        .await
        .unwrap();
    let r = sql::query("SELECT id, name, note FROM t WHERE name = $1 AND id = $2")
        .bind("甲")
        .bind(1_i64)
        .fetch_one(&f.db)
        .await
        .unwrap();
    assert_eq!(r.try_get::<i64>("id").unwrap(), 1);
    assert_eq!(r.try_get::<String>("note").unwrap(), "备注");
}

#[tokio::test]
async fn anonymous_placeholders_take_arguments_in_order() {
    let f = fresh(Duration::from_secs(5)).await;
    let mut args = Args::default();
    let mut values = Vec::new();
    for i in 0..300_i64 {
        // Bulk statements use `?` on SQLite and `$N` on PostgreSQL.
        values.push(match f.db.backend {
            shoumi_storage::Backend::Sqlite => "(?, ?)".to_string(),
            shoumi_storage::Backend::Postgres => format!("(${}, ${})", 2 * i + 1, 2 * i + 2),
        });
        args.add(i);
        args.add(format!("n{i}"));
    }
    let stmt = format!("INSERT INTO t (id, name) VALUES {}", values.join(","));
    let done = sql::query_with(&stmt, args).execute(&f.db).await.unwrap();
    assert_eq!(done.rows_affected(), 300);
    let name: String = sql::query_scalar("SELECT name FROM t WHERE id = $1")
        .bind(299_i64)
        .fetch_one(&f.db)
        .await
        .unwrap();
    assert_eq!(name, "n299");
}

#[tokio::test]
async fn nulls_round_trip_with_their_type() {
    let f = fresh(Duration::from_secs(5)).await;
    sql::query("INSERT INTO t (id, name, n, note) VALUES ($1, $2, $3, $4)")
        .bind(1_i64)
        .bind(None::<String>)
        .bind(None::<i64>)
        .bind(Some("x".to_string()))
        .execute(&f.db)
        .await
        .unwrap();
    let r = sql::query("SELECT name, n, note FROM t")
        .fetch_one(&f.db)
        .await
        .unwrap();
    assert_eq!(r.try_get::<Option<String>>("name").unwrap(), None);
    assert_eq!(r.try_get::<Option<i64>>("n").unwrap(), None);
    assert_eq!(
        r.try_get::<Option<String>>("note").unwrap().as_deref(),
        Some("x")
    );
}

#[tokio::test]
async fn reading_a_column_as_the_wrong_type_names_the_column() {
    let f = fresh(Duration::from_secs(5)).await;
    sql::query("INSERT INTO t (id, name) VALUES (1, 'a')")
        .execute(&f.db)
        .await
        .unwrap();
    let r = sql::query("SELECT id, name FROM t")
        .fetch_one(&f.db)
        .await
        .unwrap();
    let e = r.try_get::<i64>("name").unwrap_err().to_string();
    assert!(e.contains("column name"), "{e}");
    let e = r.try_get::<i64>("missing").unwrap_err().to_string();
    assert!(e.contains("missing"), "{e}");
}

#[tokio::test]
async fn a_unique_violation_names_the_field() {
    let f = fresh(Duration::from_secs(5)).await;
    let ins = |id: i64| {
        sql::query("INSERT INTO t (id, name) VALUES ($1, 'same')")
            .bind(id)
            .execute(&f.db)
    };
    ins(1).await.unwrap();
    match ins(2).await {
        Err(StorageError::Duplicate { field }) => assert_eq!(field, "name"),
        other => panic!("expected a duplicate, got {other:?}"),
    }
}

#[tokio::test]
async fn no_row_is_not_found_and_fetch_optional_is_none() {
    let f = fresh(Duration::from_secs(5)).await;
    let none = sql::query("SELECT id FROM t WHERE id = $1")
        .bind(9_i64)
        .fetch_optional(&f.db)
        .await
        .unwrap();
    assert!(none.is_none());
    assert!(matches!(
        sql::query("SELECT id FROM t").fetch_one(&f.db).await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn a_dropped_write_transaction_leaves_nothing_behind() {
    let f = fresh(Duration::from_secs(5)).await;
    let actor = shoumi_storage::Actor::system("test");
    {
        let mut tx = f.db.begin(&actor).await.unwrap();
        sql::query("INSERT INTO t (id, name) VALUES (1, 'a')")
            .execute(tx.conn())
            .await
            .unwrap();
        // dropped without commit
    }
    assert_eq!(rows_in_t(&f.db).await, 0);
    // The connection went back to the pool usable, outside any transaction: a write through
    // the pool commits on its own.
    sql::query("INSERT INTO t (id, name) VALUES (2, 'b')")
        .execute(&f.db)
        .await
        .unwrap();
    assert_eq!(rows_in_t(&f.db).await, 1);
}

#[tokio::test]
async fn a_writer_waiting_behind_this_process_s_transaction_times_out_instead_of_hanging() {
    let f = fresh(Duration::from_millis(300)).await;
    if f.db.backend != shoumi_storage::Backend::Sqlite {
        return; // PostgreSQL has row locks, not one writer; nothing to wait for here
    }
    let actor = shoumi_storage::Actor::system("test");
    let _tx = f.db.begin(&actor).await.unwrap();
    let r = sql::query("INSERT INTO t (id, name) VALUES (1, 'a')")
        .execute(&f.db)
        .await;
    assert!(matches!(r, Err(StorageError::PoolTimedOut)), "{r:?}");
    // Reads are not held up by the writer.
    assert_eq!(rows_in_t(&f.db).await, 0);
}

#[tokio::test]
async fn writers_queueing_for_the_lock_leave_connections_to_readers() {
    let f = fresh_with(Duration::from_secs(5), 2).await;
    if f.db.backend != shoumi_storage::Backend::Sqlite {
        return; // the in-process writer lock is SQLite's
    }
    let actor = shoumi_storage::Actor::system("test");
    let tx = f.db.begin(&actor).await.unwrap(); // the write lock and one of two connections
    let db = f.db.clone();
    let writer = tokio::spawn(async move {
        sql::query("INSERT INTO t (id, name) VALUES (1, 'a')")
            .execute(&db)
            .await
    });
    tokio::time::sleep(Duration::from_millis(50)).await; // the writer now waits for the lock
    let n = tokio::time::timeout(Duration::from_secs(1), rows_in_t(&f.db))
        .await
        .expect("a reader must not wait behind a queued writer");
    assert_eq!(n, 0);
    drop(tx);
    writer.await.unwrap().unwrap();
    assert_eq!(rows_in_t(&f.db).await, 1);
}

#[tokio::test]
async fn a_transaction_abandoned_while_it_begins_leaves_no_connection_inside_it() {
    // A request whose client goes away is dropped wherever it is awaiting, possibly between a
    // BEGIN and its answer. Abandon many read transactions at varying moments…
    let f = fresh(Duration::from_secs(5)).await;
    for i in 0..400u64 {
        let _ = tokio::time::timeout(Duration::from_micros((i % 50) * 20), f.db.read()).await;
    }
    // …then every statement is committed on its own: no connection was handed back inside a
    // transaction (on PostgreSQL, a READ ONLY one refuses the INSERT, and an open one keeps the
    // row from the other connections).
    let mut handles = Vec::new();
    for id in 0..40_i64 {
        let db = f.db.clone();
        handles.push(tokio::spawn(async move {
            sql::query("INSERT INTO t (id) VALUES ($1)")
                .bind(id)
                .execute(&db)
                .await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(rows_in_t(&f.db).await, 40);
}
