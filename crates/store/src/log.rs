//! The journal's Merkle log (issue 23, `docs/proofs.md`): every journal line is a leaf of an
//! RFC 6962 tree, appended in the transaction that writes the line, on both backends. The store
//! keeps every complete ("perfect") subtree's hash in `log_nodes`, so any proof reads O(log n)
//! rows and never the journal; and the tree's right edge — the roots of the perfect subtrees that
//! make up its size, largest first — beside the chain's head, so an append reads nothing more than
//! the head it reads already.
//!
//! A leaf names accounts only by salted commitments: the salt of an account is a keyed hash of
//! its id under the log's key (a random key made with the table, kept in the head's row), so a
//! proof shows a holder their own lines and nothing of anyone else's accounts.

use hmac::{Hmac, KeyInit, Mac};
use qianbao_ledger::{AccountId, EntryId, Instruction, Posting};
use qianbao_wallet::StoreError;
use sha2::Sha256;
use std::fmt::Write as _;

pub use qianbao_proofs::hash::{Hash, leaf_hash, node_hash};

/// An account's salt: HMAC-SHA-256 under the log's key of its decimal id. Given to the holder
/// with their own proofs, so they can check their commitment.
pub fn account_salt(log_key: &[u8], account: AccountId) -> Hash {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(log_key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(account.0.to_string().as_bytes());
    mac.finalize().into_bytes().into()
}

/// What a leaf says of an account: its salted commitment (`qianbao_proofs::commitment`), over
/// its decimal id.
pub fn account_commitment(salt: &Hash, account: AccountId) -> Hash {
    qianbao_proofs::commitment::account_commitment(salt, &account.0.to_string())
}

/// The canonical bytes of journal line `seq` holding `entry` (`docs/proofs.md`): ASCII lines,
/// each ending in `\n` — `qianbao-log-leaf-v1`, `seq <n>`, `entry <32 hex>`, `kind <transfer|hold|
/// post|void>`, then `hold <32 hex>` for a post or void, or one `posting <64 hex commitment>
/// <currency> <signed amount in minor units>` per leg for a transfer or hold, in order.
pub fn leaf_bytes(log_key: &[u8], seq: i64, entry: &Instruction) -> Vec<u8> {
    let mut out = String::from("qianbao-log-leaf-v1\n");
    let _ = writeln!(out, "seq {seq}");
    let (id, kind) = match entry {
        Instruction::Transfer { id, .. } => (id, "transfer"),
        Instruction::Hold { id, .. } => (id, "hold"),
        Instruction::Post { id, .. } => (id, "post"),
        Instruction::Void { id, .. } => (id, "void"),
    };
    let _ = writeln!(out, "entry {}", entry_hex(*id));
    let _ = writeln!(out, "kind {kind}");
    match entry {
        Instruction::Transfer { postings, .. } | Instruction::Hold { postings, .. } => {
            for p in postings {
                posting_line(&mut out, log_key, p);
            }
        }
        Instruction::Post { hold, .. } | Instruction::Void { hold, .. } => {
            let _ = writeln!(out, "hold {}", entry_hex(*hold));
        }
    }
    out.into_bytes()
}

fn posting_line(out: &mut String, log_key: &[u8], p: &Posting) {
    let commitment = account_commitment(&account_salt(log_key, p.account), p.account);
    let _ = writeln!(
        out,
        "posting {} {} {}",
        hex::encode(commitment),
        p.currency,
        p.amount.minor()
    );
}

fn entry_hex(id: EntryId) -> String {
    format!("{:032x}", id.0)
}

/// The journal lines the log has not reached yet (written before it existed): `$1` the journal
/// lines the log holds, `$2` the seq of the chain's head. Every write path reads them with this one statement
/// before appending its own lines.
pub const UNLOGGED_LINES: &str =
    "SELECT seq, text FROM journal WHERE seq > $1 AND seq <= $2 ORDER BY seq";

/// The log's state kept beside the chain's head: how many leaves it has and how many of them are
/// journal lines, the roots of the perfect subtrees that make up that size (largest first), and
/// the key of its salts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHead {
    /// Leaves so far.
    pub size: i64,
    /// The journal lines among them (the rest are liability snapshots' leaves).
    pub lines: i64,
    /// The right edge, largest subtree first.
    pub frontier: Vec<Hash>,
    /// The key account salts are made under.
    pub key: Vec<u8>,
}

/// A perfect subtree's hash to store: its level (0 for a leaf), its index at that level, and the
/// hash.
pub type Node = (i64, i64, Hash);

impl LogHead {
    /// Reads the head's log columns back: the frontier as concatenated 32-byte hashes, whose
    /// count must be the number of ones in the size's binary form.
    pub fn from_row(
        size: i64,
        lines: i64,
        frontier: &[u8],
        key: Vec<u8>,
    ) -> Result<LogHead, StoreError> {
        let hashes: Vec<Hash> = frontier
            .chunks(32)
            .map(|c| c.try_into())
            .collect::<Result<_, _>>()
            .map_err(|_| StoreError::Corrupt("the log's frontier is not whole hashes".into()))?;
        if size < 0 || hashes.len() != size.count_ones() as usize {
            return Err(StoreError::Corrupt(format!(
                "the log's frontier has {} hashes for {size} leaves",
                hashes.len()
            )));
        }
        if key.len() < 16 {
            return Err(StoreError::Corrupt("the log has no key".into()));
        }
        if lines < 0 || lines > size {
            return Err(StoreError::Corrupt(format!(
                "the log counts {lines} journal lines among {size} leaves"
            )));
        }
        Ok(LogHead {
            size,
            lines,
            frontier: hashes,
            key,
        })
    }

    /// The frontier as stored.
    pub fn frontier_bytes(&self) -> Vec<u8> {
        self.frontier.concat()
    }

    /// Appends journal line `seq` holding `entry`; answers the perfect subtrees it completes
    /// (the leaf itself first), which the caller stores.
    pub fn append(&mut self, seq: i64, entry: &Instruction) -> Vec<Node> {
        self.lines += 1;
        self.append_leaf(leaf_hash(&leaf_bytes(&self.key, seq, entry)))
    }

    /// Appends a leaf that is not a journal line (a liability snapshot's), after the journal
    /// lines logged so far; answers the perfect subtrees it completes.
    pub fn append_other(&mut self, leaf: &[u8]) -> Vec<Node> {
        self.append_leaf(leaf_hash(leaf))
    }

    /// Appends journal lines given as `(seq, text)`, which must follow the log's last journal
    /// line one by one; answers the perfect subtrees they complete.
    pub fn append_lines<'a>(
        &mut self,
        lines: impl IntoIterator<Item = (i64, &'a str)>,
    ) -> Result<Vec<Node>, StoreError> {
        let mut nodes = Vec::new();
        for (seq, text) in lines {
            if seq != self.lines + 1 {
                return Err(StoreError::Corrupt(format!(
                    "journal line {seq} follows a log of {} journal lines",
                    self.lines
                )));
            }
            let entry =
                Instruction::decode(text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            nodes.extend(self.append(seq, &entry));
        }
        Ok(nodes)
    }

    /// Appends a leaf hash: it and each subtree it completes, folding the frontier's equal-sized
    /// subtrees on the right as binary addition carries.
    pub fn append_leaf(&mut self, leaf: Hash) -> Vec<Node> {
        let (mut hash, mut level, mut index) = (leaf, 0i64, self.size);
        let mut made = vec![(0, index, hash)];
        while index & 1 == 1 {
            let Some(left) = self.frontier.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            level += 1;
            index >>= 1;
            made.push((level, index, hash));
        }
        self.frontier.push(hash);
        self.size += 1;
        made
    }

    /// The tree head: RFC 6962's MTH of every leaf so far (`SHA-256("")` for none).
    pub fn root(&self) -> Hash {
        let mut edge = self.frontier.iter().rev();
        let Some(last) = edge.next() else {
            return qianbao_proofs::hash::empty_root();
        };
        edge.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// A log leaf that is not a journal line, as stored: its index, the journal line it follows, and
/// its bytes.
pub type OtherLeaf = (i64, i64, Vec<u8>);

/// The head's log columns as the verify read found them: size, journal lines, frontier, key.
pub type HeadRow<'a> = (i64, i64, &'a [u8], Vec<u8>);

/// Reads the head's log columns, the other leaves and the stored nodes as the verify read found
/// them, and checks them ([`check`]); a row that does not read is itself a problem.
pub fn check_rows(
    report: &mut qianbao_wallet::VerifyReport,
    head: HeadRow<'_>,
    journal: &[qianbao_wallet::verify::JournalLine],
    others: &[OtherLeaf],
    nodes: &[(i64, i64, Vec<u8>)],
) {
    let head = match LogHead::from_row(head.0, head.1, head.2, head.3) {
        Ok(head) => head,
        Err(e) => {
            report.problem(format!("the Merkle log's head does not read: {e}"));
            return;
        }
    };
    let mut stored = Vec::with_capacity(nodes.len());
    for (level, index, hash) in nodes {
        match <Hash>::try_from(hash.as_slice()) {
            Ok(hash) => stored.push((*level, *index, hash)),
            Err(_) => report.problem(format!(
                "the Merkle log's node at level {level} index {index} is not a 32-byte hash"
            )),
        }
    }
    check(report, &head, journal, others, &stored);
}

/// What `qianbao verify` checks of the log: rebuilt from the journal's first `head.lines` lines
/// under the head's key, with the other leaves (`others`, by index) each placed after the journal
/// line it names, every perfect subtree stored must be the one rebuilt (none missing, none extra)
/// and the stored right edge the rebuilt one. A changed journal line or other leaf, a changed or
/// dropped node, or a bent edge is named in `report`.
pub fn check(
    report: &mut qianbao_wallet::VerifyReport,
    head: &LogHead,
    journal: &[qianbao_wallet::verify::JournalLine],
    others: &[OtherLeaf],
    stored: &[Node],
) {
    let mut rebuilt = LogHead {
        size: 0,
        lines: 0,
        frontier: Vec::new(),
        key: head.key.clone(),
    };
    let logged = usize::try_from(head.lines).unwrap_or(usize::MAX);
    if journal.len() < logged {
        report.problem(format!(
            "the Merkle log holds {} journal lines but the journal has {}",
            head.lines,
            journal.len()
        ));
        return;
    }
    let mut expected = std::collections::BTreeMap::new();
    let mut others = others.iter().peekable();
    let mut place_others = |rebuilt: &mut LogHead,
                            expected: &mut std::collections::BTreeMap<(i64, i64), Hash>,
                            report: &mut qianbao_wallet::VerifyReport,
                            up_to_line: i64| {
        while let Some((index, after, leaf)) = others.next_if(|o| o.1 <= up_to_line) {
            if *index != rebuilt.size || *after != rebuilt.lines {
                report.problem(format!(
                    "the Merkle log's snapshot leaf {index} (after journal line {after}) is \
                     out of place: the log there is at leaf {} after line {}",
                    rebuilt.size, rebuilt.lines
                ));
            }
            expected.extend(
                rebuilt
                    .append_other(leaf)
                    .into_iter()
                    .map(|(l, i, h)| ((l, i), h)),
            );
        }
    };
    for line in &journal[..logged] {
        let seq = i64::try_from(line.seq).unwrap_or(i64::MAX);
        place_others(&mut rebuilt, &mut expected, report, seq - 1);
        match rebuilt.append_lines([(seq, line.text.as_str())]) {
            Ok(nodes) => expected.extend(nodes.into_iter().map(|(l, i, h)| ((l, i), h))),
            Err(e) => {
                report.problem(format!("the Merkle log cannot log journal line {seq}: {e}"));
                return;
            }
        }
    }
    place_others(&mut rebuilt, &mut expected, report, head.lines);
    if let Some((index, after, _)) = others.next() {
        report.problem(format!(
            "the Merkle log's snapshot leaf {index} follows journal line {after}, past the {} \
             lines logged",
            head.lines
        ));
    }
    if rebuilt.size != head.size {
        report.problem(format!(
            "the Merkle log's head says {} leaves; the journal and snapshot leaves make {}",
            head.size, rebuilt.size
        ));
    }
    let mut found: std::collections::BTreeMap<(i64, i64), Hash> = std::collections::BTreeMap::new();
    for &(level, index, hash) in stored {
        found.insert((level, index), hash);
    }
    let mut differ = 0usize;
    for (at, hash) in &expected {
        match found.get(at) {
            Some(h) if h == hash => {}
            Some(_) => {
                differ += 1;
                if differ <= 3 {
                    report.problem(format!(
                        "the Merkle log's node at level {} index {} differs from the journal's",
                        at.0, at.1
                    ));
                }
            }
            None => {
                differ += 1;
                if differ <= 3 {
                    report.problem(format!(
                        "the Merkle log has no node at level {} index {}",
                        at.0, at.1
                    ));
                }
            }
        }
    }
    if let Some(extra) = found.keys().find(|at| !expected.contains_key(*at)) {
        report.problem(format!(
            "the Merkle log has a node at level {} index {} that no journal line makes",
            extra.0, extra.1
        ));
    }
    if rebuilt.frontier != head.frontier {
        report.problem(
            "the Merkle log's right edge beside the head differs from the journal's".into(),
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use qianbao_ledger::{Amount, Currency};

    /// RFC 6962's MTH, straight from its definition, to check the frontier against.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => qianbao_proofs::hash::empty_root(),
            1 => leaves[0],
            n => {
                let k = 1usize << (usize::BITS - (n - 1).leading_zeros() - 1);
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn appending_leaves_keeps_the_root_rfc_6962_gives_and_stores_each_perfect_subtree_once() {
        let mut head = LogHead::from_row(0, 0, &[], vec![7; 32]).unwrap();
        let mut leaves = Vec::new();
        let mut stored = std::collections::HashMap::new();
        for i in 0..100u8 {
            let leaf = leaf_hash(&[i]);
            leaves.push(leaf);
            for (level, index, hash) in head.append_leaf(leaf) {
                assert!(stored.insert((level, index), hash).is_none());
                let width = 1usize << level;
                let from = usize::try_from(index).unwrap() * width;
                assert_eq!(hash, mth(&leaves[from..from + width]));
            }
            assert_eq!(head.root(), mth(&leaves));
            let again =
                LogHead::from_row(head.size, head.lines, &head.frontier_bytes(), vec![7; 32])
                    .unwrap();
            assert_eq!(again, head);
        }
        assert_eq!(stored.len(), 100 + 50 + 25 + 12 + 6 + 3 + 1);
    }

    #[test]
    fn a_leaf_names_accounts_only_by_their_salted_commitment() {
        let entry = Instruction::Transfer {
            id: EntryId(0xabc),
            postings: vec![
                Posting {
                    account: AccountId(42),
                    currency: Currency::CNY,
                    amount: Amount::from_minor(-500),
                },
                Posting {
                    account: AccountId(43),
                    currency: Currency::CNY,
                    amount: Amount::from_minor(500),
                },
            ],
        };
        let text = String::from_utf8(leaf_bytes(b"0123456789abcdef", 9, &entry)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..4],
            [
                "qianbao-log-leaf-v1",
                "seq 9",
                "entry 00000000000000000000000000000abc",
                "kind transfer"
            ]
        );
        let salt = account_salt(b"0123456789abcdef", AccountId(42));
        assert_eq!(
            lines[4],
            format!(
                "posting {} CNY -500",
                hex::encode(account_commitment(&salt, AccountId(42)))
            )
        );
        assert!(!text.contains(" 42 ") && !text.contains(" 43 "));
        // Another key, other commitments: without the salt nobody can tell whose account it is.
        assert_ne!(
            leaf_bytes(b"another key 0123", 9, &entry),
            text.into_bytes()
        );
    }
}
