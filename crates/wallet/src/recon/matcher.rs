//! The matcher: a bank statement against the movements the bank confirmed to us. Pure — the
//! use case reads the confirmations and keeps what this finds.
//!
//! A line is matched by the bank's reference, which we kept when the bank answered; one line may
//! cover several of our movements (the bank batched settlements), and its `our_refs` must name
//! exactly the movements we kept under that reference. Each line yields one result, the first
//! of these that applies:
//!
//! 1. `missing_here` — no movement of ours is confirmed under its reference, or it names one of
//!    ours that is not (a top-up still pending here, an id we never made);
//! 2. `amount_differs` — ours under the reference sum to another amount, or are in another
//!    currency or of another kind, or include a movement the line does not name;
//! 3. `date_outside_tolerance` — one of ours was confirmed on a day further from the line's date
//!    than the tolerance;
//! 4. matched.
//!
//! Then every reference of ours that no line claimed, confirmed on one of the statement's days,
//! is `missing_at_bank`. Days: the days of the statement's lines, plus any the caller names (a
//! statement of a day the bank booked nothing on has no line to tell its day).

use super::statement::{Statement, StatementLine, day_text};
use crate::domain::{BankReference, ChinaDay};
use crate::money::records::{BankConfirmation, BreakKind, ReconCounts};
use qianbao_ledger::{Amount, Currency};
use std::collections::{BTreeMap, BTreeSet};

/// A milliseconds-per-day constant for day distances: China has no daylight saving, so every day
/// is this long.
const DAY_MS: i64 = 86_400_000;

/// One disagreement between the statement and our records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// What disagrees.
    pub kind: BreakKind,
    /// The statement line (from 1, the header being 1) it is about, when there is one.
    pub line: Option<usize>,
    /// The bank reference it is about.
    pub bank_reference: BankReference,
    /// Our references: the line's, or ours under the reference when there is no line.
    pub our_references: Vec<String>,
    /// The line's amount, when there is a line.
    pub bank_amount: Option<Amount>,
    /// Ours under the reference, summed, when we have any.
    pub our_amount: Option<Amount>,
    /// The line's currency, or ours.
    pub currency: Currency,
    /// The line's day, or the day we confirmed ours.
    pub day: ChinaDay,
    /// The difference in words.
    pub detail: String,
}

/// What matching found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// The counts by outcome.
    pub counts: ReconCounts,
    /// Every break, lines first in the statement's order, then ours the bank lacks.
    pub breaks: Vec<Break>,
}

/// How many days apart two days are.
fn days_apart(a: ChinaDay, b: ChinaDay) -> i64 {
    (a.start_ms() - b.start_ms()).abs() / DAY_MS
}

/// Matches `statement` against `ours`: the confirmations of the statement's days and `days`, and
/// any others under the statement's references. `tolerance_days` is how many days a line's date
/// may be from the day we confirmed its movements.
pub fn reconcile(
    statement: &Statement,
    ours: &[BankConfirmation],
    days: &BTreeSet<ChinaDay>,
    tolerance_days: i64,
) -> Reconciliation {
    let mut groups: BTreeMap<&BankReference, Vec<&BankConfirmation>> = BTreeMap::new();
    for c in ours {
        groups.entry(&c.bank_reference).or_default().push(c);
    }
    let mut out = Reconciliation::default();
    let mut claimed: BTreeSet<&BankReference> = BTreeSet::new();
    for (i, line) in statement.lines.iter().enumerate() {
        // Line 1 of the file is the header.
        let number = i + 2;
        let group = groups.get(&line.bank_reference).map(Vec::as_slice);
        if group.is_some() {
            claimed.insert(&line.bank_reference);
        }
        match judge(line, group.unwrap_or(&[]), tolerance_days) {
            None => {
                out.counts.matched += 1;
                out.counts.matched_movements += line.our_references.len() as i64;
            }
            Some((kind, detail)) => {
                let our_amount = group.and_then(total);
                out.breaks.push(Break {
                    kind,
                    line: Some(number),
                    bank_reference: line.bank_reference.clone(),
                    our_references: line.our_references.clone(),
                    bank_amount: Some(line.amount.amount()),
                    our_amount,
                    currency: line.currency,
                    day: line.date,
                    detail,
                });
            }
        }
    }
    let mut days = days.clone();
    days.extend(statement.days());
    for (reference, group) in &groups {
        if claimed.contains(reference) {
            continue;
        }
        let Some(first) = group
            .iter()
            .find(|c| days.contains(&ChinaDay::of_ms(c.confirmed_ms)))
        else {
            continue;
        };
        let day = ChinaDay::of_ms(first.confirmed_ms);
        let our_amount = total(group);
        out.breaks.push(Break {
            kind: BreakKind::MissingAtBank,
            line: None,
            bank_reference: (*reference).clone(),
            our_references: group.iter().map(|c| c.movement_id.clone()).collect(),
            bank_amount: None,
            our_amount,
            currency: first.currency,
            day,
            detail: format!(
                "we confirmed {} {} {} on {} that the bank's statement does not show",
                first.kind,
                our_amount.map_or_else(|| "?".into(), |a| a.to_string()),
                first.currency,
                day_text(day)
            ),
        });
    }
    for b in &out.breaks {
        match b.kind {
            BreakKind::MissingHere => out.counts.missing_here += 1,
            BreakKind::MissingAtBank => out.counts.missing_at_bank += 1,
            BreakKind::AmountDiffers => out.counts.amount_differs += 1,
            BreakKind::DateOutsideTolerance => out.counts.date_outside_tolerance += 1,
        }
    }
    out
}

/// The sum of a group's amounts; `None` only if it overflows, which no real day can.
fn total(group: &[&BankConfirmation]) -> Option<Amount> {
    group
        .iter()
        .try_fold(Amount::ZERO, |sum, c| sum.checked_add(c.amount))
}

/// What is wrong with `line` against `group` (ours under its reference), or `None` when they
/// agree.
fn judge(
    line: &StatementLine,
    group: &[&BankConfirmation],
    tolerance_days: i64,
) -> Option<(BreakKind, String)> {
    if group.is_empty() {
        return Some((
            BreakKind::MissingHere,
            format!(
                "the bank booked {} {} {} under {} for {}, which we have no finished movement for",
                line.kind,
                line.amount,
                line.currency,
                line.bank_reference,
                line.our_references.join(";")
            ),
        ));
    }
    let ours: BTreeSet<&str> = group.iter().map(|c| c.movement_id.as_str()).collect();
    if let Some(unknown) = line
        .our_references
        .iter()
        .find(|r| !ours.contains(r.as_str()))
    {
        return Some((
            BreakKind::MissingHere,
            format!(
                "the bank's line names {unknown}, which we did not finish under {}",
                line.bank_reference
            ),
        ));
    }
    let named: BTreeSet<&str> = line.our_references.iter().map(String::as_str).collect();
    if let Some(unnamed) = ours.iter().find(|id| !named.contains(*id)) {
        return Some((
            BreakKind::AmountDiffers,
            format!(
                "we finished {unnamed} under {} but the bank's line leaves it out",
                line.bank_reference
            ),
        ));
    }
    if let Some(c) = group
        .iter()
        .find(|c| c.currency != line.currency || c.kind != line.kind)
    {
        return Some((
            BreakKind::AmountDiffers,
            format!(
                "the bank booked a {} in {}, we finished {} as a {} in {}",
                line.kind, line.currency, c.movement_id, c.kind, c.currency
            ),
        ));
    }
    let sum = total(group);
    if sum != Some(line.amount.amount()) {
        return Some((
            BreakKind::AmountDiffers,
            format!(
                "the bank booked {} {} under {}, we finished {}",
                line.amount,
                line.currency,
                line.bank_reference,
                sum.map_or_else(|| "more than can be counted".into(), |a| a.to_string())
            ),
        ));
    }
    if let Some(c) = group
        .iter()
        .find(|c| days_apart(ChinaDay::of_ms(c.confirmed_ms), line.date) > tolerance_days)
    {
        return Some((
            BreakKind::DateOutsideTolerance,
            format!(
                "the bank booked {} on {}, we finished {} on {}: more than {tolerance_days} day(s) apart",
                line.bank_reference,
                day_text(line.date),
                c.movement_id,
                day_text(ChinaDay::of_ms(c.confirmed_ms))
            ),
        ));
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::BankKind;
    use crate::recon::statement::parse_day;
    use proptest::prelude::*;
    use qianbao_ledger::PositiveAmount;

    /// Noon on 2026-03-01 in China.
    const NOON: i64 = 1_772_337_600_000;

    fn confirmation(
        id: &str,
        bank: &str,
        kind: BankKind,
        amount: i64,
        at: i64,
    ) -> BankConfirmation {
        BankConfirmation {
            movement_id: id.into(),
            bank_reference: BankReference::parse(bank).unwrap(),
            kind,
            amount: Amount::from_minor(amount),
            currency: Currency::CNY,
            confirmed_ms: at,
        }
    }

    /// The statement the bank would print for `ours`: one line per bank reference, on the day
    /// each group was confirmed, in order of first confirmation.
    fn statement_of(ours: &[BankConfirmation]) -> Statement {
        let mut order: Vec<&BankReference> = Vec::new();
        let mut groups: BTreeMap<&BankReference, Vec<&BankConfirmation>> = BTreeMap::new();
        for c in ours {
            if !groups.contains_key(&c.bank_reference) {
                order.push(&c.bank_reference);
            }
            groups.entry(&c.bank_reference).or_default().push(c);
        }
        Statement {
            lines: order
                .into_iter()
                .map(|r| {
                    let g = &groups[r];
                    StatementLine {
                        date: ChinaDay::of_ms(g[0].confirmed_ms),
                        bank_reference: r.clone(),
                        kind: g[0].kind,
                        amount: PositiveAmount::new(total(g).unwrap().minor()).unwrap(),
                        currency: g[0].currency,
                        our_references: g.iter().map(|c| c.movement_id.clone()).collect(),
                    }
                })
                .collect(),
        }
    }

    fn sample() -> Vec<BankConfirmation> {
        vec![
            confirmation("m1", "sbxm_1", BankKind::Topup, 10_010, NOON),
            confirmation("m2", "sbxm_2", BankKind::Withdrawal, 5_000, NOON + 1),
            confirmation("m3", "sbxb_3", BankKind::Settlement, 20_000, NOON + 2),
            confirmation("m4", "sbxb_3", BankKind::Settlement, 5_000, NOON + 3),
        ]
    }

    fn run(statement: &Statement, ours: &[BankConfirmation]) -> Reconciliation {
        reconcile(statement, ours, &BTreeSet::new(), 1)
    }

    fn only(result: &Reconciliation) -> BreakKind {
        assert_eq!(result.breaks.len(), 1, "{:?}", result.breaks);
        result.breaks[0].kind
    }

    #[test]
    fn our_own_statement_matches_one_to_one_and_one_to_many() {
        let ours = sample();
        let got = run(&statement_of(&ours), &ours);
        assert!(got.breaks.is_empty(), "{:?}", got.breaks);
        assert_eq!((got.counts.matched, got.counts.matched_movements), (3, 4));
    }

    #[test]
    fn a_line_we_do_not_have_is_missing_here() {
        let ours = sample();
        let mut statement = statement_of(&ours);
        statement.lines[0].bank_reference = BankReference::parse("sbxm_other").unwrap();
        let got = run(&statement, &ours);
        // The renamed line is missing here, and ours under the old reference is missing there.
        let kinds: Vec<BreakKind> = got.breaks.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, [BreakKind::MissingHere, BreakKind::MissingAtBank]);
        assert_eq!(got.breaks[0].line, Some(2));
        assert_eq!(got.breaks[1].our_references, ["m1"]);
    }

    #[test]
    fn a_line_naming_a_movement_we_did_not_finish_is_missing_here() {
        let ours = sample();
        let mut statement = statement_of(&ours);
        statement.lines[2].our_references = vec!["m3".into(), "m9".into()];
        assert_eq!(only(&run(&statement, &ours)), BreakKind::MissingHere);
    }

    #[test]
    fn a_batch_that_leaves_one_of_ours_out_differs_in_amount() {
        let ours = sample();
        let mut statement = statement_of(&ours);
        statement.lines[2].our_references = vec!["m3".into()];
        statement.lines[2].amount = PositiveAmount::new(20_000).unwrap();
        let got = run(&statement, &ours);
        assert_eq!(only(&got), BreakKind::AmountDiffers);
        assert_eq!(got.breaks[0].our_amount, Some(Amount::from_minor(25_000)));
    }

    #[test]
    fn another_kind_or_currency_under_the_same_reference_differs() {
        let ours = sample();
        let mut kind = statement_of(&ours);
        kind.lines[1].kind = BankKind::Settlement;
        assert_eq!(only(&run(&kind, &ours)), BreakKind::AmountDiffers);
        let mut currency = statement_of(&ours);
        currency.lines[1].currency = Currency::parse("USD").unwrap();
        assert_eq!(only(&run(&currency, &ours)), BreakKind::AmountDiffers);
    }

    #[test]
    fn dates_one_day_apart_match_and_two_days_apart_do_not() {
        let ours = sample();
        let day = ChinaDay::of_ms(NOON);
        let mut next_day = statement_of(&ours);
        next_day.lines[0].date = ChinaDay::of_ms(day.end_ms());
        assert!(run(&next_day, &ours).breaks.is_empty());
        let mut two_days = statement_of(&ours);
        two_days.lines[0].date = ChinaDay::of_ms(day.end_ms() + DAY_MS);
        let got = run(&two_days, &ours);
        assert_eq!(only(&got), BreakKind::DateOutsideTolerance);
        // A tolerance of zero wants the same day.
        assert_eq!(
            reconcile(&next_day, &ours, &BTreeSet::new(), 0)
                .breaks
                .len(),
            1
        );
    }

    #[test]
    fn ours_on_other_days_are_not_expected_on_this_statement() {
        let mut ours = sample();
        ours.push(confirmation(
            "m5",
            "sbxm_5",
            BankKind::Topup,
            1,
            NOON + 2 * DAY_MS,
        ));
        let statement = statement_of(&ours[..4]);
        assert!(run(&statement, &ours).breaks.is_empty());
        // Named as a day of the statement, it is.
        let days = BTreeSet::from([ChinaDay::of_ms(NOON + 2 * DAY_MS)]);
        let got = reconcile(&statement, &ours, &days, 1);
        assert_eq!(only(&got), BreakKind::MissingAtBank);
    }

    #[test]
    fn an_empty_statement_of_a_day_misses_everything_we_confirmed_that_day() {
        let ours = sample();
        let days = BTreeSet::from([parse_day("2026-03-01").unwrap()]);
        let got = reconcile(&Statement::default(), &ours, &days, 1);
        assert_eq!(got.counts.missing_at_bank, 3);
        assert_eq!(got.counts.breaks(), 3);
    }

    prop_compose! {
        /// Our confirmations of one day: top-ups and withdrawals one to a reference, settlements
        /// in batches of one to four under a shared one.
        fn day_of_ours()(groups in prop::collection::vec(
            (0..3u8, prop::collection::vec(1..1_000_000i64, 1..5)), 1..25),
        ) -> Vec<BankConfirmation> {
            let mut out = Vec::new();
            for (g, (kind, amounts)) in groups.into_iter().enumerate() {
                let kind = [BankKind::Topup, BankKind::Withdrawal, BankKind::Settlement]
                    [usize::from(kind)];
                let amounts = if kind == BankKind::Settlement { &amounts[..] } else { &amounts[..1] };
                for (i, amount) in amounts.iter().enumerate() {
                    out.push(confirmation(
                        &format!("m{g}_{i}"),
                        &format!("ref{g}"),
                        kind,
                        *amount,
                        NOON + (g * 10 + i) as i64,
                    ));
                }
            }
            out
        }
    }

    proptest! {
        #[test]
        fn a_statement_made_from_our_records_always_matches_fully(ours in day_of_ours()) {
            let statement = statement_of(&ours);
            let got = run(&statement, &ours);
            prop_assert!(got.breaks.is_empty(), "{:?}", got.breaks);
            prop_assert_eq!(got.counts.matched, statement.lines.len() as i64);
            prop_assert_eq!(got.counts.matched_movements, ours.len() as i64);
        }

        #[test]
        fn removing_one_line_is_exactly_one_missing_at_bank(
            ours in day_of_ours(), pick in any::<prop::sample::Index>(),
        ) {
            let mut statement = statement_of(&ours);
            let removed = statement.lines.remove(pick.index(statement.lines.len()));
            // A statement left with no line still covers its day.
            let days = BTreeSet::from([removed.date]);
            let got = reconcile(&statement, &ours, &days, 1);
            prop_assert_eq!(got.breaks.len(), 1);
            prop_assert_eq!(got.breaks[0].kind, BreakKind::MissingAtBank);
            prop_assert_eq!(&got.breaks[0].bank_reference, &removed.bank_reference);
            prop_assert_eq!(&got.breaks[0].our_references, &removed.our_references);
            prop_assert_eq!(got.counts.matched, statement.lines.len() as i64);
        }

        #[test]
        fn altering_one_amount_is_exactly_one_amount_differs(
            ours in day_of_ours(), pick in any::<prop::sample::Index>(), delta in 1..1_000i64,
        ) {
            let mut statement = statement_of(&ours);
            let at = pick.index(statement.lines.len());
            let line = &mut statement.lines[at];
            line.amount = PositiveAmount::new(line.amount.minor() + delta).unwrap();
            let got = run(&statement, &ours);
            prop_assert_eq!(got.breaks.len(), 1);
            prop_assert_eq!(got.breaks[0].kind, BreakKind::AmountDiffers);
            prop_assert_eq!(got.breaks[0].line, Some(at + 2));
            prop_assert_eq!(got.counts.amount_differs, 1);
        }

        #[test]
        fn moving_one_line_past_the_tolerance_is_exactly_one_date_break(
            ours in day_of_ours(), pick in any::<prop::sample::Index>(), days in 2..30i64,
            earlier in any::<bool>(),
        ) {
            let mut statement = statement_of(&ours);
            let at = pick.index(statement.lines.len());
            let shift = if earlier { -days } else { days } * DAY_MS;
            let line = &mut statement.lines[at];
            line.date = ChinaDay::of_ms(line.date.start_ms() + shift);
            let got = run(&statement, &ours);
            prop_assert_eq!(got.breaks.len(), 1);
            prop_assert_eq!(got.breaks[0].kind, BreakKind::DateOutsideTolerance);
            prop_assert_eq!(got.counts.date_outside_tolerance, 1);
        }

        #[test]
        fn adding_a_line_we_never_made_is_exactly_one_missing_here(
            ours in day_of_ours(), amount in 1..1_000_000i64,
        ) {
            let mut statement = statement_of(&ours);
            statement.lines.push(StatementLine {
                date: ChinaDay::of_ms(NOON),
                bank_reference: BankReference::parse("sbxm_stranger").unwrap(),
                kind: BankKind::Topup,
                amount: PositiveAmount::new(amount).unwrap(),
                currency: Currency::CNY,
                our_references: vec!["stranger".into()],
            });
            let got = run(&statement, &ours);
            prop_assert_eq!(got.breaks.len(), 1);
            prop_assert_eq!(got.breaks[0].kind, BreakKind::MissingHere);
            prop_assert_eq!(got.counts.missing_here, 1);
        }

        #[test]
        fn the_file_of_a_statement_reads_back_as_the_same_statement(ours in day_of_ours()) {
            let statement = statement_of(&ours);
            let again = Statement::parse_csv(statement.to_csv().as_bytes());
            prop_assert_eq!(again, Ok(statement));
        }
    }
}
