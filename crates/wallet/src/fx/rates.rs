//! The mid-market rates an operator set or a feed published, and the rate between any two
//! enabled currencies they give: the pair itself, its inverse, or a cross through CNY.

use super::rate::{Rate, RateError};
use qianbao_ledger::Currency;
use std::fmt;

/// A currency pair `BASE/QUOTE`: a rate on it says how many QUOTE one BASE buys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    /// The currency one unit of which is priced.
    pub base: Currency,
    /// The currency it is priced in.
    pub quote: Currency,
}

/// Why a text is not a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    /// Not `AAA/BBB` in capitals.
    #[error("a pair is written BASE/QUOTE in capitals, such as USD/CNY")]
    Format,
    /// A currency the platform does not know, or the same one twice.
    #[error("not a pair of two different known currencies")]
    Unknown,
}

impl Pair {
    /// Reads `USD/CNY`; both codes must be in the ISO table and differ.
    pub fn parse(text: &str) -> Result<Pair, PairError> {
        let (base, quote) = text.split_once('/').ok_or(PairError::Format)?;
        let base = Currency::parse(base).ok_or(PairError::Format)?;
        let quote = Currency::parse(quote).ok_or(PairError::Format)?;
        if base.info().is_none() || quote.info().is_none() || base == quote {
            return Err(PairError::Unknown);
        }
        Ok(Pair { base, quote })
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.quote)
    }
}

/// One mid-market rate as stored: what was set, by whom (`operator`, `console`, `feed`) and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MidRate {
    /// The pair.
    pub pair: Pair,
    /// How many of the quote currency one base unit buys.
    pub rate: Rate,
    /// Where it came from.
    pub source: String,
    /// When it was set (ms).
    pub set_ms: i64,
}

/// Why no rate can be given for a conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RateLookup {
    /// No rate links the two currencies, or the newest that does is older than the policy's
    /// staleness limit: quoting answers `fx_unavailable`.
    #[error("no fresh rate")]
    Unavailable,
    /// The rates give an inverse or cross rate out of range.
    #[error("rate out of range")]
    OutOfRange,
}

impl From<RateError> for RateLookup {
    fn from(_: RateError) -> Self {
        RateLookup::OutOfRange
    }
}

/// The rate that sells `sell` for `buy` from `rates`: the pair as set, else its inverse, else a
/// cross through CNY (`sell/CNY ÷ buy/CNY`, each of those direct or inverse). Every rate used must
/// have been set after `now_ms − stale_ms`; the oldest one used is returned with the rate.
pub fn resolve(
    rates: &[MidRate],
    sell: Currency,
    buy: Currency,
    now_ms: i64,
    stale_ms: i64,
) -> Result<(Rate, i64), RateLookup> {
    let fresh = |m: &&MidRate| m.set_ms >= now_ms.saturating_sub(stale_ms);
    // One leg: A/B as set, or B/A inverted.
    let leg = |a: Currency, b: Currency| -> Option<Result<(Rate, i64), RateLookup>> {
        if let Some(m) = rates
            .iter()
            .filter(fresh)
            .find(|m| m.pair == Pair { base: a, quote: b })
        {
            return Some(Ok((m.rate, m.set_ms)));
        }
        rates
            .iter()
            .filter(fresh)
            .find(|m| m.pair == Pair { base: b, quote: a })
            .map(|m| Ok((m.rate.inverse()?, m.set_ms)))
    };
    if sell == buy {
        return Err(RateLookup::Unavailable);
    }
    if let Some(direct) = leg(sell, buy) {
        return direct;
    }
    if sell != Currency::CNY
        && buy != Currency::CNY
        && let (Some(s), Some(b)) = (leg(sell, Currency::CNY), leg(buy, Currency::CNY))
    {
        let ((s, s_ms), (b, b_ms)) = (s?, b?);
        return Ok((s.per(b)?, s_ms.min(b_ms)));
    }
    Err(RateLookup::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mid(pair: &str, rate: &str, set_ms: i64) -> MidRate {
        MidRate {
            pair: Pair::parse(pair).unwrap_or_else(|e| panic!("{pair}: {e}")),
            rate: Rate::parse(rate).unwrap_or_else(|e| panic!("{rate}: {e}")),
            source: "operator".into(),
            set_ms,
        }
    }

    fn code(text: &str) -> Currency {
        Currency::parse(text).unwrap_or(Currency::CNY)
    }

    #[test]
    fn pairs_read_strictly() {
        assert_eq!(
            Pair::parse("USD/CNY").map(|p| p.to_string()),
            Ok("USD/CNY".into())
        );
        for bad in ["USDCNY", "usd/cny", "USD/", "USD/CNY/EUR", "USD-CNY"] {
            assert_eq!(Pair::parse(bad), Err(PairError::Format), "{bad}");
        }
        for unknown in ["XYZ/CNY", "CNY/CNY"] {
            assert_eq!(Pair::parse(unknown), Err(PairError::Unknown), "{unknown}");
        }
    }

    #[test]
    fn a_rate_is_direct_inverse_or_crossed_through_cny() {
        let rates = [mid("USD/CNY", "7.1234", 100), mid("HKD/CNY", "0.9123", 90)];
        let rate = |s: &str, b: &str| {
            resolve(&rates, code(s), code(b), 1_000, 10_000).map(|(r, at)| (r.to_string(), at))
        };
        assert_eq!(rate("USD", "CNY"), Ok(("7.1234".into(), 100)));
        assert_eq!(rate("CNY", "USD"), Ok(("0.140382401662".into(), 100)));
        assert_eq!(rate("HKD", "USD"), Ok(("0.128070865036".into(), 90)));
        assert_eq!(rate("USD", "EUR"), Err(RateLookup::Unavailable));
        assert_eq!(rate("USD", "USD"), Err(RateLookup::Unavailable));
    }

    #[test]
    fn a_stale_rate_gives_nothing() {
        let rates = [
            mid("USD/CNY", "7.1234", 100),
            mid("HKD/CNY", "0.9123", 5_000),
        ];
        let usd = resolve(&rates, code("USD"), code("CNY"), 20_000, 19_900);
        assert!(usd.is_ok(), "set exactly at the limit is fresh");
        let usd = resolve(&rates, code("USD"), code("CNY"), 20_000, 19_899);
        assert_eq!(usd, Err(RateLookup::Unavailable));
        let cross = resolve(&rates, code("HKD"), code("USD"), 20_000, 19_899);
        assert_eq!(
            cross,
            Err(RateLookup::Unavailable),
            "one stale leg spoils a cross"
        );
    }
}
