//! The portable transaction layer, run on SQLite and PostgreSQL: values round-trip, placeholders
//! bind by number, a failed transaction keeps nothing, a taken unique key is `Duplicate`,
//! read-then-write transactions racing each other lose no update on either backend, and writes
//! held back to be sent with the next statement are seen, kept and failed like any other.
#![allow(clippy::unwrap_used)]

use qianbao_store::{Location, Mode, Storage, Tx, Value};
use qianbao_wallet::StoreError;

const TABLE: &str = "CREATE TABLE notes (
    id    BIGINT PRIMARY KEY,
    body  TEXT,
    data  BYTEA,
    count BIGINT NOT NULL DEFAULT 0
)";

/// A fresh store with a `notes` table, and what to drop afterwards.
struct Fixture {
    storage: Storage,
    cleanup: Box<dyn FnOnce()>,
}

async fn sqlite() -> Fixture {
    let dir = std::env::temp_dir().join(format!("qianbao-portable-{}", uuid_like()));
    let storage = Storage::open(&Location::SqliteDir(dir.clone()))
        .await
        .unwrap();
    storage.transact(|tx| tx.execute(TABLE, &[])).await.unwrap();
    Fixture {
        storage,
        cleanup: Box::new(move || {
            let _ = std::fs::remove_dir_all(dir);
        }),
    }
}

async fn postgres() -> Option<Fixture> {
    let base = std::env::var("QIANBAO_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (admin, conn) = match tokio_postgres::connect(&base, tokio_postgres::NoTls).await {
        Ok(pair) => pair,
        Err(e) => {
            assert!(
                std::env::var_os("QIANBAO_REQUIRE_POSTGRES").is_none(),
                "PostgreSQL is required: {e}"
            );
            eprintln!("skipped: no PostgreSQL at {base}");
            return None;
        }
    };
    tokio::spawn(conn);
    let name = format!("qb_portable_{}", uuid_like());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let storage = Storage::open(&Location::Postgres(url)).await.unwrap();
    storage.transact(|tx| tx.execute(TABLE, &[])).await.unwrap();
    Some(Fixture {
        storage,
        cleanup: Box::new(move || {
            let _ = std::process::Command::new("psql")
                .args([
                    &base,
                    "-q",
                    "-c",
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ])
                .output();
        }),
    })
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}

async fn every_kind_of_value_round_trips(s: &Storage) {
    let back = s
        .transact(|tx| {
            tx.execute(
                "INSERT INTO notes (id, body, data, count) VALUES ($1, $2, $3, $4)",
                &[
                    Value::Int(1),
                    "张三 '; DROP TABLE notes; --".into(),
                    Value::Bytes(vec![0, 255, 7]),
                    Value::Int(i64::MIN),
                ],
            )?;
            tx.execute(
                "INSERT INTO notes (id, body, data) VALUES ($1, $2, $3)",
                &[Value::Int(2), Value::Null, Value::Null],
            )?;
            tx.query("SELECT id, body, data, count FROM notes ORDER BY id", &[])
        })
        .await
        .unwrap();
    assert_eq!(back[0].int(0).unwrap(), 1);
    assert_eq!(back[0].text(1).unwrap(), "张三 '; DROP TABLE notes; --");
    assert_eq!(back[0].bytes(2).unwrap(), vec![0, 255, 7]);
    assert_eq!(back[0].int(3).unwrap(), i64::MIN);
    assert_eq!(back[1].opt_text(1).unwrap(), None);
    assert_eq!(back[1].opt_bytes(2).unwrap(), None);
    assert!(
        back[1].text(1).is_err(),
        "a NULL read as required text must be an error"
    );
}

async fn placeholders_bind_by_number_even_out_of_order_and_repeated(s: &Storage) {
    let row = s
        .transact(|tx| {
            tx.execute(
                "INSERT INTO notes (body, id, count) VALUES ($2, $1, $1)",
                &[Value::Int(7), "seven".into()],
            )?;
            tx.query_one(
                "SELECT body, count FROM notes WHERE id = $1 AND count = $1",
                &[Value::Int(7)],
            )
        })
        .await
        .unwrap();
    assert_eq!(
        (row.text(0).unwrap().as_str(), row.int(1).unwrap()),
        ("seven", 7)
    );
}

async fn a_failed_transaction_keeps_nothing(s: &Storage) {
    let failed = s
        .transact(|tx| {
            tx.execute(
                "INSERT INTO notes (id, body) VALUES ($1, $2)",
                &[Value::Int(10), "kept?".into()],
            )?;
            Err::<(), _>(StoreError::Unavailable("the work gave up".into()))
        })
        .await;
    assert!(failed.is_err());
    let found = s
        .transact(|tx| tx.query_opt("SELECT id FROM notes WHERE id = $1", &[Value::Int(10)]))
        .await
        .unwrap();
    assert!(found.is_none(), "a row of the failed transaction was kept");
}

async fn a_taken_unique_key_is_a_duplicate_and_keeps_nothing_else(s: &Storage) {
    s.transact(|tx| tx.execute("INSERT INTO notes (id) VALUES ($1)", &[Value::Int(20)]))
        .await
        .unwrap();
    let again = s
        .transact(|tx| {
            tx.execute("INSERT INTO notes (id) VALUES ($1)", &[Value::Int(21)])?;
            tx.execute("INSERT INTO notes (id) VALUES ($1)", &[Value::Int(20)])
        })
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    let n = s
        .transact(|tx| tx.query_one("SELECT count(*) FROM notes WHERE id = 21", &[]))
        .await
        .unwrap()
        .int(0)
        .unwrap();
    assert_eq!(n, 0);
}

async fn racing_read_then_write_transactions_lose_no_update(s: &Storage) {
    s.transact(|tx| tx.execute("INSERT INTO notes (id, count) VALUES (30, 0)", &[]))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                s.transact(|tx: &mut dyn Tx| {
                    let n = tx
                        .query_one("SELECT count FROM notes WHERE id = 30", &[])?
                        .int(0)?;
                    tx.execute(
                        "UPDATE notes SET count = $1 WHERE id = 30",
                        &[Value::Int(n + 1)],
                    )
                })
                .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let n = s
        .transact(|tx| tx.query_one("SELECT count FROM notes WHERE id = 30", &[]))
        .await
        .unwrap()
        .int(0)
        .unwrap();
    assert_eq!(n, 40, "an increment was lost");
}

async fn held_back_writes_are_read_back_in_order_and_kept_at_commit(s: &Storage) {
    let seen = s
        .transact(|tx| {
            tx.write(
                "INSERT INTO notes (id, count) VALUES ($1, $2)",
                &[Value::Int(40), Value::Int(1)],
            )?;
            tx.write("UPDATE notes SET count = count * 10 WHERE id = 40", &[])?;
            tx.write("UPDATE notes SET count = count + 2 WHERE id = 40", &[])?;
            let n = tx
                .query_one("SELECT count FROM notes WHERE id = 40", &[])?
                .int(0)?;
            // The last statement of the work is a write: it must still reach the commit.
            tx.write("UPDATE notes SET body = 'last' WHERE id = 40", &[])?;
            Ok(n)
        })
        .await
        .unwrap();
    assert_eq!(
        seen, 12,
        "the writes ran out of order or not before the read"
    );
    let row = s
        .transact(|tx| tx.query_one("SELECT count, body FROM notes WHERE id = 40", &[]))
        .await
        .unwrap();
    assert_eq!(
        (row.int(0).unwrap(), row.text(1).unwrap()),
        (12, "last".into())
    );
}

async fn a_held_back_duplicate_fails_the_transaction_and_keeps_nothing(s: &Storage) {
    s.transact(|tx| tx.execute("INSERT INTO notes (id) VALUES ($1)", &[Value::Int(50)]))
        .await
        .unwrap();
    let again = s
        .transact(|tx| {
            tx.write("INSERT INTO notes (id) VALUES ($1)", &[Value::Int(51)])?;
            tx.write("INSERT INTO notes (id) VALUES ($1)", &[Value::Int(50)])
        })
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    let n = s
        .transact(|tx| tx.query_one("SELECT count(*) FROM notes WHERE id = 51", &[]))
        .await
        .unwrap()
        .int(0)
        .unwrap();
    assert_eq!(n, 0, "a write of the failed transaction was kept");
}

/// Money calls share one transaction, each in a savepoint: a call whose last, held-back write is
/// refused must fail alone, with nothing of it kept, while the calls batched with it commit.
async fn a_money_call_whose_held_back_write_fails_fails_alone(s: &Storage) {
    s.transact(|tx| tx.execute("INSERT INTO notes (id) VALUES (60)", &[]))
        .await
        .unwrap();
    let calls: Vec<_> = (0..60_i64)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                let result = s
                    .transact_in(Mode::Money, move |tx: &mut dyn Tx| {
                        tx.write(
                            "INSERT INTO notes (id, body) VALUES ($1, 'call')",
                            &[Value::Int(1000 + i)],
                        )?;
                        if i % 4 == 0 {
                            // Taken: refused only when the call's writes are sent.
                            tx.write("INSERT INTO notes (id) VALUES (60)", &[])?;
                        }
                        Ok(())
                    })
                    .await;
                (i, result)
            })
        })
        .collect();
    for call in calls {
        let (i, result) = call.await.unwrap();
        if i % 4 == 0 {
            assert!(
                matches!(result, Err(StoreError::Duplicate(_))),
                "call {i}: {result:?}"
            );
        } else {
            result.unwrap_or_else(|e| panic!("call {i} failed with its neighbour: {e:?}"));
        }
    }
    let kept: Vec<i64> = s
        .transact(|tx| tx.query("SELECT id FROM notes WHERE id >= 1000 ORDER BY id", &[]))
        .await
        .unwrap()
        .iter()
        .map(|row| row.int(0).unwrap() - 1000)
        .collect();
    let expected: Vec<i64> = (0..60).filter(|i| i % 4 != 0).collect();
    assert_eq!(kept, expected);
}

/// A read made ahead answers the same read later — but never once its table was written, by a
/// held-back write, an `execute` or a statement returning rows.
async fn a_read_made_ahead_never_answers_after_its_table_is_written(s: &Storage) {
    s.transact(|tx| tx.execute("INSERT INTO notes (id, count) VALUES (70, 1)", &[]))
        .await
        .unwrap();
    let read = "SELECT count FROM notes WHERE id = $1";
    let seen = s
        .transact(move |tx| {
            let ahead = || vec![(read.to_string(), vec![Value::Int(70)])];
            let count = |tx: &mut dyn Tx| tx.query_one(read, &[Value::Int(70)])?.int(0);
            let mut seen = Vec::new();
            tx.read_ahead(ahead())?;
            seen.push(count(tx)?);
            tx.read_ahead(ahead())?;
            tx.write("UPDATE notes SET count = 2 WHERE id = 70", &[])?;
            seen.push(count(tx)?);
            tx.read_ahead(ahead())?;
            tx.execute("UPDATE notes SET count = 3 WHERE id = 70", &[])?;
            seen.push(count(tx)?);
            tx.read_ahead(ahead())?;
            tx.query("UPDATE notes SET count = 4 WHERE id = 70 RETURNING id", &[])?;
            seen.push(count(tx)?);
            tx.read_ahead(ahead())?;
            tx.write("DELETE FROM notes WHERE id = 70", &[])?;
            seen.push(
                tx.query(read, &[Value::Int(70)])?
                    .len()
                    .try_into()
                    .unwrap_or(-1),
            );
            Ok(seen)
        })
        .await
        .unwrap();
    assert_eq!(seen, vec![1, 2, 3, 4, 0]);
}

/// Reads made ahead answer a batch of reads (`query_all`) too, with what was not read ahead asked
/// for then; and a read that names a table only in a subquery is dropped once that table is written.
async fn a_batch_takes_what_was_read_ahead_and_never_a_stale_subquery(s: &Storage) {
    s.transact(|tx| {
        tx.execute(
            "INSERT INTO notes (id, count) VALUES (80, 1), (81, 10)",
            &[],
        )
    })
    .await
    .unwrap();
    let plain = "SELECT count FROM notes WHERE id = $1";
    let nested = "SELECT n FROM (SELECT count AS n FROM notes WHERE id = $1) t";
    let seen = s
        .transact(move |tx| {
            let batch = |tx: &mut dyn Tx| -> Result<Vec<i64>, StoreError> {
                let rows =
                    tx.query_all(&[(plain, &[Value::Int(81)]), (nested, &[Value::Int(80)])])?;
                rows.iter().map(|r| r[0].int(0)).collect()
            };
            let mut seen = Vec::new();
            // Only the nested read was made ahead; the batch asks for the other.
            tx.read_ahead(vec![(nested.to_string(), vec![Value::Int(80)])])?;
            seen.extend(batch(tx)?);
            tx.read_ahead(vec![(nested.to_string(), vec![Value::Int(80)])])?;
            tx.write("UPDATE notes SET count = 2 WHERE id = 80", &[])?;
            seen.extend(batch(tx)?);
            Ok(seen)
        })
        .await
        .unwrap();
    assert_eq!(seen, vec![10, 1, 10, 2]);
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let f = super::sqlite().await;
                super::$name(&f.storage).await;
                (f.cleanup)();
            })*
        }
        mod on_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(f) = super::postgres().await else { return };
                super::$name(&f.storage).await;
                (f.cleanup)();
            })*
        }
    };
}

on_both!(
    every_kind_of_value_round_trips,
    placeholders_bind_by_number_even_out_of_order_and_repeated,
    a_failed_transaction_keeps_nothing,
    a_taken_unique_key_is_a_duplicate_and_keeps_nothing_else,
    racing_read_then_write_transactions_lose_no_update,
    held_back_writes_are_read_back_in_order_and_kept_at_commit,
    a_held_back_duplicate_fails_the_transaction_and_keeps_nothing,
    a_money_call_whose_held_back_write_fails_fails_alone,
    a_read_made_ahead_never_answers_after_its_table_is_written,
    a_batch_takes_what_was_read_ahead_and_never_a_stale_subquery,
);
