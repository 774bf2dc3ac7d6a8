//! Converting between a holder's own accounts at a quote: one balanced entry over the holder's two
//! accounts and the operator's FX position in each currency, with the spread in FX income.

use super::Rate;
use super::legs::exchange;
use super::quotes::usable;
use super::records::QuotePurpose;
use crate::StoreError;
use crate::money::moves::Side;
use crate::money::records::{Channel, Direction, MoneyTx, MovementKind, MovementStatus};
use crate::money::{
    Alert, IdempotencyKey, Money, MoneyError, Render, Step, active_holder, apply, entry_id, leg,
    legs, wallet_account,
};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, Currency, Instruction};

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

/// The two records of a conversion for `owner_id` (a holder, or a shop settling takings): the
/// money out under `id` in the sell currency (`sold`: currency, all that left, the spread in it as
/// its fee) and the money in (`got`), both on `id`'s entry, named `USD → CNY` with the rate.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_conversion(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    owner_id: &str,
    id: &str,
    sold: (Currency, Amount, Amount),
    got: (Currency, Amount),
    rate: Rate,
    now: i64,
) -> Result<(), StoreError> {
    let ((sell, sell_amount, fee), (buy, buy_amount)) = (sold, got);
    let shown = format!("{sell} → {buy}");
    let memo = format!("rate {rate}");
    let entry = entry_id(id, Step::Move);
    for (side_id, direction, amount, fee, currency) in [
        (id.to_string(), Direction::Out, sell_amount - fee, fee, sell),
        (
            ids.movement_id(),
            Direction::In,
            buy_amount,
            Amount::ZERO,
            buy,
        ),
    ] {
        r.insert_movement(
            &Side {
                id: &side_id,
                owner_id,
                kind: MovementKind::Conversion,
                direction,
                channel: Channel::Fx,
                amount,
                fee,
                currency,
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
    Ok(())
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
        let ids = self.ctx.ids.clone();
        let (holder_id, quote_id) = (holder.id.clone(), quote_id.to_string());
        let now = self.now_ms();
        let money = self.clone();
        self.call(store, key, render, now, move |r| {
            let holder = active_holder(r, &holder_id)?;
            let quote = r
                .fx_quote(&quote_id)?
                .filter(|q| q.holder_id == holder.id && q.purpose == QuotePurpose::Conversion)
                .ok_or(MoneyError::NotFound)?;
            usable(&quote, now)?;
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
            let id = ids.movement_id();
            if !r.use_fx_quote(&quote.id, &id, now)? {
                return Err(MoneyError::QuoteUsed);
            }
            let mut postings = exchange(r, &from, buy, quote.sell, quote.fee, quote.buy)?.to_vec();
            postings.push(leg(&to, quote.buy));
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&id, Step::Move),
                    postings: legs(postings),
                },
            )?;
            record_conversion(
                r,
                &ids,
                &holder.id,
                &id,
                (sell, quote.sell, quote.fee),
                (buy, quote.buy),
                quote.rate,
                now,
            )?;
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
