//! A holder's budgets as asked for, parsed once: positive whole fen within a ceiling, known
//! categories, a bounded number of them. Nothing else reaches the records.

use super::BudgetCategory;
use crate::money::{MoneyError, amount};
use qianbao_ledger::{Amount, PositiveAmount};

/// The most categories one holder budgets: enough for every line a month needs, and a bound on
/// what each evaluation reads and writes.
pub const CATEGORIES_MAX: usize = 16;

/// The largest budget: ¥100,000,000.00. Above it a figure is a typo, and every percentage of it
/// stays far inside `i64`.
pub const BUDGET_MAX: Amount = Amount::from_minor(10_000_000_000);

/// What a holder budgets for the month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BudgetPlan {
    /// The overall budget, if any.
    pub month_total: Option<PositiveAmount>,
    /// One budget per category, in [`BudgetCategory::ALL`] order, no category twice.
    pub categories: Vec<(BudgetCategory, PositiveAmount)>,
    /// Whether the alerts go by SMS too.
    pub sms: bool,
}

impl BudgetPlan {
    /// Parses a plan from the wire's figures: `amount_invalid` for an amount that is not a
    /// positive number of fen up to [`BUDGET_MAX`], `invalid_request` at `categories` for an
    /// unknown category, one named twice, or more than [`CATEGORIES_MAX`].
    pub fn new(
        month_total: Option<i64>,
        categories: &[(String, i64)],
        sms: bool,
    ) -> Result<BudgetPlan, MoneyError> {
        if categories.len() > CATEGORIES_MAX {
            return Err(MoneyError::InvalidField("categories"));
        }
        let month_total = month_total.map(|v| amount(v, BUDGET_MAX)).transpose()?;
        let mut lines = Vec::with_capacity(categories.len());
        for (name, value) in categories {
            let category =
                BudgetCategory::parse(name).ok_or(MoneyError::InvalidField("categories"))?;
            if lines.iter().any(|(c, _)| *c == category) {
                return Err(MoneyError::InvalidField("categories"));
            }
            lines.push((category, amount(*value, BUDGET_MAX)?));
        }
        lines.sort_by_key(|(c, _)| c.rank());
        Ok(BudgetPlan {
            month_total,
            categories: lines,
            sms,
        })
    }

    /// Whether it budgets nothing: the holder has no budgets.
    pub fn is_empty(&self) -> bool {
        self.month_total.is_none() && self.categories.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lines(list: &[(&str, i64)]) -> Vec<(String, i64)> {
        list.iter().map(|(c, a)| ((*c).to_string(), *a)).collect()
    }

    #[test]
    fn a_plan_keeps_its_lines_in_the_categories_order() {
        let p = BudgetPlan::new(
            Some(300_000),
            &lines(&[("transfer", 50_000), ("restaurant", 100_000)]),
            true,
        )
        .unwrap();
        assert_eq!(p.month_total.unwrap().minor(), 300_000);
        assert_eq!(p.categories[0].0, BudgetCategory::Restaurant);
        assert_eq!(p.categories[1].0, BudgetCategory::Transfer);
        assert!(p.sms);
        assert!(BudgetPlan::new(None, &[], false).unwrap().is_empty());
    }

    #[test]
    fn bad_figures_are_refused_with_their_codes() {
        let code = |total, list: &[(&str, i64)]| {
            BudgetPlan::new(total, &lines(list), false)
                .unwrap_err()
                .code()
        };
        assert_eq!(code(Some(0), &[]), "amount_invalid");
        assert_eq!(code(Some(-5), &[]), "amount_invalid");
        assert_eq!(code(Some(BUDGET_MAX.minor() + 1), &[]), "amount_invalid");
        assert_eq!(code(None, &[("restaurant", 0)]), "amount_invalid");
        assert_eq!(code(None, &[("casino", 100)]), "invalid_request");
        assert_eq!(code(None, &[("Restaurant", 100)]), "invalid_request");
        let many: Vec<(String, i64)> = BudgetCategory::ALL
            .iter()
            .take(CATEGORIES_MAX + 1)
            .map(|c| (c.as_str().to_string(), 100))
            .collect();
        assert_eq!(
            BudgetPlan::new(None, &many, false).unwrap_err().code(),
            "invalid_request"
        );
    }
}
