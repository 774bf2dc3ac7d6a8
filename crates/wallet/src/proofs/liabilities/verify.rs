//! The part of `qianbao verify` that checks every published liability snapshot against the
//! journal: the journal is replayed through the ledger core to each snapshot's line, and then
//! - every leaf is an owner's, with exactly the balances the replay gives them at that line;
//! - no owner with a balance then is left out;
//! - the tiles rebuild the stored nodes above them and the stored root, hash and totals;
//! - the snapshot's leaf in the journal's log says what its stored head says.
//!
//! So a bent leaf, node, head or log leaf, or a snapshot whose totals are not the ledger's at
//! its instant, is named.

use super::owner_salt;
use super::records::{LedgerAccount, SnapshotRecord};
use crate::StoreError;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;
use qianbao_ledger::{Account, Book, Instruction};
use qianbao_proofs::commitment::account_commitment;
use qianbao_proofs::hash::Hash;
use qianbao_proofs::liability::{SnapshotHead, decode_sums, decode_tile, tile_roots};
use qianbao_proofs::sum_tree::{SumLeaf, SumNode, SumTree};
use std::collections::{BTreeMap, HashMap};

/// Differences listed per snapshot at most; the rest say the same thing.
const LISTED_MAX: usize = 5;

/// Balances per owner, per currency.
type OwnerBalances = BTreeMap<String, BTreeMap<String, i64>>;

/// Checks every published snapshot; adds a problem to `report` for each difference.
pub async fn verify_liabilities(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    let problems = store
        .transact_read(|r| {
            let snapshots = r.published_liability_snapshots()?;
            let mut problems = Vec::new();
            if snapshots.is_empty() {
                return Ok(problems);
            }
            let accounts = r.accounts_with_owners()?;
            let last = snapshots.iter().map(|s| s.journal_seq).max().unwrap_or(0);
            let texts = r.journal_texts(last)?;
            let at = balances_at(&accounts, &texts, &snapshots, &mut problems);
            for (snapshot, balances) in snapshots.iter().zip(at) {
                let tiles = r.liability_tiles(&snapshot.id)?;
                let nodes = r.liability_nodes(&snapshot.id)?;
                let log_leaf = r.snapshot_log_leaf(&snapshot.id)?;
                check(
                    snapshot,
                    &balances,
                    &tiles,
                    &nodes,
                    log_leaf.map(|l| l.2),
                    &mut problems,
                );
            }
            Ok(problems)
        })
        .await?;
    for p in problems {
        report.problem(p);
    }
    Ok(())
}

/// Replays the journal through the ledger core and reads every liability owner's balances at
/// each snapshot's line (snapshots in any order).
fn balances_at(
    accounts: &[LedgerAccount],
    texts: &[String],
    snapshots: &[SnapshotRecord],
    problems: &mut Vec<String>,
) -> Vec<OwnerBalances> {
    let mut book = Book::new();
    for a in accounts {
        book.insert_account(Account::open(a.id, a.kind, a.currency));
    }
    let counted: Vec<&LedgerAccount> = accounts
        .iter()
        .filter(|a| super::LIABILITY_KINDS.contains(&a.kind) && a.owner != "operator")
        .collect();
    let read = |book: &Book| {
        let mut out = OwnerBalances::new();
        for a in &counted {
            let balance = book.account(a.id).map_or(0, |x| x.balance.minor());
            *out.entry(a.owner.clone())
                .or_default()
                .entry(a.currency.to_string())
                .or_default() += balance;
        }
        out
    };
    let mut wanted: Vec<(usize, i64)> = snapshots
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.journal_seq))
        .collect();
    wanted.sort_by_key(|w| w.1);
    let mut out = vec![OwnerBalances::new(); snapshots.len()];
    let mut next = wanted.iter().peekable();
    while let Some((i, _)) = next.next_if(|w| w.1 <= 0) {
        out[*i] = read(&book);
    }
    for (n, text) in texts.iter().enumerate() {
        let seq = i64::try_from(n).unwrap_or(i64::MAX) + 1;
        match Instruction::decode(text) {
            Ok(instruction) => {
                // The ledger's own check names a refused line; here it only must not count.
                let _ = book.apply(&instruction);
            }
            Err(e) => problems.push(format!(
                "liability snapshots: journal line {seq} does not read: {e}"
            )),
        }
        let _ = book.take_changes();
        while let Some((i, _)) = next.next_if(|w| w.1 <= seq) {
            out[*i] = read(&book);
        }
    }
    for (i, seq) in next {
        problems.push(format!(
            "liability snapshot {} is as of journal line {seq}, past the journal's end",
            snapshots[*i].id
        ));
    }
    out
}

/// One snapshot's checks.
fn check(
    snapshot: &SnapshotRecord,
    balances: &OwnerBalances,
    tiles: &[super::records::StoredTile],
    nodes: &[super::records::UpperNode],
    log_leaf: Option<Vec<u8>>,
    problems: &mut Vec<String>,
) {
    let id = &snapshot.id;
    let mut listed = 0usize;
    let mut say = |problems: &mut Vec<String>, what: String| {
        listed += 1;
        if listed <= LISTED_MAX {
            problems.push(format!("liability snapshot {id}: {what}"));
        } else if listed == LISTED_MAX + 1 {
            problems.push(format!("liability snapshot {id}: more differences"));
        }
    };
    // Leaves: each an owner's, with the journal's balances.
    let mut leaves: Vec<Vec<SumLeaf>> = Vec::with_capacity(tiles.len());
    for (tile, first, bytes) in tiles {
        match decode_tile(bytes) {
            Ok(l) if l.first().map(|x| x.commitment.as_slice()) == Some(first.as_slice()) => {
                leaves.push(l)
            }
            Ok(_) => say(
                problems,
                format!("tile {tile}'s first commitment is not its first leaf's"),
            ),
            Err(e) => say(problems, format!("tile {tile} does not read: {e}")),
        }
    }
    let by_commitment: HashMap<Hash, (&String, &BTreeMap<String, i64>)> = balances
        .iter()
        .map(|(owner, b)| {
            let salt = owner_salt(&snapshot.salt_key, owner);
            (account_commitment(&salt, owner), (owner, b))
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    for leaf in leaves.iter().flatten() {
        match by_commitment.get(&leaf.commitment) {
            None => say(problems, "a leaf is no owner's".into()),
            Some((owner, want)) => {
                seen.insert(leaf.commitment);
                let want: BTreeMap<String, i64> = want
                    .iter()
                    .filter(|(_, a)| **a != 0)
                    .map(|(c, a)| (c.clone(), *a))
                    .collect();
                let salt = owner_salt(&snapshot.salt_key, owner);
                if leaf.balances != want || leaf.salt != salt {
                    say(
                        problems,
                        format!(
                            "{owner}'s leaf says {:?}; the journal gives {want:?} at line {}",
                            leaf.balances, snapshot.journal_seq
                        ),
                    );
                }
            }
        }
    }
    for (commitment, (owner, b)) in &by_commitment {
        if !seen.contains(commitment) && b.values().any(|a| *a != 0) {
            say(problems, format!("{owner}, holding {b:?}, is left out"));
        }
    }
    let count: usize = leaves.iter().map(Vec::len).sum();
    if i64::try_from(count).ok() != Some(snapshot.leaves) {
        say(
            problems,
            format!("it says {} leaves; its tiles hold {count}", snapshot.leaves),
        );
    }
    // The tree: tiles, the nodes above them, the root.
    let rebuilt =
        tile_roots(leaves.iter().map(Vec::as_slice)).and_then(|roots| SumTree::over(&roots));
    let upper = match rebuilt {
        Ok(t) => t,
        Err(e) => {
            say(problems, format!("its tiles do not build a tree: {e}"));
            return;
        }
    };
    let stored: HashMap<(i64, i64), (&Hash, &Vec<u8>)> = nodes
        .iter()
        .map(|(l, i, h, s)| ((*l, *i), (h, s)))
        .collect();
    let mut expected = 0usize;
    for depth in 0..upper.depth() {
        for (i, node) in upper.level(depth).into_iter().enumerate() {
            expected += 1;
            let at = (
                i64::try_from(depth).unwrap_or(i64::MAX),
                i64::try_from(i).unwrap_or(i64::MAX),
            );
            let same = stored.get(&at).is_some_and(|(h, s)| {
                **h == node.hash && decode_sums(s).is_ok_and(|(sums, _)| sums == node.sums)
            });
            if !same {
                say(
                    problems,
                    format!(
                        "its node at level {} index {} differs from its tiles'",
                        at.0, at.1
                    ),
                );
            }
        }
    }
    if stored.len() != expected {
        say(
            problems,
            format!(
                "it stores {} nodes; its tiles make {expected}",
                stored.len()
            ),
        );
    }
    let root = upper.root();
    let stored_sums = decode_sums(&snapshot.root_sums).map(|(s, _)| s);
    if root.hash != snapshot.root_hash || stored_sums.as_ref() != Ok(&root.sums) {
        say(problems, "its root differs from its tiles'".into());
    }
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for b in balances.values() {
        for (c, a) in b.iter().filter(|(_, a)| **a != 0) {
            *totals.entry(c.clone()).or_default() += a;
        }
    }
    if totals != root.sums {
        say(
            problems,
            format!(
                "its totals {:?} are not the ledger's {totals:?} at line {}",
                root.sums, snapshot.journal_seq
            ),
        );
    }
    // The log's leaf.
    let head = SnapshotHead {
        id: id.clone(),
        taken_ms: snapshot.taken_ms,
        journal_seq: snapshot.journal_seq,
        leaves: snapshot.leaves.unsigned_abs(),
        root: SumNode {
            hash: snapshot.root_hash,
            sums: stored_sums.unwrap_or_default(),
        },
    };
    match log_leaf {
        Some(leaf) if leaf == head.leaf_bytes() => {}
        Some(_) => say(
            problems,
            "its leaf in the journal's log differs from its head".into(),
        ),
        None => say(problems, "it has no leaf in the journal's log".into()),
    }
}
