//! How long the daily liability snapshot takes for 1,000,000 holders (issue 23's aim: under 60 s
//! on this machine, without stopping payments), through the real store and the wallet's own
//! `take_snapshot`: read every balance in one read snapshot, build the tiled sum tree, write its
//! tiles and nodes in short money transactions, log its leaf and publish it.
//!
//! The holders are seeded straight into `accounts` (one CNY wallet each, balances 1–99,999 fen,
//! every tenth with points too). While the snapshot runs, a second task keeps making money
//! transactions back to back — each takes the money lock that every payment takes, and reads and
//! writes a row — and the bench prints how long the longest of them waited: that is how long
//! the snapshot held payments up.
//!
//! Run with `cargo bench -p qianbao-store --bench liability_snapshot` (release, SQLite);
//! `QIANBAO_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` runs it on a fresh
//! PostgreSQL database made for it; `QIANBAO_BENCH_HOLDERS=N` changes the count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use qianbao_store::{Location, Storage};
use qianbao_wallet::proofs::liabilities::take_snapshot;
use qianbao_wallet::storage::RecordStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SEED_SQL: &str = "INSERT INTO accounts (id, owner, kind, currency, balance, held, created_ms)
     SELECT 1000000 + n, 'wallet:bench' || n, 'wallet', 'CNY', 1 + (n * 7919) % 99999, 0, 0
     FROM series";
const POINTS_SQL: &str =
    "INSERT INTO accounts (id, owner, kind, currency, balance, held, created_ms)
     SELECT 3000000 + n, 'wallet:bench' || n, 'points', 'PTS', n % 500, 0, 0
     FROM series WHERE n % 10 = 0";

fn main() {
    let holders: i64 = std::env::var("QIANBAO_BENCH_HOLDERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(holders));
}

async fn run(holders: i64) {
    let dir = std::env::temp_dir().join(format!("qianbao-pol-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pg = std::env::var("QIANBAO_BENCH_DATABASE_URL").ok();
    let (location, backend) = match &pg {
        Some(admin) => {
            let name = format!("qianbao_pol_bench_{}", std::process::id());
            exec_pg(admin, &format!("CREATE DATABASE {name}")).await;
            let url = match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("QIANBAO_BENCH_DATABASE_URL needs a database path"),
            };
            (Location::Postgres(url), "PostgreSQL")
        }
        None => (Location::SqliteDir(dir.clone()), "SQLite"),
    };
    let storage = Storage::open(&location).await.unwrap();

    let seeded = Instant::now();
    let series = format!(
        "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < {holders})"
    );
    match &location {
        Location::Postgres(url) => {
            let series =
                format!("WITH series(n) AS (SELECT generate_series(1::bigint, {holders}))");
            exec_pg(url, &format!("{series} {SEED_SQL}")).await;
            exec_pg(url, &format!("{series} {POINTS_SQL}")).await;
            exec_pg(url, "ANALYZE").await;
        }
        Location::SqliteDir(dir) => {
            let conn =
                rusqlite::Connection::open(dir.join(qianbao_store::sqlite::FILE_NAME)).unwrap();
            conn.execute_batch(&format!("{series} {SEED_SQL}; {series} {POINTS_SQL}"))
                .unwrap();
        }
    }
    println!(
        "{backend}: seeded {holders} holders in {}",
        tenths(seeded.elapsed())
    );

    // Money transactions back to back while the snapshot runs: the longest wait is how long it
    // held payments up.
    let storage = Arc::new(storage);
    let done = Arc::new(AtomicBool::new(false));
    let payments = {
        let (storage, done) = (storage.clone(), done.clone());
        tokio::spawn(async move {
            let mut waits = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                storage
                    .transact_money(|r| r.latest_liability_snapshot())
                    .await
                    .unwrap();
                waits.push(t.elapsed());
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            waits
        })
    };
    let started = Instant::now();
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let taken = take_snapshot(
        &*storage,
        &qianbao_wallet::OsRandomness,
        "ls-bench".into(),
        now_ms,
    )
    .await
    .unwrap()
    .expect("a snapshot");
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let mut waits = payments.await.unwrap();
    waits.sort();
    let at = |q: usize| waits[(waits.len() * q / 100).min(waits.len() - 1)];
    println!(
        "{backend}: snapshot of {} leaves (totals {:?}) built, written and logged in {}",
        taken.leaves,
        taken.root.sums,
        tenths(took)
    );
    println!(
        "{backend}: {} money transactions meanwhile: p50 {} ms, p99 {} ms, max {} ms",
        waits.len(),
        at(50).as_millis(),
        at(99).as_millis(),
        waits.last().copied().unwrap_or_default().as_millis()
    );
    drop(storage);
    if let (Some(admin), Location::Postgres(_)) = (&pg, &location) {
        exec_pg(
            admin,
            &format!(
                "DROP DATABASE IF EXISTS qianbao_pol_bench_{} WITH (FORCE)",
                std::process::id()
            ),
        )
        .await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A duration in seconds to a tenth, without floats (the workspace denies them).
fn tenths(d: Duration) -> String {
    let ds = d.as_millis() / 100;
    format!("{}.{} s", ds / 10, ds % 10)
}

async fn exec_pg(url: &str, sql: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client.batch_execute(sql).await.unwrap();
}
