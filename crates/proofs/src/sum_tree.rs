//! The Merkle sum tree of a proof of liabilities.
//!
//! Each leaf is one account's balances per currency, named only by a salted commitment (see
//! [`crate::commitment`]). Each node carries the sums of its two children and hashes them in, so
//! a holder given their leaf, salt and path recomputes the root hash *and* the root totals: a
//! balance left out or shrunk changes one or the other.
//!
//! The checks answer the attacks of "Broken Proofs of Solvency" (FC 2022):
//! - no balance and no sum may be negative, at build time and at every node the verifier
//!   recomputes, so a fake negative account cannot cancel a real liability;
//! - hashes are full 32-byte SHA-256, never truncated;
//! - commitments are unique within a tree, so two holders cannot be shown the same leaf;
//! - every sum is added with overflow checks.
//!
//! ## Byte formats
//!
//! A **sums map** (a leaf's balances or a node's sums) is encoded canonically as: the number of
//! its non-zero entries as a 4-byte big-endian integer, then for each non-zero entry in ascending
//! order of currency code, the code's 3 ASCII uppercase letters and the amount in minor units as
//! an 8-byte big-endian two's-complement integer. A zero entry is left out, so `{CNY: 0}` and `{}`
//! are the same map; the count makes the encoding self-delimiting.
//!
//! - leaf hash: `SHA-256(0x00 ‖ salt (32) ‖ commitment (32) ‖ sums(balances))`
//! - node hash: `SHA-256(0x01 ‖ left hash ‖ sums(left) ‖ right hash ‖ sums(right))`
//!
//! The tree is built level by level: nodes `2i` and `2i + 1` are paired, and a last node without
//! a partner rises unchanged to the next level (which gives RFC 6962's tree shape).

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use crate::hash::Hash;

/// A currency code as its three ASCII uppercase letters.
type Code = [u8; 3];

/// One account's leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLeaf {
    /// The leaf's salt, given to the holder with the proof.
    pub salt: [u8; 32],
    /// The account's salted commitment.
    pub commitment: Hash,
    /// Balance per currency code (`"CNY"`), in minor units; never negative.
    pub balances: BTreeMap<String, i64>,
}

/// A node as a verifier sees it: its hash and its sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumNode {
    /// The node's hash.
    pub hash: Hash,
    /// The sums per currency of every leaf below it (zero sums left out).
    pub sums: BTreeMap<String, i64>,
}

/// Which side of the node being climbed its sibling sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The sibling is the left child; the climbed node is the right one.
    Left,
    /// The sibling is the right child; the climbed node is the left one.
    Right,
}

/// One step of a leaf's path to the root: its sibling at that level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    /// Where the sibling sits.
    pub side: Side,
    /// The sibling's hash.
    pub hash: Hash,
    /// The sibling's sums.
    pub sums: BTreeMap<String, i64>,
}

/// Why a tree could not be built or a path does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SumError {
    /// A tree needs at least one leaf.
    #[error("a sum tree needs at least one leaf")]
    NoLeaves,
    /// A currency code is not three ASCII uppercase letters.
    #[error("currency code {0:?} is not three ASCII uppercase letters")]
    BadCurrency(String),
    /// A leaf holds a negative balance, which could hide another holder's liability.
    #[error("leaf {leaf} has a negative {currency} balance")]
    NegativeBalance {
        /// The leaf's index.
        leaf: usize,
        /// The currency.
        currency: String,
    },
    /// Two leaves carry the same commitment.
    #[error("leaves {first} and {second} carry the same commitment")]
    DuplicateCommitment {
        /// The earlier leaf.
        first: usize,
        /// The later leaf.
        second: usize,
    },
    /// A sum does not fit in an i64.
    #[error("the {0} sum overflows")]
    Overflow(String),
    /// A path was asked for a leaf the tree does not have.
    #[error("leaf {index} is not among the tree's {leaves} leaves")]
    NoSuchLeaf {
        /// The index asked for.
        index: usize,
        /// The number of leaves.
        leaves: usize,
    },
    /// A node on the path carries a negative sum. Step 0 is the leaf itself, step `k` the
    /// sibling of the `k`-th climb, and the root is step `path.len() + 1`.
    #[error("step {step} carries a negative {currency} sum")]
    NegativeSum {
        /// Where on the path.
        step: usize,
        /// The currency.
        currency: String,
    },
    /// The path is longer than any tree of at most 2^64 leaves needs.
    #[error("the path is longer than 64 steps")]
    PathTooLong,
    /// The recomputed root hash is not the published one.
    #[error("the path leads to another root hash")]
    RootHashMismatch,
    /// The recomputed root sums are not the published totals.
    #[error("the path leads to other root sums")]
    RootSumsMismatch,
}

/// A built sum tree: every level's hashes and sums, so any leaf's path is a lookup.
#[derive(Debug, Clone)]
pub struct SumTree {
    /// Every currency any leaf holds, ascending: the columns of the sums below.
    currencies: Vec<Code>,
    /// Level 0 is the leaves; the last level holds the root alone.
    levels: Vec<Level>,
}

/// One level, with sums stored densely (one row of `currencies.len()` per node) so a million
/// leaves cost tens of megabytes, not a map per node.
#[derive(Debug, Clone)]
struct Level {
    hashes: Vec<Hash>,
    sums: Vec<i64>,
}

impl SumTree {
    /// Builds the tree, refusing bad currency codes, negative balances, repeated commitments and
    /// sums that overflow.
    pub fn build(leaves: &[SumLeaf]) -> Result<SumTree, SumError> {
        if leaves.is_empty() {
            return Err(SumError::NoLeaves);
        }
        let mut seen = HashMap::with_capacity(leaves.len());
        for (i, leaf) in leaves.iter().enumerate() {
            if let Some(first) = seen.insert(leaf.commitment, i) {
                return Err(SumError::DuplicateCommitment { first, second: i });
            }
        }
        let currencies = columns(leaves.iter().map(|l| &l.balances))?;
        let width = currencies.len();
        let column: HashMap<Code, usize> = currencies
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i))
            .collect();

        let mut bottom = Level {
            hashes: Vec::with_capacity(leaves.len()),
            sums: vec![0; leaves.len() * width],
        };
        let mut buf = Vec::with_capacity(256);
        for (i, leaf) in leaves.iter().enumerate() {
            let row = &mut bottom.sums[i * width..(i + 1) * width];
            for (currency, &amount) in &leaf.balances {
                // Checked above: every code is valid and has a column.
                if let Ok(c) = code(currency) {
                    row[column[&c]] = amount;
                }
            }
            buf.clear();
            buf.push(0x00);
            buf.extend_from_slice(&leaf.salt);
            buf.extend_from_slice(&leaf.commitment);
            encode_row(&mut buf, &currencies, row);
            bottom.hashes.push(Sha256::digest(&buf).into());
        }

        let mut levels = vec![bottom];
        while let Some(below) = levels.last().filter(|l| l.hashes.len() > 1) {
            let level = Self::parent_level(below, &currencies, &mut buf)?;
            levels.push(level);
        }
        Ok(SumTree { currencies, levels })
    }

    /// Builds the tree above `nodes`, taken as its bottom level as they are (their hashes are not
    /// recomputed): the upper part of a tiled tree, whose bottom is the roots of its tiles. Sums
    /// are checked as [`SumTree::build`] checks balances.
    pub fn over(nodes: &[SumNode]) -> Result<SumTree, SumError> {
        if nodes.is_empty() {
            return Err(SumError::NoLeaves);
        }
        let currencies = columns(nodes.iter().map(|n| &n.sums))?;
        let width = currencies.len();
        let mut bottom = Level {
            hashes: Vec::with_capacity(nodes.len()),
            sums: Vec::with_capacity(nodes.len() * width),
        };
        for node in nodes {
            bottom.hashes.push(node.hash);
            for c in &currencies {
                bottom
                    .sums
                    .push(node.sums.get(&name(c)).copied().unwrap_or(0));
            }
        }
        let mut buf = Vec::with_capacity(256);
        let mut levels = vec![bottom];
        while let Some(below) = levels.last().filter(|l| l.hashes.len() > 1) {
            let level = Self::parent_level(below, &currencies, &mut buf)?;
            levels.push(level);
        }
        Ok(SumTree { currencies, levels })
    }

    /// The number of levels, the bottom one and the root's included.
    pub fn depth(&self) -> usize {
        self.levels.len()
    }

    /// The nodes of level `depth` (0 is the bottom), left to right; none past the root.
    pub fn level(&self, depth: usize) -> Vec<SumNode> {
        let count = self.levels.get(depth).map_or(0, |l| l.hashes.len());
        (0..count).map(|i| self.node(depth, i)).collect()
    }

    /// Pairs the nodes of one level into the next.
    fn parent_level(
        below: &Level,
        currencies: &[Code],
        buf: &mut Vec<u8>,
    ) -> Result<Level, SumError> {
        let width = currencies.len();
        let n = below.hashes.len();
        let mut up = Level {
            hashes: Vec::with_capacity(n.div_ceil(2)),
            sums: Vec::with_capacity(n.div_ceil(2) * width),
        };
        for left in (0..n).step_by(2) {
            let left_row = &below.sums[left * width..(left + 1) * width];
            let right = left + 1;
            if right == n {
                // The lone last node rises unchanged.
                up.hashes.push(below.hashes[left]);
                up.sums.extend_from_slice(left_row);
                continue;
            }
            let right_row = &below.sums[right * width..(right + 1) * width];
            for (k, (a, b)) in left_row.iter().zip(right_row).enumerate() {
                let sum = a
                    .checked_add(*b)
                    .ok_or_else(|| SumError::Overflow(name(&currencies[k])))?;
                up.sums.push(sum);
            }
            buf.clear();
            buf.push(0x01);
            buf.extend_from_slice(&below.hashes[left]);
            encode_row(buf, currencies, left_row);
            buf.extend_from_slice(&below.hashes[right]);
            encode_row(buf, currencies, right_row);
            up.hashes.push(Sha256::digest(&*buf).into());
        }
        Ok(up)
    }

    /// The number of leaves.
    pub fn len(&self) -> usize {
        self.levels[0].hashes.len()
    }

    /// Whether the tree has no leaves (never: [`SumTree::build`] refuses that).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The root: its hash and the totals per currency.
    pub fn root(&self) -> SumNode {
        let top = self.levels.len() - 1;
        self.node(top, 0)
    }

    /// The siblings from leaf `index` up to the root, nearest first.
    pub fn path(&self, index: usize) -> Result<Vec<PathStep>, SumError> {
        if index >= self.len() {
            return Err(SumError::NoSuchLeaf {
                index,
                leaves: self.len(),
            });
        }
        let mut steps = Vec::new();
        let mut at = index;
        for (depth, level) in self.levels.iter().enumerate().take(self.levels.len() - 1) {
            let (sibling, side) = if at % 2 == 1 {
                (at - 1, Side::Left)
            } else {
                (at + 1, Side::Right)
            };
            // A lone last node has no sibling at this level: it rises without a step.
            if sibling < level.hashes.len() {
                let SumNode { hash, sums } = self.node(depth, sibling);
                steps.push(PathStep { side, hash, sums });
            }
            at /= 2;
        }
        Ok(steps)
    }

    /// One node as a verifier sees it.
    fn node(&self, depth: usize, index: usize) -> SumNode {
        let level = &self.levels[depth];
        let width = self.currencies.len();
        let row = &level.sums[index * width..(index + 1) * width];
        let sums = self
            .currencies
            .iter()
            .zip(row)
            .filter(|(_, amount)| **amount != 0)
            .map(|(c, amount)| (name(c), *amount))
            .collect();
        SumNode {
            hash: level.hashes[index],
            sums,
        }
    }
}

/// Checks that `leaf` is in the tree whose root is `root`: recomputes every node on the way up
/// from the leaf and the siblings given, refusing any negative balance or sum and any overflow,
/// and compares the root's hash and totals at the end.
///
/// Written from the byte formats in the module doc, apart from [`SumTree::build`]: it works on
/// maps, not on the dense rows the builder uses.
pub fn verify_path(leaf: &SumLeaf, path: &[PathStep], root: &SumNode) -> Result<(), SumError> {
    if path.len() > 64 {
        return Err(SumError::PathTooLong);
    }
    let mut sums = checked_sums(&leaf.balances, 0)?;
    let mut buf = vec![0x00];
    buf.extend_from_slice(&leaf.salt);
    buf.extend_from_slice(&leaf.commitment);
    encode_map(&mut buf, &sums);
    let mut hash: Hash = Sha256::digest(&buf).into();

    for (k, step) in path.iter().enumerate() {
        let sibling = checked_sums(&step.sums, k + 1)?;
        let (left, right) = match step.side {
            Side::Left => ((&step.hash, &sibling), (&hash, &sums)),
            Side::Right => ((&hash, &sums), (&step.hash, &sibling)),
        };
        buf.clear();
        buf.push(0x01);
        buf.extend_from_slice(left.0);
        encode_map(&mut buf, left.1);
        buf.extend_from_slice(right.0);
        encode_map(&mut buf, right.1);
        let parent_hash: Hash = Sha256::digest(&buf).into();
        let mut parent = sums.clone();
        for (c, amount) in &sibling {
            let slot = parent.entry(*c).or_insert(0);
            *slot = slot
                .checked_add(*amount)
                .ok_or_else(|| SumError::Overflow(name(c)))?;
        }
        hash = parent_hash;
        sums = parent;
    }

    let published = checked_sums(&root.sums, path.len() + 1)?;
    if hash != root.hash {
        return Err(SumError::RootHashMismatch);
    }
    if sums != published {
        return Err(SumError::RootSumsMismatch);
    }
    Ok(())
}

/// Every currency the maps name, ascending (the columns of a tree's dense sums), refusing a bad
/// code or a negative amount (reported by the map's position).
fn columns<'a>(
    maps: impl Iterator<Item = &'a BTreeMap<String, i64>>,
) -> Result<Vec<Code>, SumError> {
    let mut codes = std::collections::BTreeSet::new();
    for (i, map) in maps.enumerate() {
        for (currency, &amount) in map {
            codes.insert(code(currency)?);
            if amount < 0 {
                return Err(SumError::NegativeBalance {
                    leaf: i,
                    currency: currency.clone(),
                });
            }
        }
    }
    Ok(codes.into_iter().collect())
}

/// A map's entries as codes, zeros dropped, each checked to be a valid code and non-negative.
fn checked_sums(map: &BTreeMap<String, i64>, step: usize) -> Result<BTreeMap<Code, i64>, SumError> {
    let mut out = BTreeMap::new();
    for (currency, &amount) in map {
        let c = code(currency)?;
        if amount < 0 {
            return Err(SumError::NegativeSum {
                step,
                currency: currency.clone(),
            });
        }
        if amount != 0 {
            out.insert(c, amount);
        }
    }
    Ok(out)
}

/// The canonical sums encoding of a map of non-zero entries.
fn encode_map(buf: &mut Vec<u8>, sums: &BTreeMap<Code, i64>) {
    let count = sums.values().filter(|a| **a != 0).count();
    buf.extend_from_slice(&(count as u32).to_be_bytes());
    for (c, amount) in sums.iter().filter(|(_, a)| **a != 0) {
        buf.extend_from_slice(c);
        buf.extend_from_slice(&amount.to_be_bytes());
    }
}

/// The canonical sums encoding of a dense row over `currencies` (ascending).
fn encode_row(buf: &mut Vec<u8>, currencies: &[Code], row: &[i64]) {
    let count = row.iter().filter(|a| **a != 0).count();
    buf.extend_from_slice(&(count as u32).to_be_bytes());
    for (c, amount) in currencies.iter().zip(row).filter(|(_, a)| **a != 0) {
        buf.extend_from_slice(c);
        buf.extend_from_slice(&amount.to_be_bytes());
    }
}

/// A currency code's three bytes, if it is three ASCII uppercase letters.
fn code(currency: &str) -> Result<Code, SumError> {
    match currency.as_bytes() {
        &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok([a, b, c]),
        _ => Err(SumError::BadCurrency(currency.to_owned())),
    }
}

/// A code back as a string.
fn name(c: &Code) -> String {
    c.iter().map(|b| char::from(*b)).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
