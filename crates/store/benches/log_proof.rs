//! How long an inclusion proof takes to read at 1,000,000 leaves (issue 23's aim: under 5 ms):
//! a SQLite file with the `log_nodes` table as migration 0033 makes it, filled with the perfect
//! subtrees of 1,000,000 leaves appended as the store appends them, then 2,000 proofs for random
//! leaves at the full size, each read with one indexed point query per stored node it needs —
//! the store's own access path. Prints the build time and the proofs' p50, p99 and max.
//!
//! Run with `cargo bench -p qianbao-store --bench log_proof` (release); `QIANBAO_BENCH_QUICK=1`
//! uses 100,000 leaves.
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

fn main() {
    let leaves: u64 = if std::env::var_os("QIANBAO_BENCH_QUICK").is_some() {
        100_000
    } else {
        1_000_000
    };
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
    let top = root(leaves, &nodes).unwrap();
    assert_eq!(top, head.root());
    let mut times = Vec::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let index = x % leaves;
        let t = Instant::now();
        let proof = inclusion_proof(index, leaves, &nodes).unwrap();
        times.push(t.elapsed());
        assert!(verify_inclusion(
            &leaf_hash(&index.to_be_bytes()),
            index,
            leaves,
            &proof,
            &top
        ));
    }
    times.sort();
    // Microseconds at a quantile given in thousandths, shown as milliseconds.
    let at = |permille: usize| {
        let us = times[(times.len() - 1) * permille / 1000].as_micros();
        format!("{}.{:03} ms", us / 1000, us % 1000)
    };
    println!(
        "inclusion proofs at {leaves} leaves, read from SQLite: p50 {}, p99 {}, max {}",
        at(500),
        at(990),
        at(1000)
    );
    std::fs::remove_dir_all(&dir).ok();
}
