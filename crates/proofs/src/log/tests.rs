//! The log against Certificate Transparency's published vectors, a direct MTH, and proptests.

use super::*;
use crate::hash::leaf_hash;
use proptest::prelude::*;
use std::collections::HashMap;

type Store = HashMap<(u32, u64), Hash>;

/// Appends every leaf hash one by one, as the store will, keeping what `appended` returns.
fn store_of(leaves: &[Hash]) -> Store {
    let mut store = Store::new();
    for (i, leaf) in leaves.iter().enumerate() {
        for (level, index, hash) in appended(i as u64, *leaf, &store).unwrap() {
            assert!(
                store.insert((level, index), hash).is_none(),
                "a node is written once"
            );
        }
    }
    store
}

/// RFC 6962 §2.1's MTH, straight from the definition, over all the leaves.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn h(s: &str) -> Hash {
    unhex(s).try_into().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Known answers from google/certificate-transparency, cpp/merkletree/merkle_tree_test.cc
// (kInputs, kSHA256Roots, kSHA256Paths, kSHA256Proofs), copied verbatim. That file numbers
// leaves from 1 in its path vectors; the index conversions below say so where they happen.
// ---------------------------------------------------------------------------------------------

/// kInputs: the eight leaves of the reference tree, as hex.
const INPUTS: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// kSHA256Roots: the roots of the reference tree at sizes 1 to 8.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// kSHA256EmptyTreeHash.
const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// kSHA256Paths without its {0, 0} entry (no leaf 0 in 1-based numbering): (leaf, snapshot,
/// path), the leaf numbered from 1.
const PATHS: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        3,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        2,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// kSHA256Proofs: (snapshot1, snapshot2, proof).
const PROOFS: [(u64, u64, &[&str]); 4] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

fn reference_leaves() -> Vec<Hash> {
    INPUTS.iter().map(|s| leaf_hash(&unhex(s))).collect()
}

#[test]
fn ct_vectors_roots_at_every_size() {
    let leaves = reference_leaves();
    let store = store_of(&leaves);
    assert_eq!(root(0, &store).unwrap(), h(EMPTY));
    for (size, want) in (1..=8).zip(ROOTS) {
        assert_eq!(root(size, &store).unwrap(), h(want), "root at size {size}");
    }
}

#[test]
fn ct_vectors_inclusion_paths_are_generated_and_verify() {
    let leaves = reference_leaves();
    let store = store_of(&leaves);
    for (leaf_from_one, size, want) in PATHS {
        let index = leaf_from_one - 1;
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        assert_eq!(
            inclusion_proof(index, size, &store).unwrap(),
            want,
            "PATH({index}, {size})"
        );
        let root = h(ROOTS[(size - 1) as usize]);
        assert!(verify_inclusion(
            &leaves[index as usize],
            index,
            size,
            &want,
            &root
        ));
        // The checks of MerkleVerifierTest::VerifierCheck: neighbouring indices, other sizes,
        // another leaf, the empty root, one path element replaced, one added or removed.
        let leaf = &leaves[index as usize];
        for wrong in [index.wrapping_sub(1), index + 1, index ^ 2] {
            assert!(!verify_inclusion(leaf, wrong, size, &want, &root));
        }
        assert!(!verify_inclusion(leaf, index, size * 2, &want, &root));
        assert!(!verify_inclusion(leaf, index, size / 2, &want, &root));
        assert!(!verify_inclusion(
            &leaf_hash(b"WrongLeaf"),
            index,
            size,
            &want,
            &root
        ));
        assert!(!verify_inclusion(leaf, index, size, &want, &h(EMPTY)));
        for j in 0..want.len() {
            let mut bad = want.clone();
            bad[j] = h(EMPTY);
            assert!(!verify_inclusion(leaf, index, size, &bad, &root));
        }
        let mut longer = want.clone();
        longer.push(root);
        assert!(!verify_inclusion(leaf, index, size, &longer, &root));
        if !want.is_empty() {
            assert!(!verify_inclusion(
                leaf,
                index,
                size,
                &want[..want.len() - 1],
                &root
            ));
        }
    }
}

#[test]
fn ct_vectors_consistency_proofs_are_generated_and_verify() {
    let leaves = reference_leaves();
    let store = store_of(&leaves);
    for (from, to, want) in PROOFS {
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        assert_eq!(
            consistency_proof(from, to, &store).unwrap(),
            want,
            "PROOF({from}, {to})"
        );
        let (r1, r2) = (h(ROOTS[(from - 1) as usize]), h(ROOTS[(to - 1) as usize]));
        assert!(verify_consistency(from, to, &r1, &r2, &want));
        if want.is_empty() {
            continue;
        }
        // MerkleVerifierTest::VerifierConsistencyCheck's refusals.
        for wrong in [from - 1, from + 1, from ^ 2] {
            assert!(
                !verify_consistency(wrong, to, &r1, &r2, &want),
                "from {wrong}"
            );
        }
        assert!(!verify_consistency(from, to * 2, &r1, &r2, &want));
        assert!(!verify_consistency(from, to / 2, &r1, &r2, &want));
        assert!(!verify_consistency(from, to, &r1, &h(EMPTY), &want));
        assert!(!verify_consistency(from, to, &h(EMPTY), &r2, &want));
        assert!(!verify_consistency(from, to, &r2, &r1, &want));
        assert!(!verify_consistency(from, to, &r1, &r2, &[]));
        for j in 0..want.len() {
            let mut bad = want.clone();
            bad[j] = h(EMPTY);
            assert!(!verify_consistency(from, to, &r1, &r2, &bad));
        }
        let mut longer = want.clone();
        longer.push(*want.last().unwrap());
        assert!(!verify_consistency(from, to, &r1, &r2, &longer));
        assert!(!verify_consistency(
            from,
            to,
            &r1,
            &r2,
            &want[..want.len() - 1]
        ));
    }
}

#[test]
fn ct_always_and_never_consistent_edges() {
    let e = h(EMPTY);
    // MerkleVerifierTest::VerifyConsistencyProof: time travel and empty proofs are refused.
    assert!(!verify_consistency(1, 0, &e, &e, &[]));
    assert!(!verify_consistency(2, 1, &e, &e, &[]));
    assert!(!verify_consistency(1, 2, &e, &e, &[]));
    // Equal heads with a non-empty proof are refused.
    assert!(!verify_consistency(1, 1, &e, &e, &[e]));
    assert!(!verify_consistency(0, 0, &e, &e, &[e]));
    assert!(verify_consistency(0, 0, &e, &e, &[]));
    assert!(verify_consistency(0, 5, &e, &[7; 32], &[]));
    // Inclusion in an empty tree or past its end is refused.
    assert!(!verify_inclusion(&e, 0, 0, &[], &e));
    assert!(!verify_inclusion(&e, 1, 1, &[], &e));
}

#[test]
fn bad_requests_are_errors() {
    let store = store_of(&reference_leaves());
    assert_eq!(inclusion_proof(0, 0, &store), Err(LogError::EmptyTree));
    assert_eq!(
        inclusion_proof(8, 8, &store),
        Err(LogError::IndexOutOfRange { index: 8, size: 8 })
    );
    assert_eq!(
        consistency_proof(5, 4, &store),
        Err(LogError::FromAfterTo { from: 5, to: 4 })
    );
    assert_eq!(
        consistency_proof(0, 4, &store),
        Err(LogError::FromEmptyTree)
    );
    // Past the stored leaves the perfect pieces are missing, and the error names one.
    assert!(matches!(root(9, &store), Err(LogError::MissingNode { .. })));
    assert!(matches!(
        inclusion_proof(0, 9, &store),
        Err(LogError::MissingNode { .. })
    ));
    let mut lost = store.clone();
    lost.remove(&(2, 0));
    // The root at 8 is one stored node; the one at 5 needs the lost (2, 0).
    assert!(root(8, &lost).is_ok());
    assert_eq!(
        root(5, &lost),
        Err(LogError::MissingNode { level: 2, index: 0 })
    );
}

#[test]
fn appending_one_by_one_gives_the_direct_mth_at_every_size() {
    let leaves: Vec<Hash> = (0..600u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let store = store_of(&leaves);
    for size in 0..=leaves.len() {
        assert_eq!(
            root(size as u64, &store).unwrap(),
            mth(&leaves[..size]),
            "size {size}"
        );
    }
    // One stored node per leaf and per completed pair: 2n − popcount(n) in all.
    let n = leaves.len() as u64;
    assert_eq!(store.len() as u64, 2 * n - u64::from(n.count_ones()));
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut out = *h;
    out[(bit / 8) % 32] ^= 1 << (bit % 8);
    out
}

/// A tree of `size` distinct leaves, its store and its leaf hashes.
fn tree(size: u64) -> (Vec<Hash>, Store) {
    let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_le_bytes())).collect();
    let store = store_of(&leaves);
    (leaves, store)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn inclusion_proofs_verify_and_any_flip_is_refused(
        size in 1u64..=300, pick in any::<u64>(), bit in 0usize..256, which in any::<usize>(),
        index_bit in 0u32..9,
    ) {
        let (leaves, store) = tree(size);
        let index = pick % size;
        let proof = inclusion_proof(index, size, &store).unwrap();
        let head = root(size, &store).unwrap();
        let leaf = leaves[index as usize];
        prop_assert_eq!(head, mth(&leaves));
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &head));
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let j = which % bad.len();
            bad[j] = flip(&bad[j], bit);
            prop_assert!(!verify_inclusion(&leaf, index, size, &bad, &head));
        }
        prop_assert!(!verify_inclusion(&flip(&leaf, bit), index, size, &proof, &head));
        prop_assert!(!verify_inclusion(&leaf, index ^ (1 << index_bit), size, &proof, &head));
        prop_assert!(!verify_inclusion(&leaf, index, size, &proof, &flip(&head, bit)));
    }

    #[test]
    fn consistency_proofs_verify_and_any_flip_is_refused(
        to in 1u64..=300, pick in any::<u64>(), bit in 0usize..256, which in any::<usize>(),
        from_bit in 0u32..9,
    ) {
        let (leaves, store) = tree(to);
        let from = 1 + pick % to;
        let proof = consistency_proof(from, to, &store).unwrap();
        let (r1, r2) = (root(from, &store).unwrap(), root(to, &store).unwrap());
        prop_assert_eq!(r1, mth(&leaves[..from as usize]));
        prop_assert!(verify_consistency(from, to, &r1, &r2, &proof));
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let j = which % bad.len();
            bad[j] = flip(&bad[j], bit);
            prop_assert!(!verify_consistency(from, to, &r1, &r2, &bad));
            // Another old size with the same proof and heads is refused too.
            let other = from ^ (1 << from_bit);
            prop_assert!(!verify_consistency(other, to, &r1, &r2, &proof));
        }
        prop_assert!(!verify_consistency(from, to, &flip(&r1, bit), &r2, &proof));
        prop_assert!(!verify_consistency(from, to, &r1, &flip(&r2, bit), &proof));
    }
}
