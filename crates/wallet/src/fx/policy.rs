//! The operator's numbers for currencies: which are enabled, the spread per pair, how long a quote
//! lives and how old a rate may be.

use super::pricing::SPREAD_BPS_MAX;
use super::rates::Pair;
use qianbao_ledger::Currency;
use std::collections::BTreeMap;

/// The operator's currency policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FxPolicy {
    /// The currencies holders may hold and move; CNY is always among them.
    pub enabled: Vec<Currency>,
    /// The spread of a pair the policy does not name, in basis points.
    pub spread_bps: u32,
    /// Spreads by pair, either way round (`USD/CNY` also prices CNY → USD).
    pub spreads: BTreeMap<Pair, u32>,
    /// How long a quote may be used after it is given (default 30 s).
    pub quote_ttl_ms: i64,
    /// A rate set longer ago than this gives no quote (`fx_unavailable`).
    pub rate_stale_ms: i64,
}

impl Default for FxPolicy {
    fn default() -> Self {
        FxPolicy {
            enabled: ["CNY", "HKD", "USD", "EUR", "JPY", "GBP"]
                .into_iter()
                .filter_map(Currency::parse)
                .collect(),
            spread_bps: 50,
            spreads: BTreeMap::new(),
            quote_ttl_ms: 30_000,
            rate_stale_ms: 24 * 3_600_000,
        }
    }
}

/// Why a currency policy cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FxPolicyError(pub String);

impl FxPolicy {
    /// Whether `currency` may be held and moved.
    pub fn is_enabled(&self, currency: Currency) -> bool {
        self.enabled.contains(&currency)
    }

    /// The spread for converting `sell` into `buy`.
    pub fn spread_for(&self, sell: Currency, buy: Currency) -> u32 {
        let there = Pair {
            base: sell,
            quote: buy,
        };
        let back = Pair {
            base: buy,
            quote: sell,
        };
        self.spreads
            .get(&there)
            .or_else(|| self.spreads.get(&back))
            .copied()
            .unwrap_or(self.spread_bps)
    }

    /// Refuses a policy that cannot work: an unknown or missing CNY, a spread above the cap, a
    /// quote that lives no time or longer than ten minutes, a rate that is never fresh.
    pub fn check(&self) -> Result<(), FxPolicyError> {
        if !self.is_enabled(Currency::CNY) {
            return Err(FxPolicyError("fx.currencies must include CNY".into()));
        }
        if let Some(c) = self.enabled.iter().find(|c| c.info().is_none()) {
            return Err(FxPolicyError(format!(
                "fx.currencies: {c} is not a currency qianbao knows"
            )));
        }
        let too_wide = std::iter::once(&self.spread_bps).chain(self.spreads.values());
        if too_wide.into_iter().any(|s| *s > SPREAD_BPS_MAX) {
            return Err(FxPolicyError(format!(
                "fx spreads are at most {SPREAD_BPS_MAX} bps"
            )));
        }
        if !(1_000..=600_000).contains(&self.quote_ttl_ms) {
            return Err(FxPolicyError("fx.quote_ttl_s must be 1 to 600".into()));
        }
        if self.rate_stale_ms < 1_000 {
            return Err(FxPolicyError("fx.rate_stale_s must be at least 1".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_enables_six_currencies_and_checks() {
        let policy = FxPolicy::default();
        assert_eq!(policy.enabled.len(), 6);
        assert_eq!(policy.check(), Ok(()));
        assert!(!policy.is_enabled(Currency::parse("KRW").unwrap_or(Currency::CNY)));
    }

    #[test]
    fn a_pair_spread_applies_both_ways() {
        let mut policy = FxPolicy::default();
        let pair = Pair::parse("USD/CNY").unwrap_or_else(|e| panic!("{e}"));
        policy.spreads.insert(pair, 30);
        assert_eq!(policy.spread_for(pair.base, pair.quote), 30);
        assert_eq!(policy.spread_for(pair.quote, pair.base), 30);
        let hkd = Currency::parse("HKD").unwrap_or(Currency::CNY);
        assert_eq!(policy.spread_for(hkd, Currency::CNY), 50);
    }

    #[test]
    fn nonsense_is_refused() {
        let mut no_cny = FxPolicy::default();
        no_cny.enabled.retain(|c| *c != Currency::CNY);
        assert!(no_cny.check().is_err());
        let wide = FxPolicy {
            spread_bps: 6_000,
            ..FxPolicy::default()
        };
        assert!(wide.check().is_err());
        let forever = FxPolicy {
            quote_ttl_ms: 0,
            ..FxPolicy::default()
        };
        assert!(forever.check().is_err());
    }
}
