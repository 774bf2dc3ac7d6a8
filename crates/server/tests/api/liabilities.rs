//! Proof of liabilities (issue 23 §4): a snapshot of every holder's balances as a Merkle sum
//! tree, its root logged as a leaf of the journal's log; a holder checks their leaf, path, root
//! and the log leaf with the proof crate's verifiers (not the server's code path); the totals are
//! the ledger's at the snapshot's line; payments go on while one is taken; and `qianbao verify`
//! names a bent leaf, node, head or log leaf.

use crate::helpers::{TestApp, call, qianbao, spawn_app, spawn_app_with, tamper, verify};
use crate::money_helpers::{answer, funded, transfer};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qianbao_proofs::commitment::account_commitment;
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::liability::SnapshotHead;
use qianbao_proofs::log::verify_inclusion;
use qianbao_proofs::sum_tree::{PathStep, Side, SumLeaf, SumNode, verify_path};
use serde_json::Value;
use std::collections::BTreeMap;

fn hash(v: &Value) -> Hash {
    B64.decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn sums(v: &Value) -> BTreeMap<String, i64> {
    serde_json::from_value(v.clone()).unwrap()
}

/// Whether `p`'s `leaf` (base64) is at `leaf_index` under `tree_size` and `root_hash` by its
/// `proof` (an inclusion proof's shape, also the liability proof's `log`).
fn included(p: &Value) -> bool {
    let leaf = B64.decode(p["leaf"].as_str().unwrap()).unwrap();
    let proof: Vec<Hash> = p["proof"].as_array().unwrap().iter().map(hash).collect();
    verify_inclusion(
        &leaf_hash(&leaf),
        p["leaf_index"].as_u64().unwrap(),
        p["tree_size"].as_u64().unwrap(),
        &proof,
        &hash(&p["root_hash"]),
    )
}

async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    answer(call(app, "GET", path, None, token).await).await
}

/// `qianbao admin liabilities snapshot`, its one JSON line.
fn snapshot(app: &TestApp) -> Value {
    let out = qianbao(app, &["admin", "liabilities", "snapshot"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Checks a liability proof with the proof crate alone: the commitment is over the holder's id,
/// the path leads to the root's hash and totals, and the snapshot's log leaf, which names that
/// root and those totals, is in the signed log. Answers the leaf's balances.
fn check_proof(p: &Value, wallet_id: &str) -> BTreeMap<String, i64> {
    let leaf = SumLeaf {
        salt: hash(&p["leaf"]["salt"]),
        commitment: hash(&p["leaf"]["commitment"]),
        balances: sums(&p["leaf"]["balances"]),
    };
    let id = p["leaf"]["id"].as_str().unwrap();
    assert_eq!(id, format!("wallet:{wallet_id}"));
    assert_eq!(account_commitment(&leaf.salt, id), leaf.commitment);
    let path: Vec<PathStep> = p["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| PathStep {
            side: if s["side"] == "left" {
                Side::Left
            } else {
                assert_eq!(s["side"], "right");
                Side::Right
            },
            hash: hash(&s["hash"]),
            sums: sums(&s["sums"]),
        })
        .collect();
    let root = SumNode {
        hash: hash(&p["root"]["hash"]),
        sums: sums(&p["root"]["sums"]),
    };
    assert_eq!(verify_path(&leaf, &path, &root), Ok(()));
    let log = &p["log"];
    let bytes = B64.decode(log["leaf"].as_str().unwrap()).unwrap();
    let head = SnapshotHead::parse(&bytes).unwrap();
    assert_eq!(head.id, p["snapshot_id"].as_str().unwrap());
    assert_eq!(head.root, root);
    assert!(included(log));
    leaf.balances
}

#[tokio::test]
async fn a_holder_checks_their_balance_is_counted_and_the_totals_are_the_ledgers() {
    let app = spawn_app().await;
    let a = funded(&app, "甲", 10_000).await;
    let b = funded(&app, "乙", 0).await;
    assert_eq!(transfer(&app, &a, &b, 2_500).await.status(), 201);

    let (status, body) = get_json(&app, "/v1/me/liability-proof", Some(&a.token)).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("no_snapshot")));

    let taken = snapshot(&app);
    // Every yuan the holders were given is owed back to them: 7,500 + 2,500 fen.
    assert_eq!(taken["totals"]["CNY"], 10_000, "{taken}");
    assert!(taken["leaves"].as_u64().unwrap() >= 2, "{taken}");

    let (status, p) = get_json(&app, "/v1/me/liability-proof", Some(&a.token)).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["snapshot_id"], taken["snapshot_id"]);
    assert_eq!(check_proof(&p, &a.wallet_id)["CNY"], 7_500);
    assert_eq!(p["root"]["sums"]["CNY"], 10_000);
    let (status, q) = get_json(&app, "/v1/me/liability-proof", Some(&b.token)).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(check_proof(&q, &b.wallet_id)["CNY"], 2_500);
    // Neither sees the other's leaf: different commitments, and a's path shows b's leaf only
    // as a hash and a sum, under no name.
    assert_ne!(p["leaf"]["commitment"], q["leaf"]["commitment"]);
    assert!(!p.to_string().contains(&b.wallet_id));

    // A bent balance or a dropped step does not verify.
    let bent = SumLeaf {
        salt: hash(&p["leaf"]["salt"]),
        commitment: hash(&p["leaf"]["commitment"]),
        balances: [("CNY".to_string(), 7_499)].into_iter().collect(),
    };
    let root = SumNode {
        hash: hash(&p["root"]["hash"]),
        sums: sums(&p["root"]["sums"]),
    };
    assert!(verify_path(&bent, &[], &root).is_err());

    // A transaction after the snapshot still proves: leaf indexes count the snapshot's leaf.
    let (status, paid) = answer(transfer(&app, &a, &b, 100).await).await;
    assert_eq!(status, 201, "{paid}");
    let path = format!("/v1/me/transactions/{}/proof", paid["id"].as_str().unwrap());
    let (status, t) = get_json(&app, &path, Some(&a.token)).await;
    assert_eq!(status, 200, "{t}");
    assert!(included(&t));

    // A wallet opened after the snapshot is in the next one, not this.
    let c = funded(&app, "丙", 0).await;
    let (status, body) = get_json(&app, "/v1/me/liability-proof", Some(&c.token)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("not_in_snapshot"))
    );

    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");
}

#[tokio::test]
async fn payments_go_on_while_a_snapshot_is_taken_and_its_totals_are_its_instants() {
    let app = spawn_app().await;
    let mut holders = Vec::new();
    for name in [
        "赵甲", "钱乙", "孙丙", "李丁", "周戊", "吴己", "郑庚", "王辛", "冯壬", "陈癸", "褚子",
        "卫丑",
    ] {
        holders.push(funded(&app, name, 5_000).await);
    }
    // Transfers in flight while the snapshot reads, builds and writes.
    let app = std::sync::Arc::new(app);
    let holders = std::sync::Arc::new(holders);
    let paying = {
        let (app, holders) = (app.clone(), holders.clone());
        tokio::spawn(async move {
            let mut ok = 0;
            for round in 0..40 {
                let from = &holders[round % holders.len()];
                let to = &holders[(round + 5) % holders.len()];
                if transfer(&app, from, to, 37).await.status() == 201 {
                    ok += 1;
                }
            }
            ok
        })
    };
    let snap_app = app.clone();
    let taken = tokio::task::spawn_blocking(move || snapshot(&snap_app))
        .await
        .unwrap();
    assert_eq!(paying.await.unwrap(), 40);
    assert_eq!(taken["totals"]["CNY"], 60_000, "{taken}");
    // verify replays the journal to the snapshot's line and finds every leaf as it was then.
    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");
}

#[tokio::test]
async fn verify_names_a_bent_leaf_node_head_or_log_leaf() {
    let app = spawn_app().await;
    let a = funded(&app, "丁", 9_000).await;
    let b = funded(&app, "戊", 1_000).await;
    assert_eq!(transfer(&app, &a, &b, 500).await.status(), 201);
    snapshot(&app);
    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");

    // A leaf's balance lowered by hand (the last byte of the tile: the last leaf's amount).
    let bend = if app.database.is_some() {
        "UPDATE liability_tiles SET leaves = overlay(leaves placing '\\x00'::bytea from length(leaves))"
    } else {
        "UPDATE liability_tiles SET leaves = CAST(substr(leaves, 1, length(leaves) - 1) || X'00' AS BLOB)"
    };
    // Before the bend, the holder's proof holds offline too.
    let (status, key) = get_json(&app, "/v1/proofs/key", None).await;
    assert_eq!(status, 200, "{key}");
    let key_file = app.dir.join("operator.vkey");
    std::fs::write(&key_file, key["vkey"].as_str().unwrap()).unwrap();
    let offline = |proof: &Value| {
        let file = app.dir.join("liability.json");
        std::fs::write(&file, proof.to_string()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_qianbao"))
            .args(["proof", "verify", "--public-key"])
            .arg(&key_file)
            .arg("--liability")
            .arg(&file)
            .output()
            .unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (_, p) = get_json(&app, "/v1/me/liability-proof", Some(&a.token)).await;
    assert_eq!(offline(&p).0, Some(0), "{p}");

    tamper(&app, bend).await;
    let (code, out) = verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("'s leaf says"), "{out}");
    assert!(out.contains("its root differs from its tiles'"), "{out}");
    // The tile no longer leads to the stored root: every holder in it gets a proof that fails.
    for h in [&a, &b] {
        let (status, p) = get_json(&app, "/v1/me/liability-proof", Some(&h.token)).await;
        assert_eq!(status, 200, "{p}");
        let (code, out) = offline(&p);
        assert_eq!(code, Some(1), "{out}");
        assert!(out.contains("root differs"), "{out}");
    }
}

#[tokio::test]
async fn verify_names_a_dropped_node_and_a_moved_instant() {
    let app = spawn_app().await;
    let a = funded(&app, "己", 4_000).await;
    let b = funded(&app, "庚", 0).await;
    assert_eq!(transfer(&app, &a, &b, 1_000).await.status(), 201);
    snapshot(&app);

    tamper(&app, "DELETE FROM liability_nodes").await;
    let (code, out) = verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("stores 0 nodes"), "{out}");

    // The head moved to an earlier line: the leaves are not that line's balances, and the log
    // leaf no longer says what the head says.
    tamper(
        &app,
        "UPDATE liability_snapshots SET journal_seq = journal_seq - 1",
    )
    .await;
    let (code, out) = verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("its leaf in the journal's log differs from its head"),
        "{out}"
    );
    assert!(out.contains("the journal gives"), "{out}");
}

#[tokio::test]
async fn the_daily_snapshot_is_taken_by_itself_once() {
    let app = spawn_app_with(|s| {
        s.liability_snapshot_at =
            qianbao_wallet::proofs::liabilities::SnapshotSchedule::parse("00:00");
    })
    .await;
    let a = funded(&app, "辛", 3_000).await;
    let mut found = None;
    for _ in 0..60 {
        let (status, p) = get_json(&app, "/v1/me/liability-proof", Some(&a.token)).await;
        if status == 200 {
            found = Some(p);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let p = found.expect("the daily snapshot within 30 s");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let day = qianbao_wallet::domain::ChinaDay::of_ms(now).date();
    assert_eq!(p["snapshot_id"], format!("ls-{day}"));
    assert_eq!(check_proof(&p, &a.wallet_id)["CNY"], 3_000);
    // Once a day: the next looks find it taken.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let (status, q) = get_json(&app, "/v1/me/liability-proof", Some(&a.token)).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["log"]["leaf_index"], p["log"]["leaf_index"]);
}
