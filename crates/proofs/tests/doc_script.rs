//! The Python script in `docs/proofs.md` ("Verifying by hand"), extracted from the page and run on
//! proofs made here, written as the HTTP contract's JSON: good ones exit 0, tampered ones exit 1.
//! So the page cannot drift from the proofs the crate makes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::log::{appended, consistency_proof, inclusion_proof, root};

/// The marker line the script's code block follows in the page.
const MARKER: &str = "<!-- script: verify_proof.py -->";

/// The script's text: the ```python block right after the marker.
fn script_from_doc() -> String {
    let doc = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/proofs.md");
    let text = std::fs::read_to_string(&doc).expect("docs/proofs.md is readable");
    let after = text
        .split_once(MARKER)
        .expect("docs/proofs.md marks its script")
        .1;
    let body = after
        .trim_start()
        .strip_prefix("```python\n")
        .expect("the marker is followed by a ```python block");
    body.split_once("\n```")
        .expect("the python block is closed")
        .0
        .to_owned()
        + "\n"
}

fn python3_present() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn hashes(proof: &[Hash]) -> String {
    let items: Vec<String> = proof
        .iter()
        .map(|h| format!("\"{}\"", B64.encode(h)))
        .collect();
    format!("[{}]", items.join(", "))
}

fn checkpoint(size: u64, head: &Hash) -> String {
    // The script reads size and root_hash; the rest is as the endpoint answers.
    format!(
        "{{\"origin\": \"wallet.example.com/journal\", \"size\": {size}, \"root_hash\": \"{}\", \"note\": \"\", \"signature\": \"\"}}",
        B64.encode(head)
    )
}

fn inclusion(leaf: &[u8], index: u64, size: u64, head: &Hash, proof: &[Hash]) -> String {
    format!(
        "{{\"leaf_index\": {index}, \"leaf\": \"{}\", \"tree_size\": {size}, \"root_hash\": \"{}\", \"proof\": {}}}",
        B64.encode(leaf),
        B64.encode(head),
        hashes(proof)
    )
}

fn consistency(from: u64, to: u64, proof: &[Hash]) -> String {
    format!(
        "{{\"from\": {from}, \"to\": {to}, \"proof\": {}}}",
        hashes(proof)
    )
}

struct Run<'a> {
    script: &'a Path,
    dir: &'a Path,
}

impl Run<'_> {
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn code(&self, args: &[&str]) -> i32 {
        let out = Command::new("python3")
            .arg(self.script)
            .args(args)
            .current_dir(self.dir)
            .output()
            .expect("python3 runs");
        out.status.code().expect("python3 exits")
    }
}

#[test]
fn the_docs_python_script_accepts_our_proofs_and_refuses_tampered_ones() {
    if !python3_present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have python3 for the docs' script"
        );
        eprintln!("skipped: python3 is missing (outside CI only)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("qianbao-proofs-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("verify_proof.py");
    std::fs::write(&script, script_from_doc()).unwrap();
    let run = Run {
        script: &script,
        dir: &dir,
    };

    // A log of canonical-looking leaves.
    let size = 45u64;
    let mut nodes = HashMap::new();
    let leaves: Vec<Vec<u8>> = (0..size)
        .map(|i| {
            format!(
                "qianbao-log-leaf-v1\nseq {}\nentry {:032x}\nkind post\nhold {:032x}\n",
                i + 1,
                i * 7919,
                i * 104_729
            )
            .into_bytes()
        })
        .collect();
    for (i, leaf) in leaves.iter().enumerate() {
        for (level, index, hash) in appended(i as u64, leaf_hash(leaf), &nodes).unwrap() {
            nodes.insert((level, index), hash);
        }
    }
    let head = root(size, &nodes).unwrap();
    let cp = run.file("checkpoint.json", &checkpoint(size, &head));

    for index in [0u64, 13, 32, 44] {
        let proof = inclusion_proof(index, size, &nodes).unwrap();
        let good = run.file(
            "inclusion.json",
            &inclusion(&leaves[index as usize], index, size, &head, &proof),
        );
        assert_eq!(
            run.code(&["inclusion", good.to_str().unwrap(), cp.to_str().unwrap()]),
            0,
            "leaf {index}"
        );
        let mut tampered = proof.clone();
        tampered[0][5] ^= 4;
        let bad = run.file(
            "bad.json",
            &inclusion(&leaves[index as usize], index, size, &head, &tampered),
        );
        assert_eq!(
            run.code(&["inclusion", bad.to_str().unwrap(), cp.to_str().unwrap()]),
            1,
            "leaf {index}, tampered"
        );
        let other = run.file(
            "other.json",
            &inclusion(
                &leaves[(index as usize + 1) % 45],
                index,
                size,
                &head,
                &proof,
            ),
        );
        assert_eq!(
            run.code(&["inclusion", other.to_str().unwrap(), cp.to_str().unwrap()]),
            1,
            "leaf {index}, another leaf's bytes"
        );
    }

    for from in [1u64, 3, 8, 21, 44] {
        let old_head = root(from, &nodes).unwrap();
        let old = run.file("old.json", &checkpoint(from, &old_head));
        let proof = consistency_proof(from, size, &nodes).unwrap();
        let good = run.file("consistency.json", &consistency(from, size, &proof));
        let args = |p: &Path| {
            [
                "consistency".to_owned(),
                p.to_str().unwrap().to_owned(),
                old.to_str().unwrap().to_owned(),
                cp.to_str().unwrap().to_owned(),
            ]
        };
        let code = |p: &Path| run.code(&args(p).iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code(&good), 0, "{from} → {size}");
        let mut tampered = proof.clone();
        let last = tampered.len() - 1;
        tampered[last][0] ^= 1;
        let bad = run.file("bad.json", &consistency(from, size, &tampered));
        assert_eq!(code(&bad), 1, "{from} → {size}, tampered");
    }

    // Unusable input.
    let garbage = run.file("garbage.json", "{");
    assert_eq!(
        run.code(&["inclusion", garbage.to_str().unwrap(), cp.to_str().unwrap()]),
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}
