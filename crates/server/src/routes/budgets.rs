//! Monthly budgets (消费预算) over HTTP (`docs/rewards.md`): the holder sets them whole with `PUT`
//! and reads the current China month's spending against each with `GET`; the month summary and
//! the CSV statement carry the same figures. Every call is the caller's own: no path names a
//! holder.

use super::money::records::csv_field;
use super::money::statement::{StatementLang, yuan_text};
use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::Problem;
use qianbao_api_types::budgets::{
    BudgetCategoryBody, BudgetLineBody, BudgetsBody, BudgetsRequest, CategorySpent, MonthSpent,
};
use qianbao_wallet::budgets::{
    BudgetCategory, BudgetMonth, BudgetPlan, BudgetReport, LineReport, MonthSpending, Threshold,
    crossed,
};
use qianbao_wallet::records::HolderRecord;

/// `under`, `warning` or `reached`: the highest threshold a line has reached.
fn state_of(line: &LineReport) -> &'static str {
    match crossed(line.spent, line.budget).last() {
        None => "under",
        Some(Threshold::Warning) => "warning",
        Some(Threshold::Reached) => "reached",
    }
}

fn spent_list(spending: &MonthSpending) -> Vec<CategorySpent> {
    spending
        .by_category
        .iter()
        .map(|(c, a)| CategorySpent {
            category: c.as_str().into(),
            spent: a.minor(),
        })
        .collect()
}

/// A report on the wire.
pub(crate) fn budgets_body(report: &BudgetReport) -> BudgetsBody {
    BudgetsBody {
        month: report.month.label(),
        month_total: report.month_total.as_ref().map(|l| BudgetLineBody {
            budget: l.budget.minor(),
            spent: l.spent.minor(),
            percent: l.percent,
            state: state_of(l).into(),
        }),
        categories: report
            .categories
            .iter()
            .map(|l| BudgetCategoryBody {
                category: l.line.as_str().into(),
                budget: l.budget.minor(),
                spent: l.spent.minor(),
                percent: l.percent,
                state: state_of(l).into(),
            })
            .collect(),
        spent_total: report.spending.total.minor(),
        spending: spent_list(&report.spending),
        previous_month: MonthSpent {
            month: report.month.previous().label(),
            spent_total: report.previous.total.minor(),
            categories: spent_list(&report.previous),
        },
        sms: report.sms,
        known_categories: BudgetCategory::names()
            .into_iter()
            .map(Into::into)
            .collect(),
    }
}

/// The budgets of `month` for the month summary: absent when the holder budgets nothing.
pub(crate) async fn summary_budgets(
    state: &AppState,
    holder: &HolderRecord,
    month: &str,
) -> Result<Option<BudgetsBody>, ApiError> {
    let Some(month) = BudgetMonth::parse(month) else {
        return Ok(None);
    };
    let report = state
        .money
        .budget_report(&state.storage, holder, Some(month))
        .await?;
    Ok((!report.is_empty()).then(|| budgets_body(&report)))
}

/// The CSV statement's budget section: after the records, a blank line, its own header and one
/// line per budget (the total first) for the month of `from_ms` (the current month without
/// one). Nothing when the holder budgets nothing, so a statement without budgets is unchanged.
pub(crate) async fn statement_section(
    state: &AppState,
    holder: &HolderRecord,
    from_ms: Option<i64>,
    lang: StatementLang,
) -> Result<String, ApiError> {
    let month = from_ms.map(BudgetMonth::of_ms);
    let report = state
        .money
        .budget_report(&state.storage, holder, month)
        .await?;
    if report.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("\n");
    out.push_str(match lang {
        StatementLang::Zh => "预算月份,预算项目,预算（元）,已花（元）,已用（%）\n",
        StatementLang::En => "budget_month,budget_line,budget,spent,percent\n",
    });
    for line in report.lines() {
        let name = match (lang, line.line) {
            (StatementLang::Zh, qianbao_wallet::budgets::BudgetLine::Total) => "总预算".to_string(),
            (StatementLang::Zh, qianbao_wallet::budgets::BudgetLine::Category(c)) => {
                c.zh().to_string()
            }
            (StatementLang::En, l) => l.as_str().to_string(),
        };
        out.push_str(
            &[
                csv_field(&report.month.label()),
                csv_field(&name),
                yuan_text(line.budget.amount()),
                yuan_text(line.spent),
                line.percent.to_string(),
            ]
            .join(","),
        );
        out.push('\n');
    }
    Ok(out)
}

/// The holder's budgets for the current China month, the spending against each, and last
/// month's spending beside it.
#[utoipa::path(get, path = "/v1/me/budgets", tag = "budgets", security(("session" = [])),
    responses((status = 200, description = "The budgets and the month's spending", body = BudgetsBody)))]
pub async fn show(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<BudgetsBody>, ApiError> {
    let report = state
        .money
        .budget_report(&state.storage, &me.holder, None)
        .await?;
    Ok(Json(budgets_body(&report)))
}

/// Replaces the holder's budgets whole (`month_total` absent or `null`: no overall budget;
/// `categories: {}`: no per-category budgets) and answers as `GET` does. Alerts at 80 % and
/// 100 % of each budget arrive in the inbox within seconds of the spending that reaches them.
#[utoipa::path(put, path = "/v1/me/budgets", tag = "budgets", security(("session" = [])), request_body = BudgetsRequest,
    responses(
        (status = 200, description = "Set; the budgets and the month's spending", body = BudgetsBody),
        (status = 422, description = "`amount_invalid` (not a positive number of fen up to ¥100,000,000), `invalid_request` at `categories` (an unknown category, more than 16)", body = Problem, content_type = "application/problem+json")))]
pub async fn set(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<BudgetsRequest>,
) -> Result<Json<BudgetsBody>, ApiError> {
    let lines: Vec<(String, i64)> = body.categories.into_iter().collect();
    let plan = BudgetPlan::new(body.month_total, &lines, body.sms)?;
    state
        .money
        .set_budgets(&state.storage, &me.holder, plan)
        .await?;
    let report = state
        .money
        .budget_report(&state.storage, &me.holder, None)
        .await?;
    Ok(Json(budgets_body(&report)))
}
