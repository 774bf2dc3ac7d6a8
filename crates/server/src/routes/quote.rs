//! Quotes: the fee of a top-up or withdrawal, shown before the holder confirms it.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::{Problem, QuoteBody};
use qianbao_wallet::money::amount;
use qianbao_wallet::money::quote::Quote;
use serde::Deserialize;

/// `?card_id=&amount=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopupQuoteQuery {
    /// The card to top up from.
    pub card_id: String,
    /// Minor units.
    #[param(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
}

/// `?amount=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WithdrawalQuoteQuery {
    /// Minor units.
    #[param(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
}

fn body(q: Quote) -> QuoteBody {
    QuoteBody {
        amount: q.amount.minor(),
        fee: q.fee.minor(),
        total: q.amount.minor().saturating_add(q.fee.minor()),
        currency: "CNY".into(),
    }
}

/// The fee a top-up from this card would cost (credit cards per the fee schedule).
#[utoipa::path(get, path = "/v1/me/topups/quote", tag = "money", security(("session" = [])), params(TopupQuoteQuery),
    responses(
        (status = 200, description = "The fee", body = QuoteBody),
        (status = 404, description = "No such card of the holder's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`amount_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn top_up(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(q): ApiQuery<TopupQuoteQuery>,
) -> Result<Json<QuoteBody>, ApiError> {
    let amount = amount(q.amount, state.money.policy.amount_max_minor)?;
    let quote = state
        .money
        .quote_top_up(&state.storage, &me.holder, &q.card_id, amount)
        .await?;
    Ok(Json(body(quote)))
}

/// The fee a withdrawal would cost now (free up to the holder's lifetime quota).
#[utoipa::path(get, path = "/v1/me/withdrawals/quote", tag = "money", security(("session" = [])), params(WithdrawalQuoteQuery),
    responses(
        (status = 200, description = "The fee", body = QuoteBody),
        (status = 422, description = "`amount_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn withdrawal(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(q): ApiQuery<WithdrawalQuoteQuery>,
) -> Result<Json<QuoteBody>, ApiError> {
    let amount = amount(q.amount, state.money.policy.amount_max_minor)?;
    let quote = state
        .money
        .quote_withdrawal(&state.storage, &me.holder, amount)
        .await?;
    Ok(Json(body(quote)))
}
