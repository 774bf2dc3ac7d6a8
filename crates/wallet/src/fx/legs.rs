//! The legs every conversion at a quote has, in a conversion between a holder's own accounts and
//! in a payment of an order priced in another currency alike: the money leaves in the sell
//! currency, the operator's FX position takes what was converted and FX income the spread, and
//! the FX position pays out the buy amount. The receiving legs (the holder's account, or the shop
//! and its fee) complete the entry, so each currency sums to zero on its own.

use crate::StoreError;
use crate::money::records::MoneyTx;
use crate::money::{leg, operator_account};
use qianbao_ledger::{Account, AccountKind, Amount, Currency, Posting};

/// The operator's three accounts a conversion moves.
pub struct FxDesk<'a> {
    /// The FX position in the sell currency.
    pub position_sell: &'a Account,
    /// FX income in the sell currency (the spread).
    pub income_sell: &'a Account,
    /// The FX position in the buy currency.
    pub position_buy: &'a Account,
}

/// `from` gives `sell` (spread `fee` included); the desk takes it and pays out `buy`.
pub fn exchange_legs(
    from: &Account,
    desk: &FxDesk<'_>,
    sell: Amount,
    fee: Amount,
    buy: Amount,
) -> [Posting; 4] {
    [
        leg(from, -sell),
        leg(desk.position_sell, sell - fee),
        leg(desk.income_sell, fee),
        leg(desk.position_buy, -buy),
    ]
}

/// [`exchange_legs`] over the operator's FX accounts in `from`'s currency and `into`, read in the
/// caller's money transaction: every conversion's legs but the receiving one.
pub(crate) fn exchange(
    r: &mut dyn MoneyTx,
    from: &Account,
    into: Currency,
    sell: Amount,
    fee: Amount,
    buy: Amount,
) -> Result<[Posting; 4], StoreError> {
    let position_sell = operator_account(r, AccountKind::FxPosition, from.currency)?;
    let income_sell = operator_account(r, AccountKind::FxIncome, from.currency)?;
    let position_buy = operator_account(r, AccountKind::FxPosition, into)?;
    let desk = FxDesk {
        position_sell: &position_sell,
        income_sell: &income_sell,
        position_buy: &position_buy,
    };
    Ok(exchange_legs(from, &desk, sell, fee, buy))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fx::{Fixed, Rate, price};
    use proptest::prelude::*;
    use qianbao_ledger::{AccountId, Book, EntryId, Instruction, PositiveAmount};

    proptest! {
        /// Over random rates, spreads, exponents and amounts, a conversion's entry is accepted
        /// by the ledger, each currency sums to zero, the holder loses exactly the sell amount and
        /// gains exactly the buy amount, and the spread lands in FX income.
        #[test]
        fn a_conversion_balances_in_each_currency(
            units in 1_000u128..=100_000_000_000_000_000,
            spread in 0u32..=500,
            pair in 0usize..4,
            amount in 1i64..=10_000_000_000,
            fix_sell in any::<bool>(),
        ) {
            let codes = [("CNY", "USD"), ("USD", "JPY"), ("JPY", "CNY"), ("EUR", "GBP")][pair];
            let (sell_c, buy_c) = (
                Currency::parse(codes.0).unwrap_or(Currency::CNY),
                Currency::parse(codes.1).unwrap_or(Currency::CNY),
            );
            let rate = Rate::from_units(units).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let fixed = PositiveAmount::new(amount).map(|a| if fix_sell { Fixed::Sell(a) } else { Fixed::Buy(a) });
            let Some(fixed) = fixed else { return Ok(()) };
            let Ok(p) = price(rate, spread, sell_c.exponent(), buy_c.exponent(), fixed) else {
                return Ok(());
            };
            let mut book = Book::new();
            let open = |id: i64, kind: AccountKind, currency: Currency| Account::open(AccountId(id), kind, currency);
            let mut wallet_sell = open(1, AccountKind::Wallet, sell_c);
            wallet_sell.balance = p.sell.amount();
            let accounts = [
                wallet_sell,
                open(2, AccountKind::Wallet, buy_c),
                open(3, AccountKind::FxPosition, sell_c),
                open(4, AccountKind::FxIncome, sell_c),
                open(5, AccountKind::FxPosition, buy_c),
            ];
            for a in accounts.iter().cloned() {
                book.insert_account(a);
            }
            let desk = FxDesk { position_sell: &accounts[2], income_sell: &accounts[3], position_buy: &accounts[4] };
            let mut postings: Vec<Posting> = exchange_legs(&accounts[0], &desk, p.sell.amount(), p.fee, p.buy.amount()).to_vec();
            postings.push(leg(&accounts[1], p.buy.amount()));
            postings.retain(|p| p.amount != Amount::ZERO);
            let applied = book.apply(&Instruction::Transfer { id: EntryId(7), postings });
            prop_assert!(applied.is_ok(), "{applied:?}");
            let balance = |id: i64| book.account(AccountId(id)).map_or(0, |a| a.balance.minor());
            prop_assert_eq!(balance(1), 0);
            prop_assert_eq!(balance(2), p.buy.minor());
            prop_assert_eq!(balance(4), p.fee.minor());
            // The sell currency (the holder's funding counted in) and the buy currency each sum
            // to what was there before: the holder's starting balance, and nothing.
            prop_assert_eq!(balance(1) + balance(3) + balance(4), p.sell.minor());
            prop_assert_eq!(balance(2) + balance(5), 0);
        }
    }
}
