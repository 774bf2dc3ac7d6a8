//! The sum tree: sums, paths, refusals, and the million-leaf build time.

use super::*;
use crate::commitment::account_commitment;
use proptest::prelude::*;

fn leaf(i: u64, balances: &[(&str, i64)]) -> SumLeaf {
    let mut salt = [0u8; 32];
    salt[..8].copy_from_slice(&i.to_be_bytes());
    SumLeaf {
        salt,
        commitment: account_commitment(&salt, &format!("acc_{i}")),
        balances: balances.iter().map(|(c, a)| (c.to_string(), *a)).collect(),
    }
}

fn five() -> Vec<SumLeaf> {
    vec![
        leaf(0, &[("CNY", 100)]),
        leaf(1, &[("CNY", 250), ("USD", 7)]),
        leaf(2, &[]),
        leaf(3, &[("USD", 40), ("HKD", 0)]),
        leaf(4, &[("CNY", 1)]),
    ]
}

fn map(entries: &[(&str, i64)]) -> BTreeMap<String, i64> {
    entries.iter().map(|(c, a)| (c.to_string(), *a)).collect()
}

#[test]
fn the_root_carries_the_totals_and_every_path_verifies() {
    let leaves = five();
    let tree = SumTree::build(&leaves).unwrap();
    let root = tree.root();
    assert_eq!(root.sums, map(&[("CNY", 351), ("USD", 47)]));
    for (i, l) in leaves.iter().enumerate() {
        let path = tree.path(i).unwrap();
        assert_eq!(verify_path(l, &path, &root), Ok(()), "leaf {i}");
    }
    // Five leaves: leaf 4 rises alone twice, so its path is the one left subtree of four.
    assert_eq!(tree.path(4).unwrap().len(), 1);
    assert_eq!(tree.path(0).unwrap().len(), 3);
    assert_eq!(
        tree.path(5),
        Err(SumError::NoSuchLeaf {
            index: 5,
            leaves: 5
        })
    );
}

#[test]
fn the_hashes_are_the_documented_bytes() {
    // Spelled out from the module doc, not through the encoders.
    let a = leaf(0, &[("CNY", 100), ("USD", 0)]);
    let b = leaf(1, &[("USD", 7)]);
    let mut la = vec![0x00];
    la.extend_from_slice(&a.salt);
    la.extend_from_slice(&a.commitment);
    la.extend_from_slice(&[0, 0, 0, 1, b'C', b'N', b'Y', 0, 0, 0, 0, 0, 0, 0, 100]);
    let la: Hash = Sha256::digest(&la).into();
    let mut lb = vec![0x00];
    lb.extend_from_slice(&b.salt);
    lb.extend_from_slice(&b.commitment);
    lb.extend_from_slice(&[0, 0, 0, 1, b'U', b'S', b'D', 0, 0, 0, 0, 0, 0, 0, 7]);
    let lb: Hash = Sha256::digest(&lb).into();
    let mut n = vec![0x01];
    n.extend_from_slice(&la);
    n.extend_from_slice(&[0, 0, 0, 1, b'C', b'N', b'Y', 0, 0, 0, 0, 0, 0, 0, 100]);
    n.extend_from_slice(&lb);
    n.extend_from_slice(&[0, 0, 0, 1, b'U', b'S', b'D', 0, 0, 0, 0, 0, 0, 0, 7]);
    let n: Hash = Sha256::digest(&n).into();

    let tree = SumTree::build(&[a.clone(), b]).unwrap();
    assert_eq!(
        tree.root(),
        SumNode {
            hash: n,
            sums: map(&[("CNY", 100), ("USD", 7)])
        }
    );
    assert_eq!(
        tree.path(0).unwrap(),
        vec![PathStep {
            side: Side::Right,
            hash: lb,
            sums: map(&[("USD", 7)])
        }]
    );
    // One leaf alone is its own root.
    assert_eq!(SumTree::build(&[a]).unwrap().root().hash, la);
}

#[test]
fn build_refuses_what_could_hide_a_liability() {
    assert_eq!(SumTree::build(&[]).err(), Some(SumError::NoLeaves));
    let negative = vec![leaf(0, &[("CNY", 5)]), leaf(1, &[("CNY", -5)])];
    assert_eq!(
        SumTree::build(&negative).err(),
        Some(SumError::NegativeBalance {
            leaf: 1,
            currency: "CNY".into()
        })
    );
    let mut twice = five();
    twice[3].commitment = twice[1].commitment;
    assert_eq!(
        SumTree::build(&twice).err(),
        Some(SumError::DuplicateCommitment {
            first: 1,
            second: 3
        })
    );
    for bad in ["cny", "CN", "CNYX", "C1Y", "人民币"] {
        assert_eq!(
            SumTree::build(&[leaf(0, &[(bad, 1)])]).err(),
            Some(SumError::BadCurrency(bad.into()))
        );
    }
    let huge = vec![leaf(0, &[("CNY", i64::MAX)]), leaf(1, &[("CNY", 1)])];
    assert_eq!(
        SumTree::build(&huge).err(),
        Some(SumError::Overflow("CNY".into()))
    );
}

#[test]
fn verify_refuses_tampering() {
    let leaves = five();
    let tree = SumTree::build(&leaves).unwrap();
    let root = tree.root();
    let path = tree.path(1).unwrap();
    let holder = &leaves[1];

    // The operator shows the holder a smaller balance than it counts: the hash gives it away.
    let mut smaller = holder.clone();
    smaller.balances.insert("CNY".into(), 249);
    assert_eq!(
        verify_path(&smaller, &path, &root),
        Err(SumError::RootHashMismatch)
    );
    // A sibling's sums lowered, so the totals would shrink: the hash gives it away.
    let mut lowered = path.clone();
    lowered[0].sums.insert("CNY".into(), 99);
    assert!(verify_path(holder, &lowered, &root).is_err());
    // A negative sibling that would cancel the holder's balance is refused outright.
    let mut cancelling = path.clone();
    cancelling[0].sums.insert("CNY".into(), -250);
    assert_eq!(
        verify_path(holder, &cancelling, &root),
        Err(SumError::NegativeSum {
            step: 1,
            currency: "CNY".into()
        })
    );
    // Published totals that are not what the path sums to.
    let mut totals = root.clone();
    totals.sums.insert("CNY".into(), 300);
    assert_eq!(
        verify_path(holder, &path, &totals),
        Err(SumError::RootSumsMismatch)
    );
    // A sibling on the wrong side, a sibling hash changed, a step dropped.
    let mut swapped = path.clone();
    swapped[0].side = Side::Right;
    assert_eq!(
        verify_path(holder, &swapped, &root),
        Err(SumError::RootHashMismatch)
    );
    let mut flipped = path.clone();
    flipped[1].hash[0] ^= 1;
    assert_eq!(
        verify_path(holder, &flipped, &root),
        Err(SumError::RootHashMismatch)
    );
    assert!(verify_path(holder, &path[..2], &root).is_err());
    // Another holder's leaf with this holder's path.
    assert!(verify_path(&leaves[0], &path, &root).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_path_of_a_random_tree_verifies(
        balances in prop::collection::vec((0i64..1_000_000, 0i64..1_000, any::<bool>()), 1..70),
    ) {
        let leaves: Vec<SumLeaf> = balances
            .iter()
            .enumerate()
            .map(|(i, (cny, usd, has_usd))| {
                let mut b = vec![("CNY", *cny)];
                if *has_usd {
                    b.push(("USD", *usd));
                }
                leaf(i as u64, &b)
            })
            .collect();
        let tree = SumTree::build(&leaves).unwrap();
        let root = tree.root();
        let cny: i64 = balances.iter().map(|b| b.0).sum();
        prop_assert_eq!(root.sums.get("CNY").copied().unwrap_or(0), cny);
        for (i, l) in leaves.iter().enumerate() {
            prop_assert_eq!(verify_path(l, &tree.path(i).unwrap(), &root), Ok(()));
        }
    }
}

/// The issue asks for the daily tree of 1,000,000 holders in well under 60 s. Run with
/// `cargo test -p qianbao-proofs --release -- --ignored --nocapture a_million`.
#[test]
#[ignore = "a timing run: builds a million-leaf tree"]
fn a_million_leaves_build_in_well_under_a_minute() {
    let leaves: Vec<SumLeaf> = (0..1_000_000u64)
        .map(|i| {
            if i % 3 == 0 {
                leaf(
                    i,
                    &[("CNY", (i % 10_007) as i64), ("USD", (i % 101) as i64)],
                )
            } else {
                leaf(i, &[("CNY", (i % 10_007) as i64)])
            }
        })
        .collect();
    let started = std::time::Instant::now();
    let tree = SumTree::build(&leaves).unwrap();
    let built = started.elapsed();
    let root = tree.root();
    let path = tree.path(765_432).unwrap();
    assert_eq!(verify_path(&leaves[765_432], &path, &root), Ok(()));
    println!(
        "sum tree of {} leaves built in {built:?}; path of {} steps",
        tree.len(),
        path.len()
    );
    assert!(built.as_secs() < 60);
}
