//! A proof-of-liabilities snapshot as the store keeps it and the log records it.
//!
//! A snapshot's sum tree ([`crate::sum_tree`]) has one leaf per owner, in ascending order of
//! commitment: the salts are new each snapshot, so the order is a fresh shuffle every day and a
//! holder's neighbours (whose sums their path shows, without names) change each time.
//!
//! **Tiles.** The leaves are kept in tiles of [`TILE_WIDTH`] (the `c2sp.org/tlog-tiles` idea): a
//! tile's leaves are one stored row, and only the tree *above* the tiles — one node per tile at its
//! bottom — is stored node by node. A holder's path is the path inside their tile, rebuilt from the
//! tile's leaves, followed by the path of the tile's root in the tree above. Because nodes pair as
//! `2i, 2i + 1` at every level, a tile aligned on a multiple of its width builds exactly the nodes
//! the whole tree has over it (the last, partial tile too: its lone nodes rise as they would), so
//! the tiled tree *is* the whole tree; a test checks it against [`SumTree::build`] over all leaves.
//!
//! **The log leaf.** The snapshot's root and totals become one leaf of the journal's Merkle log,
//! so a snapshot cannot be replaced or forked without a consistency proof failing. Its canonical
//! bytes are ASCII lines, each ending in `\n`:
//!
//! ```text
//! qianbao-liability-snapshot-v1
//! snapshot <id>
//! taken-at <milliseconds since the Unix epoch>
//! journal-seq <the journal line the balances are as of>
//! leaves <the number of leaves>
//! root <the root hash, 64 lowercase hex digits>
//! sum <currency> <minor units>       (one per non-zero root sum, ascending by code)
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::hash::Hash;
use crate::sum_tree::{PathStep, Side, SumError, SumLeaf, SumNode, SumTree};

/// Leaves per tile.
pub const TILE_WIDTH: usize = 16;

/// The first line of a snapshot's log leaf.
pub const LEAF_TAG: &str = "qianbao-liability-snapshot-v1";

/// What a snapshot's log leaf says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHead {
    /// The snapshot's id.
    pub id: String,
    /// When its balances were read (ms since the Unix epoch).
    pub taken_ms: i64,
    /// The journal line its balances are as of: every line up to it and none after.
    pub journal_seq: i64,
    /// Its number of leaves.
    pub leaves: u64,
    /// Its sum tree's root: the hash and the totals per currency.
    pub root: SumNode,
}

/// Why stored or published liability bytes do not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiabilityError {
    /// The bytes end inside a field.
    #[error("{0} ends early")]
    Truncated(&'static str),
    /// A field is not what the format allows.
    #[error("{0}")]
    Malformed(String),
    /// The sum-tree checks refused it.
    #[error(transparent)]
    Sums(#[from] SumError),
}

impl SnapshotHead {
    /// The canonical bytes of the log leaf (module doc).
    pub fn leaf_bytes(&self) -> Vec<u8> {
        let mut out = format!("{LEAF_TAG}\n");
        let _ = writeln!(out, "snapshot {}", self.id);
        let _ = writeln!(out, "taken-at {}", self.taken_ms);
        let _ = writeln!(out, "journal-seq {}", self.journal_seq);
        let _ = writeln!(out, "leaves {}", self.leaves);
        let _ = writeln!(out, "root {}", hex(&self.root.hash));
        for (currency, amount) in self.root.sums.iter().filter(|(_, a)| **a != 0) {
            let _ = writeln!(out, "sum {currency} {amount}");
        }
        out.into_bytes()
    }

    /// Reads a log leaf back, strictly: the tag first, every field once and in order, sums
    /// ascending and non-zero, nothing after them.
    pub fn parse(bytes: &[u8]) -> Result<SnapshotHead, LiabilityError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| LiabilityError::Malformed("the leaf is not UTF-8".into()))?;
        let body = text
            .strip_suffix('\n')
            .ok_or(LiabilityError::Truncated("the leaf's last line"))?;
        let mut lines = body.split('\n');
        if lines.next() != Some(LEAF_TAG) {
            return Err(LiabilityError::Malformed(format!(
                "the leaf does not start with {LEAF_TAG}"
            )));
        }
        let mut field = |name: &'static str| -> Result<&str, LiabilityError> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' '))
                .ok_or_else(|| LiabilityError::Malformed(format!("the leaf has no {name} line")))
        };
        let id = field("snapshot")?.to_owned();
        let taken_ms = number(field("taken-at")?, "taken-at")?;
        let journal_seq = number(field("journal-seq")?, "journal-seq")?;
        let leaves = number(field("leaves")?, "leaves")?;
        let hash = unhex(field("root")?)?;
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for line in lines {
            let mut parts = line.split(' ');
            let (Some("sum"), Some(currency), Some(amount), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(LiabilityError::Malformed(format!(
                    "{line:?} is not a sum line"
                )));
            };
            let amount: i64 = number(amount, "sum")?;
            if amount == 0
                || sums
                    .last_key_value()
                    .is_some_and(|(c, _)| c.as_str() >= currency)
            {
                return Err(LiabilityError::Malformed(
                    "the leaf's sums are not non-zero and ascending".into(),
                ));
            }
            sums.insert(currency.to_owned(), amount);
        }
        if id.is_empty() || id.contains(' ') {
            return Err(LiabilityError::Malformed(
                "the snapshot id is not a word".into(),
            ));
        }
        Ok(SnapshotHead {
            id,
            taken_ms,
            journal_seq,
            leaves,
            root: SumNode { hash, sums },
        })
    }
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, LiabilityError> {
    // Canonical decimal only: no sign on a count, no leading zeros, no plus.
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    if !canonical {
        return Err(LiabilityError::Malformed(format!(
            "{what} {text:?} is not a canonical number"
        )));
    }
    text.parse()
        .map_err(|_| LiabilityError::Malformed(format!("{what} {text:?} is out of range")))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(text: &str) -> Result<Hash, LiabilityError> {
    let bad = || LiabilityError::Malformed(format!("root {text:?} is not 64 lowercase hex digits"));
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// Appends a sums map in the canonical sums encoding of [`crate::sum_tree`] (count, then code and
/// amount per non-zero entry, ascending), refusing a bad code.
pub fn encode_sums(buf: &mut Vec<u8>, sums: &BTreeMap<String, i64>) -> Result<(), SumError> {
    let entries: Vec<(&String, &i64)> = sums.iter().filter(|(_, a)| **a != 0).collect();
    buf.extend_from_slice(
        &u32::try_from(entries.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    for (currency, amount) in entries {
        let code = currency.as_bytes();
        if code.len() != 3 || !code.iter().all(u8::is_ascii_uppercase) {
            return Err(SumError::BadCurrency(currency.clone()));
        }
        buf.extend_from_slice(code);
        buf.extend_from_slice(&amount.to_be_bytes());
    }
    Ok(())
}

/// Reads one canonical sums encoding from the front of `bytes`; answers it and the bytes after.
pub fn decode_sums(bytes: &[u8]) -> Result<(BTreeMap<String, i64>, &[u8]), LiabilityError> {
    let (count, mut rest) = take::<4>(bytes, "a sums count")?;
    let mut sums = BTreeMap::new();
    for _ in 0..u32::from_be_bytes(count) {
        let (code, after) = take::<3>(rest, "a currency code")?;
        let (amount, after) = take::<8>(after, "an amount")?;
        if !code.iter().all(u8::is_ascii_uppercase) {
            return Err(LiabilityError::Malformed(
                "a currency code is not A–Z".into(),
            ));
        }
        let currency: String = code.iter().map(|b| char::from(*b)).collect();
        let amount = i64::from_be_bytes(amount);
        if amount == 0 || sums.last_key_value().is_some_and(|(c, _)| *c >= currency) {
            return Err(LiabilityError::Malformed(
                "sums are not non-zero and ascending".into(),
            ));
        }
        sums.insert(currency, amount);
        rest = after;
    }
    Ok((sums, rest))
}

fn take<'a, const N: usize>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<([u8; N], &'a [u8]), LiabilityError> {
    match bytes.split_first_chunk::<N>() {
        Some((head, rest)) => Ok((*head, rest)),
        None => Err(LiabilityError::Truncated(what)),
    }
}

/// A tile's leaves as stored: per leaf its salt, its commitment and its balances' sums encoding.
pub fn encode_tile(leaves: &[SumLeaf]) -> Result<Vec<u8>, SumError> {
    let mut buf = Vec::with_capacity(leaves.len() * 80);
    for leaf in leaves {
        buf.extend_from_slice(&leaf.salt);
        buf.extend_from_slice(&leaf.commitment);
        encode_sums(&mut buf, &leaf.balances)?;
    }
    Ok(buf)
}

/// Reads a stored tile back.
pub fn decode_tile(mut bytes: &[u8]) -> Result<Vec<SumLeaf>, LiabilityError> {
    let mut leaves = Vec::with_capacity(TILE_WIDTH);
    while !bytes.is_empty() {
        let (salt, rest) = take::<32>(bytes, "a leaf's salt")?;
        let (commitment, rest) = take::<32>(rest, "a leaf's commitment")?;
        let (balances, rest) = decode_sums(rest)?;
        leaves.push(SumLeaf {
            salt,
            commitment,
            balances,
        });
        bytes = rest;
    }
    Ok(leaves)
}

/// The tiles of a snapshot: each tile's root (the bottom of the tree above the tiles), built
/// from leaves in ascending commitment order, which is checked (it also rules out a repeated
/// commitment across tiles).
pub fn tile_roots<'a>(
    tiles: impl IntoIterator<Item = &'a [SumLeaf]>,
) -> Result<Vec<SumNode>, SumError> {
    let mut roots = Vec::new();
    let mut last: Option<Hash> = None;
    let mut seen = 0usize;
    for tile in tiles {
        for leaf in tile {
            if last.is_some_and(|l| l >= leaf.commitment) {
                return Err(SumError::DuplicateCommitment {
                    first: seen.saturating_sub(1),
                    second: seen,
                });
            }
            last = Some(leaf.commitment);
            seen += 1;
        }
        roots.push(SumTree::build(tile)?.root());
    }
    Ok(roots)
}

/// The path of leaf `index_in_tile` of tile `tile` to the snapshot's root: the steps inside the
/// tile, rebuilt from its leaves, then the steps of the tile's root in the tree above, whose
/// nodes `upper(level, index)` answers (level 0 being the tiles' roots) for a snapshot of
/// `tiles` tiles.
pub fn path<E>(
    tile_leaves: &[SumLeaf],
    index_in_tile: usize,
    tile: u64,
    tiles: u64,
    mut upper: impl FnMut(u32, u64) -> Result<SumNode, E>,
) -> Result<Result<Vec<PathStep>, SumError>, E> {
    let inside = match SumTree::build(tile_leaves).and_then(|t| t.path(index_in_tile)) {
        Ok(steps) => steps,
        Err(e) => return Ok(Err(e)),
    };
    let mut steps = inside;
    let (mut at, mut count, mut level) = (tile, tiles, 0u32);
    if at >= count {
        return Ok(Err(SumError::NoSuchLeaf {
            index: usize::try_from(at).unwrap_or(usize::MAX),
            leaves: usize::try_from(count).unwrap_or(usize::MAX),
        }));
    }
    while count > 1 {
        let (sibling, side) = if at % 2 == 1 {
            (at - 1, Side::Left)
        } else {
            (at + 1, Side::Right)
        };
        if sibling < count {
            let SumNode { hash, sums } = upper(level, sibling)?;
            steps.push(PathStep { side, hash, sums });
        }
        at /= 2;
        count = count.div_ceil(2);
        level += 1;
    }
    Ok(Ok(steps))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
