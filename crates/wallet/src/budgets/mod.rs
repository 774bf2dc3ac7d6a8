//! Monthly budgets (消费预算): a holder's spending limit for the China month, overall and per
//! category, with the spending against each and an alert at 80 % and at 100 % (`docs/rewards.md`).
//! A budget moves no money; it only reads what the month summary counts as spending
//! ([`crate::money::history::spent`]), so the budget screen and the summary never disagree.
//!
//! The pure rules are `category.rs`, `month.rs`, `plan.rs`, `progress.rs` and `spending.rs`; the
//! rows are `records.rs`; the use cases `set.rs`, `report.rs` and `alerts.rs` (the background
//! pass that sends the alerts, once per line, threshold and month).

pub mod alerts;
pub mod category;
pub mod month;
pub mod plan;
pub mod progress;
pub mod records;
pub mod report;
pub mod set;
pub mod spending;

pub use category::BudgetCategory;
pub use month::BudgetMonth;
pub use plan::{BudgetPlan, CATEGORIES_MAX};
pub use progress::{BudgetLine, Threshold, crossed, percent};
pub use records::{BudgetAlertKey, BudgetRecords, BudgetSettings, BudgetWatch};
pub use report::{BudgetReport, LineReport};
pub use spending::MonthSpending;
