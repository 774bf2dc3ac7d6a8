//! `Statement::parse_csv`: the bank's statement file, read whole or refused at a line.

use crate::generate::{Rng, boundary_i64, mutate};
use crate::{Case, Check, ensure};
use qianbao_wallet::recon::Statement;
use qianbao_wallet::recon::statement::{HEADER, StatementError};

/// The grammar's tokens, for mutations that keep some structure.
const DICT: &[&[u8]] = &[
    b"date,bank_ref,kind,amount_minor,currency,our_refs\n",
    b"2026-03-01,",
    b"2024-02-29,",
    b"2023-02-29,",
    b"topup",
    b"withdrawal",
    b"settlement",
    b",CNY,",
    b",USD,",
    b"sbxm_",
    b"sbxb_",
    b";",
    b",",
    b"\r\n",
    b"\n",
    b"\xef\xbb\xbf",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-1",
    b"0",
];

/// A reference of the allowed alphabet ending in `suffix` (which keeps it unique), now and then
/// of the longest allowed length.
fn some_reference(rng: &mut Rng, suffix: &str) -> String {
    const ALPHABET: &[u8] = b"abcXYZ0189._-";
    let len = if rng.chance(5) {
        128 - suffix.len()
    } else {
        1 + rng.below(40)
    };
    let mut out: String = (0..len).map(|_| char::from(*rng.pick(ALPHABET))).collect();
    out.push_str(suffix);
    out
}

/// A valid statement file of up to a dozen lines, each reference once.
fn valid_file(rng: &mut Rng) -> String {
    let mut out = format!("{HEADER}\n");
    for i in 0..rng.below(12) {
        let refs: Vec<String> = (0..1 + rng.below(3))
            .map(|j| some_reference(rng, &format!("-{i}-{j}")))
            .collect();
        let amount = boundary_i64(rng).checked_abs().unwrap_or(i64::MAX).max(1);
        out.push_str(&format!(
            "2026-{:02}-{:02},{},{},{amount},{},{}\n",
            1 + rng.below(12),
            1 + rng.below(28),
            some_reference(rng, &format!("-{i}")),
            rng.pick(&["topup", "withdrawal", "settlement"]),
            rng.pick(&["CNY", "USD", "HKD"]),
            refs.join(";")
        ));
    }
    out
}

/// Valid files parse and write back to the same bytes; mutated ones either parse to a statement
/// whose file parses to the same statement, or are refused at a line the file has.
pub(crate) fn statement(rng: &mut Rng, case: &mut Case) -> Check {
    let valid = valid_file(rng);
    let mut bytes = valid.clone().into_bytes();
    let mutated = rng.chance(80);
    if mutated {
        mutate(rng, &mut bytes, DICT, 64 * 1024);
    }
    case.bytes(&bytes);
    case.note("mutated", mutated);
    let lines = bytes.split(|b| *b == b'\n').count();
    match Statement::parse_csv(&bytes) {
        Ok(statement) => {
            let again = statement.to_csv();
            ensure(
                Statement::parse_csv(again.as_bytes()).as_ref() == Ok(&statement),
                || format!("re-encoded as {again:?}, it parses to another statement"),
            )?;
            ensure(mutated || again == valid, || {
                format!("a valid file writes back as {again:?}")
            })
        }
        Err(StatementError::Line { line, reason }) => {
            ensure(mutated, || {
                format!("a valid file was refused at line {line}: {reason}")
            })?;
            ensure((1..=lines).contains(&line), || {
                format!("refused at line {line} of a file of {lines}: {reason}")
            })
        }
        Err(StatementError::File(reason)) => ensure(mutated, || {
            format!("a valid file was refused whole: {reason}")
        }),
    }
}
