//! How long an inclusion proof takes to read at 1,000,000 leaves (issue 23's aim: under 5 ms):
//! a SQLite file with the `log_nodes` table as migration 0033 makes it, filled with the perfect
//! subtrees of 1,000,000 leaves appended as the store appends them, then 2,000 proofs for random
//! leaves at the full size, each read with one indexed point query per stored node it needs —
//! the store's own access path. Prints the build time and the proofs' p50, p99 and max.
//!
//! Run with `cargo bench -p qianbao-store --bench log_proof` (release); `QIANBAO_BENCH_QUICK=1`
//! uses 100,000 leaves. With `QIANBAO_BENCH_DATABASE_URL=postgres://…/postgres` the same table
//! lives in a fresh PostgreSQL database made for the run, and every node read is a round trip
//! to it, as the server's are.
#![allow(clippy::unwrap_used)]

use qianbao_proofs::hash::Hash;
use qianbao_proofs::log::{Nodes, inclusion_proof, root, verify_inclusion};
use qianbao_store::log::{LogHead, leaf_hash};
use rusqlite::{Connection, params};
use std::cell::RefCell;
use std::time::Instant;

struct SqlNodes<'c>(RefCell<rusqlite::CachedStatement<'c>>);

impl Nodes for SqlNodes<'_> {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        let index = i64::try_from(index).ok()?;
        self.0
            .borrow_mut()
            .query_row(params![i64::from(level), index], |r| r.get::<_, Vec<u8>>(0))
            .ok()
            .and_then(|h| h.try_into().ok())
    }
}

/// The same reads from PostgreSQL: one prepared point query per node, a round trip each.
struct PgNodes<'r> {
    runtime: &'r tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    select: tokio_postgres::Statement,
}

impl Nodes for PgNodes<'_> {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        let index = i64::try_from(index).ok()?;
        self.runtime
            .block_on(
                self.client
                    .query_opt(&self.select, &[&i64::from(level), &index]),
            )
            .ok()
            .flatten()
            .and_then(|r| r.get::<_, Vec<u8>>(0).try_into().ok())
    }
}

/// The server's access path on PostgreSQL: a dry run notes the nodes a proof needs, one
/// statement reads them all (`wallet::proofs::TxNodes::prefetch`), then the proof is computed.
fn prefetched_proof(nodes: &PgNodes<'_>, index: u64, size: u64) -> Vec<Hash> {
    let dry = qianbao_wallet::proofs::Recorder::default();
    let _ = inclusion_proof(index, size, &dry);
    let wanted = dry.asked();
    let levels: Vec<i64> = wanted.iter().map(|(l, _)| i64::from(*l)).collect();
    let indexes: Vec<i64> = wanted.iter().map(|(_, i)| *i as i64).collect();
    let rows = nodes
        .runtime
        .block_on(nodes.client.query(
            "SELECT level, idx, hash FROM log_nodes
             WHERE (level, idx) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))",
            &[&levels, &indexes],
        ))
        .unwrap();
    let found: std::collections::HashMap<(u32, u64), Hash> = rows
        .iter()
        .map(|r| {
            (
                (r.get::<_, i64>(0) as u32, r.get::<_, i64>(1) as u64),
                r.get::<_, Vec<u8>>(2).try_into().unwrap(),
            )
        })
        .collect();
    inclusion_proof(index, size, &found).unwrap()
}

/// Times 2,000 proofs for random leaves at the full size, each made by `nodes`; prints the
/// quantiles.
fn time_proofs(backend: &str, leaves: u64, nodes: &impl Nodes, head: &LogHead) {
    let top = root(leaves, nodes).unwrap();
    assert_eq!(top, head.root());
    time_made_proofs(backend, leaves, &top, 0x9e37_79b9_7f4a_7c15, |index| {
        inclusion_proof(index, leaves, nodes).unwrap()
    });
}

/// Times 2,000 proofs for leaves drawn from `seed`, each made by `prove` and checked against
/// `top`; prints the quantiles.
fn time_made_proofs(
    backend: &str,
    leaves: u64,
    top: &Hash,
    seed: u64,
    prove: impl Fn(u64) -> Vec<Hash>,
) {
    let mut times = Vec::new();
    let mut x = seed;
    for _ in 0..2_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let index = x % leaves;
        let t = Instant::now();
        let proof = prove(index);
        times.push(t.elapsed());
        assert!(verify_inclusion(
            &leaf_hash(&index.to_be_bytes()),
            index,
            leaves,
            &proof,
            top
        ));
    }
    print_quantiles(backend, leaves, times);
}

/// Prints a run's p50, p99 and max.
fn print_quantiles(backend: &str, leaves: u64, mut times: Vec<std::time::Duration>) {
    times.sort();
    // Microseconds at a quantile given in thousandths, shown as milliseconds.
    let at = |permille: usize| {
        let us = times[(times.len() - 1) * permille / 1000].as_micros();
        format!("{}.{:03} ms", us / 1000, us % 1000)
    };
    println!(
        "inclusion proofs at {leaves} leaves, read from {backend}: p50 {}, p99 {}, max {}",
        at(500),
        at(990),
        at(1000)
    );
}

fn postgres(admin: &str, leaves: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let name = format!("qianbao_log_bench_{}", std::process::id());
    let connect = |url: String| {
        runtime.block_on(async move {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client
        })
    };
    let base = admin.rsplit_once('/').unwrap().0.to_string();
    let admin_client = connect(admin.to_string());
    runtime
        .block_on(admin_client.batch_execute(&format!("CREATE DATABASE {name}")))
        .unwrap();
    let client = connect(format!("{base}/{name}"));
    runtime
        .block_on(client.batch_execute(
            "CREATE TABLE log_nodes (level BIGINT NOT NULL, idx BIGINT NOT NULL,
                 hash BYTEA NOT NULL, PRIMARY KEY (level, idx))",
        ))
        .unwrap();
    let started = Instant::now();
    let mut head = LogHead::from_row(0, 0, &[], vec![1; 32]).unwrap();
    let mut batch: (Vec<i64>, Vec<i64>, Vec<Vec<u8>>) = Default::default();
    let flush = |batch: &mut (Vec<i64>, Vec<i64>, Vec<Vec<u8>>)| {
        runtime
            .block_on(client.execute(
                "INSERT INTO log_nodes (level, idx, hash)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])",
                &[&batch.0, &batch.1, &batch.2],
            ))
            .unwrap();
        *batch = Default::default();
    };
    for i in 0..leaves {
        for (level, index, hash) in head.append_leaf(leaf_hash(&i.to_be_bytes())) {
            batch.0.push(level);
            batch.1.push(index);
            batch.2.push(hash.to_vec());
        }
        if batch.0.len() >= 20_000 {
            flush(&mut batch);
        }
    }
    flush(&mut batch);
    runtime
        .block_on(client.batch_execute("ANALYZE log_nodes"))
        .unwrap();
    println!(
        "log of {leaves} leaves built and stored in PostgreSQL in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let select = runtime
        .block_on(client.prepare("SELECT hash FROM log_nodes WHERE level = $1 AND idx = $2"))
        .unwrap();
    let nodes = PgNodes {
        runtime: &runtime,
        client,
        select,
    };
    time_proofs("PostgreSQL, a round trip per node", leaves, &nodes, &head);
    time_made_proofs(
        "PostgreSQL, prefetched in one statement",
        leaves,
        &head.root(),
        0x2545_f491_4f6c_dd1d,
        |index| prefetched_proof(&nodes, index, leaves),
    );
    drop(nodes);
    runtime
        .block_on(admin_client.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")))
        .unwrap();
}

fn main() {
    let leaves: u64 = if std::env::var_os("QIANBAO_BENCH_QUICK").is_some() {
        100_000
    } else {
        1_000_000
    };
    if let Ok(admin) = std::env::var("QIANBAO_BENCH_DATABASE_URL") {
        postgres(&admin, leaves);
        return;
    }
    let dir = std::env::temp_dir().join(format!("qianbao-log-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut conn = Connection::open(dir.join("log.db")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE log_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL,
             hash BLOB NOT NULL, PRIMARY KEY (level, idx));",
    )
    .unwrap();
    let started = Instant::now();
    let mut head = LogHead::from_row(0, 0, &[], vec![1; 32]).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare("INSERT INTO log_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")
            .unwrap();
        for i in 0..leaves {
            for (level, index, hash) in head.append_leaf(leaf_hash(&i.to_be_bytes())) {
                insert.execute(params![level, index, &hash[..]]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    println!(
        "log of {leaves} leaves built and stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let nodes = SqlNodes(RefCell::new(
        conn.prepare_cached("SELECT hash FROM log_nodes WHERE level = ?1 AND idx = ?2")
            .unwrap(),
    ));
    time_proofs("SQLite", leaves, &nodes, &head);
    std::fs::remove_dir_all(&dir).ok();
}
