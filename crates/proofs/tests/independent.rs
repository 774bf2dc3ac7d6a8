//! The crate's proofs checked by an independent verifier: `python_verifier.py`, written from
//! RFC 9162's text, run on proofs for random trees (exit 0) and on tampered copies (exit 1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::log::{appended, consistency_proof, inclusion_proof, root};

/// splitmix64: reproducible "random" trees without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

fn hashes(proof: &[Hash]) -> String {
    let items: Vec<String> = proof.iter().map(|h| format!("\"{}\"", b64(h))).collect();
    format!("[{}]", items.join(", "))
}

fn inclusion_json(leaf: &[u8], index: u64, size: u64, head: &Hash, proof: &[Hash]) -> String {
    format!(
        "{{\"type\": \"inclusion\", \"leaf\": \"{}\", \"index\": {index}, \"size\": {size}, \"root\": \"{}\", \"proof\": {}}}",
        b64(leaf),
        b64(head),
        hashes(proof)
    )
}

fn consistency_json(from: u64, to: u64, r1: &Hash, r2: &Hash, proof: &[Hash]) -> String {
    format!(
        "{{\"type\": \"consistency\", \"from\": {from}, \"to\": {to}, \"from_root\": \"{}\", \"to_root\": \"{}\", \"proof\": {}}}",
        b64(r1),
        b64(r2),
        hashes(proof)
    )
}

fn flip(h: &Hash, bit: u64) -> Hash {
    let mut out = *h;
    out[(bit / 8 % 32) as usize] ^= 1 << (bit % 8);
    out
}

/// Runs the verifier on one file and returns its exit code.
fn verify(script: &Path, file: &Path) -> i32 {
    let out = Command::new("python3")
        .arg(script)
        .arg(file)
        .output()
        .expect("python3 runs");
    out.status.code().expect("python3 exits")
}

fn python3_present() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn python_verifier_accepts_our_proofs_and_refuses_tampered_ones() {
    if !python3_present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have python3 for the independent verifier"
        );
        eprintln!("skipped: python3 is missing (outside CI only)");
        return;
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python_verifier.py");
    let dir =
        std::env::temp_dir().join(format!("qianbao-proofs-independent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let mut rng = Rng(0x5eed_2026);
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for tree in 0..6 {
        let size = 1 + rng.below(300);
        let leaves: Vec<Vec<u8>> = (0..size)
            .map(|_| (0..rng.below(40)).map(|_| rng.next() as u8).collect())
            .collect();
        let mut store = HashMap::new();
        for (i, leaf) in leaves.iter().enumerate() {
            for (level, index, hash) in appended(i as u64, leaf_hash(leaf), &store).unwrap() {
                store.insert((level, index), hash);
            }
        }
        let head = root(size, &store).unwrap();

        let index = rng.below(size);
        let leaf = &leaves[index as usize];
        let proof = inclusion_proof(index, size, &store).unwrap();
        good.push((
            format!("t{tree}-inclusion"),
            inclusion_json(leaf, index, size, &head, &proof),
        ));
        let mut other_leaf = leaf.clone();
        other_leaf.push(0x42);
        bad.push((
            format!("t{tree}-inclusion-leaf"),
            inclusion_json(&other_leaf, index, size, &head, &proof),
        ));
        bad.push((
            format!("t{tree}-inclusion-index"),
            inclusion_json(leaf, index ^ 1, size, &head, &proof),
        ));
        bad.push((
            format!("t{tree}-inclusion-root"),
            inclusion_json(leaf, index, size, &flip(&head, rng.next()), &proof),
        ));
        if !proof.is_empty() {
            let mut p = proof.clone();
            let j = rng.below(p.len() as u64) as usize;
            p[j] = flip(&p[j], rng.next());
            bad.push((
                format!("t{tree}-inclusion-path"),
                inclusion_json(leaf, index, size, &head, &p),
            ));
        }

        let from = 1 + rng.below(size);
        let r1 = root(from, &store).unwrap();
        let proof = consistency_proof(from, size, &store).unwrap();
        good.push((
            format!("t{tree}-consistency"),
            consistency_json(from, size, &r1, &head, &proof),
        ));
        bad.push((
            format!("t{tree}-consistency-old"),
            consistency_json(from, size, &flip(&r1, rng.next()), &head, &proof),
        ));
        bad.push((
            format!("t{tree}-consistency-new"),
            consistency_json(from, size, &r1, &flip(&head, rng.next()), &proof),
        ));
        if !proof.is_empty() {
            let mut p = proof.clone();
            let j = rng.below(p.len() as u64) as usize;
            p[j] = flip(&p[j], rng.next());
            bad.push((
                format!("t{tree}-consistency-path"),
                consistency_json(from, size, &r1, &head, &p),
            ));
        }
    }

    for (name, json) in &good {
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, json).unwrap();
        assert_eq!(verify(&script, &file), 0, "{name} should hold: {json}");
    }
    for (name, json) in &bad {
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, json).unwrap();
        assert_eq!(
            verify(&script, &file),
            1,
            "{name} should be refused: {json}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
