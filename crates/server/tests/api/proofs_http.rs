//! The journal log over HTTP (issue 23): a holder fetches the signed checkpoint, checks it with
//! the operator's key, checks their transaction's inclusion proof and a consistency proof with
//! the proof crate's verifiers (not the server's code path), and bad requests are refused with a
//! named field; a configured witness's cosignature is accepted and an unknown one refused.

use crate::helpers::{call, post, spawn_app_with};
use crate::money_helpers::{Holder, answer, funded, transfer};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::SigningKey;
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::log::{verify_consistency, verify_inclusion};
use qianbao_proofs::note::{self, VerifierKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const WITNESS: &str = "witness.example/w1";

fn witness_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn hash(v: &Value) -> Hash {
    B64.decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(hash).collect()
}

/// Sends a transfer and answers the payer's transaction id.
async fn paid(app: &crate::helpers::TestApp, from: &Holder, to: &Holder, amount: i64) -> String {
    let (status, body) = answer(transfer(app, from, to, amount).await).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("a transaction id").to_string()
}

async fn get_json(app: &crate::helpers::TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    answer(call(app, "GET", path, None, token).await).await
}

/// The checkpoint, checked with the operator's key: the note opens, and `signature` is the
/// operator's over its text.
async fn checked_checkpoint(
    app: &crate::helpers::TestApp,
    vkey: &VerifierKey,
) -> (u64, Hash, String) {
    let (status, c) = get_json(app, "/v1/proofs/checkpoint", None).await;
    assert_eq!(status, 200, "{c}");
    let text = c["note"].as_str().unwrap().to_string();
    let opened = note::verify_note(&text, &vkey.name, &vkey.key).unwrap();
    assert_eq!(opened.origin, c["origin"].as_str().unwrap());
    assert_eq!(opened.size, c["size"].as_u64().unwrap());
    assert_eq!(opened.root, hash(&c["root_hash"]));
    let signature: [u8; 64] = B64
        .decode(c["signature"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    vkey.key
        .verify_strict(
            opened.body().as_bytes(),
            &ed25519_dalek::Signature::from_bytes(&signature),
        )
        .unwrap();
    (opened.size, opened.root, text)
}

#[tokio::test]
async fn a_holder_checks_their_transfer_is_in_the_signed_log_and_that_the_log_only_grew() {
    let app = spawn_app_with(|s| {
        s.log_origin = "wallet.test/log".into();
        s.witness_keys = vec![VerifierKey {
            name: WITNESS.into(),
            key: witness_key().verifying_key(),
        }];
        // Only on demand, so the test knows which sizes are signed.
        s.checkpoint_every = None;
    })
    .await;
    let a = funded(&app, "甲", 10_000).await;
    let b = funded(&app, "乙", 0).await;
    let mut ids = Vec::new();
    for amount in [100, 200, 300] {
        ids.push(paid(&app, &a, &b, amount).await);
    }

    let (status, key) = get_json(&app, "/v1/proofs/key", None).await;
    assert_eq!(status, 200, "{key}");
    let vkey = VerifierKey::parse(key["vkey"].as_str().unwrap()).unwrap();
    assert_eq!(vkey.name, "wallet.test/log");
    let (size, root, _) = checked_checkpoint(&app, &vkey).await;
    assert!(size >= 3, "{size}");

    // The inclusion proof of the holder's own transfer, checked with the proof crate only.
    let path = format!("/v1/me/transactions/{}/proof", ids[1]);
    let (status, p) = get_json(&app, &path, Some(&a.token)).await;
    assert_eq!(status, 200, "{p}");
    let leaf = B64.decode(p["leaf"].as_str().unwrap()).unwrap();
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(&leaf);
    let leaf_h: Hash = h.finalize().into();
    assert_eq!(leaf_h, leaf_hash(&leaf));
    let index = p["leaf_index"].as_u64().unwrap();
    assert_eq!(p["tree_size"].as_u64().unwrap(), size);
    assert_eq!(hash(&p["root_hash"]), root);
    assert!(verify_inclusion(
        &leaf_h,
        index,
        size,
        &hashes(&p["proof"]),
        &root
    ));
    // The leaf names the holder's account by the commitment handed back with its salt.
    let text = String::from_utf8(leaf.clone()).unwrap();
    assert!(text.starts_with("qianbao-log-leaf-v1\n"), "{text}");
    let accounts = p["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{p}");
    let commitment: String = hash(&accounts[0]["commitment"])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        text.contains(&format!("posting {commitment} CNY -200\n")),
        "{text}"
    );
    // A bent leaf or index does not verify.
    assert!(!verify_inclusion(
        &leaf_h,
        index + 1,
        size,
        &hashes(&p["proof"]),
        &root
    ));

    // At an older size the same leaf proves against that size's root.
    let older = index + 1;
    let (status, q) = get_json(&app, &format!("{path}?size={older}"), Some(&a.token)).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["tree_size"].as_u64().unwrap(), older);

    // Another holder's transaction is not found, and says nothing of it.
    let (status, body) = get_json(&app, &path, Some(&b.token)).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.get("leaf").is_none(), "{body}");

    // More transfers, a new checkpoint, and the log only grew.
    for amount in [400, 500] {
        paid(&app, &a, &b, amount).await;
    }
    let (size2, root2, note2) = checked_checkpoint(&app, &vkey).await;
    assert!(size2 >= size + 2, "{size} → {size2}");
    let (status, c) = get_json(
        &app,
        &format!("/v1/proofs/consistency?from={size}&to={size2}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        (c["from"].as_u64(), c["to"].as_u64()),
        (Some(size), Some(size2))
    );
    let proof = hashes(&c["proof"]);
    assert!(verify_consistency(size, size2, &root, &root2, &proof));
    assert!(!verify_consistency(size, size2, &root2, &root2, &proof));

    // Bad requests: a clear 4xx naming the field, never a 500.
    for (query, field) in [
        (format!("from={size2}&to={size}"), "from"),
        (format!("from=1&to={}", size2 + 1), "to"),
        (format!("from=0&to={size2}"), "from"),
    ] {
        let (status, body) = get_json(&app, &format!("/v1/proofs/consistency?{query}"), None).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["code"], "invalid_request", "{body}");
        assert_eq!(body["field"], field, "{query}: {body}");
    }
    for size in [size2 + 1, index, 0] {
        let (status, body) = get_json(&app, &format!("{path}?size={size}"), Some(&a.token)).await;
        assert_eq!(status, 422, "size {size}: {body}");
        assert_eq!(body["field"], "size", "{body}");
    }

    // A configured witness cosigns; the note then carries its line and still opens for both.
    let cosigned = note::add_signature(&note2, WITNESS, &witness_key()).unwrap();
    let line = cosigned.lines().last().unwrap().to_string();
    let cosign = format!("/v1/proofs/checkpoints/{size2}/cosign");
    let (status, body) = answer(post(&app, &cosign, json!({"signature": line}), None).await).await;
    assert_eq!(status, 200, "{body}");
    let stored = body["note"].as_str().unwrap();
    assert!(stored.ends_with(&format!("{line}\n")), "{stored}");
    note::open_note(stored, WITNESS, &witness_key().verifying_key()).unwrap();
    note::open_note(stored, &vkey.name, &vkey.key).unwrap();
    // The raw 64 bytes with the key's name do too (and the same witness twice changes nothing).
    let raw = witness_key().sign_raw(note2.split("\n\n").next().unwrap());
    let (status, again) = answer(
        post(
            &app,
            &cosign,
            json!({"key_name": WITNESS, "signature": B64.encode(raw)}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["note"], body["note"]);

    // A key the operator did not configure is refused, and a bad signature by the witness's name.
    let stranger = SigningKey::from_bytes(&[9; 32]);
    let by_stranger = note::add_signature(&note2, "stranger.example/w", &stranger).unwrap();
    let line = by_stranger.lines().last().unwrap();
    let (status, body) = answer(post(&app, &cosign, json!({"signature": line}), None).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("witness_unknown")),
        "{body}"
    );
    let forged = stranger.sign_raw(note2.split("\n\n").next().unwrap());
    let (status, body) = answer(
        post(
            &app,
            &cosign,
            json!({"key_name": WITNESS, "signature": B64.encode(forged)}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("signature_invalid")),
        "{body}"
    );
    // No checkpoint of that size.
    let (status, body) = answer(
        post(
            &app,
            &format!("/v1/proofs/checkpoints/{}/cosign", size2 + 100),
            json!({"signature": line}),
            None,
        )
        .await,
    )
    .await;
    assert!(status == 403 || status == 404, "{status} {body}");
}

/// Signs `text ‖ "\n"` (a note's text ends in a newline) with the raw Ed25519 key.
trait SignRaw {
    fn sign_raw(&self, text: &str) -> [u8; 64];
}

impl SignRaw for SigningKey {
    fn sign_raw(&self, text: &str) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.sign(format!("{text}\n").as_bytes()).to_bytes()
    }
}

#[tokio::test]
async fn reads_at_once_share_one_checkpoint_signed_under_the_default_origin() {
    let app = spawn_app_with(|s| s.checkpoint_every = None).await;
    let a = funded(&app, "丙", 1_000).await;
    let b = funded(&app, "丁", 0).await;
    paid(&app, &a, &b, 100).await;
    let (_, key) = get_json(&app, "/v1/proofs/key", None).await;
    let vkey = VerifierKey::parse(key["vkey"].as_str().unwrap()).unwrap();
    assert_eq!(vkey.name, "qianbao.local/log");
    let reads = (0..8).map(|_| get_json(&app, "/v1/proofs/checkpoint", None));
    let answers = futures_util::future::join_all(reads).await;
    let first = &answers[0].1;
    for (status, c) in &answers {
        assert_eq!(*status, 200, "{c}");
        assert_eq!(c, first);
    }
    let (size, _, _) = checked_checkpoint(&app, &vkey).await;
    assert_eq!(size, first["size"].as_u64().unwrap());
}

/// Writes `value` as JSON to `name` under `dir`.
fn file(dir: &std::path::Path, name: &str, value: &Value) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

#[tokio::test]
async fn the_servers_proofs_hold_under_the_offline_verifier_and_a_bent_one_does_not() {
    let app = spawn_app_with(|s| s.checkpoint_every = None).await;
    let (a, b) = (
        funded(&app, "甲", 10_000).await,
        funded(&app, "乙", 0).await,
    );
    let id = paid(&app, &a, &b, 300).await;
    let (_, key) = get_json(&app, "/v1/proofs/key", None).await;
    let (_, old) = get_json(&app, "/v1/proofs/checkpoint", None).await;
    let (status, proof) = get_json(
        &app,
        &format!("/v1/me/transactions/{id}/proof"),
        Some(&a.token),
    )
    .await;
    assert_eq!(status, 200, "{proof}");
    paid(&app, &a, &b, 200).await;
    let (_, new) = get_json(&app, "/v1/proofs/checkpoint", None).await;
    let (status, consistency) = get_json(
        &app,
        &format!(
            "/v1/proofs/consistency?from={}&to={}",
            old["size"], new["size"]
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{consistency}");

    let dir = app.dir.join("offline");
    std::fs::create_dir_all(&dir).unwrap();
    let vkey = dir.join("operator.vkey");
    std::fs::write(&vkey, key["vkey"].as_str().unwrap()).unwrap();
    let run = |args: &[&std::path::Path]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_qianbao"));
        cmd.args(["proof", "verify", "--public-key"]).arg(&vkey);
        for pair in args.chunks(2) {
            cmd.arg(pair[0]).arg(pair[1]);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let flag = |f: &str| std::path::PathBuf::from(f);
    let (inclusion, checkpoint) = (
        file(&dir, "inclusion.json", &proof),
        file(&dir, "old.json", &old),
    );
    let (code, out) = run(&[
        &flag("--inclusion"),
        &inclusion,
        &flag("--checkpoint"),
        &checkpoint,
    ]);
    assert_eq!(code, Some(0), "{out}");
    let newer = file(&dir, "new.json", &new);
    let cons = file(&dir, "consistency.json", &consistency);
    let (code, out) = run(&[
        &flag("--consistency"),
        &cons,
        &flag("--old-checkpoint"),
        &checkpoint,
        &flag("--checkpoint"),
        &newer,
    ]);
    assert_eq!(code, Some(0), "{out}");

    // The inclusion proof against the newer checkpoint's root: refused, naming why.
    let (code, out) = run(&[
        &flag("--inclusion"),
        &inclusion,
        &flag("--checkpoint"),
        &newer,
    ]);
    assert_eq!(code, Some(1), "{out}");
}
