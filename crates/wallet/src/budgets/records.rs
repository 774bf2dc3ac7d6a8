//! The rows of budgets: each holder's plan (with the SMS opt-in and the mark of how far their
//! spending has been checked), and the alerts sent, one per line, threshold and month — a unique
//! key, so two passes racing over the same spending send one alert.

use super::{BudgetLine, BudgetMonth, BudgetPlan, Threshold};
use crate::StoreError;

/// A holder's budgets as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetSettings {
    /// Whose.
    pub holder_id: String,
    /// The budgets and the SMS opt-in.
    pub plan: BudgetPlan,
    /// Spending made before this instant (ms) has been checked for alerts.
    pub checked_ms: i64,
    /// Counts the plan's changes: a pass moves `checked_ms` only if the plan it judged is still
    /// the one stored, so a change made meanwhile is judged again.
    pub version: i64,
    /// When the plan last changed (ms).
    pub updated_ms: i64,
}

/// A holder whose spending has moved since it was last checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetWatch {
    /// Whose.
    pub holder_id: String,
}

/// One alert: which holder, month, line and threshold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetAlertKey {
    /// Whose.
    pub holder_id: String,
    /// The month it is about.
    pub month: BudgetMonth,
    /// The budget line.
    pub line: BudgetLine,
    /// The threshold reached.
    pub threshold: Threshold,
}

/// Budgets and their alerts.
pub trait BudgetRecords {
    /// A holder's budgets, if they set any.
    fn budget_settings(&mut self, holder_id: &str) -> Result<Option<BudgetSettings>, StoreError>;
    /// Replaces a holder's budgets with `plan` (an empty plan removes them), to be checked again
    /// from `checked_ms` on.
    fn put_budgets(
        &mut self,
        holder_id: &str,
        plan: &BudgetPlan,
        checked_ms: i64,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Up to `limit` holders with budgets and records made since their `checked_ms`.
    fn budgets_to_check(&mut self, limit: i64) -> Result<Vec<BudgetWatch>, StoreError>;
    /// Moves a holder's `checked_ms` on, if their plan is still at `version`.
    fn mark_budgets_checked(
        &mut self,
        holder_id: &str,
        version: i64,
        checked_ms: i64,
    ) -> Result<(), StoreError>;
    /// The alerts sent to a holder for a month.
    fn budget_alerts_sent(
        &mut self,
        holder_id: &str,
        month: BudgetMonth,
    ) -> Result<Vec<(BudgetLine, Threshold)>, StoreError>;
    /// Records an alert as sent; `false` (and nothing written) if it already was.
    fn record_budget_alert(
        &mut self,
        key: &BudgetAlertKey,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
}
