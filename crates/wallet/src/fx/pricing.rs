//! What a quote gives and takes: the amounts on both sides of a conversion at a mid rate less the
//! spread, with every rounding in the holder's favour.
//!
//! The rule, written down once (`docs/currencies.md` repeats it):
//! - The spread is a fee in the **sell** currency: `fee = ⌊sell × spread_bps / 10 000⌋`, and what is
//!   converted at the mid rate is `net = sell − fee`.
//! - Selling a fixed amount: the holder gets `buy = ⌈net × rate⌉` in the buy currency's minor units.
//! - Buying a fixed amount: the holder pays `net = ⌊buy ÷ rate⌋` and
//!   `sell = ⌊net × 10 000 / (10 000 − spread_bps)⌋`, so `fee = sell − net` is at most the spread.
//! - So each rounding moves less than one minor unit, always toward the holder, and the operator's
//!   FX position absorbs it.

use super::rate::{RATE_SCALE, Rate};
use qianbao_ledger::{Amount, PositiveAmount};

/// The widest spread a policy may set: half of every conversion is already no rate at all.
pub const SPREAD_BPS_MAX: u32 = 5_000;

/// Which side of a conversion the holder fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixed {
    /// "I sell this much": the sell amount is given.
    Sell(PositiveAmount),
    /// "I want this much": the buy amount is given.
    Buy(PositiveAmount),
}

/// Both sides of a conversion, priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    /// What leaves the holder's account in the sell currency.
    pub sell: PositiveAmount,
    /// What arrives in the holder's account in the buy currency.
    pub buy: PositiveAmount,
    /// The spread, in the sell currency: it lands in the operator's FX income.
    pub fee: Amount,
    /// `sell − fee`: what the operator's FX position takes in the sell currency.
    pub net: PositiveAmount,
}

/// Why a conversion cannot be priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// One side would round to nothing: too small an amount to convert.
    #[error("too small to convert: one side would be nothing")]
    TooSmall,
    /// One side would not fit an amount.
    #[error("too large to convert")]
    TooLarge,
    /// The spread is above [`SPREAD_BPS_MAX`].
    #[error("spread out of range")]
    Spread,
}

/// Prices a conversion at `rate` (buy-currency major units per sell-currency major unit) less
/// `spread_bps`, between currencies of minor-unit exponents `sell_exponent` and `buy_exponent`.
pub fn price(
    rate: Rate,
    spread_bps: u32,
    sell_exponent: u8,
    buy_exponent: u8,
    fixed: Fixed,
) -> Result<Price, PriceError> {
    if spread_bps > SPREAD_BPS_MAX {
        return Err(PriceError::Spread);
    }
    let bps = u128::from(spread_bps);
    // A sell-currency minor unit is worth rate × 10^(buy_exp − sell_exp) buy-currency minor units:
    // `numerator / denominator` of them.
    let numerator = rate.units() * 10u128.pow(u32::from(buy_exponent));
    let denominator = RATE_SCALE * 10u128.pow(u32::from(sell_exponent));
    // Amounts are below 2^63 and the factors below 2^80, so a product can pass 2^128: checked.
    let times = |a: u128, b: u128| a.checked_mul(b).ok_or(PriceError::TooLarge);
    let (sell, net, buy) = match fixed {
        Fixed::Sell(sell) => {
            let sell = minor(sell);
            let fee = times(sell, bps)? / 10_000;
            let net = sell - fee;
            let buy = times(net, numerator)?.div_ceil(denominator);
            (sell, net, buy)
        }
        Fixed::Buy(buy) => {
            let buy = minor(buy);
            let net = times(buy, denominator)? / numerator;
            let sell = times(net, 10_000)? / (10_000 - bps);
            (sell, net, buy)
        }
    };
    let amount = |v: u128| -> Result<PositiveAmount, PriceError> {
        let v = i64::try_from(v).map_err(|_| PriceError::TooLarge)?;
        PositiveAmount::new(v).ok_or(PriceError::TooSmall)
    };
    let (sell, net, buy) = (amount(sell)?, amount(net)?, amount(buy)?);
    Ok(Price {
        sell,
        buy,
        fee: Amount::from_minor(sell.minor() - net.minor()),
        net,
    })
}

/// A positive amount as an unsigned count.
fn minor(amount: PositiveAmount) -> u128 {
    u128::from(amount.minor().unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rate(text: &str) -> Rate {
        Rate::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn pos(v: i64) -> PositiveAmount {
        PositiveAmount::new(v).unwrap_or_else(|| panic!("{v} is not positive"))
    }

    #[test]
    fn selling_usd_for_cny_at_a_spread() {
        // $100.00 at 7.1234 less 50 bps: fee $0.50, $99.50 × 7.1234 = ¥708.7783 → ¥708.78.
        let p = price(rate("7.1234"), 50, 2, 2, Fixed::Sell(pos(10_000)));
        assert_eq!(
            p.map(|p| (p.sell.minor(), p.fee.minor(), p.net.minor(), p.buy.minor())),
            Ok((10_000, 50, 9_950, 70_878))
        );
    }

    #[test]
    fn buying_yen_with_yuan_minds_the_exponents() {
        // JPY has no minor unit. ¥1.00 (CNY) at 20.5 JPY per CNY buys 20.5 → 21 yen.
        let p = price(rate("20.5"), 0, 2, 0, Fixed::Sell(pos(100)));
        assert_eq!(p.map(|p| p.buy.minor()), Ok(21));
        // Buying ¥48.70 (4,870 fen) with yen at 0.0487 CNY per JPY and 30 bps: net = 4,870 fen ÷
        // 4.87 fen per yen = 1,000 yen; sell = ⌊1,000 × 10,000 / 9,970⌋ = 1,003 yen, fee 3 yen.
        let p = price(rate("0.0487"), 30, 0, 2, Fixed::Buy(pos(4_870)));
        assert_eq!(
            p.map(|p| (p.sell.minor(), p.net.minor(), p.fee.minor(), p.buy.minor())),
            Ok((1_003, 1_000, 3, 4_870))
        );
    }

    #[test]
    fn too_small_too_large_and_a_wild_spread_are_refused() {
        // Buying one US cent at 0.1404 USD per CNY costs ⌊1 ÷ 0.1404⌋ = 7 fen.
        assert_eq!(
            price(rate("0.1404"), 0, 2, 2, Fixed::Buy(pos(1))).map(|p| p.sell.minor()),
            Ok(7)
        );
        assert_eq!(
            price(rate("0.000001"), 0, 2, 2, Fixed::Sell(pos(1))).map(|p| p.buy.minor()),
            Ok(1),
            "a rounding up in the holder's favour gives one cent"
        );
        assert_eq!(
            price(rate("1"), 100, 2, 2, Fixed::Sell(pos(1))).map(|p| p.fee.minor()),
            Ok(0)
        );
        // One cent at a million per unit costs less than a fen: nothing to pay, so no quote.
        assert_eq!(
            price(rate("1000000"), 0, 2, 2, Fixed::Buy(pos(1))),
            Err(PriceError::TooSmall)
        );
        assert_eq!(
            price(rate("1000000"), 0, 0, 2, Fixed::Sell(pos(i64::MAX))),
            Err(PriceError::TooLarge)
        );
        assert_eq!(
            price(rate("1"), 5_001, 2, 2, Fixed::Sell(pos(100))),
            Err(PriceError::Spread)
        );
    }

    proptest! {
        /// Every rounding is in the holder's favour by less than one minor unit, the fee is never
        /// more than the spread, and the sell side splits exactly into net and fee.
        #[test]
        fn rounding_favours_the_holder_by_less_than_one_unit(
            units in 1_000u128..=100_000 * RATE_SCALE,
            spread in 0u32..=SPREAD_BPS_MAX,
            sell_exp in 0u8..=3,
            buy_exp in 0u8..=3,
            amount in 1i64..=1_000_000_000_000,
            fix_sell in any::<bool>(),
        ) {
            let rate = Rate::from_units(units).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let fixed = if fix_sell { Fixed::Sell(pos(amount)) } else { Fixed::Buy(pos(amount)) };
            let Ok(p) = price(rate, spread, sell_exp, buy_exp, fixed) else {
                return Ok(());
            };
            let (sell, net, fee, buy) = (
                p.sell.minor() as u128, p.net.minor() as u128, p.fee.minor() as u128,
                p.buy.minor() as u128,
            );
            prop_assert_eq!(net + fee, sell);
            prop_assert!(fee * 10_000 <= sell * u128::from(spread));
            let numerator = units * 10u128.pow(u32::from(buy_exp));
            let denominator = RATE_SCALE * 10u128.pow(u32::from(sell_exp));
            // The holder gets at least what `net` is worth at the mid rate...
            prop_assert!(buy * denominator >= net * numerator);
            match fixed {
                // ...and less than one more unit of it,
                Fixed::Sell(_) => {
                    prop_assert!((buy - 1) * denominator < net * numerator);
                    prop_assert_eq!(p.sell.minor(), amount);
                    // and the fee is the spread rounded down by less than one unit.
                    prop_assert!((fee + 1) * 10_000 > sell * u128::from(spread));
                }
                // ...or pays less than one unit less than it is worth.
                Fixed::Buy(_) => {
                    prop_assert!((net + 1) * numerator > buy * denominator);
                    prop_assert_eq!(p.buy.minor(), amount);
                }
            }
        }
    }
}
