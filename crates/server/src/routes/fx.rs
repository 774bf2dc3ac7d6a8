//! Currencies over HTTP: the rates in force, quotes, and conversions between a holder's own
//! accounts (`docs/currencies.md`).

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::money::idempotency::{
    IdempotencyHeader, idempotency_key, idempotent_with_pin, json,
};
use crate::routes::money::moves::caller;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use qianbao_api_types::{
    FxConversion, FxConversionRequest, FxCurrency, FxQuote, FxQuoteRequest, FxRateItem, FxRates,
    MainCurrencyBody, Problem,
};
use qianbao_ledger::{Currency, PositiveAmount};
use qianbao_wallet::fx::{Converted, Fixed, QuoteAsk, QuotePurpose, rates_in_force};
use qianbao_wallet::money::MoneyError;

/// A currency code from the wire: three capitals the operator enabled, else
/// `currency_unsupported` (lowercase, unknown and disabled codes alike).
pub(crate) fn enabled(state: &AppState, code: &str) -> Result<Currency, MoneyError> {
    let currency = Currency::parse(code).ok_or(MoneyError::CurrencyUnsupported)?;
    state.money.enabled_currency(currency)
}

/// An optional currency from the wire: CNY when absent, else as [`enabled`].
pub(crate) fn enabled_or_yuan(
    state: &AppState,
    code: Option<&str>,
) -> Result<Currency, MoneyError> {
    code.map_or(Ok(Currency::CNY), |code| enabled(state, code))
}

/// The enabled currencies and the mid rates in force.
#[utoipa::path(get, path = "/v1/fx/rates", tag = "fx",
    responses((status = 200, description = "Currencies and rates", body = FxRates)))]
pub async fn rates(State(state): State<AppState>) -> Result<Json<FxRates>, ApiError> {
    let rates = rates_in_force(&state.storage)
        .await
        .map_err(MoneyError::Store)?;
    let mut currencies: Vec<Currency> = state.money.policy.fx.enabled.clone();
    currencies.sort_by_key(|c| (*c != Currency::CNY, *c));
    Ok(Json(FxRates {
        currencies: currencies
            .into_iter()
            .map(|c| FxCurrency {
                code: c.as_str().into(),
                exponent: c.exponent(),
            })
            .collect(),
        rates: rates
            .into_iter()
            .map(|m| FxRateItem {
                pair: m.pair.to_string(),
                rate: m.rate.to_string(),
                source: m.source,
                set_at: rfc3339(m.set_ms),
            })
            .collect(),
    }))
}

/// Quotes a conversion between two enabled currencies at the rate in force less the spread.
#[utoipa::path(post, path = "/v1/fx/quotes", tag = "fx", security(("session" = [])), request_body = FxQuoteRequest,
    responses(
        (status = 201, description = "The quote, usable once until `expires_at`", body = FxQuote),
        (status = 422, description = "`currency_unsupported`; `amount_invalid` (not positive, or too small to convert); `invalid_request`: both or neither of `sell_amount` and `buy_amount`, the same currency twice, or a `to_wallet_id` that is not a wallet id", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`fx_unavailable`: no fresh rate links the two currencies", body = Problem, content_type = "application/problem+json")))]
pub async fn quote(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<FxQuoteRequest>,
) -> Result<(StatusCode, Json<FxQuote>), ApiError> {
    let sell = enabled(&state, &body.sell_currency)?;
    let buy = enabled(&state, &body.buy_currency)?;
    let positive = |v: i64| PositiveAmount::new(v).ok_or(MoneyError::AmountInvalid);
    let fixed = match (body.sell_amount, body.buy_amount) {
        (Some(sell), None) => Fixed::Sell(positive(sell)?),
        (None, Some(buy)) => Fixed::Buy(positive(buy)?),
        _ => return Err(MoneyError::InvalidField("sell_amount").into()),
    };
    let (purpose, subject) = match body.to_wallet_id {
        // Kept with the quote, so only a wallet id's shape is accepted (1-64 of [0-9a-z-]).
        Some(wallet_id) if !qianbao_wallet::domain::emvco::issued_id(&wallet_id) => {
            return Err(MoneyError::InvalidField("to_wallet_id").into());
        }
        Some(wallet_id) => (QuotePurpose::Transfer, Some(wallet_id)),
        None => (QuotePurpose::Conversion, None),
    };
    let quote = state
        .money
        .quote_fx(
            &state.storage,
            &me.holder,
            QuoteAsk { sell, buy, fixed },
            purpose,
            subject,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(FxQuote {
            quote_id: quote.id,
            rate: quote.rate.to_string(),
            sell_amount: quote.sell.minor(),
            buy_amount: quote.buy.minor(),
            fee: quote.fee.minor(),
            fee_currency: sell.as_str().into(),
            sell_currency: sell.as_str().into(),
            buy_currency: buy.as_str().into(),
            expires_at: rfc3339(quote.expires_ms),
        }),
    ))
}

/// Sets the currency money arrives in when a payer sends one the holder does not hold.
#[utoipa::path(put, path = "/v1/me/main-currency", tag = "fx", security(("session" = [])), request_body = MainCurrencyBody,
    responses(
        (status = 200, description = "Set", body = MainCurrencyBody),
        (status = 422, description = "`currency_unsupported`", body = Problem, content_type = "application/problem+json")))]
pub async fn set_main_currency(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<MainCurrencyBody>,
) -> Result<Json<MainCurrencyBody>, ApiError> {
    let currency = enabled(&state, &body.main_currency)?;
    let set = state
        .money
        .set_main_currency(&state.storage, &me.holder, currency)
        .await?;
    Ok(Json(MainCurrencyBody {
        main_currency: set.as_str().into(),
    }))
}

fn conversion_json(done: Converted) -> String {
    json(&FxConversion {
        id: done.id,
        status: done.status.as_str().into(),
        sell_amount: done.sell_amount.minor(),
        buy_amount: done.buy_amount.minor(),
        sell_currency: done.sell_currency.as_str().into(),
        buy_currency: done.buy_currency.as_str().into(),
        fee: done.fee.minor(),
    })
}

/// Converts between the holder's own accounts at a quote of theirs, with the payment password.
#[utoipa::path(post, path = "/v1/fx/conversions", tag = "fx", security(("session" = [])), request_body = FxConversionRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "Converted", body = FxConversion),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such quote of the holder's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`quote_expired`, `quote_used`, `insufficient_balance`, `currency_unsupported`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`maintenance`", body = Problem, content_type = "application/problem+json")))]
pub async fn convert(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(body): ApiJson<FxConversionRequest>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&me), "fx_conversion", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        conversion_json,
        |render, key, pin_read| {
            Box::pin(async move {
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                s.money
                    .convert(&s.storage, &me.holder, &body.quote_id, &key, render)
                    .await
            })
        },
    )
    .await
}
