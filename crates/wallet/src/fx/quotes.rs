//! Giving a quote: the rate in force between two enabled currencies, priced at the policy's spread,
//! stored so it can be used once before it expires. And setting the rates quotes are priced from.

use super::pricing::{Fixed, PriceError, price};
use super::rates::{MidRate, Pair, resolve};
use super::records::{FxQuoteRecord, QuotePurpose};
use crate::StoreError;
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::Currency;

/// What a holder asks to be quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteAsk {
    /// The currency they give.
    pub sell: Currency,
    /// The currency they get.
    pub buy: Currency,
    /// Which side's amount they fixed.
    pub fixed: Fixed,
}

/// The holder's main currency: CNY unless they chose another.
pub async fn main_currency_of(
    store: &impl RecordStore,
    holder_id: &str,
) -> Result<Currency, StoreError> {
    let holder_id = holder_id.to_string();
    Ok(store
        .transact_read(move |r| r.main_currency(&holder_id))
        .await?
        .unwrap_or(Currency::CNY))
}

impl Money {
    /// Sets the holder's main currency (an enabled one): money in a currency they do not hold
    /// arrives in it.
    pub async fn set_main_currency(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        currency: Currency,
    ) -> Result<Currency, MoneyError> {
        self.enabled_currency(currency)?;
        let (holder_id, now) = (holder.id.clone(), self.now_ms());
        store
            .transact(move |r| r.set_main_currency(&holder_id, currency, now))
            .await?;
        Ok(currency)
    }
}

/// Every mid rate in force.
pub async fn rates_in_force(store: &impl RecordStore) -> Result<Vec<MidRate>, StoreError> {
    store.transact_read(|r| r.mid_rates()).await
}

/// Sets mid rates (from the operator, the console or a feed), each kept in the history too.
pub async fn set_rates(store: &impl RecordStore, rates: Vec<MidRate>) -> Result<(), StoreError> {
    store
        .transact(move |r| {
            for rate in &rates {
                r.put_mid_rate(rate)?;
            }
            Ok(())
        })
        .await
}

impl Money {
    /// Whether `currency` may be held and moved, else `currency_unsupported`.
    pub fn enabled_currency(&self, currency: Currency) -> Result<Currency, MoneyError> {
        if self.policy.fx.is_enabled(currency) {
            Ok(currency)
        } else {
            Err(MoneyError::CurrencyUnsupported)
        }
    }

    /// Prices `ask` over `rates` at `now` less `spread_bps`: the mid rate used and both sides.
    /// No fresh rate is `fx_unavailable`; a side that rounds to nothing or overflows,
    /// `amount_invalid`.
    pub(crate) fn price_over(
        &self,
        rates: &[MidRate],
        ask: QuoteAsk,
        spread_bps: u32,
        now: i64,
    ) -> Result<(super::Rate, super::Price), MoneyError> {
        let (rate, _) = resolve(rates, ask.sell, ask.buy, now, self.policy.fx.rate_stale_ms)
            .map_err(|_| MoneyError::FxUnavailable)?;
        let priced = price(
            rate,
            spread_bps,
            ask.sell.exponent(),
            ask.buy.exponent(),
            ask.fixed,
        )
        .map_err(|e| match e {
            PriceError::TooSmall | PriceError::TooLarge => MoneyError::AmountInvalid,
            PriceError::Spread => {
                MoneyError::Internal("the policy's spread is out of range".into())
            }
        })?;
        Ok((rate, priced))
    }

    /// Prices `ask` at the rate in force now, without storing it.
    pub async fn price_fx(
        &self,
        store: &impl RecordStore,
        ask: QuoteAsk,
    ) -> Result<(super::Rate, super::Price), MoneyError> {
        self.enabled_currency(ask.sell)?;
        self.enabled_currency(ask.buy)?;
        if ask.sell == ask.buy {
            return Err(MoneyError::InvalidField("buy_currency"));
        }
        let rates = rates_in_force(store).await?;
        let spread = self.policy.fx.spread_for(ask.sell, ask.buy);
        let (rate, priced) = self.price_over(&rates, ask, spread, self.now_ms())?;
        let max = self.policy.amount_max_minor;
        if priced.sell.amount() > max || priced.buy.amount() > max {
            return Err(MoneyError::AmountInvalid);
        }
        Ok((rate, priced))
    }

    /// Quotes `ask` for `holder` and stores the quote: usable once, by them, for `purpose`, until
    /// the policy's quote lifetime has passed.
    pub async fn quote_fx(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        ask: QuoteAsk,
        purpose: QuotePurpose,
        subject: Option<String>,
    ) -> Result<FxQuoteRecord, MoneyError> {
        let ids = self.ctx.ids.clone();
        let (rate, priced) = self.price_fx(store, ask).await?;
        let now = self.now_ms();
        let quote = FxQuoteRecord {
            id: ids.movement_id(),
            holder_id: holder.id.clone(),
            purpose,
            subject,
            sell_currency: ask.sell,
            buy_currency: ask.buy,
            sell: priced.sell.amount(),
            buy: priced.buy.amount(),
            fee: priced.fee,
            rate,
            created_ms: now,
            expires_ms: now + self.policy.fx.quote_ttl_ms,
            used_by: None,
        };
        let stored = quote.clone();
        store.transact(move |r| r.insert_fx_quote(&stored)).await?;
        Ok(quote)
    }
}

/// Whether `quote` may still be used at `now`: once only (`quote_used`), and before it expires
/// (`quote_expired`). Whose it is and what for are the caller's to check.
pub(crate) fn usable(quote: &FxQuoteRecord, now: i64) -> Result<(), MoneyError> {
    if quote.used_by.is_some() {
        return Err(MoneyError::QuoteUsed);
    }
    if now >= quote.expires_ms {
        return Err(MoneyError::QuoteExpired);
    }
    Ok(())
}

/// A pair and rate as typed by an operator (`USD/CNY`, `7.1234`), checked.
pub fn operator_rate(pair: &str, rate: &str, source: &str, now_ms: i64) -> Result<MidRate, String> {
    let pair = Pair::parse(pair).map_err(|e| format!("{pair}: {e}"))?;
    let rate = super::Rate::parse(rate).map_err(|e| format!("{rate}: {e}"))?;
    Ok(MidRate {
        pair,
        rate,
        source: source.to_string(),
        set_ms: now_ms,
    })
}
