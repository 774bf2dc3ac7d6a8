//! Ledger verification: replays the journal through the ledger core and compares with what storage
//! holds. The replay is pure; the store only supplies the rows.

use qianbao_ledger::{
    Account, AccountId, Amount, Book, Currency, GENESIS, Hold, Instruction, Link, link,
};
use std::collections::BTreeMap;
use std::fmt;

/// The most discrepancies a report lists; the count of all of them is kept regardless.
const PROBLEMS_LISTED_MAX: usize = 100;

/// One journal line as stored.
#[derive(Clone, Debug)]
pub struct JournalLine {
    /// Its position, from 1 with no gaps.
    pub seq: u64,
    /// Its canonical text.
    pub text: String,
    /// The link stored with it.
    pub link: Link,
}

/// What `qianbao verify` found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    /// Journal lines checked.
    pub journal_lines: u64,
    /// Accounts checked.
    pub accounts: u64,
    /// Holds checked.
    pub holds: u64,
    /// Risk decisions judged again.
    pub risk_decisions: u64,
    /// Audit-log lines whose chain was followed.
    pub audit_lines: u64,
    /// The sum of all balances per currency (zero when money is conserved).
    pub totals: BTreeMap<String, i64>,
    /// Every discrepancy found, at most `PROBLEMS_LISTED_MAX` of them spelled out.
    pub problems: Vec<String>,
    /// The number of discrepancies, including those not listed.
    pub problem_count: u64,
}

impl VerifyReport {
    /// Whether nothing was wrong.
    pub fn is_clean(&self) -> bool {
        self.problem_count == 0
    }

    /// Counts a discrepancy and lists it while the list has room.
    pub fn problem(&mut self, what: String) {
        self.problem_count += 1;
        if self.problems.len() < PROBLEMS_LISTED_MAX {
            self.problems.push(what);
        }
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "journal lines: {}", self.journal_lines)?;
        writeln!(f, "accounts:      {}", self.accounts)?;
        writeln!(f, "holds:         {}", self.holds)?;
        writeln!(f, "risk decisions: {}", self.risk_decisions)?;
        writeln!(f, "audit lines:   {}", self.audit_lines)?;
        for (currency, total) in &self.totals {
            writeln!(f, "total {currency}:     {total}")?;
        }
        if self.is_clean() {
            write!(f, "ledger verified: clean")
        } else {
            writeln!(
                f,
                "ledger verification FAILED: {} problem(s)",
                self.problem_count
            )?;
            for p in &self.problems {
                writeln!(f, "  - {p}")?;
            }
            Ok(())
        }
    }
}

/// Replays the journal from empty accounts and compares with the stored accounts and holds.
/// `journal` must be in sequence order.
pub fn replay(
    stored_accounts: &[Account],
    stored_holds: &[Hold],
    journal: impl IntoIterator<Item = JournalLine>,
) -> VerifyReport {
    let mut report = VerifyReport {
        accounts: stored_accounts.len() as u64,
        holds: stored_holds.len() as u64,
        ..VerifyReport::default()
    };
    let mut book = Book::new();
    for a in stored_accounts {
        book.insert_account(Account::open(a.id, a.kind, a.currency));
    }
    let mut prev = GENESIS;
    let mut expected_seq = 1u64;
    for line in journal {
        report.journal_lines += 1;
        if line.seq != expected_seq {
            report.problem(format!(
                "journal line {} found where {expected_seq} was expected (a line is missing or out of order)",
                line.seq
            ));
        }
        expected_seq = line.seq + 1;
        if link(&prev, line.seq, &line.text) != line.link {
            report.problem(format!(
                "journal line {}: hash chain broken (the line or one before it was altered)",
                line.seq
            ));
        }
        prev = line.link;
        match Instruction::decode(&line.text) {
            Ok(instruction) => match book.apply(&instruction) {
                Ok(_) => {}
                Err(rejection) => report.problem(format!(
                    "journal line {}: replay refused it ({rejection})",
                    line.seq
                )),
            },
            Err(e) => report.problem(format!("journal line {}: {e}", line.seq)),
        }
        // Keep the replay's memory flat: nothing reads the change lists here.
        let _ = book.take_changes();
    }
    let mut totals: BTreeMap<Currency, i128> = BTreeMap::new();
    for stored in stored_accounts {
        *totals.entry(stored.currency).or_default() += i128::from(stored.balance.minor());
        check_account(&mut report, &book, stored);
    }
    for (currency, total) in totals {
        if total != 0 {
            report.problem(format!(
                "{currency} does not sum to zero across accounts: {total}"
            ));
        }
        report.totals.insert(
            currency.to_string(),
            i64::try_from(total).unwrap_or(i64::MAX),
        );
    }
    for stored in stored_holds {
        match book.hold(stored.id) {
            Some(h) if h == stored => {}
            Some(h) => report.problem(format!(
                "hold {}: stored as {:?}, journal says {:?}",
                stored.id, stored.state, h.state
            )),
            None => report.problem(format!("hold {}: not in the journal", stored.id)),
        }
    }
    let stored_hold_count = stored_holds.len();
    let replayed_hold_count = book.holds().count();
    if replayed_hold_count != stored_hold_count {
        report.problem(format!(
            "the journal makes {replayed_hold_count} holds, storage has {stored_hold_count}"
        ));
    }
    report
}

fn check_account(report: &mut VerifyReport, book: &Book, stored: &Account) {
    let id: AccountId = stored.id;
    let Some(replayed) = book.account(id) else {
        return;
    };
    if replayed.balance != stored.balance || replayed.held != stored.held {
        report.problem(format!(
            "account {id}: stored balance {} held {}, journal gives balance {} held {}",
            stored.balance, stored.held, replayed.balance, replayed.held
        ));
    }
    if !stored.kind.may_go_negative()
        && (stored.balance < Amount::ZERO || stored.held > stored.balance)
    {
        report.problem(format!(
            "account {id} ({}) is below zero: balance {} held {}",
            stored.kind.as_str(),
            stored.balance,
            stored.held
        ));
    }
    if stored.held < Amount::ZERO {
        report.problem(format!("account {id}: negative held {}", stored.held));
    }
}
