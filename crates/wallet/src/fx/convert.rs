//! Converting between a holder's own accounts at a quote: one balanced entry over the holder's two
//! accounts and the operator's FX position in each currency, with the spread in FX income.

use super::legs::{FxDesk, exchange_legs};
use super::records::QuotePurpose;
use crate::money::moves::Side;
use crate::money::records::{Channel, Direction, MovementKind, MovementStatus};
use crate::money::{
    Alert, IdempotencyKey, Money, MoneyError, Render, Step, active_holder, apply, entry_id, leg,
    legs, new_movement_id, operator_account, wallet_account,
};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction};

/// A conversion done, as its reply shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converted {
    /// The record of the money that left (the conversion's id).
    pub id: String,
    /// Always `succeeded`: a conversion is done at once or not at all.
    pub status: MovementStatus,
    /// What left the holder's account, the spread included.
    pub sell_amount: Amount,
    /// What arrived.
    pub buy_amount: Amount,
    /// The currency given.
    pub sell_currency: Currency,
    /// The currency got.
    pub buy_currency: Currency,
    /// The spread, in the sell currency.
    pub fee: Amount,
}

/// How a currency shows in a record's counterparty and the inbox: `USD → CNY`.
fn direction_text(sell: Currency, buy: Currency) -> String {
    format!("{sell} → {buy}")
}

/// An amount in its currency's major units, exactly: `100.00 USD`, `1200 JPY`.
pub fn major(amount: Amount, currency: Currency) -> String {
    let exponent = u32::from(currency.exponent());
    let minor = amount.minor();
    if exponent == 0 {
        return format!("{minor} {currency}");
    }
    let scale = 10i64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$} {currency}",
        abs / scale,
        abs % scale,
        width = exponent as usize
    )
}

impl Money {
    /// Converts at the holder's quote `quote_id`: refused if it is not theirs (`not_found`),
    /// used (`quote_used`), expired (`quote_expired`), or more than the balance
    /// (`insufficient_balance`); otherwise both accounts move in one entry and the quote is spent.
    pub async fn convert(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        quote_id: &str,
        key: &IdempotencyKey,
        render: Render<Converted>,
    ) -> Result<Converted, MoneyError> {
        let (holder_id, quote_id) = (holder.id.clone(), quote_id.to_string());
        let now = self.now_ms();
        let money = self.clone();
        self.call(store, key, render, now, move |r| {
            let holder = active_holder(r, &holder_id)?;
            let quote = r
                .fx_quote(&quote_id)?
                .filter(|q| q.holder_id == holder.id && q.purpose == QuotePurpose::Conversion)
                .ok_or(MoneyError::NotFound)?;
            if quote.used_by.is_some() {
                return Err(MoneyError::QuoteUsed);
            }
            if now >= quote.expires_ms {
                return Err(MoneyError::QuoteExpired);
            }
            let (sell, buy) = (quote.sell_currency, quote.buy_currency);
            money.enabled_currency(sell)?;
            money.enabled_currency(buy)?;
            let from = wallet_account(r, &holder.wallet_id, sell)?;
            let to = wallet_account(r, &holder.wallet_id, buy)?;
            if from.available() < quote.sell {
                return Err(MoneyError::InsufficientBalance);
            }
            if buy == Currency::CNY {
                let level = money.levels.at(holder.kyc_level);
                let arriving = qianbao_ledger::PositiveAmount::new(quote.buy.minor())
                    .ok_or(MoneyError::AmountInvalid)?;
                crate::money::limits::check_receiving(&level, to.balance, arriving)
                    .map_err(MoneyError::LimitExceeded)?;
            }
            let position_sell = operator_account(r, AccountKind::FxPosition, sell)?;
            let income_sell = operator_account(r, AccountKind::FxIncome, sell)?;
            let position_buy = operator_account(r, AccountKind::FxPosition, buy)?;
            let id = new_movement_id();
            if !r.use_fx_quote(&quote.id, &id, now)? {
                return Err(MoneyError::QuoteUsed);
            }
            let net = quote.sell - quote.fee;
            let entry = entry_id(&id, Step::Move);
            let desk = FxDesk {
                position_sell: &position_sell,
                income_sell: &income_sell,
                position_buy: &position_buy,
            };
            let mut postings =
                exchange_legs(&from, &desk, quote.sell, quote.fee, quote.buy).to_vec();
            postings.push(leg(&to, quote.buy));
            apply(
                r,
                &Instruction::Transfer {
                    id: entry,
                    postings: legs(postings),
                },
            )?;
            let shown = direction_text(sell, buy);
            let memo = format!("rate {}", quote.rate);
            let sides = [
                (id.clone(), Direction::Out, net, quote.fee, sell),
                (
                    new_movement_id(),
                    Direction::In,
                    quote.buy,
                    Amount::ZERO,
                    buy,
                ),
            ];
            for (side_id, direction, amount, fee, currency) in &sides {
                r.insert_movement(
                    &Side {
                        id: side_id,
                        owner_id: &holder.id,
                        kind: MovementKind::Conversion,
                        direction: *direction,
                        channel: Channel::Fx,
                        amount: *amount,
                        fee: *fee,
                        currency: *currency,
                        counterparty: &shown,
                        peer_id: None,
                        status: MovementStatus::Succeeded,
                        memo: &memo,
                        entry: Some(entry),
                        card_id: None,
                    }
                    .record(now),
                )?;
            }
            let (sold, got) = (major(quote.sell, sell), major(quote.buy, buy));
            money.alert(
                r,
                Alert {
                    holder: &holder,
                    kind: "conversion",
                    title: "换汇成功".into(),
                    body: format!("{sold} 兑换为 {got}，汇率 {}", quote.rate),
                    title_en: "Currency converted".into(),
                    body_en: format!("{sold} converted to {got} at {}", quote.rate),
                    movement_id: &id,
                    // Between the holder's own accounts: no SMS, whatever the amount.
                    amount: Amount::ZERO,
                },
            )?;
            Ok(Converted {
                id,
                status: MovementStatus::Succeeded,
                sell_amount: quote.sell,
                buy_amount: quote.buy,
                sell_currency: sell,
                buy_currency: buy,
                fee: quote.fee,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_in_major_units_with_the_currencys_exponent() {
        let code = |c: &str| Currency::parse(c).unwrap_or(Currency::CNY);
        assert_eq!(major(Amount::from_minor(10_050), code("USD")), "100.50 USD");
        assert_eq!(major(Amount::from_minor(5), Currency::CNY), "0.05 CNY");
        assert_eq!(major(Amount::from_minor(1_200), code("JPY")), "1200 JPY");
        assert_eq!(major(Amount::from_minor(-7), Currency::CNY), "-0.07 CNY");
    }
}
