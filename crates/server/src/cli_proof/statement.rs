//! `--statement`: a statement export with proofs, checked line by line. The JSON export
//! (`GET /v1/me/transactions.json?proofs=true`) carries its signed checkpoint; the CSV export
//! (`GET /v1/me/transactions.csv?proofs=true`) carries only the checkpoint's size and root in
//! every row, so its signed checkpoint comes from `--checkpoint`. Every line with a proof must
//! verify under that one checkpoint, its leaf must be a journal line's, and the leaf's `entry`
//! must be the line's own entry; the first line that fails is named by its id.

use super::Failure::{self, Fails, Unusable};
use super::{AccountJson, CheckpointJson, InclusionJson, Input, checked_checkpoint, included};
use qianbao_proofs::note::{Checkpoint, VerifierKey};
use serde::Deserialize;

/// The first line of a journal line's leaf.
const JOURNAL_LEAF_TAG: &str = "qianbao-log-leaf-v1";

/// The CSV export's proof columns, found by these names (alike in both languages).
const COLUMNS: [&str; 8] = [
    "entry",
    "leaf_index",
    "tree_size",
    "leaf",
    "proof",
    "accounts",
    "checkpoint_size",
    "checkpoint_root",
];

/// `GET /v1/me/transactions.json`.
#[derive(Debug, Deserialize)]
struct StatementJson {
    checkpoint: Option<CheckpointJson>,
    transactions: Vec<LineJson>,
}

/// A statement line: what the check needs of it.
#[derive(Debug, Deserialize)]
struct LineJson {
    id: String,
    #[serde(default)]
    entry: Option<String>,
    #[serde(default)]
    proof: Option<InclusionJson>,
}

/// Checks a JSON or CSV statement (told apart by its first character) and says how many lines
/// are proven.
pub(super) fn check(
    key: &VerifierKey,
    input: &Input,
    checkpoint: Option<&Input>,
) -> Result<String, Failure> {
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(&input.text);
    let (cp, lines) = if text.trim_start().starts_with('{') {
        from_json(key, input, checkpoint)?
    } else {
        from_csv(key, input, text, checkpoint)?
    };
    let mut proven = 0usize;
    for line in &lines {
        let Some(proof) = &line.proof else {
            continue;
        };
        let leaf = included(proof, Some(&cp)).map_err(|f| at(&line.id, f))?;
        journal_entry(&leaf, line.entry.as_deref()).map_err(|f| at(&line.id, f))?;
        proven += 1;
    }
    let without = lines.len() - proven;
    let mut out = format!(
        "statement holds: {proven} lines included in {} at size {}",
        cp.origin, cp.size
    );
    if without > 0 {
        out.push_str(&format!(
            " ({without} without a proof: no ledger entry, or logged after the checkpoint)"
        ));
    }
    Ok(out)
}

/// A failure of one line, named by its id.
fn at(id: &str, failure: Failure) -> Failure {
    match failure {
        Fails(reason) => Fails(format!("line {id}: {reason}")),
        Unusable(reason) => Unusable(format!("line {id}: {reason}")),
    }
}

/// The leaf must be a journal line's (not, say, a liability snapshot's), and its `entry` line the
/// record's entry when the record names one.
fn journal_entry(leaf: &[u8], entry: Option<&str>) -> Result<(), Failure> {
    let text = String::from_utf8_lossy(leaf);
    let mut lines = text.lines();
    if lines.next() != Some(JOURNAL_LEAF_TAG) {
        return Err(Fails(format!(
            "the leaf is not a journal line's: its first line is not {JOURNAL_LEAF_TAG:?}"
        )));
    }
    let Some(entry) = entry.filter(|e| !e.is_empty()) else {
        return Ok(());
    };
    let wanted = u128::from_str_radix(entry, 16)
        .map_err(|_| Unusable(format!("entry {entry:?} is not hexadecimal")))?;
    let named = lines
        .find_map(|l| l.strip_prefix("entry "))
        .ok_or_else(|| Fails("the leaf has no entry line".into()))?;
    if u128::from_str_radix(named, 16).ok() != Some(wanted) {
        return Err(Fails(format!(
            "entry differs: the record is entry {entry}, the leaf is entry {named}"
        )));
    }
    Ok(())
}

/// The JSON export: its own checkpoint, checked with the key (and, given `--checkpoint` too, the
/// same size and root as that one).
fn from_json(
    key: &VerifierKey,
    input: &Input,
    checkpoint: Option<&Input>,
) -> Result<(Checkpoint, Vec<LineJson>), Failure> {
    let statement: StatementJson = input.json()?;
    let Some(embedded) = &statement.checkpoint else {
        return Err(Unusable(format!(
            "{}: the statement carries no checkpoint: export it with proofs=true",
            input.label
        )));
    };
    let cp = checked_checkpoint(key, embedded, &format!("{} (its checkpoint)", input.label))?;
    if let Some(other) = checkpoint {
        let other = super::signed_checkpoint(key, other)?;
        if other.size != cp.size {
            return Err(Fails(format!(
                "tree size differs: the statement's checkpoint is at size {}, --checkpoint at {}",
                cp.size, other.size
            )));
        }
        if other.root != cp.root || other.origin != cp.origin {
            return Err(Fails(
                "root differs: the statement's checkpoint is not --checkpoint's".into(),
            ));
        }
    }
    Ok((cp, statement.transactions))
}

/// The CSV export: the proof columns of each row, under `--checkpoint`, whose size and root every
/// row must name.
fn from_csv(
    key: &VerifierKey,
    input: &Input,
    text: &str,
    checkpoint: Option<&Input>,
) -> Result<(Checkpoint, Vec<LineJson>), Failure> {
    let records = records(text).map_err(|e| Unusable(format!("{}: {e}", input.label)))?;
    let Some((header, rows)) = records.split_first() else {
        return Err(Unusable(format!("{}: the CSV is empty", input.label)));
    };
    let mut at_column = [0usize; COLUMNS.len()];
    for (slot, name) in at_column.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| {
            Unusable(format!(
                "{}: the CSV has no {name:?} column: export it with proofs=true",
                input.label
            ))
        })?;
    }
    let Some(checkpoint) = checkpoint else {
        return Err(Unusable(
            "a CSV statement carries no signed checkpoint: pass --checkpoint, the JSON of \
             GET /v1/proofs/checkpoint at the statement's checkpoint_size (or export it with \
             size=<that checkpoint's size>)"
                .into(),
        ));
    };
    let cp = super::signed_checkpoint(key, checkpoint)?;
    let root_text = base64_of(&cp.root);
    let mut lines = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        if row.len() != header.len() {
            return Err(Unusable(format!(
                "{}: record {} has {} fields, the header {}",
                input.label,
                n + 1,
                row.len(),
                header.len()
            )));
        }
        let field = |i: usize| unguard(&row[at_column[i]]);
        let [
            entry,
            leaf_index,
            tree_size,
            leaf,
            proof,
            accounts,
            cp_size,
            cp_root,
        ] = [0, 1, 2, 3, 4, 5, 6, 7].map(field);
        let id = unguard(&row[0]).to_owned();
        let number = |text: &str, what: &str| {
            text.parse::<u64>()
                .map_err(|_| at(&id, Unusable(format!("{what} {text:?} is not a number"))))
        };
        if number(cp_size, "checkpoint_size")? != cp.size {
            return Err(at(
                &id,
                Fails(format!(
                    "tree size differs: the statement is at size {cp_size}, the checkpoint at {}",
                    cp.size
                )),
            ));
        }
        if cp_root != root_text {
            return Err(at(
                &id,
                Fails(
                    "root differs: the statement's checkpoint_root is not the checkpoint's".into(),
                ),
            ));
        }
        let proof = if leaf.is_empty() && leaf_index.is_empty() {
            None
        } else {
            Some(InclusionJson {
                leaf_index: number(leaf_index, "leaf_index")?,
                leaf: leaf.to_owned(),
                tree_size: number(tree_size, "tree_size")?,
                root_hash: cp_root.to_owned(),
                proof: proof.split_whitespace().map(str::to_owned).collect(),
                accounts: accounts
                    .split_whitespace()
                    .map(|pair| AccountJson {
                        commitment: pair.split(':').next().unwrap_or_default().to_owned(),
                    })
                    .collect(),
            })
        };
        lines.push(LineJson {
            id,
            entry: Some(entry.to_owned()).filter(|e| !e.is_empty()),
            proof,
        });
    }
    Ok((cp, lines))
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Undoes the export's spreadsheet guard: a text that began with `=`, `+`, `-` or `@` was
/// written with a `'` before it.
fn unguard(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => field,
    }
}

/// The records of a CSV (RFC 4180: quoted fields may hold commas, newlines and doubled quotes)
/// up to the first blank line: the export's budget section, when there is one, follows one.
fn records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    // Whether the field being read began with a quote, and whether that quote is still open.
    let (mut was_quoted, mut in_quotes) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                was_quoted = true;
                in_quotes = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if record.is_empty() && field.is_empty() && !was_quoted {
                    // A blank line ends the records.
                    return Ok(records);
                }
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                was_quoted = false;
            }
            c => field.push(c),
        }
    }
    if in_quotes {
        return Err("a quoted field is not closed".into());
    }
    if !record.is_empty() || !field.is_empty() || was_quoted {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_end_at_the_first_blank_line_and_keep_quoted_text() {
        let text =
            "id,memo\n\"a\",\"x, \"\"y\"\"\nz\"\r\n\"b\",\n\nbudget_month,x\n\"2026-12\",1\n";
        let records = records(text).unwrap();
        assert_eq!(
            records,
            vec![
                vec!["id".to_owned(), "memo".to_owned()],
                vec!["a".to_owned(), "x, \"y\"\nz".to_owned()],
                vec!["b".to_owned(), String::new()],
            ]
        );
        assert!(super::records("\"open").is_err());
        assert_eq!(super::records("a,b").unwrap(), vec![vec!["a", "b"]]);
    }

    #[test]
    fn the_spreadsheet_guard_comes_off_and_nothing_else() {
        assert_eq!(unguard("'+abc="), "+abc=");
        assert_eq!(unguard("'-1"), "-1");
        assert_eq!(unguard("'plain"), "'plain");
        assert_eq!(unguard("abc"), "abc");
    }
}
