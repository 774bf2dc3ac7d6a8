//! A month's budgets beside its spending, and last month's spending beside it: what the budget
//! screen, the month summary and the CSV statement show.

use super::{BudgetLine, BudgetMonth, BudgetPlan, MonthSpending, percent};
use crate::StoreError;
use crate::money::history::EXPORT_ROWS_MAX;
use crate::money::records::{MoneyTx, MovementFilter, MovementRecord};
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, PositiveAmount};

/// One budget line against the month's spending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineReport {
    /// Which line.
    pub line: BudgetLine,
    /// The budget.
    pub budget: PositiveAmount,
    /// What was spent under it.
    pub spent: Amount,
    /// `spent` as a whole percentage of `budget`, rounded down; may pass 100.
    pub percent: i64,
}

impl LineReport {
    fn new(line: BudgetLine, budget: PositiveAmount, spent: Amount) -> LineReport {
        LineReport {
            line,
            budget,
            spent,
            percent: percent(spent, budget),
        }
    }
}

/// A holder's budgets for one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetReport {
    /// The month.
    pub month: BudgetMonth,
    /// The overall budget against all spending, if one is set.
    pub month_total: Option<LineReport>,
    /// Each category's budget against its spending, in [`BudgetCategory::ALL`](super::category::BudgetCategory::ALL) order.
    pub categories: Vec<LineReport>,
    /// What the month's spending was, per category.
    pub spending: MonthSpending,
    /// What the month before's spending was, per category (the month-on-month comparison).
    pub previous: MonthSpending,
    /// Whether the alerts also go by SMS.
    pub sms: bool,
}

impl BudgetReport {
    /// Puts `plan` beside the two months' spending.
    pub fn new(
        plan: &BudgetPlan,
        month: BudgetMonth,
        spending: MonthSpending,
        previous: MonthSpending,
    ) -> BudgetReport {
        BudgetReport {
            month,
            month_total: plan
                .month_total
                .map(|b| LineReport::new(BudgetLine::Total, b, spending.total)),
            categories: plan
                .categories
                .iter()
                .map(|(c, b)| {
                    LineReport::new(BudgetLine::Category(*c), *b, spending.of_category(*c))
                })
                .collect(),
            spending,
            previous,
            sms: plan.sms,
        }
    }

    /// Whether the holder budgets nothing.
    pub fn is_empty(&self) -> bool {
        self.month_total.is_none() && self.categories.is_empty()
    }

    /// Every line, the total first.
    pub fn lines(&self) -> impl Iterator<Item = &LineReport> {
        self.month_total.iter().chain(self.categories.iter())
    }
}

/// A holder's records of `month`, and the categories of the shops their payments went to.
pub(crate) fn month_spending(
    r: &mut dyn MoneyTx,
    holder_id: &str,
    month: BudgetMonth,
) -> Result<MonthSpending, StoreError> {
    let rows: Vec<MovementRecord> = r.movements(
        holder_id,
        &MovementFilter {
            from_ms: Some(month.start_ms()),
            to_ms: Some(month.end_ms()),
            limit: EXPORT_ROWS_MAX,
            ..MovementFilter::default()
        },
    )?;
    let mut shops: Vec<(String, String)> = Vec::new();
    for id in MonthSpending::shops_of(&rows) {
        if let Some(shop) = r.merchant(&id)? {
            shops.push((id, shop.category));
        }
    }
    Ok(MonthSpending::of(&rows, |id| {
        shops
            .iter()
            .find(|(shop, _)| shop == id)
            .map(|(_, c)| c.clone())
    }))
}

impl Money {
    /// The holder's budgets for `month` (the current China month when `None`) against its
    /// spending, with the month before's spending beside it. Only the holder's own records are
    /// read.
    pub async fn budget_report(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        month: Option<BudgetMonth>,
    ) -> Result<BudgetReport, MoneyError> {
        let month = month.unwrap_or_else(|| BudgetMonth::of_ms(self.now_ms()));
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| {
                let plan = r
                    .budget_settings(&holder_id)?
                    .map(|s| s.plan)
                    .unwrap_or_default();
                let spending = month_spending(r, &holder_id, month)?;
                let previous = month_spending(r, &holder_id, month.previous())?;
                Ok(BudgetReport::new(&plan, month, spending, previous))
            })
            .await?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::budgets::BudgetCategory;

    #[test]
    fn a_report_puts_each_budget_beside_its_spending() {
        let plan = BudgetPlan::new(
            Some(10_000),
            &[("restaurant".into(), 5_000), ("hotel".into(), 1_000)],
            false,
        )
        .unwrap();
        let spending = MonthSpending {
            total: Amount::from_minor(8_500),
            by_category: vec![(BudgetCategory::Restaurant, Amount::from_minor(4_000))],
        };
        let month = BudgetMonth::parse("2026-12").unwrap();
        let r = BudgetReport::new(&plan, month, spending, MonthSpending::default());
        let total = r.month_total.as_ref().unwrap();
        assert_eq!((total.spent.minor(), total.percent), (8_500, 85));
        assert_eq!(r.categories[0].percent, 80);
        assert_eq!(
            (r.categories[1].spent.minor(), r.categories[1].percent),
            (0, 0)
        );
        assert_eq!(r.lines().count(), 3);
        assert!(!r.is_empty());
    }
}
