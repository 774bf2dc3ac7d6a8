//! A month's spending by budget category: exactly what the month summary counts as spending
//! ([`crate::money::history::spent`]), each record under its category.

use super::BudgetCategory;
use crate::money::history::spent;
use crate::money::records::{MovementKind, MovementRecord};
use qianbao_ledger::Amount;

/// What a holder spent in a month, in total and per category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthSpending {
    /// Everything, as the summary's `total_out`.
    pub total: Amount,
    /// Per category with any spending, in [`BudgetCategory::ALL`] order.
    pub by_category: Vec<(BudgetCategory, Amount)>,
}

impl MonthSpending {
    /// Sums `rows` (one month's records of one holder); `shop_category` tells the category of
    /// the shop a payment went to, by its id.
    pub fn of(rows: &[MovementRecord], shop_category: impl Fn(&str) -> Option<String>) -> Self {
        let mut out = MonthSpending::default();
        for m in rows {
            let Some(amount) = spent(m) else { continue };
            let shop = match (m.kind, &m.peer_id) {
                (MovementKind::Payment, Some(id)) => shop_category(id),
                _ => None,
            };
            let category = BudgetCategory::of_movement(m, shop.as_deref());
            out.total += amount;
            match out.by_category.iter_mut().find(|(c, _)| *c == category) {
                Some(slot) => slot.1 += amount,
                None => out.by_category.push((category, amount)),
            }
        }
        out.by_category.sort_by_key(|(c, _)| c.rank());
        out
    }

    /// What was spent under `category` (nothing if nothing).
    pub fn of_category(&self, category: BudgetCategory) -> Amount {
        self.by_category
            .iter()
            .find(|(c, _)| *c == category)
            .map_or(Amount::ZERO, |(_, a)| *a)
    }

    /// The shops whose categories `rows` need: the payees of the payments, each once.
    pub fn shops_of(rows: &[MovementRecord]) -> Vec<String> {
        let mut ids: Vec<String> = rows
            .iter()
            .filter(|m| m.kind == MovementKind::Payment && spent(m).is_some())
            .filter_map(|m| m.peer_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::money::history::summarise;
    use crate::money::records::{Channel, Direction, MovementStatus};
    use qianbao_ledger::Currency;

    fn row(
        kind: MovementKind,
        direction: Direction,
        amount: i64,
        peer: Option<&str>,
    ) -> MovementRecord {
        MovementRecord {
            id: String::new(),
            owner_id: String::new(),
            kind,
            direction,
            channel: Channel::Order,
            amount: Amount::from_minor(amount),
            fee: Amount::ZERO,
            currency: Currency::CNY,
            counterparty: String::new(),
            peer_id: peer.map(str::to_string),
            status: MovementStatus::Succeeded,
            memo: String::new(),
            entry_id: None,
            card_id: None,
            created_ms: 0,
            updated_ms: 0,
        }
    }

    #[test]
    fn spending_is_the_summarys_spending_by_category() {
        let mut failed = row(MovementKind::Payment, Direction::Out, 999, Some("m1"));
        failed.status = MovementStatus::Failed;
        let mut dollars = row(MovementKind::Transfer, Direction::Out, 77, None);
        dollars.currency = Currency::parse("USD").unwrap();
        let rows = vec![
            row(MovementKind::Payment, Direction::Out, 1_000, Some("m1")),
            row(MovementKind::Payment, Direction::Out, 500, Some("m2")),
            row(MovementKind::Payment, Direction::Out, 300, Some("m3")),
            row(MovementKind::Transfer, Direction::Out, 200, None),
            row(MovementKind::Fare, Direction::Out, 40, Some("metro")),
            row(MovementKind::Withdrawal, Direction::Out, 50_000, None),
            row(MovementKind::Refund, Direction::In, 100, Some("m1")),
            failed,
            dollars,
        ];
        let s = MonthSpending::of(&rows, |id| match id {
            "m1" => Some("restaurant".into()),
            "m2" => Some("supermarket".into()),
            _ => Some("cinema".into()),
        });
        assert_eq!(s.total, summarise(&rows).total_out);
        assert_eq!(s.total.minor(), 2_040);
        assert_eq!(s.of_category(BudgetCategory::Restaurant).minor(), 1_000);
        assert_eq!(s.of_category(BudgetCategory::Supermarket).minor(), 500);
        assert_eq!(s.of_category(BudgetCategory::OtherShops).minor(), 300);
        assert_eq!(s.of_category(BudgetCategory::Transfer).minor(), 200);
        assert_eq!(s.of_category(BudgetCategory::Fare).minor(), 40);
        assert_eq!(s.of_category(BudgetCategory::Hotel).minor(), 0);
        assert_eq!(MonthSpending::shops_of(&rows), vec!["m1", "m2", "m3"]);
    }
}
