//! The journal's Merkle log, kept as perfect subtrees (RFC 6962 §2.1, RFC 9162 §2.1).
//!
//! The store keeps, for every level `L` and index `i`, the hash of the perfect subtree over leaves
//! `[i·2^L, (i+1)·2^L)` once all of those leaves exist. Such a hash never changes after it is
//! written, so the store only ever inserts rows, inside the same transaction as the posting, and a
//! proof for an *older* tree size is served from the same rows as one for the newest. Every
//! subtree hash the RFC needs, `MTH(D[a:b])`, is folded from at most `log2(b − a) + 1` of these
//! perfect pieces, so no function here rereads the leaves.
//!
//! The generators follow RFC 6962 §2.1.1 (PATH) and §2.1.2 (PROOF/SUBPROOF) literally; the
//! verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 and share nothing with the generators but the
//! hash functions, so a bug in one is not mirrored in the other.

use crate::hash::{Hash, empty_root, node_hash};

/// Read access to the stored perfect-subtree hashes.
pub trait Nodes {
    /// The hash of the perfect subtree over leaves `[index·2^level, (index+1)·2^level)`, or
    /// `None` when it is not stored (not complete yet, or lost).
    fn node(&self, level: u32, index: u64) -> Option<Hash>;
}

impl<S: std::hash::BuildHasher> Nodes for std::collections::HashMap<(u32, u64), Hash, S> {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        self.get(&(level, index)).copied()
    }
}

impl Nodes for std::collections::BTreeMap<(u32, u64), Hash> {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        self.get(&(level, index)).copied()
    }
}

/// Why a root or a proof could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// An inclusion proof was asked of an empty tree.
    #[error("the tree is empty: there is no leaf to prove")]
    EmptyTree,
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not in a tree of {size} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size asked for.
        size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("a tree of {from} leaves cannot be a prefix of one of {to}")]
    FromAfterTo {
        /// The older size asked for.
        from: u64,
        /// The newer size asked for.
        to: u64,
    },
    /// A consistency proof was asked from the empty tree, which RFC 9162 §2.1.4 leaves undefined
    /// (every tree extends it; there is nothing to prove).
    #[error("a consistency proof needs an older tree of at least one leaf")]
    FromEmptyTree,
    /// A perfect subtree the computation needs is not in the store.
    #[error("the stored node at level {level}, index {index} is missing")]
    MissingNode {
        /// Its level (0 for leaves).
        level: u32,
        /// Its index within the level.
        index: u64,
    },
}

/// One stored perfect-subtree hash: `(level, index, hash)`.
pub type StoredNode = (u32, u64, Hash);

/// The nodes to store when the leaf numbered `size` (0-based, so the tree grows from `size` to
/// `size + 1` leaves) with hash `leaf` is appended: the leaf at `(0, size)`, then each perfect
/// subtree this leaf completes, climbing while the node just made is a right child.
///
/// Reads one stored left sibling per level climbed; the caller writes what this returns in the
/// same transaction as the leaf.
pub fn appended(size: u64, leaf: Hash, nodes: &impl Nodes) -> Result<Vec<StoredNode>, LogError> {
    let mut out = vec![(0, size, leaf)];
    let (mut level, mut index, mut hash) = (0u32, size, leaf);
    // An odd index is a right child: its left sibling is complete, so the parent is now complete.
    while index % 2 == 1 {
        let left = stored(nodes, level, index - 1)?;
        hash = node_hash(&left, &hash);
        level += 1;
        index /= 2;
        out.push((level, index, hash));
    }
    Ok(out)
}

/// The tree head `MTH(D[0:size])` of the first `size` leaves, from at most `log2(size) + 1`
/// stored perfect subtrees (the empty root for `size == 0`).
pub fn root(size: u64, nodes: &impl Nodes) -> Result<Hash, LogError> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree_hash(0, size, nodes)
}

/// RFC 6962 §2.1.1 `PATH(index, D[0:size])`: the audit path of leaf `index`, nearest sibling
/// first.
pub fn inclusion_proof(index: u64, size: u64, nodes: &impl Nodes) -> Result<Vec<Hash>, LogError> {
    if size == 0 {
        return Err(LogError::EmptyTree);
    }
    if index >= size {
        return Err(LogError::IndexOutOfRange { index, size });
    }
    // Walk down from the root. The RFC appends each sibling *after* the deeper path, so the
    // siblings found top-down are reversed at the end.
    let mut top_down = Vec::new();
    let (mut start, mut n, mut m) = (0u64, size, index);
    while n > 1 {
        let k = split(n);
        if m < k {
            // PATH(m, D[0:k]) : MTH(D[k:n])
            top_down.push(subtree_hash(start + k, n - k, nodes)?);
            n = k;
        } else {
            // PATH(m − k, D[k:n]) : MTH(D[0:k])
            top_down.push(subtree_hash(start, k, nodes)?);
            start += k;
            m -= k;
            n -= k;
        }
    }
    top_down.reverse();
    Ok(top_down)
}

/// RFC 6962 §2.1.2 `PROOF(from, D[0:to])`: the consistency proof that the tree of `from` leaves
/// is a prefix of the tree of `to` leaves. Empty when `from == to`.
pub fn consistency_proof(from: u64, to: u64, nodes: &impl Nodes) -> Result<Vec<Hash>, LogError> {
    if from > to {
        return Err(LogError::FromAfterTo { from, to });
    }
    if from == 0 {
        return Err(LogError::FromEmptyTree);
    }
    // SUBPROOF(m, D[start:start+n], b), unrolled; as in PATH, the RFC appends each hash after
    // the deeper subproof, so the top-down list is reversed at the end.
    let mut top_down = Vec::new();
    let (mut start, mut n, mut m, mut b) = (0u64, to, from, true);
    while m != n {
        let k = split(n);
        if m <= k {
            // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            top_down.push(subtree_hash(start + k, n - k, nodes)?);
            n = k;
        } else {
            // SUBPROOF(m − k, D[k:n], false) : MTH(D[0:k])
            top_down.push(subtree_hash(start, k, nodes)?);
            start += k;
            m -= k;
            n -= k;
            b = false;
        }
    }
    // m == n: the old tree's own subtree, which the verifier already has only when b is true.
    if !b {
        top_down.push(subtree_hash(start, n, nodes)?);
    }
    top_down.reverse();
    Ok(top_down)
}

/// RFC 9162 §2.1.3.2: does `proof` show that `leaf` is leaf number `index` of the tree of `size`
/// leaves whose head is `root`?
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    // 1. leaf_index must be inside the tree.
    if index >= size {
        return false;
    }
    // 2.–3. fn, sn and r.
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    // 4. Fold in each path element.
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    // 5. The path must have reached the root, and the root must match.
    s == 0 && r == *root
}

/// RFC 9162 §2.1.4.2: does `proof` show that the tree of `from` leaves with head `root_from` is a
/// prefix of the tree of `to` leaves with head `root_to`?
///
/// The RFC defines the check for `0 < from < to`; at the edges this accepts exactly what RFC 6962
/// §2.1.2 generates: for `from == to` an empty proof and equal heads, and for `from == 0` an empty
/// proof and the empty head.
pub fn verify_consistency(
    from: u64,
    to: u64,
    root_from: &Hash,
    root_to: &Hash,
    proof: &[Hash],
) -> bool {
    if from > to {
        return false;
    }
    if from == 0 {
        return proof.is_empty() && *root_from == empty_root();
    }
    if from == to {
        return proof.is_empty() && root_from == root_to;
    }
    // 1. An empty path proves nothing.
    let Some((first, rest)) = proof.split_first() else {
        return false;
    };
    // 2. When `from` is a power of two the old head is itself a node of the new tree and is not
    //    sent: put it in front.
    let (start, rest): (&Hash, &[Hash]) = if from.is_power_of_two() {
        (root_from, proof)
    } else {
        (first, rest)
    };
    // 3.–4. fn and sn, with fn's trailing ones shifted away.
    let (mut f, mut s) = (from - 1, to - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    // 5. fr and sr start at the first element.
    let (mut fr, mut sr) = (*start, *start);
    // 6. Fold in each later element.
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    // 7. Both heads must match and the path must have reached the new root.
    fr == *root_from && sr == *root_to && s == 0
}

/// The largest power of two smaller than `n` (`n ≥ 2`): where RFC 6962 splits a tree of `n`.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[start : start + n])` for a subtree that RFC 6962's recursion can reach, so `start` is a
/// multiple of the smallest power of two `≥ n`. Such a range is the perfect pieces named by the
/// one bits of `n`, largest first, and its hash folds them from the right, exactly as the MTH
/// recursion splits off its largest power of two on the left at every step.
fn subtree_hash(start: u64, n: u64, nodes: &impl Nodes) -> Result<Hash, LogError> {
    debug_assert!(n >= 1);
    let mut pieces = Vec::with_capacity(n.count_ones() as usize);
    let mut at = start;
    for level in (0..64u32).rev() {
        let width = 1u64 << level;
        if n & width != 0 {
            pieces.push(stored(nodes, level, at >> level)?);
            at += width;
        }
    }
    let mut acc = pieces.pop().ok_or(LogError::MissingNode {
        level: 0,
        index: start,
    })?;
    while let Some(left) = pieces.pop() {
        acc = node_hash(&left, &acc);
    }
    Ok(acc)
}

/// One stored node, or the error naming it.
fn stored(nodes: &impl Nodes, level: u32, index: u64) -> Result<Hash, LogError> {
    nodes
        .node(level, index)
        .ok_or(LogError::MissingNode { level, index })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
