//! Writing and checking the audit log's chain. A line is appended inside the transaction of the
//! action it records, so an action and its line commit together or not at all; two appends that
//! race take the same sequence number and one fails and is retried by the store, so the chain
//! never forks.

use crate::StoreError;
use crate::records::{AuditRecord, Records};
use qianbao_ledger::{GENESIS, Link, link};

/// What an audit line says, before it has a place in the chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditLine {
    /// Who: `staff:<id>` or `cli`.
    pub actor: String,
    /// The action's stable name.
    pub action: String,
    /// What it was about.
    pub entity: String,
    /// The state before, as JSON text.
    pub before: String,
    /// The state after, as JSON text.
    pub after: String,
    /// Why.
    pub reason: String,
    /// `done`, `denied` or `refused`.
    pub outcome: &'static str,
}

/// The outcome of an action that was carried out.
pub const DONE: &str = "done";
/// The outcome of a call refused for want of a permission.
pub const DENIED: &str = "denied";
/// The outcome of an action refused by a rule (a wrong password, one's own command).
pub const REFUSED: &str = "refused";

/// The text a line's link covers: every field but the sequence number (which the link covers on
/// its own) and the link itself, as a JSON array, so no field's text can pose as another's.
pub fn canonical_text(r: &AuditRecord) -> String {
    serde_json::json!([
        r.at_ms, r.actor, r.action, r.entity, r.before, r.after, r.reason, r.outcome
    ])
    .to_string()
}

/// Appends `line` at `at_ms` after the chain's last line, inside the caller's transaction.
pub fn append(r: &mut dyn Records, line: AuditLine, at_ms: i64) -> Result<i64, StoreError> {
    let (last_seq, prev) = match r.last_audit()? {
        Some((seq, hash)) => (seq, parse_link(&hash).unwrap_or(GENESIS)),
        None => (0, GENESIS),
    };
    let mut record = AuditRecord {
        seq: last_seq + 1,
        at_ms,
        actor: line.actor,
        action: line.action,
        entity: line.entity,
        before: line.before,
        after: line.after,
        reason: line.reason,
        outcome: line.outcome.to_string(),
        hash: String::new(),
    };
    record.hash = hex(&link(&prev, seq_u64(record.seq), &canonical_text(&record)));
    r.append_audit(&record)?;
    Ok(record.seq)
}

/// Where the chain breaks, if it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first line that does not follow.
    pub seq: i64,
    /// What is wrong with it.
    pub why: &'static str,
}

/// Follows the chain through `lines` (oldest first, continuing from `prev` at `prev_seq`) and
/// returns the last link and sequence number, or the first break.
pub fn follow(
    lines: &[AuditRecord],
    mut prev_seq: i64,
    mut prev: Link,
) -> Result<(i64, Link), ChainBreak> {
    for line in lines {
        if line.seq != prev_seq + 1 {
            return Err(ChainBreak {
                seq: line.seq,
                why: "a line is missing before it",
            });
        }
        let expected = link(&prev, seq_u64(line.seq), &canonical_text(line));
        if parse_link(&line.hash) != Some(expected) {
            return Err(ChainBreak {
                seq: line.seq,
                why: "its link does not follow from the line before and its own text",
            });
        }
        prev_seq = line.seq;
        prev = expected;
    }
    Ok((prev_seq, prev))
}

fn seq_u64(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

fn hex(bytes: &[u8]) -> String {
    crate::domain::hex_lower(bytes)
}

fn parse_link(text: &str) -> Option<Link> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl super::Console {
    /// Searches the audit log, newest first; needs `audit.view`. Reading the log is not itself
    /// logged (it holds no personal data beyond who did what).
    pub async fn search_audit(
        &self,
        store: &impl crate::storage::RecordStore,
        staff: &super::staff::Staff,
        query: crate::records::AuditQuery,
    ) -> Result<Vec<AuditRecord>, super::ConsoleError> {
        let wanted = super::Permission::view(super::Group::Audit);
        self.require(store, staff, wanted, "audit.search").await?;
        Ok(store.transact(move |r| r.search_audit(&query)).await?)
    }
}

/// Lines checked per read when following the whole chain.
pub const CHECK_PAGE: i64 = 1_000;

/// Follows the whole audit chain from its first line; the number of lines, or the first break.
pub fn check_chain(r: &mut dyn Records) -> Result<Result<i64, ChainBreak>, StoreError> {
    let (mut seq, mut prev) = (0, GENESIS);
    loop {
        let page = r.audit_after(seq, CHECK_PAGE)?;
        if page.is_empty() {
            return Ok(Ok(seq));
        }
        match follow(&page, seq, prev) {
            Ok((s, p)) => (seq, prev) = (s, p),
            Err(b) => return Ok(Err(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at_ms: 1_000 * seq,
                    actor: "staff:a".into(),
                    action: "holder.view".into(),
                    entity: format!("holder:{seq}"),
                    before: String::new(),
                    after: String::new(),
                    reason: String::new(),
                    outcome: DONE.into(),
                    hash: String::new(),
                };
                prev = link(&prev, seq_u64(seq), &canonical_text(&r));
                r.hash = hex(&prev);
                r
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_follows_to_its_end() {
        let lines = chain(5);
        let (seq, _) = follow(&lines, 0, GENESIS).unwrap_or_else(|b| panic!("{b:?}"));
        assert_eq!(seq, 5);
        // Checked in two pieces, it ends the same way.
        let (mid_seq, mid) = follow(&lines[..2], 0, GENESIS).unwrap_or_else(|b| panic!("{b:?}"));
        assert_eq!(follow(&lines[2..], mid_seq, mid).map(|x| x.0), Ok(5));
    }

    #[test]
    fn an_edited_dropped_or_swapped_line_breaks_the_chain_where_it_is() {
        let mut edited = chain(4);
        edited[2].reason = "nothing to see".into();
        assert_eq!(follow(&edited, 0, GENESIS).map_err(|b| b.seq), Err(3));

        let mut dropped = chain(4);
        dropped.remove(1);
        assert_eq!(follow(&dropped, 0, GENESIS).map_err(|b| b.seq), Err(3));

        let mut swapped = chain(4);
        swapped.swap(1, 2);
        assert!(follow(&swapped, 0, GENESIS).is_err());

        // Moving a field's text into another field changes the canonical text.
        let mut moved = chain(1);
        moved[0].entity = String::new();
        moved[0].reason = "holder:1".into();
        assert!(follow(&moved, 0, GENESIS).is_err());
    }
}
