//! A liability snapshot's leaf in the journal log (`docs/proofs.md`): parsed strictly and checked
//! against the liability proof it ties to a signed checkpoint. The leaf is ASCII lines, each
//! ending in `\n`:
//!
//! ```text
//! qianbao-liability-snapshot-v1
//! snapshot <id>
//! taken-at <ms since the Unix epoch>
//! journal-seq <n>
//! leaves <n>
//! root <64 lowercase hex>
//! sum <CUR> <minor units>        (one per non-zero root sum, ascending by currency)
//! ```

use super::Failure::{self, Fails};
use super::{LogLeafJson, decode, hash, hash_list, hex};
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::note::Checkpoint;
use qianbao_proofs::sum_tree::SumNode;
use std::collections::BTreeMap;

/// The leaf's first line.
const TAG: &str = "qianbao-liability-snapshot-v1";

/// A snapshot leaf's fields.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct SnapshotLeaf {
    /// The snapshot's id.
    pub(super) id: String,
    /// When it was taken (ms).
    pub(super) taken_at_ms: i64,
    /// The journal's sequence number it was taken at.
    pub(super) journal_seq: u64,
    /// How many leaves the sum tree has.
    pub(super) leaves: u64,
    /// The sum tree's root hash.
    pub(super) root: Hash,
    /// The root's non-zero sums.
    pub(super) sums: BTreeMap<String, i64>,
}

/// A decimal number as the leaf writes it: digits, no sign unless allowed, no leading zero.
fn number(text: &str, signed: bool, what: &str) -> Result<i64, String> {
    let digits = if signed {
        text.strip_prefix('-').unwrap_or(text)
    } else {
        text
    };
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    if !canonical {
        return Err(format!("{what} {text:?} is not a canonical decimal number"));
    }
    text.parse()
        .map_err(|_| format!("{what} {text:?} is out of range"))
}

/// Parses a snapshot leaf: the first line exact, every field present once and in order, nothing
/// else but `sum` lines, each line ending in `\n`.
pub(super) fn parse(bytes: &[u8]) -> Result<SnapshotLeaf, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the leaf is not UTF-8".to_owned())?;
    let Some(body) = text.strip_suffix('\n') else {
        return Err("the leaf does not end in a newline".into());
    };
    if !text.is_ascii() || text.contains('\r') {
        return Err("the leaf is not plain ASCII lines".into());
    }
    let mut lines = body.split('\n');
    if lines.next() != Some(TAG) {
        return Err(format!("the leaf's first line is not {TAG:?}"));
    }
    let mut field = |name: &str| -> Result<String, String> {
        let line = lines
            .next()
            .ok_or_else(|| format!("the leaf has no {name:?} line"))?;
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(' '))
            .filter(|value| !value.is_empty() && !value.contains(' '))
            .map(str::to_owned)
            .ok_or_else(|| format!("the leaf's line {line:?} is not `{name} <value>`"))
    };
    let id = field("snapshot")?;
    let taken_at_ms = number(&field("taken-at")?, false, "taken-at")?;
    let journal_seq = number(&field("journal-seq")?, false, "journal-seq")?.unsigned_abs();
    let leaves = number(&field("leaves")?, false, "leaves")?.unsigned_abs();
    let root_hex = field("root")?;
    let root = parse_hex32(&root_hex)
        .ok_or_else(|| format!("the leaf's root {root_hex:?} is not 64 lowercase hex digits"))?;
    let mut sums = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in lines {
        let parts: Vec<&str> = line.split(' ').collect();
        let [tag, currency, amount] = parts[..] else {
            return Err(format!(
                "the leaf's line {line:?} is not `sum <CUR> <amount>`"
            ));
        };
        if tag != "sum" {
            return Err(format!(
                "the leaf's line {line:?} is not `sum <CUR> <amount>`"
            ));
        }
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "the leaf's currency {currency:?} is not 3 capital letters"
            ));
        }
        if last.as_deref().is_some_and(|l| l >= currency) {
            return Err(format!(
                "the leaf's sum lines are not in ascending currency order at {currency}"
            ));
        }
        let amount = number(amount, true, "sum")?;
        if amount == 0 {
            return Err(format!("the leaf has a zero sum for {currency}"));
        }
        sums.insert(currency.to_owned(), amount);
        last = Some(currency.to_owned());
    }
    Ok(SnapshotLeaf {
        id,
        taken_at_ms,
        journal_seq,
        leaves,
        root,
        sums,
    })
}

fn parse_hex32(text: &str) -> Option<Hash> {
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// `taken_at` as milliseconds, when it is a number or an RFC 3339 time; `None` for another form.
fn taken_at_ms(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => {
            let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()?;
            i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
        }
        _ => None,
    }
}

/// Checks that the snapshot's log leaf is in the log under `cp` (its size and root), and that
/// the leaf names this snapshot: its id, its root hash and its totals — naming what differs.
pub(super) fn logged(
    log: &LogLeafJson,
    cp: &Checkpoint,
    snapshot_id: &str,
    taken_at: &serde_json::Value,
    root: &SumNode,
) -> Result<(), Failure> {
    let leaf = decode(&log.leaf, "log.leaf")?;
    let log_root = hash(&log.root_hash, "log.root_hash")?;
    let hashes = hash_list(&log.proof)?;
    if log.tree_size != cp.size {
        return Err(Fails(format!(
            "tree size differs: the snapshot's log proof is at size {}, the checkpoint at {}",
            log.tree_size, cp.size
        )));
    }
    if log_root != cp.root {
        return Err(Fails(
            "root differs: the snapshot's log proof root_hash is not the checkpoint's".into(),
        ));
    }
    if !qianbao_proofs::log::verify_inclusion(
        &leaf_hash(&leaf),
        log.leaf_index,
        log.tree_size,
        &hashes,
        &log_root,
    ) {
        return Err(Fails(format!(
            "proof does not verify: the snapshot's leaf {} is not shown in the log of {} leaves",
            log.leaf_index, log.tree_size
        )));
    }
    let parsed = parse(&leaf).map_err(|e| Fails(format!("the snapshot's log leaf: {e}")))?;
    if parsed.id != snapshot_id {
        return Err(Fails(format!(
            "snapshot id differs: the log leaf is of snapshot {}, the proof of {snapshot_id}",
            parsed.id
        )));
    }
    if parsed.root != root.hash {
        return Err(Fails(format!(
            "root differs: the log leaf's sum-tree root is {}, the proof's root.hash is {}",
            hex(&parsed.root),
            hex(&root.hash)
        )));
    }
    let published: BTreeMap<String, i64> = root
        .sums
        .iter()
        .filter(|(_, amount)| **amount != 0)
        .map(|(c, a)| (c.clone(), *a))
        .collect();
    if parsed.sums != published {
        return Err(Fails(format!(
            "totals differ: the log leaf's sums are {}, the proof's root.sums are {}",
            sums_text(&parsed.sums),
            sums_text(&published)
        )));
    }
    if let Some(ms) = taken_at_ms(taken_at)
        && ms != parsed.taken_at_ms
    {
        return Err(Fails(format!(
            "taken_at differs: the log leaf says {} ms, the proof {ms} ms",
            parsed.taken_at_ms
        )));
    }
    Ok(())
}

fn sums_text(sums: &BTreeMap<String, i64>) -> String {
    if sums.is_empty() {
        return "none".into();
    }
    sums.iter()
        .map(|(c, a)| format!("{c} {a}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const GOOD: &str = "qianbao-liability-snapshot-v1\nsnapshot snap_7\ntaken-at 1796054400000\n\
                        journal-seq 42\nleaves 11\nroot \
                        00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n\
                        sum CNY 12345\nsum USD 500\n";

    #[test]
    fn a_well_formed_leaf_parses() {
        let leaf = parse(GOOD.as_bytes()).unwrap();
        assert_eq!(leaf.id, "snap_7");
        assert_eq!(leaf.taken_at_ms, 1_796_054_400_000);
        assert_eq!((leaf.journal_seq, leaf.leaves), (42, 11));
        assert_eq!(leaf.root[1], 0x11);
        assert_eq!(
            leaf.sums,
            BTreeMap::from([("CNY".into(), 12_345), ("USD".into(), 500)])
        );
        // No sums at all is an empty snapshot.
        let empty = GOOD.split("sum ").next().unwrap();
        assert!(parse(empty.as_bytes()).unwrap().sums.is_empty());
    }

    #[test]
    fn anything_off_the_format_is_refused() {
        let bent = [
            GOOD.replace("-v1\n", "-v2\n"),
            GOOD.trim_end().to_owned(),
            GOOD.replace("taken-at 1796054400000\n", ""),
            GOOD.replace("leaves 11\n", "leaves 11\nleaves 11\n"),
            GOOD.replace("journal-seq 42\nleaves 11\n", "leaves 11\njournal-seq 42\n"),
            GOOD.replace("leaves 11", "leaves 011"),
            GOOD.replace("leaves 11", "leaves +11"),
            GOOD.replace("snapshot snap_7", "snapshot snap 7"),
            GOOD.replace("root 00", "root 0"),
            GOOD.replace("aabb", "AABB"),
            GOOD.replace(
                "sum CNY 12345\nsum USD 500\n",
                "sum USD 500\nsum CNY 12345\n",
            ),
            GOOD.replace("sum USD 500", "sum USD 0"),
            GOOD.replace("sum USD 500", "sum usd 500"),
            GOOD.replace("sum USD 500", "sum USD 500 x"),
            GOOD.replace("\n", "\r\n"),
            format!("{GOOD}\n"),
            format!("{GOOD}note x\n"),
        ];
        for leaf in bent {
            assert!(parse(leaf.as_bytes()).is_err(), "{leaf:?}");
        }
    }
}
