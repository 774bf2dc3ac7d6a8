//! Setting a holder's budgets: the plan replaces the one before whole, in one transaction.

use super::{BudgetMonth, BudgetPlan};
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;

impl Money {
    /// Replaces the holder's budgets with `plan` (an empty one removes them). The month's
    /// spending so far is checked against the new plan by the next alert pass, so a budget set
    /// below what was already spent alerts at once; last month's is not.
    pub async fn set_budgets(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        plan: BudgetPlan,
    ) -> Result<(), MoneyError> {
        let now = self.now_ms();
        let checked_from = BudgetMonth::of_ms(now).start_ms();
        let holder_id = holder.id.clone();
        // A money transaction because the budgets are a money role's rows; it moves nothing.
        Ok(store
            .transact_money(move |r| r.put_budgets(&holder_id, &plan, checked_from, now))
            .await?)
    }
}
