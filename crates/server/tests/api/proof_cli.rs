//! `qianbao proof verify` run as the real binary on proofs made here with `qianbao_proofs`
//! directly, written as the contract's JSON (issue 23): good proofs exit 0, a flipped hash, a
//! wrong key, a changed note or a negative sum exit 1 naming the reason, unusable input exits 2.
//! No database and no server.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::SigningKey;
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::log::{appended, consistency_proof, inclusion_proof, root};
use qianbao_proofs::note::{Checkpoint, VerifierKey, sign_note};
use qianbao_proofs::sum_tree::{Side, SumLeaf, SumTree};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qianbao");
const ORIGIN: &str = "wallet.example.com/journal";
const KEY_NAME: &str = "wallet.example.com";

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 16
    }
    fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_be_bytes());
        }
        out
    }
}

/// Stored perfect subtrees by `(level, index)`.
type Nodes = HashMap<(u32, u64), Hash>;

/// A log of `n` leaves in the canonical leaf's shape, with its stored nodes.
fn log(n: u64, rng: &mut Lcg) -> (Vec<Vec<u8>>, Nodes) {
    let mut nodes = HashMap::new();
    let mut leaves = Vec::new();
    for seq in 0..n {
        let commitment: String = rng.bytes32().iter().map(|b| format!("{b:02x}")).collect();
        let leaf = format!(
            "qianbao-log-leaf-v1\nseq {}\nentry {:032x}\nkind transfer\nposting {commitment} CNY -{}\n",
            seq + 1,
            rng.next(),
            rng.next() % 10_000
        )
        .into_bytes();
        for (level, index, hash) in appended(seq, leaf_hash(&leaf), &nodes).unwrap() {
            nodes.insert((level, index), hash);
        }
        leaves.push(leaf);
    }
    (leaves, nodes)
}

fn b64s(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(|h| B64.encode(h)).collect()
}

/// The checkpoint answer at `size`, signed with `key`.
fn checkpoint(size: u64, nodes: &Nodes, key: &SigningKey) -> Value {
    let cp = Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: root(size, nodes).unwrap(),
    };
    let note = sign_note(&cp.body(), KEY_NAME, key).unwrap();
    let line = note.lines().last().unwrap();
    let raw = B64.decode(line.rsplit(' ').next().unwrap()).unwrap();
    json!({
        "origin": ORIGIN,
        "size": size,
        "root_hash": B64.encode(cp.root),
        "note": note,
        "signature": B64.encode(&raw[4..]),
    })
}

struct Dir(PathBuf);
impl Dir {
    fn new() -> Dir {
        Dir(crate::helpers::temp_dir("proof-cli"))
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
    fn json(&self, name: &str, value: &Value) -> PathBuf {
        self.write(name, &value.to_string())
    }
}

fn verify(args: &[&Path]) -> (i32, String, String) {
    let mut command = Command::new(BIN);
    command.args(["proof", "verify"]);
    for pair in args.chunks(2) {
        command.arg(pair[0]).arg(pair[1]);
    }
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn flag(name: &str) -> PathBuf {
    PathBuf::from(name)
}

fn key(seed: u8) -> (SigningKey, String) {
    let signing = SigningKey::from_bytes(&[seed; 32]);
    let vkey = VerifierKey {
        name: KEY_NAME.into(),
        key: signing.verifying_key(),
    };
    (signing, vkey.to_string())
}

#[test]
fn inclusion_proofs_against_a_signed_checkpoint() {
    let dir = Dir::new();
    let mut rng = Lcg(23);
    let (leaves, nodes) = log(37, &mut rng);
    let (signing, vkey) = key(7);
    let public = dir.write("key.vkey", &format!("{vkey}\n"));
    let cp = checkpoint(37, &nodes, &signing);
    let cp_file = dir.json("checkpoint.json", &cp);
    let (k, c, i) = (
        flag("--public-key"),
        flag("--checkpoint"),
        flag("--inclusion"),
    );

    for index in [0u64, 1, 16, 31, 36] {
        let proof = inclusion_proof(index, 37, &nodes).unwrap();
        let answer = json!({
            "leaf_index": index,
            "leaf": B64.encode(&leaves[index as usize]),
            "tree_size": 37,
            "root_hash": cp["root_hash"],
            "proof": b64s(&proof),
        });
        let file = dir.json("inclusion.json", &answer);
        let (code, out, err) = verify(&[&k, &public, &i, &file, &c, &cp_file]);
        assert_eq!(code, 0, "leaf {index}: {out}{err}");
        assert!(out.contains("inclusion holds"), "{out}");
        // Without a checkpoint it holds against the proof's own root, and says so.
        let (code, out, _) = verify(&[&k, &public, &i, &file]);
        assert_eq!(code, 0);
        assert!(
            out.contains("not checked against a signed checkpoint"),
            "{out}"
        );
    }

    let index = 5u64;
    let good = json!({
        "leaf_index": index,
        "leaf": B64.encode(&leaves[index as usize]),
        "tree_size": 37,
        "root_hash": cp["root_hash"],
        "proof": b64s(&inclusion_proof(index, 37, &nodes).unwrap()),
        "accounts": [{
            "commitment": B64.encode(hex32(&leaves[index as usize])),
            "salt": B64.encode([1u8; 32]),
        }],
    });
    let file = dir.json("inclusion.json", &good);
    assert_eq!(verify(&[&k, &public, &i, &file, &c, &cp_file]).0, 0);

    // A flipped proof hash.
    let mut bad = good.clone();
    let mut hash = B64.decode(bad["proof"][2].as_str().unwrap()).unwrap();
    hash[0] ^= 1;
    bad["proof"][2] = json!(B64.encode(&hash));
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &i, &file, &c, &cp_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("proof does not verify"), "{err}");

    // Another leaf's bytes at this index.
    let mut bad = good.clone();
    bad["leaf"] = json!(B64.encode(&leaves[6]));
    bad["accounts"] = json!([]);
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &i, &file, &c, &cp_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("proof does not verify"), "{err}");

    // An account the leaf does not name.
    let mut bad = good.clone();
    bad["accounts"][0]["commitment"] = json!(B64.encode([9u8; 32]));
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &i, &file, &c, &cp_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not in the leaf"), "{err}");

    // The checkpoint verified with another operator's key.
    let (_, other) = key(8);
    let other = dir.write("other.vkey", &other);
    let file = dir.json("inclusion.json", &good);
    let (code, _, err) = verify(&[&k, &other, &i, &file, &c, &cp_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("signature does not verify"), "{err}");

    // The note's size changed after signing.
    let mut forged = cp.clone();
    let note = cp["note"].as_str().unwrap().replacen("\n37\n", "\n38\n", 1);
    forged["note"] = json!(note);
    forged["size"] = json!(38);
    let forged = dir.json("forged.json", &forged);
    let (code, _, err) = verify(&[&k, &public, &i, &file, &c, &forged]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("signature does not verify"), "{err}");

    // A proof at another size than the checkpoint's, or under another root.
    let older = json!({
        "leaf_index": index,
        "leaf": B64.encode(&leaves[index as usize]),
        "tree_size": 20,
        "root_hash": B64.encode(root(20, &nodes).unwrap()),
        "proof": b64s(&inclusion_proof(index, 20, &nodes).unwrap()),
    });
    let older = dir.json("older.json", &older);
    assert_eq!(verify(&[&k, &public, &i, &older]).0, 0);
    let (code, _, err) = verify(&[&k, &public, &i, &older, &c, &cp_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("tree size differs"), "{err}");
    let mut bad = good.clone();
    bad["root_hash"] = json!(B64.encode(root(36, &nodes).unwrap()));
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &i, &file, &c, &cp_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("root differs"), "{err}");

    // Unusable input: exit 2.
    let garbage = dir.write("garbage.json", "{not json");
    assert_eq!(verify(&[&k, &public, &i, &garbage]).0, 2);
    let mut bad = good.clone();
    bad["leaf"] = json!("***");
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &i, &file]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("base64"), "{err}");
    let missing = dir.0.join("missing.json");
    assert_eq!(verify(&[&k, &public, &i, &missing]).0, 2);
}

/// The first commitment a generated leaf names.
fn hex32(leaf: &[u8]) -> [u8; 32] {
    let text = std::str::from_utf8(leaf).unwrap();
    let hex = text
        .split("posting ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn consistency_proofs_between_two_signed_checkpoints() {
    let dir = Dir::new();
    let mut rng = Lcg(6962);
    let (_, nodes) = log(50, &mut rng);
    let (signing, vkey) = key(7);
    let public = dir.write("key.vkey", &vkey);
    let (k, o, c, p) = (
        flag("--public-key"),
        flag("--old-checkpoint"),
        flag("--checkpoint"),
        flag("--consistency"),
    );
    for (from, to) in [(1u64, 50u64), (7, 50), (16, 50), (33, 34), (50, 50)] {
        let old = dir.json("old.json", &checkpoint(from, &nodes, &signing));
        let new = dir.json("new.json", &checkpoint(to, &nodes, &signing));
        let proof = if from == to {
            Vec::new()
        } else {
            consistency_proof(from, to, &nodes).unwrap()
        };
        let file = dir.json(
            "consistency.json",
            &json!({"from": from, "to": to, "proof": b64s(&proof)}),
        );
        let (code, out, err) = verify(&[&k, &public, &p, &file, &o, &old, &c, &new]);
        assert_eq!(code, 0, "{from}→{to}: {out}{err}");
        assert!(out.contains("consistency holds"), "{out}");
    }

    let old = dir.json("old.json", &checkpoint(7, &nodes, &signing));
    let new = dir.json("new.json", &checkpoint(50, &nodes, &signing));
    let proof = consistency_proof(7, 50, &nodes).unwrap();

    // A flipped hash.
    let mut bad = proof.clone();
    bad[1][31] ^= 0x80;
    let file = dir.json(
        "bad.json",
        &json!({"from": 7, "to": 50, "proof": b64s(&bad)}),
    );
    let (code, _, err) = verify(&[&k, &public, &p, &file, &o, &old, &c, &new]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("proof does not verify"), "{err}");

    // A rewritten history: the old checkpoint signed over another root at size 7.
    let (_, forked) = log(50, &mut Lcg(1));
    let fork = dir.json("fork.json", &checkpoint(7, &forked, &signing));
    let file = dir.json(
        "good.json",
        &json!({"from": 7, "to": 50, "proof": b64s(&proof)}),
    );
    let (code, _, err) = verify(&[&k, &public, &p, &file, &o, &fork, &c, &new]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("proof does not verify"), "{err}");

    // Sizes that are not the checkpoints'.
    let (code, _, err) = verify(&[&k, &public, &p, &file, &o, &new, &c, &old]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("tree size differs"), "{err}");

    // A checkpoint by another key.
    let (stranger, _) = key(9);
    let foreign = dir.json("foreign.json", &checkpoint(50, &nodes, &stranger));
    let (code, _, err) = verify(&[&k, &public, &p, &file, &o, &old, &c, &foreign]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("signature does not verify"), "{err}");

    // Without the two signed roots there is nothing to check against.
    let (code, _, err) = verify(&[&k, &public, &p, &file]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--old-checkpoint"), "{err}");
}

#[test]
fn liability_paths_and_a_negative_sum() {
    let dir = Dir::new();
    let mut rng = Lcg(2022);
    let leaves: Vec<SumLeaf> = (0..11)
        .map(|i| SumLeaf {
            salt: rng.bytes32(),
            commitment: rng.bytes32(),
            balances: BTreeMap::from([
                (
                    "CNY".to_owned(),
                    i64::try_from(rng.next() % 100_000).unwrap(),
                ),
                ("USD".to_owned(), if i % 3 == 0 { 500 } else { 0 }),
            ]),
        })
        .collect();
    let tree = SumTree::build(&leaves).unwrap();
    let (_, vkey) = key(7);
    let public = dir.write("key.vkey", &vkey);
    let (k, l) = (flag("--public-key"), flag("--liability"));
    let sums = |m: &BTreeMap<String, i64>| json!(m);
    let answer = |index: usize| {
        let leaf = &leaves[index];
        let root = tree.root();
        json!({
            "snapshot_id": "snap_01",
            "taken_at": "2026-12-07T00:00:00Z",
            "leaf": {
                "salt": B64.encode(leaf.salt),
                "commitment": B64.encode(leaf.commitment),
                "balances": sums(&leaf.balances),
            },
            "path": tree.path(index).unwrap().iter().map(|s| json!({
                "side": if s.side == Side::Left { "left" } else { "right" },
                "hash": B64.encode(s.hash),
                "sums": sums(&s.sums),
            })).collect::<Vec<_>>(),
            "root": {"hash": B64.encode(root.hash), "sums": sums(&root.sums)},
        })
    };
    for index in [0, 4, 10] {
        let file = dir.json("liability.json", &answer(index));
        let (code, out, err) = verify(&[&k, &public, &l, &file]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("liability holds"), "{out}");
    }

    // A negative sum on the path (step 3 is the third sibling).
    let mut bad = answer(4);
    bad["path"][2]["sums"]["CNY"] = json!(-1);
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &l, &file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("negative CNY sum at step 3"), "{err}");

    // A shrunk balance changes the root.
    let mut bad = answer(4);
    let cny = bad["leaf"]["balances"]["CNY"].as_i64().unwrap();
    bad["leaf"]["balances"]["CNY"] = json!(cny - 1);
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &l, &file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("root differs"), "{err}");

    // Published totals that are not what the path adds up to.
    let mut bad = answer(4);
    let total = bad["root"]["sums"]["CNY"].as_i64().unwrap();
    bad["root"]["sums"]["CNY"] = json!(total + 1);
    let file = dir.json("bad.json", &bad);
    let (code, _, err) = verify(&[&k, &public, &l, &file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("other totals"), "{err}");

    // A side that is neither.
    let mut bad = answer(4);
    bad["path"][0]["side"] = json!("up");
    let file = dir.json("bad.json", &bad);
    assert_eq!(verify(&[&k, &public, &l, &file]).0, 2);
}
