//! The bank's daily statement and its file: a CSV with one header line and one line per bank
//! reference,
//!
//! ```text
//! date,bank_ref,kind,amount_minor,currency,our_refs
//! 2026-03-01,sbxm_5f0c…,topup,10000,CNY,0190f5c2-…
//! 2026-03-01,sbxb_93a1…,settlement,25000,CNY,0190f5c3-…;0190f5c4-…
//! ```
//!
//! `date` is the day in China the bank booked it (`YYYY-MM-DD`); `kind` is `topup` (money taken
//! from a card), `withdrawal` or `settlement` (money paid to one); `amount_minor` a positive
//! whole number of minor units; `our_refs` the platform's references (movement ids) the line
//! covers, `;`-separated — several when the bank batched settlements. No field is quoted: the
//! references' alphabet ([`is_reference`]) has no comma, `;`, quote or line break.
//!
//! A file is read whole or not at all: the first bad line refuses it, naming the line.

use crate::domain::ChinaDay;
use crate::domain::bank::{BankKind, BankReference, is_reference};
use qianbao_ledger::{Currency, PositiveAmount};
use std::collections::{BTreeSet, HashMap};
use time::{Date, Month};

/// The header every statement file starts with.
pub const HEADER: &str = "date,bank_ref,kind,amount_minor,currency,our_refs";

/// The largest statement file read: a busy day of a large operator, and a bound on what a
/// damaged file can make us hold in memory.
pub const STATEMENT_BYTES_MAX: usize = 256 * 1024 * 1024;

/// The most references of ours one line may cover (a batch of settlements).
pub const REFS_PER_LINE_MAX: usize = 10_000;

/// One line of a statement: a movement, or a batch of settlements, under one bank reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    /// The day in China the bank booked it.
    pub date: ChinaDay,
    /// The bank's reference.
    pub bank_reference: BankReference,
    /// Top-up, withdrawal or settlement.
    pub kind: BankKind,
    /// What moved at the card (for a batch, the batch's total).
    pub amount: PositiveAmount,
    /// ISO 4217.
    pub currency: Currency,
    /// The platform's references the line covers, as the bank listed them.
    pub our_references: Vec<String>,
}

/// A bank statement: its lines, in the bank's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statement {
    /// The lines.
    pub lines: Vec<StatementLine>,
}

/// Why a statement file was refused, whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// Line `line` (from 1, the header being line 1) is not a statement line.
    #[error("line {line}: {reason}")]
    Line {
        /// Its number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The file as a whole cannot be a statement (too large, empty).
    #[error("{0}")]
    File(String),
}

/// `day` as a statement writes it: `YYYY-MM-DD`.
pub fn day_text(day: ChinaDay) -> String {
    let d = day.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The day `text` names, written exactly `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Option<ChinaDay> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let year: i32 = text[..4].parse().ok()?;
    let month = Month::try_from(text[5..7].parse::<u8>().ok()?).ok()?;
    let day: u8 = text[8..].parse().ok()?;
    Date::from_calendar_date(year, month, day)
        .ok()
        .map(ChinaDay::of_date)
}

impl Statement {
    /// The days its lines were booked on.
    pub fn days(&self) -> BTreeSet<ChinaDay> {
        self.lines.iter().map(|l| l.date).collect()
    }

    /// The statement as its file: the header, then one line each, every line ending in `\n`.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.lines.len() + 1));
        out.push_str(HEADER);
        out.push('\n');
        for l in &self.lines {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                day_text(l.date),
                l.bank_reference,
                l.kind,
                l.amount.minor(),
                l.currency,
                l.our_references.join(";")
            ));
        }
        out
    }

    /// Reads a statement file; the first bad line refuses the whole file. Lines end in `\n` or
    /// `\r\n`; the last may end without one; no line may be blank.
    pub fn parse_csv(file: &[u8]) -> Result<Statement, StatementError> {
        if file.len() > STATEMENT_BYTES_MAX {
            return Err(StatementError::File(format!(
                "the file is larger than {STATEMENT_BYTES_MAX} bytes"
            )));
        }
        let text = std::str::from_utf8(file).map_err(|e| {
            let line = 1 + file[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            StatementError::Line {
                line,
                reason: "is not UTF-8 text".into(),
            }
        })?;
        // A spreadsheet may save a byte-order mark before the header; it is no part of it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let body = text.strip_suffix('\n').unwrap_or(text);
        if body.is_empty() {
            return Err(StatementError::File(format!(
                "the file is empty: a statement starts with the header {HEADER}"
            )));
        }
        let mut statement = Statement::default();
        // Where each bank reference and each of ours was first seen, to refuse a repeat by name.
        let mut bank_seen: HashMap<String, usize> = HashMap::new();
        let mut ours_seen: HashMap<String, usize> = HashMap::new();
        for (i, raw) in body.split('\n').enumerate() {
            let number = i + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let bad = |reason: String| StatementError::Line {
                line: number,
                reason,
            };
            if number == 1 {
                if line != HEADER {
                    return Err(bad(format!("the header must be {HEADER}")));
                }
                continue;
            }
            let parsed = parse_line(line).map_err(bad)?;
            if let Some(first) = bank_seen.insert(parsed.bank_reference.as_str().to_owned(), number)
            {
                return Err(bad(format!(
                    "bank_ref {} is on line {first} already",
                    parsed.bank_reference
                )));
            }
            for ours in &parsed.our_references {
                if let Some(first) = ours_seen.insert(ours.clone(), number) {
                    return Err(bad(format!("our_ref {ours} is on line {first} already")));
                }
            }
            statement.lines.push(parsed);
        }
        Ok(statement)
    }
}

/// One line's fields, or what is wrong with them.
fn parse_line(line: &str) -> Result<StatementLine, String> {
    if line.is_empty() {
        return Err("is blank".into());
    }
    let fields: Vec<&str> = line.split(',').collect();
    let [date, bank_ref, kind, amount, currency, ours] = fields[..] else {
        return Err(format!(
            "has {} fields where the header names 6",
            fields.len()
        ));
    };
    let date = parse_day(date).ok_or_else(|| format!("date {date:?} is not a YYYY-MM-DD day"))?;
    let bank_reference = BankReference::parse(bank_ref).ok_or_else(|| {
        format!("bank_ref {bank_ref:?} is not 1-128 letters, digits, '.', '_' or '-'")
    })?;
    let kind = BankKind::parse(kind)
        .ok_or_else(|| format!("kind {kind:?} is not one of topup, withdrawal, settlement"))?;
    // Digits only: no sign, no decimal point, no exponent — amounts are whole minor units.
    let amount = (!amount.is_empty() && amount.bytes().all(|b| b.is_ascii_digit()))
        .then(|| amount.parse::<i64>().ok())
        .flatten()
        .and_then(PositiveAmount::new)
        .ok_or_else(|| {
            format!("amount_minor {amount:?} is not a positive whole number of minor units")
        })?;
    let currency = Currency::parse(currency)
        .ok_or_else(|| format!("currency {currency:?} is not an ISO 4217 code"))?;
    let our_references: Vec<String> = ours.split(';').map(str::to_owned).collect();
    if our_references.len() > REFS_PER_LINE_MAX {
        return Err(format!(
            "our_refs lists more than {REFS_PER_LINE_MAX} references"
        ));
    }
    if let Some(bad) = our_references.iter().find(|r| !is_reference(r)) {
        return Err(format!(
            "our_refs has {bad:?}, which is not 1-128 letters, digits, '.', '_' or '-'"
        ));
    }
    Ok(StatementLine {
        date,
        bank_reference,
        kind,
        amount,
        currency,
        our_references,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn line(bank: &str, kind: BankKind, amount: i64, ours: &[&str]) -> StatementLine {
        StatementLine {
            date: parse_day("2026-03-01").unwrap(),
            bank_reference: BankReference::parse(bank).unwrap(),
            kind,
            amount: PositiveAmount::new(amount).unwrap(),
            currency: Currency::CNY,
            our_references: ours.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn sample() -> Statement {
        Statement {
            lines: vec![
                line("sbxm_1", BankKind::Topup, 10_000, &["m1"]),
                line("sbxm_2", BankKind::Withdrawal, 5_000, &["m2"]),
                line("sbxb_3", BankKind::Settlement, 25_000, &["m3", "m4"]),
            ],
        }
    }

    /// The sample's file with line `n` (from 1) replaced by `with`.
    fn doctored(n: usize, with: &str) -> Vec<u8> {
        let csv = sample().to_csv();
        let mut lines: Vec<&str> = csv.lines().collect();
        lines[n - 1] = with;
        (lines.join("\n") + "\n").into_bytes()
    }

    fn refused_at(file: &[u8]) -> usize {
        match Statement::parse_csv(file) {
            Err(StatementError::Line { line, .. }) => line,
            other => panic!("expected a refused line: {other:?}"),
        }
    }

    #[test]
    fn a_statement_round_trips_through_its_file() {
        let csv = sample().to_csv();
        assert!(csv.starts_with("date,bank_ref,kind,amount_minor,currency,our_refs\n"));
        assert!(csv.contains("\n2026-03-01,sbxb_3,settlement,25000,CNY,m3;m4\n"));
        assert_eq!(Statement::parse_csv(csv.as_bytes()).unwrap(), sample());
        let crlf = csv.replace('\n', "\r\n");
        assert_eq!(Statement::parse_csv(crlf.as_bytes()).unwrap(), sample());
        let no_final_newline = csv.trim_end();
        assert_eq!(
            Statement::parse_csv(no_final_newline.as_bytes()).unwrap(),
            sample()
        );
        let bom = format!("\u{feff}{csv}");
        assert_eq!(Statement::parse_csv(bom.as_bytes()).unwrap(), sample());
    }

    #[test]
    fn a_header_alone_is_an_empty_statement_and_nothing_at_all_is_refused() {
        let empty = Statement::parse_csv(format!("{HEADER}\n").as_bytes()).unwrap();
        assert!(empty.lines.is_empty() && empty.days().is_empty());
        assert!(matches!(
            Statement::parse_csv(b""),
            Err(StatementError::File(_))
        ));
        assert!(matches!(
            Statement::parse_csv(b"\n"),
            Err(StatementError::File(_))
        ));
    }

    #[test]
    fn each_kind_of_bad_line_is_refused_with_its_number() {
        let cases = [
            (1, "date,bank_ref,kind,amount,currency,our_refs"),
            (2, ""),
            (2, "2026-03-01,sbxm_1,topup,10000,CNY"),
            (2, "2026-03-01,sbxm_1,topup,10000,CNY,m1,extra"),
            (2, "2026-3-01,sbxm_1,topup,10000,CNY,m1"),
            (2, "2026-02-30,sbxm_1,topup,10000,CNY,m1"),
            (3, "2026-03-01,,withdrawal,5000,CNY,m2"),
            (3, "2026-03-01,sbx m,withdrawal,5000,CNY,m2"),
            (3, "2026-03-01,sbxm_2,payout,5000,CNY,m2"),
            (3, "2026-03-01,sbxm_2,Withdrawal,5000,CNY,m2"),
            (3, "2026-03-01,sbxm_2,withdrawal,0,CNY,m2"),
            (3, "2026-03-01,sbxm_2,withdrawal,-5000,CNY,m2"),
            (3, "2026-03-01,sbxm_2,withdrawal,+5000,CNY,m2"),
            (3, "2026-03-01,sbxm_2,withdrawal,50.00,CNY,m2"),
            (3, "2026-03-01,sbxm_2,withdrawal,5e3,CNY,m2"),
            (
                3,
                "2026-03-01,sbxm_2,withdrawal,99999999999999999999,CNY,m2",
            ),
            (4, "2026-03-01,sbxb_3,settlement,25000,cny,m3;m4"),
            (4, "2026-03-01,sbxb_3,settlement,25000,CNY,"),
            (4, "2026-03-01,sbxb_3,settlement,25000,CNY,m3;;m4"),
            (4, "2026-03-01,sbxb_3,settlement,25000,CNY,m3;m4;"),
            // The same bank reference twice, and one of ours on two lines.
            (4, "2026-03-01,sbxm_1,settlement,25000,CNY,m3;m4"),
            (4, "2026-03-01,sbxb_3,settlement,25000,CNY,m3;m1"),
        ];
        for (n, with) in cases {
            assert_eq!(refused_at(&doctored(n, with)), n, "{with:?}");
        }
        let blank_inside = format!("{HEADER}\n\n{}", &sample().to_csv()[HEADER.len() + 1..]);
        assert_eq!(refused_at(blank_inside.as_bytes()), 2);
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_at_its_line() {
        let mut file = sample().to_csv().into_bytes();
        let second = file.iter().position(|b| *b == b'\n').unwrap() + 1;
        let third = second + file[second..].iter().position(|b| *b == b'\n').unwrap() + 1;
        let at = third + 2;
        file[at] = 0xff;
        assert_eq!(refused_at(&file), 3);
    }

    #[test]
    fn a_refusal_names_the_line_in_its_message() {
        let err = Statement::parse_csv(&doctored(3, "x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: has 1 fields where the header names 6"
        );
    }

    #[test]
    fn days_are_written_and_read_as_yyyy_mm_dd_only() {
        let day = parse_day("2024-02-29").unwrap();
        assert_eq!(day_text(day), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "24-02-29",
            "2024/02/29",
            "2024-02-29T00:00",
            "",
        ] {
            assert!(parse_day(bad).is_none(), "{bad}");
        }
    }
}
