//! Monthly budgets (消费预算) on the wire: `PUT /v1/me/budgets` sets them, `GET /v1/me/budgets`
//! (and the month summary's `budgets`) shows the spending against each. Amounts are fen.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `PUT /v1/me/budgets`: the holder's budgets, replacing those before whole.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct BudgetsRequest {
    /// The overall budget for the month in fen; absent or `null`: none.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10_000_000_000_i64)]
    pub month_total: Option<i64>,
    /// A budget in fen per category (at most 16; the names `GET /v1/me/budgets` lists in
    /// `known_categories`); `{}` removes the per-category budgets.
    #[serde(default)]
    pub categories: BTreeMap<String, i64>,
    /// Whether the 80 % and 100 % alerts also go by SMS (they always go to the inbox).
    #[serde(default)]
    pub sms: bool,
}

/// One budget line against the month's spending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BudgetLineBody {
    /// The budget in fen.
    pub budget: i64,
    /// What was spent under it this month, in fen (as the month summary counts spending).
    pub spent: i64,
    /// `spent` as a whole percentage of `budget`, rounded down; may pass 100.
    pub percent: i64,
    /// `under` (below 80 %), `warning` (80 % or more) or `reached` (100 % or more).
    #[schema(pattern = r"^(under|warning|reached)$")]
    pub state: String,
}

/// One category's budget against its spending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BudgetCategoryBody {
    /// The category (`restaurant`, `supermarket`, `transfer`, …).
    pub category: String,
    /// The budget in fen.
    pub budget: i64,
    /// What was spent under it this month, in fen.
    pub spent: i64,
    /// `spent` as a whole percentage of `budget`, rounded down; may pass 100.
    pub percent: i64,
    /// `under`, `warning` or `reached`.
    #[schema(pattern = r"^(under|warning|reached)$")]
    pub state: String,
}

/// What was spent under one category, budgeted or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CategorySpent {
    /// The category.
    pub category: String,
    /// In fen.
    pub spent: i64,
}

/// A month's spending, in total and per category with any spending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthSpent {
    /// `YYYY-MM`, China time.
    pub month: String,
    /// Everything spent, in fen: the month summary's `total_out`.
    pub spent_total: i64,
    /// Per category with any spending.
    pub categories: Vec<CategorySpent>,
}

/// `GET /v1/me/budgets`: the budgets of the current China month against its spending, and last
/// month's spending beside it. The same body is the month summary's `budgets`, for its month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BudgetsBody {
    /// `YYYY-MM`, China time.
    pub month: String,
    /// The overall budget against all spending; `null` when none is set.
    pub month_total: Option<BudgetLineBody>,
    /// Each category's budget against its spending (empty when none is set).
    pub categories: Vec<BudgetCategoryBody>,
    /// Everything spent this month, in fen.
    pub spent_total: i64,
    /// This month's spending per category, budgeted or not.
    pub spending: Vec<CategorySpent>,
    /// The month before: its spending in total and per category.
    pub previous_month: MonthSpent,
    /// Whether the alerts also go by SMS.
    pub sms: bool,
    /// The categories a budget can be set for.
    pub known_categories: Vec<String>,
}
