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

/// Appends `leaf` to a log, storing the nodes it completes; answers its index.
fn append(leaves: &mut Vec<Vec<u8>>, nodes: &mut Nodes, leaf: Vec<u8>) -> u64 {
    let index = leaves.len() as u64;
    for (level, i, hash) in appended(index, leaf_hash(&leaf), nodes).unwrap() {
        nodes.insert((level, i), hash);
    }
    leaves.push(leaf);
    index
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A liability snapshot's log leaf, in the documented format.
fn snapshot_leaf(id: &str, taken_at_ms: i64, root: &Hash, sums: &BTreeMap<String, i64>) -> String {
    let mut text = format!(
        "qianbao-liability-snapshot-v1\nsnapshot {id}\ntaken-at {taken_at_ms}\njournal-seq 20\n\
         leaves 9\nroot {}\n",
        hex(root)
    );
    for (currency, amount) in sums.iter().filter(|(_, a)| **a != 0) {
        text.push_str(&format!("sum {currency} {amount}\n"));
    }
    text
}

#[test]
fn a_liability_proof_is_tied_to_the_signed_log_by_its_snapshot_leaf() {
    let dir = Dir::new();
    let mut rng = Lcg(9162);
    let balances: Vec<SumLeaf> = (0..9)
        .map(|i| SumLeaf {
            salt: rng.bytes32(),
            commitment: rng.bytes32(),
            balances: BTreeMap::from([
                ("CNY".to_owned(), 1_000 + i),
                ("USD".to_owned(), if i == 4 { 250 } else { 0 }),
                ("EUR".to_owned(), 0),
            ]),
        })
        .collect();
    let tree = SumTree::build(&balances).unwrap();
    let root = tree.root();
    let taken_at = 1_796_054_400_000i64;
    // A log of journal lines with the snapshot's leaf among them, then more lines.
    let (mut leaves, mut nodes) = log(20, &mut rng);
    let good_leaf = snapshot_leaf("snap_2026_12_07", taken_at, &root.hash, &root.sums);
    let at = append(&mut leaves, &mut nodes, good_leaf.clone().into_bytes());
    // A leaf with its fields out of order, logged too (a strict parser refuses it).
    let shuffled = good_leaf.replace("journal-seq 20\nleaves 9\n", "leaves 9\njournal-seq 20\n");
    let shuffled_at = append(&mut leaves, &mut nodes, shuffled.clone().into_bytes());
    for _ in 0..5 {
        let extra = log(1, &mut rng).0.remove(0);
        append(&mut leaves, &mut nodes, extra);
    }
    let size = leaves.len() as u64;
    let (signing, vkey) = key(7);
    let public = dir.write("key.vkey", &vkey);
    let cp = checkpoint(size, &nodes, &signing);
    let cp_file = dir.json("checkpoint.json", &cp);
    let sums = |m: &BTreeMap<String, i64>| json!(m);
    let log_of = |index: u64, leaf: &str| {
        json!({
            "leaf_index": index,
            "leaf": B64.encode(leaf),
            "tree_size": size,
            "root_hash": cp["root_hash"],
            "proof": b64s(&inclusion_proof(index, size, &nodes).unwrap()),
        })
    };
    let index = 4;
    let good = json!({
        "snapshot_id": "snap_2026_12_07",
        "taken_at": "2026-11-30T16:00:00Z",
        "leaf": {
            "salt": B64.encode(balances[index].salt),
            "commitment": B64.encode(balances[index].commitment),
            "balances": sums(&balances[index].balances),
            "id": "w_1",
        },
        "path": tree.path(index).unwrap().iter().map(|s| json!({
            "side": if s.side == Side::Left { "left" } else { "right" },
            "hash": B64.encode(s.hash),
            "sums": sums(&s.sums),
        })).collect::<Vec<_>>(),
        "root": {"hash": B64.encode(root.hash), "sums": sums(&root.sums)},
        "log": log_of(at, &good_leaf),
    });
    let (k, l, c) = (
        flag("--public-key"),
        flag("--liability"),
        flag("--checkpoint"),
    );
    let file = dir.json("liability.json", &good);
    let (code, out, err) = verify(&[&k, &public, &l, &file, &c, &cp_file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "the snapshot is leaf {at} of {ORIGIN}'s log of {size} leaves"
        )),
        "{out}"
    );
    // Without a checkpoint it holds as a sum-tree path, and says it is not tied.
    let (code, out, _) = verify(&[&k, &public, &l, &file]);
    assert_eq!(code, 0);
    assert!(out.contains("not tied to a signed checkpoint"), "{out}");

    let fails = |name: &str, bad: &Value, wanted: &str| {
        let file = dir.json(name, bad);
        let (code, out, err) = verify(&[&k, &public, &l, &file, &c, &cp_file]);
        assert_eq!(code, 1, "{name}: {out}{err}");
        assert!(err.contains(wanted), "{name}: {err}");
    };
    // The leaf of another snapshot (logged, but not this one).
    let other = snapshot_leaf("snap_2026_12_06", taken_at, &root.hash, &root.sums);
    let mut bad = good.clone();
    bad["snapshot_id"] = json!("snap_2026_12_06");
    fails("other-id.json", &bad, "snapshot id differs");
    // A leaf whose bytes are not the logged ones: the log proof fails first.
    let mut bad = good.clone();
    bad["log"]["leaf"] = json!(B64.encode(&other));
    fails("other-leaf.json", &bad, "proof does not verify");
    // The published root is not the one logged: hex in the leaf, base64 in the proof.
    let tree2 = SumTree::build(&balances[..8]).unwrap();
    let mut second = good.clone();
    let logged_other_root =
        snapshot_leaf("snap_2026_12_07", taken_at, &tree2.root().hash, &root.sums);
    let (mut leaves2, mut nodes2) = (leaves.clone(), nodes.clone());
    let at2 = append(
        &mut leaves2,
        &mut nodes2,
        logged_other_root.clone().into_bytes(),
    );
    let size2 = leaves2.len() as u64;
    let cp2 = checkpoint(size2, &nodes2, &signing);
    let cp2_file = dir.json("checkpoint2.json", &cp2);
    second["log"] = json!({
        "leaf_index": at2,
        "leaf": B64.encode(&logged_other_root),
        "tree_size": size2,
        "root_hash": cp2["root_hash"],
        "proof": b64s(&inclusion_proof(at2, size2, &nodes2).unwrap()),
    });
    let file = dir.json("other-root.json", &second);
    let (code, _, err) = verify(&[&k, &public, &l, &file, &c, &cp2_file]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("root differs: the log leaf's sum-tree root is"),
        "{err}"
    );
    // Totals that are not the logged ones.
    let mut fewer = root.sums.clone();
    fewer.insert("USD".into(), 0);
    let lower = snapshot_leaf("snap_2026_12_07", taken_at, &root.hash, &fewer);
    let at3 = append(&mut leaves2, &mut nodes2, lower.clone().into_bytes());
    let size3 = leaves2.len() as u64;
    let cp3 = checkpoint(size3, &nodes2, &signing);
    let cp3_file = dir.json("checkpoint3.json", &cp3);
    let mut third = good.clone();
    third["log"] = json!({
        "leaf_index": at3,
        "leaf": B64.encode(&lower),
        "tree_size": size3,
        "root_hash": cp3["root_hash"],
        "proof": b64s(&inclusion_proof(at3, size3, &nodes2).unwrap()),
    });
    let file = dir.json("other-sums.json", &third);
    let (code, _, err) = verify(&[&k, &public, &l, &file, &c, &cp3_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("totals differ"), "{err}");
    // The same log proof against a checkpoint of another size.
    let (code, _, err) = verify(&[&k, &public, &l, &dir.json("g.json", &good), &c, &cp3_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("tree size differs"), "{err}");
    // A logged leaf that is not in the strict format.
    let mut bad = good.clone();
    bad["log"] = log_of(shuffled_at, &shuffled);
    fails(
        "shuffled.json",
        &bad,
        "the leaf's line \"leaves 9\" is not `journal-seq <value>`",
    );
    // A taken_at that is not the logged one.
    let mut bad = good.clone();
    bad["taken_at"] = json!(taken_at + 1);
    fails("taken-at.json", &bad, "taken_at differs");
    // A bent hash of the log proof.
    let mut bad = good.clone();
    let mut h = B64
        .decode(bad["log"]["proof"][0].as_str().unwrap())
        .unwrap();
    h[3] ^= 4;
    bad["log"]["proof"][0] = json!(B64.encode(h));
    fails("bent.json", &bad, "proof does not verify");
    // Asked to tie it, a proof without `log` does not hold.
    let mut bad = good.clone();
    bad.as_object_mut().unwrap().remove("log");
    fails("no-log.json", &bad, "carries no `log` inclusion");
    // The checkpoint by another key.
    let (_, stranger) = key(8);
    let stranger = dir.write("stranger.vkey", &stranger);
    let (code, _, err) = verify(&[&k, &stranger, &l, &file, &c, &cp3_file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("signature does not verify"), "{err}");
}

/// The entry a generated journal leaf names.
fn entry_of(leaf: &[u8]) -> String {
    let text = std::str::from_utf8(leaf).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("entry "))
        .unwrap()
        .to_owned()
}

#[test]
fn a_statement_file_is_checked_line_by_line_in_json_and_csv() {
    let dir = Dir::new();
    let mut rng = Lcg(4180);
    let (mut leaves, mut nodes) = log(30, &mut rng);
    let snapshot = snapshot_leaf("s1", 1, &[0; 32], &BTreeMap::new());
    let snapshot_at = append(&mut leaves, &mut nodes, snapshot.into_bytes());
    let size = leaves.len() as u64;
    let (signing, vkey) = key(7);
    // The key as `GET /v1/proofs/key` answers it.
    let public = dir.json("key.json", &json!({"vkey": vkey, "origin": ORIGIN}));
    let cp = checkpoint(size, &nodes, &signing);
    let proof_of = |index: u64| {
        json!({
            "leaf_index": index,
            "leaf": B64.encode(&leaves[index as usize]),
            "tree_size": size,
            "root_hash": cp["root_hash"],
            "proof": b64s(&inclusion_proof(index, size, &nodes).unwrap()),
            "accounts": [],
        })
    };
    let line = |id: &str, index: Option<u64>| {
        json!({
            "id": id,
            "type": "transfer",
            "memo": "a, \"quoted\"\nmemo",
            "entry": index.map(|i| entry_of(&leaves[i as usize])),
            "proof": index.map(proof_of),
        })
    };
    let statement = json!({
        "checkpoint": cp,
        "transactions": [line("m3", Some(29)), line("m2", Some(12)), line("m1", None), line("m0", Some(0))],
    });
    let (k, st) = (flag("--public-key"), flag("--statement"));
    let file = dir.json("statement.json", &statement);
    let (code, out, err) = verify(&[&k, &public, &st, &file]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.trim(),
        format!(
            "statement holds: 3 lines included in {ORIGIN} at size {size} (1 without a proof: no \
             ledger entry, or logged after the checkpoint)"
        )
    );

    // A record whose entry is not its leaf's.
    let mut bad = statement.clone();
    bad["transactions"][1]["entry"] = statement["transactions"][0]["entry"].clone();
    let (code, _, err) = verify(&[&k, &public, &st, &dir.json("bad.json", &bad)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line m2: entry differs"), "{err}");
    // A proof of a leaf that is not a journal line (the snapshot's), though it is in the log.
    let mut bad = statement.clone();
    bad["transactions"][3]["proof"] = proof_of(snapshot_at);
    bad["transactions"][3]["entry"] = Value::Null;
    let (code, _, err) = verify(&[&k, &public, &st, &dir.json("bad.json", &bad)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("line m0: the leaf is not a journal line's"),
        "{err}"
    );

    // The same statement as the CSV export writes it, under --checkpoint.
    let guard = |text: &str| {
        let guarded = if text.starts_with(['=', '+', '-', '@']) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        format!("\"{}\"", guarded.replace('"', "\"\""))
    };
    let root = cp["root_hash"].as_str().unwrap();
    let mut csv = String::from(
        "\u{feff}id,memo,entry,leaf_index,tree_size,leaf,proof,accounts,checkpoint_size,checkpoint_root\n",
    );
    for l in statement["transactions"].as_array().unwrap() {
        let p = &l["proof"];
        let proofs = if p.is_null() {
            ",,,,".to_owned()
        } else {
            let path: Vec<&str> = p["proof"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap())
                .collect();
            format!(
                "{},{},{},{},{}",
                p["leaf_index"],
                p["tree_size"],
                guard(p["leaf"].as_str().unwrap()),
                guard(&path.join(" ")),
                guard("")
            )
        };
        csv.push_str(&format!(
            "{},{},{},{proofs},{size},{}\n",
            guard(l["id"].as_str().unwrap()),
            guard(l["memo"].as_str().unwrap()),
            guard(l["entry"].as_str().unwrap_or_default()),
            guard(root)
        ));
    }
    csv.push_str(
        "\nbudget_month,budget_line,budget,spent,percent\n\"2026-12\",\"total\",1.00,0.50,50\n",
    );
    let csv_file = dir.write("statement.csv", &csv);
    let cp_file = dir.json("checkpoint.json", &cp);
    let c = flag("--checkpoint");
    let (code, out, err) = verify(&[&k, &public, &st, &csv_file, &c, &cp_file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("statement holds: 3 lines included"), "{out}");
    // A row naming another checkpoint root.
    let other_root = B64.encode([7u8; 32]);
    let bent = csv.replacen(&guard(root), &guard(&other_root), 1);
    let (code, _, err) = verify(&[
        &k,
        &public,
        &st,
        &dir.write("bent.csv", &bent),
        &c,
        &cp_file,
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line m3: root differs"), "{err}");
    // A CSV export made without proofs: unusable, saying how to get one.
    let plain = dir.write("plain.csv", "\u{feff}id,type\n\"m3\",\"transfer\"\n");
    let (code, _, err) = verify(&[&k, &public, &st, &plain, &c, &cp_file]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("proofs=true"), "{err}");
}
