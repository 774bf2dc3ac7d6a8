//! Statement exports that carry the journal log's proofs (issue 23 §3): the JSON and CSV exports
//! with `proofs=true` prove every line under one signed checkpoint, the proof crate and the
//! offline verifier (`qianbao proof verify --statement`, from files and from URLs) accept them,
//! and a bent leaf, a swapped entry, another checkpoint or another key is refused naming the
//! line. Bad requests are 422 naming the field; a holder sees only their own lines.

use crate::helpers::{TestApp, call, spawn_app_with, tamper};
use crate::money_helpers::{Holder, answer, funded, transfer};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::log::verify_inclusion;
use qianbao_proofs::note::{VerifierKey, verify_note};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn hash(v: &Value) -> Hash {
    B64.decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    answer(call(app, "GET", path, None, token).await).await
}

async fn get_text(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    let r = call(app, "GET", path, None, Some(token)).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Sends a transfer and answers the payer's record id.
async fn paid(app: &TestApp, from: &Holder, to: &Holder, amount: i64) -> String {
    let (status, body) = answer(transfer(app, from, to, amount).await).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// `qianbao proof verify` with `args`, run beside the server without blocking it (URL inputs
/// are served by this same runtime): (exit code, stdout + stderr).
async fn proof_verify(args: &[&str]) -> (Option<i32>, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_qianbao"))
        .args(["proof", "verify"])
        .args(args)
        .env_remove("QIANBAO_TOKEN")
        .output()
        .await
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Two holders, a top-up and three transfers between them, checkpoints only on demand.
async fn wallet() -> (TestApp, Holder, Holder, Vec<String>) {
    let app = spawn_app_with(|s| s.checkpoint_every = None).await;
    let a = funded(&app, "甲", 10_000).await;
    let b = funded(&app, "乙", 0).await;
    let mut ids = Vec::new();
    for amount in [100, 200, 300] {
        ids.push(paid(&app, &a, &b, amount).await);
    }
    (app, a, b, ids)
}

#[tokio::test]
async fn a_json_statement_proves_every_line_under_one_signed_checkpoint() {
    let (app, a, b, ids) = wallet().await;
    let (_, key) = get_json(&app, "/v1/proofs/key", None).await;
    let vkey = VerifierKey::parse(key["vkey"].as_str().unwrap()).unwrap();

    // Without proofs: the lines and their entries, no checkpoint, no proofs.
    let (status, plain) = get_json(&app, "/v1/me/transactions.json", Some(&a.token)).await;
    assert_eq!(status, 200, "{plain}");
    assert!(plain["checkpoint"].is_null(), "{plain}");
    let lines = plain["transactions"].as_array().unwrap();
    assert_eq!(lines.len(), 4, "a top-up and three transfers: {plain}");
    assert!(lines.iter().all(|l| l["proof"].is_null()), "{plain}");
    assert_eq!(lines[0]["id"], ids[2].as_str(), "newest first");
    assert_eq!(lines[0]["type"], "transfer");
    assert_eq!(lines[0]["amount"], 300);
    assert_eq!(lines[3]["type"], "topup");

    let (status, st) = get_json(&app, "/v1/me/transactions.json?proofs=true", Some(&a.token)).await;
    assert_eq!(status, 200, "{st}");
    let cp = &st["checkpoint"];
    let opened = verify_note(cp["note"].as_str().unwrap(), &vkey.name, &vkey.key).unwrap();
    assert_eq!(opened.size, cp["size"].as_u64().unwrap());
    assert_eq!(opened.root, hash(&cp["root_hash"]));
    let lines = st["transactions"].as_array().unwrap();
    assert_eq!(lines.len(), 4);
    for line in lines {
        let p = &line["proof"];
        assert_eq!(p["tree_size"].as_u64(), Some(opened.size), "{line}");
        assert_eq!(hash(&p["root_hash"]), opened.root);
        let leaf = B64.decode(p["leaf"].as_str().unwrap()).unwrap();
        let proof: Vec<Hash> = p["proof"].as_array().unwrap().iter().map(hash).collect();
        assert!(verify_inclusion(
            &leaf_hash(&leaf),
            p["leaf_index"].as_u64().unwrap(),
            opened.size,
            &proof,
            &opened.root
        ));
        let text = String::from_utf8(leaf).unwrap();
        let entry = line["entry"].as_str().unwrap();
        assert!(text.contains(&format!("\nentry {entry}\n")), "{text}");
        // The same proof, field for field, as the single-transaction route at that size.
        let (status, single) = get_json(
            &app,
            &format!(
                "/v1/me/transactions/{}/proof?size={}",
                line["id"].as_str().unwrap(),
                opened.size
            ),
            Some(&a.token),
        )
        .await;
        assert_eq!(status, 200, "{single}");
        assert_eq!(&single, p);
    }

    // The payee's statement: only their own lines, and their own commitments in the same leaves.
    let (status, theirs) =
        get_json(&app, "/v1/me/transactions.json?proofs=true", Some(&b.token)).await;
    assert_eq!(status, 200, "{theirs}");
    let their_lines = theirs["transactions"].as_array().unwrap();
    assert!(
        their_lines
            .iter()
            .all(|l| !ids.contains(&l["id"].as_str().unwrap().to_owned())),
        "{theirs}"
    );
    let commitments = |lines: &[Value]| -> Vec<String> {
        lines
            .iter()
            .flat_map(|l| l["proof"]["accounts"].as_array().unwrap().clone())
            .map(|a| a["commitment"].as_str().unwrap().to_owned())
            .collect()
    };
    let (mine, others) = (commitments(lines), commitments(their_lines));
    assert!(!mine.is_empty() && !others.is_empty());
    assert!(
        mine.iter().all(|c| !others.contains(c)),
        "{mine:?} {others:?}"
    );

    // Offline: the key as GET /v1/proofs/key answers it, and the statement.
    let dir = app.dir.join("statement");
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = write(&dir, "key.json", &key.to_string());
    let good = write(&dir, "statement.json", &st.to_string());
    let (code, out) = proof_verify(&["--public-key", s(&key_file), "--statement", s(&good)]).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!(
            "statement holds: 4 lines included in qianbao.local/log at size {}",
            opened.size
        )),
        "{out}"
    );

    // One leaf bent (the amount of the second line): refused, naming that line.
    let mut bent = st.clone();
    let leaf = B64
        .decode(bent["transactions"][1]["proof"]["leaf"].as_str().unwrap())
        .unwrap();
    let text = String::from_utf8(leaf)
        .unwrap()
        .replace(" -200\n", " -201\n");
    bent["transactions"][1]["proof"]["leaf"] = json!(B64.encode(text));
    let file = write(&dir, "bent.json", &bent.to_string());
    let (code, out) = proof_verify(&["--public-key", s(&key_file), "--statement", s(&file)]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("line {}: proof does not verify", ids[1])),
        "{out}"
    );

    // Another line's proof under this line: its leaf's entry is not this record's.
    let mut swapped = st.clone();
    swapped["transactions"][0]["proof"] = st["transactions"][3]["proof"].clone();
    let file = write(&dir, "swapped.json", &swapped.to_string());
    let (code, out) = proof_verify(&["--public-key", s(&key_file), "--statement", s(&file)]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("line {}: entry differs", ids[2])),
        "{out}"
    );

    // A later checkpoint pasted in: every proof is at another size.
    paid(&app, &a, &b, 50).await;
    let (_, later) = get_json(&app, "/v1/proofs/checkpoint", None).await;
    let mut moved = st.clone();
    moved["checkpoint"] = later.clone();
    let file = write(&dir, "moved.json", &moved.to_string());
    let (code, out) = proof_verify(&["--public-key", s(&key_file), "--statement", s(&file)]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("line {}: tree size differs", ids[2])),
        "{out}"
    );
    // And --checkpoint naming another checkpoint than the statement's own.
    let later_file = write(&dir, "later.json", &later.to_string());
    let (code, out) = proof_verify(&[
        "--public-key",
        s(&key_file),
        "--statement",
        s(&good),
        "--checkpoint",
        s(&later_file),
    ])
    .await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("tree size differs"), "{out}");

    // Another operator's key.
    let stranger = VerifierKey {
        name: vkey.name.clone(),
        key: ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key(),
    };
    let stranger = write(&dir, "stranger.vkey", &stranger.to_string());
    let (code, out) = proof_verify(&["--public-key", s(&stranger), "--statement", s(&good)]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("signature does not verify"), "{out}");

    // A statement without proofs carries nothing to check: unusable.
    let file = write(&dir, "plain.json", &plain.to_string());
    let (code, out) = proof_verify(&["--public-key", s(&key_file), "--statement", s(&file)]).await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("proofs=true"), "{out}");
}

/// A CSV export's rows, up to the first blank line, split naïvely (the test data has no quoted
/// commas): header and rows.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().take_while(|l| !l.is_empty());
    let split = |l: &str| -> Vec<String> {
        l.split(',')
            .map(|f| f.trim_matches('"').to_owned())
            .collect()
    };
    let header = split(lines.next().unwrap());
    (header, lines.map(split).collect())
}

#[tokio::test]
async fn a_csv_statement_carries_the_proof_columns_and_rows_without_an_entry_stay_empty() {
    let (app, a, b, ids) = wallet().await;
    let (_, key) = get_json(&app, "/v1/proofs/key", None).await;
    let (_, cp) = get_json(&app, "/v1/proofs/checkpoint", None).await;
    let size = cp["size"].as_u64().unwrap();
    // A line after the checkpoint: under `size` it has no proof yet.
    let late = paid(&app, &a, &b, 50).await;
    // A record with no ledger entry behind it (as a failed one has none).
    let topup_id = {
        let (_, st) = get_json(&app, "/v1/me/transactions.json", Some(&a.token)).await;
        let lines = st["transactions"].as_array().unwrap().clone();
        lines.last().unwrap()["id"].as_str().unwrap().to_owned()
    };
    tamper(
        &app,
        &format!("UPDATE movements SET entry_id = NULL WHERE id = '{topup_id}'"),
    )
    .await;

    let path = format!("/v1/me/transactions.csv?lang=en&proofs=true&size={size}");
    let (status, csv) = get_text(&app, &path, &a.token).await;
    assert_eq!(status, 200, "{csv}");
    let (header, rows) = csv_rows(&csv);
    assert_eq!(
        header[10..],
        [
            "entry",
            "leaf_index",
            "tree_size",
            "leaf",
            "proof",
            "accounts",
            "checkpoint_size",
            "checkpoint_root"
        ]
    );
    assert_eq!(rows.len(), 5, "{csv}");
    let column =
        |row: &Vec<String>, name: &str| row[header.iter().position(|h| h == name).unwrap()].clone();
    for row in &rows {
        assert_eq!(column(row, "checkpoint_size"), size.to_string(), "{row:?}");
        let root = column(row, "checkpoint_root");
        assert_eq!(
            root.trim_start_matches('\''),
            cp["root_hash"].as_str().unwrap()
        );
        let id = &row[0];
        if *id == late || *id == topup_id {
            // Logged after the checkpoint, or no entry at all: empty proof columns.
            assert!(column(row, "leaf").is_empty(), "{row:?}");
            assert!(column(row, "leaf_index").is_empty(), "{row:?}");
            assert_eq!(column(row, "entry").is_empty(), *id == topup_id, "{row:?}");
        } else {
            assert!(ids.contains(id), "{row:?}");
            assert_eq!(column(row, "tree_size"), size.to_string());
            assert!(!column(row, "leaf").is_empty(), "{row:?}");
        }
    }
    // The JSON export says the same of those two lines.
    let (status, st) = get_json(
        &app,
        &format!("/v1/me/transactions.json?proofs=true&size={size}"),
        Some(&a.token),
    )
    .await;
    assert_eq!(status, 200, "{st}");
    for line in st["transactions"].as_array().unwrap() {
        let id = line["id"].as_str().unwrap();
        assert_eq!(
            line["proof"].is_null(),
            id == late || id == topup_id,
            "{line}"
        );
        assert_eq!(line["entry"].is_null(), id == topup_id, "{line}");
    }

    // Offline: the CSV under the checkpoint it names, in both languages.
    let dir = app.dir.join("csv");
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = write(&dir, "operator.vkey", key["vkey"].as_str().unwrap());
    let cp_file = write(&dir, "checkpoint.json", &cp.to_string());
    let csv_file = write(&dir, "statement.csv", &csv);
    let (code, out) = proof_verify(&[
        "--public-key",
        s(&key_file),
        "--statement",
        s(&csv_file),
        "--checkpoint",
        s(&cp_file),
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!("statement holds: 3 lines included in qianbao.local/log at size {size} (2 without a proof")),
        "{out}"
    );
    let (status, zh) = get_text(
        &app,
        &format!("/v1/me/transactions.csv?proofs=true&size={size}"),
        &a.token,
    )
    .await;
    assert_eq!(status, 200);
    assert!(zh.starts_with("\u{feff}交易号,"), "{zh}");
    let zh_file = write(&dir, "statement-zh.csv", &zh);
    let (code, out) = proof_verify(&[
        "--public-key",
        s(&key_file),
        "--statement",
        s(&zh_file),
        "--checkpoint",
        s(&cp_file),
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");

    // Without the checkpoint there is nothing signed to check against: unusable.
    let (code, out) =
        proof_verify(&["--public-key", s(&key_file), "--statement", s(&csv_file)]).await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("--checkpoint"), "{out}");
    // The latest checkpoint is not the one the rows name.
    let (_, latest) = get_json(&app, "/v1/proofs/checkpoint", None).await;
    assert_ne!(latest["size"].as_u64(), Some(size));
    let latest_file = write(&dir, "latest.json", &latest.to_string());
    let (code, out) = proof_verify(&[
        "--public-key",
        s(&key_file),
        "--statement",
        s(&csv_file),
        "--checkpoint",
        s(&latest_file),
    ])
    .await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("tree size differs"), "{out}");
    // A bent leaf in one row.
    let first_proven = rows.iter().find(|r| !column(r, "leaf").is_empty()).unwrap();
    let leaf = column(first_proven, "leaf");
    let text = String::from_utf8(B64.decode(&leaf).unwrap()).unwrap();
    let bent_leaf = B64.encode(text.replacen("kind transfer", "kind hold", 1));
    let bent = write(&dir, "bent.csv", &csv.replacen(&leaf, &bent_leaf, 1));
    let (code, out) = proof_verify(&[
        "--public-key",
        s(&key_file),
        "--statement",
        s(&bent),
        "--checkpoint",
        s(&cp_file),
    ])
    .await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("line {}: proof does not verify", first_proven[0])),
        "{out}"
    );
}

#[tokio::test]
async fn the_verifier_fetches_urls_with_the_holders_token_and_names_a_refusal() {
    let (app, a, _b, ids) = wallet().await;
    let base = &app.address;
    let key = format!("{base}/v1/proofs/key");
    let statement = format!("{base}/v1/me/transactions.json?proofs=true");
    let (code, out) = proof_verify(&[
        "--public-key",
        &key,
        "--statement",
        &statement,
        "--token",
        &a.token,
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("statement holds: 4 lines included"), "{out}");

    // The CSV and its checkpoint, both fetched; and one inclusion proof.
    let (_, cp) = get_json(&app, "/v1/proofs/checkpoint", None).await;
    let csv = format!(
        "{base}/v1/me/transactions.csv?proofs=true&size={}",
        cp["size"]
    );
    let checkpoint = format!("{base}/v1/proofs/checkpoint");
    let (code, out) = proof_verify(&[
        "--public-key",
        &key,
        "--statement",
        &csv,
        "--checkpoint",
        &checkpoint,
        "--token",
        &a.token,
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");
    let inclusion = format!("{base}/v1/me/transactions/{}/proof", ids[0]);
    let (code, out) = proof_verify(&[
        "--public-key",
        &key,
        "--inclusion",
        &inclusion,
        "--checkpoint",
        &checkpoint,
        "--token",
        &a.token,
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("inclusion holds"), "{out}");

    // Without the token: the server's 401 and its problem code, exit 2.
    let (code, out) = proof_verify(&["--public-key", &key, "--statement", &statement]).await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("401"), "{out}");
    assert!(out.contains("(unauthorized: "), "{out}");
    // Another holder's transaction by URL: 404, exit 2, nothing of it shown.
    let (code, out) = proof_verify(&[
        "--public-key",
        &key,
        "--inclusion",
        &inclusion,
        "--token",
        &_b.token,
    ])
    .await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("404"), "{out}");
    // No server there.
    let (code, out) = proof_verify(&[
        "--public-key",
        "http://127.0.0.1:9/v1/proofs/key",
        "--statement",
        &statement,
    ])
    .await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("127.0.0.1:9"), "{out}");
}

#[tokio::test]
async fn bad_export_requests_are_refused_naming_the_field() {
    let (app, a, _b, ids) = wallet().await;
    for (path, field) in [
        ("/v1/me/transactions.json?proofs=maybe", Some("proofs")),
        ("/v1/me/transactions.csv?proofs=maybe", Some("proofs")),
        ("/v1/me/transactions.json?proofs=TRUE", Some("proofs")),
        ("/v1/me/transactions.json?size=3", Some("size")),
        ("/v1/me/transactions.csv?size=3&proofs=false", Some("size")),
        (
            "/v1/me/transactions.json?proofs=true&size=999999",
            Some("size"),
        ),
        (
            "/v1/me/transactions.csv?proofs=true&size=999999",
            Some("size"),
        ),
        ("/v1/me/transactions.json?proofs=true&size=-1", Some("size")),
        ("/v1/me/transactions.json?type=lottery", Some("type")),
        ("/v1/me/transactions.json?limit=5", None),
        ("/v1/me/transactions.json?lang=en", None),
        ("/v1/me/transactions.json?proofs=true&size=x", None),
    ] {
        let (status, body) = get_json(&app, path, Some(&a.token)).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["code"], "invalid_request", "{path}: {body}");
        if let Some(field) = field {
            assert_eq!(body["field"], field, "{path}: {body}");
        }
    }
    // Without a session: 401, nothing shown.
    let (status, body) = get_json(&app, "/v1/me/transactions.json?proofs=true", None).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.get("transactions").is_none(), "{body}");

    // More than 1,000 records: with proofs refused whole, naming `proofs`; without, exported.
    let values: Vec<String> = (0..1_001)
        .map(|i| format!("('{}-{i:04}')", ids[0]))
        .collect();
    tamper(
        &app,
        &format!(
            "WITH c(id) AS (VALUES {})
             INSERT INTO movements (id, owner_id, kind, direction, channel, amount, fee, currency,
                 counterparty, peer_id, status, memo, entry_id, card_id, created_ms, updated_ms)
             SELECT c.id, m.owner_id, m.kind, m.direction, m.channel, m.amount, m.fee, m.currency,
                 m.counterparty, m.peer_id, m.status, m.memo, m.entry_id, m.card_id,
                 m.created_ms, m.updated_ms
             FROM movements m, c WHERE m.id = '{}'",
            values.join(", "),
            ids[0]
        ),
    )
    .await;
    let (status, body) =
        get_json(&app, "/v1/me/transactions.json?proofs=true", Some(&a.token)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "proofs", "{body}");
    let (status, body) = get_text(&app, "/v1/me/transactions.csv?proofs=true", &a.token).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = get_json(&app, "/v1/me/transactions.json", Some(&a.token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["transactions"].as_array().unwrap().len(), 1_005);
}

#[tokio::test]
async fn after_a_liability_snapshot_the_statement_and_the_liability_proof_check_out() {
    let (app, a, b, _) = wallet().await;
    // A snapshot's leaf joins the log between journal lines: the leaves after it are one further
    // along than their journal sequence says.
    let out = crate::helpers::qianbao(&app, &["admin", "liabilities", "snapshot"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let after = paid(&app, &a, &b, 70).await;
    let base = &app.address;
    let key = format!("{base}/v1/proofs/key");
    let checkpoint = format!("{base}/v1/proofs/checkpoint");
    let (code, out) = proof_verify(&[
        "--public-key",
        &key,
        "--statement",
        &format!("{base}/v1/me/transactions.json?proofs=true"),
        "--token",
        &a.token,
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("statement holds: 5 lines included"), "{out}");
    let (status, single) = get_json(
        &app,
        &format!("/v1/me/transactions/{after}/proof"),
        Some(&a.token),
    )
    .await;
    assert_eq!(status, 200, "{single}");

    // The liability proof, tied to the signed log by its snapshot's leaf.
    let (code, out) = proof_verify(&[
        "--public-key",
        &key,
        "--liability",
        &format!("{base}/v1/me/liability-proof"),
        "--checkpoint",
        &checkpoint,
        "--token",
        &a.token,
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("and the snapshot is leaf"), "{out}");
    // Another snapshot's id on this proof: the logged leaf names the real one.
    let (status, mut proof) = get_json(&app, "/v1/me/liability-proof", Some(&a.token)).await;
    assert_eq!(status, 200, "{proof}");
    proof["snapshot_id"] = json!("ls-1999-01-01");
    let dir = app.dir.join("liability");
    std::fs::create_dir_all(&dir).unwrap();
    let file = write(&dir, "liability.json", &proof.to_string());
    let (code, out) = proof_verify(&[
        "--public-key",
        &key,
        "--liability",
        s(&file),
        "--checkpoint",
        &checkpoint,
    ])
    .await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("snapshot id differs"), "{out}");
}
