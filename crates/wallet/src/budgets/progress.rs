//! Spending against a budget: the percentage used and which alert thresholds it has reached.
//! Integer arithmetic only (money never meets a float).

use super::BudgetCategory;
use qianbao_ledger::{Amount, PositiveAmount};

crate::named! {
    /// A share of a budget that, once spent, sends the holder an alert.
    pub enum Threshold {
        /// Four fifths spent: a warning while there is still room.
        Warning = "80",
        /// All of it spent.
        Reached = "100",
    }
}

impl Threshold {
    /// The percentage it stands for.
    pub fn percent(self) -> i64 {
        match self {
            Threshold::Warning => 80,
            Threshold::Reached => 100,
        }
    }
}

/// One line of a holder's budgets: the month's total, or one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BudgetLine {
    /// The overall budget.
    Total,
    /// One category's budget.
    Category(BudgetCategory),
}

impl BudgetLine {
    /// Its stored name: `total`, or the category's name.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetLine::Total => "total",
            BudgetLine::Category(c) => c.as_str(),
        }
    }

    /// The line `text` names.
    pub fn parse(text: &str) -> Option<BudgetLine> {
        if text == "total" {
            Some(BudgetLine::Total)
        } else {
            BudgetCategory::parse(text).map(BudgetLine::Category)
        }
    }
}

/// The whole percentage of `budget` that `spent` is, rounded down (so 80 % shows only once four
/// fifths are truly spent); 0 for nothing or less.
pub fn percent(spent: Amount, budget: PositiveAmount) -> i64 {
    let share = i128::from(spent.minor().max(0)) * 100 / i128::from(budget.minor());
    i64::try_from(share).unwrap_or(i64::MAX)
}

/// The thresholds `spent` has reached, lowest first.
pub fn crossed(spent: Amount, budget: PositiveAmount) -> Vec<Threshold> {
    // Compared as spent × 100 ≥ budget × threshold, exactly, not through the rounded percentage.
    let spent = i128::from(spent.minor());
    let budget = i128::from(budget.minor());
    Threshold::ALL
        .iter()
        .copied()
        .filter(|t| spent * 100 >= budget * i128::from(t.percent()))
        .collect()
}

/// The thresholds reached and not yet alerted: what an evaluation sends now.
pub fn due(spent: Amount, budget: PositiveAmount, sent: &[Threshold]) -> Vec<Threshold> {
    crossed(spent, budget)
        .into_iter()
        .filter(|t| !sent.contains(t))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn a(minor: i64) -> Amount {
        Amount::from_minor(minor)
    }

    fn b(minor: i64) -> PositiveAmount {
        PositiveAmount::new(minor).unwrap()
    }

    #[test]
    fn the_thresholds_are_reached_exactly_at_80_and_100_percent() {
        assert!(crossed(a(7_999), b(10_000)).is_empty());
        assert_eq!(crossed(a(8_000), b(10_000)), vec![Threshold::Warning]);
        assert_eq!(crossed(a(9_999), b(10_000)), vec![Threshold::Warning]);
        assert_eq!(
            crossed(a(10_000), b(10_000)),
            vec![Threshold::Warning, Threshold::Reached]
        );
        // 80 % of 3 fen is 2.4 fen: 2 fen is not yet there, 3 is.
        assert!(crossed(a(2), b(3)).is_empty());
        assert_eq!(crossed(a(3), b(3)).len(), 2);
    }

    #[test]
    fn the_percentage_rounds_down_and_can_pass_100() {
        assert_eq!(percent(a(0), b(10_000)), 0);
        assert_eq!(percent(a(7_999), b(10_000)), 79);
        assert_eq!(percent(a(25_000), b(10_000)), 250);
        assert_eq!(percent(a(i64::MAX), b(1)), i64::MAX);
        assert_eq!(percent(a(-5), b(10)), 0);
    }

    #[test]
    fn a_line_is_named_total_or_by_its_category() {
        for line in [
            BudgetLine::Total,
            BudgetLine::Category(BudgetCategory::Fare),
        ] {
            assert_eq!(BudgetLine::parse(line.as_str()), Some(line));
        }
        assert_eq!(BudgetLine::parse("totals"), None);
    }

    proptest! {
        /// Whatever the order and size of the spends, and however often the month is evaluated,
        /// each threshold is alerted at most once, and every threshold reached by the end is.
        #[test]
        fn each_threshold_alerts_once_whatever_the_spends(
            budget in 1i64..1_000_000,
            spends in proptest::collection::vec(0i64..400_000, 0..40),
            evaluations in proptest::collection::vec(1usize..4, 0..40),
        ) {
            let budget = b(budget);
            let mut spent = a(0);
            let mut sent: Vec<Threshold> = Vec::new();
            for (i, spend) in spends.iter().enumerate() {
                spent += a(*spend);
                // Some spends are evaluated several times (passes racing), some not at all.
                let times = evaluations.get(i).copied().unwrap_or(0);
                for _ in 0..times {
                    for t in due(spent, budget, &sent) {
                        prop_assert!(!sent.contains(&t));
                        sent.push(t);
                    }
                }
            }
            for t in due(spent, budget, &sent) {
                sent.push(t);
            }
            for t in Threshold::ALL {
                prop_assert!(sent.iter().filter(|s| *s == t).count() <= 1);
            }
            prop_assert_eq!(sent.len(), crossed(spent, budget).len());
        }
    }
}
