//! Tiles, the log leaf and the sums codec.

use super::*;
use crate::commitment::account_commitment;
use crate::sum_tree::verify_path;
use proptest::prelude::*;

fn leaves(n: usize, seed: u64) -> Vec<SumLeaf> {
    let mut out: Vec<SumLeaf> = (0..n as u64)
        .map(|i| {
            let mut salt = [0u8; 32];
            salt[..8].copy_from_slice(&(i ^ seed).to_be_bytes());
            let mut balances = BTreeMap::new();
            balances.insert("CNY".to_string(), i64::try_from(i * 7 % 1000 + 1).unwrap());
            if i % 3 == 0 {
                balances.insert("PTS".to_string(), i64::try_from(i + 1).unwrap());
            }
            SumLeaf {
                salt,
                commitment: account_commitment(&salt, &format!("wallet:w{i}")),
                balances,
            }
        })
        .collect();
    out.sort_by_key(|l| l.commitment);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// The tiled tree is the whole tree: the same root, and every leaf's tiled path is the
    /// whole tree's path and verifies.
    #[test]
    fn the_tiled_tree_is_the_whole_tree(n in 1usize..300, seed in any::<u64>()) {
        let all = leaves(n, seed);
        let whole = SumTree::build(&all).unwrap();
        let tiles: Vec<&[SumLeaf]> = all.chunks(TILE_WIDTH).collect();
        let roots = tile_roots(tiles.iter().copied()).unwrap();
        let upper = SumTree::over(&roots).unwrap();
        prop_assert_eq!(upper.root(), whole.root());
        let levels: Vec<Vec<SumNode>> = (0..upper.depth()).map(|d| upper.level(d)).collect();
        for (i, leaf) in all.iter().enumerate() {
            let t = i / TILE_WIDTH;
            let steps = path(tiles[t], i % TILE_WIDTH, t as u64, tiles.len() as u64, |l, k| {
                Ok::<_, ()>(levels[l as usize][k as usize].clone())
            })
            .unwrap()
            .unwrap();
            prop_assert_eq!(&steps, &whole.path(i).unwrap());
            prop_assert_eq!(verify_path(leaf, &steps, &whole.root()), Ok(()));
        }
    }

    /// A tile reads back as it was stored.
    #[test]
    fn a_tile_reads_back(n in 1usize..=TILE_WIDTH, seed in any::<u64>()) {
        let tile = leaves(n, seed);
        prop_assert_eq!(decode_tile(&encode_tile(&tile).unwrap()).unwrap(), tile);
    }
}

#[test]
fn leaves_out_of_commitment_order_or_repeated_are_refused() {
    let mut all = leaves(40, 1);
    all.swap(3, 20);
    let tiles: Vec<&[SumLeaf]> = all.chunks(TILE_WIDTH).collect();
    assert!(matches!(
        tile_roots(tiles),
        Err(SumError::DuplicateCommitment { .. })
    ));
    let mut all = leaves(40, 1);
    all[17] = all[16].clone();
    let tiles: Vec<&[SumLeaf]> = all.chunks(TILE_WIDTH).collect();
    assert!(tile_roots(tiles).is_err());
}

#[test]
fn a_cut_tile_does_not_read() {
    let bytes = encode_tile(&leaves(3, 9)).unwrap();
    for cut in [1, 40, 64, 67, bytes.len() - 1] {
        assert!(decode_tile(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

fn head() -> SnapshotHead {
    SnapshotHead {
        id: "ls_01".into(),
        taken_ms: 1_780_000_000_000,
        journal_seq: 4711,
        leaves: 3,
        root: SumNode {
            hash: [0xab; 32],
            sums: [("CNY".to_string(), 12_345), ("PTS".to_string(), 9)]
                .into_iter()
                .collect(),
        },
    }
}

#[test]
fn the_log_leaf_is_the_documented_text_and_reads_back() {
    let bytes = head().leaf_bytes();
    let want = format!(
        "qianbao-liability-snapshot-v1\nsnapshot ls_01\ntaken-at 1780000000000\njournal-seq 4711\n\
         leaves 3\nroot {}\nsum CNY 12345\nsum PTS 9\n",
        "ab".repeat(32)
    );
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), want);
    assert_eq!(SnapshotHead::parse(&bytes).unwrap(), head());
}

#[test]
fn a_bent_log_leaf_does_not_read() {
    let good = String::from_utf8(head().leaf_bytes()).unwrap();
    for bad in [
        good.replace(
            "qianbao-liability-snapshot-v1",
            "qianbao-liability-snapshot-v2",
        ),
        good.replace("leaves 3", "leaves 03"),
        good.replace("journal-seq", "journal_seq"),
        good.replace("sum CNY 12345\nsum PTS 9\n", "sum PTS 9\nsum CNY 12345\n"),
        good.replace("sum PTS 9", "sum PTS 0"),
        good.replace(&"ab".repeat(32), &"AB".repeat(32)),
        good.trim_end().to_string(),
        format!("{good}extra\n"),
    ] {
        assert!(SnapshotHead::parse(bad.as_bytes()).is_err(), "{bad}");
    }
}
