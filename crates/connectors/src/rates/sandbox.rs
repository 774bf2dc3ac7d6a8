//! The sandbox rate feed: made-up but plausible rates against CNY that drift a little from minute
//! to minute, the same on every node and in every run for the same minute, so a test (or a
//! developer watching the dev app) can tell what a quote will be.
//!
//! | pair    | centre   |
//! |---------|----------|
//! | USD/CNY | 7.1234   |
//! | HKD/CNY | 0.9123   |
//! | EUR/CNY | 7.7890   |
//! | JPY/CNY | 0.0487   |
//! | GBP/CNY | 9.0456   |
//! | SGD/CNY | 5.3012   |
//! | MOP/CNY | 0.8857   |
//! | KRW/CNY | 0.005123 |
//! | THB/CNY | 0.2034   |
//!
//! Each rate walks a triangle wave of period 40 minutes around its centre, one step of 0.001 % a
//! minute and never more than 0.01 % away, each currency at its own phase: integer arithmetic
//! throughout, so no rate is ever a float. The rate of a minute is stamped with that minute's
//! first millisecond, so asking twice within a minute gives the same rates with the same time.
//! `CNY/X` is answered with the inverse of `X/CNY`; any other pair is left out, as a feed leaves
//! out what it does not quote.

use async_trait::async_trait;
use qianbao_ledger::Currency;
use qianbao_wallet::fx::{Pair, Rate};
use qianbao_wallet::{Clock, ConnectorError, FeedRate, RateFeed};
use std::sync::Arc;

/// The centre of each currency's rate in CNY, in 10^-12 units (the scale of [`Rate`]).
const CENTRES: [(&str, u128); 9] = [
    ("USD", 7_123_400_000_000),
    ("HKD", 912_300_000_000),
    ("EUR", 7_789_000_000_000),
    ("JPY", 48_700_000_000),
    ("GBP", 9_045_600_000_000),
    ("SGD", 5_301_200_000_000),
    ("MOP", 885_700_000_000),
    ("KRW", 5_123_000_000),
    ("THB", 203_400_000_000),
];

/// The wobble is in steps of one part in this many: a step is 0.001 %.
const STEP_PER: i128 = 100_000;
/// Length of the triangle wave, in minutes: up 20 steps, down 20 steps.
const PERIOD_MINUTES: i64 = 40;
/// How far apart neighbouring currencies' phases are, in minutes, so they do not move in step.
const PHASE_MINUTES: i64 = 7;
/// Milliseconds in a minute, the feed's tick.
const MINUTE_MS: i64 = 60_000;

/// A rate feed that needs nothing outside: deterministic rates moving with the clock.
#[derive(Clone)]
pub struct SandboxRateFeed {
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SandboxRateFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxRateFeed").finish_non_exhaustive()
    }
}

impl SandboxRateFeed {
    /// A feed reading the time from `clock`: the server's, so tests that move time move the rates
    /// with it and the rates' times agree with the staleness checks made on that same clock.
    pub fn new(clock: Arc<dyn Clock>) -> SandboxRateFeed {
        SandboxRateFeed { clock }
    }
}

/// `X/CNY` in the minute `minute` (minutes since the epoch), if the sandbox quotes `X`.
fn rate_in_cny(currency: Currency, minute: i64) -> Option<Rate> {
    let (index, centre) = CENTRES
        .iter()
        .enumerate()
        .find(|(_, (code, _))| *code == currency.as_str())
        .map(|(index, (_, centre))| (index, *centre))?;
    let phase = i64::try_from(index).unwrap_or(0) * PHASE_MINUTES;
    let step = minute.wrapping_add(phase).rem_euclid(PERIOD_MINUTES);
    // -10 → +10 over the first half, back down over the second: no jump where the wave restarts.
    let half = PERIOD_MINUTES / 2;
    let offset = if step <= half {
        step - half / 2
    } else {
        PERIOD_MINUTES - step - half / 2
    };
    let units = i128::try_from(centre).ok()? * (STEP_PER + i128::from(offset)) / STEP_PER;
    Rate::from_units(u128::try_from(units).ok()?).ok()
}

/// The rate of `pair` in `minute`: `X/CNY` as the wave has it, `CNY/X` its inverse, else none.
fn rate_of(pair: Pair, minute: i64) -> Result<Option<Rate>, ConnectorError> {
    if pair.quote == Currency::CNY {
        return Ok(rate_in_cny(pair.base, minute));
    }
    if pair.base == Currency::CNY {
        return rate_in_cny(pair.quote, minute)
            .map(Rate::inverse)
            .transpose()
            // Every centre is far inside the range whose inverse is a rate; this cannot happen.
            .map_err(|e| ConnectorError::Protocol(format!("sandbox rate feed: {pair}: {e}")));
    }
    Ok(None)
}

#[async_trait]
impl RateFeed for SandboxRateFeed {
    async fn latest(&self, pairs: &[Pair]) -> Result<Vec<FeedRate>, ConnectorError> {
        let minute = self.clock.now_ms().div_euclid(MINUTE_MS);
        let as_of_ms = minute.saturating_mul(MINUTE_MS);
        let mut answered: Vec<FeedRate> = Vec::with_capacity(pairs.len());
        for &pair in pairs {
            // A pair asked twice is answered once, as a feed would.
            if answered.iter().any(|r| r.pair == pair) {
                continue;
            }
            if let Some(rate) = rate_of(pair, minute)? {
                answered.push(FeedRate {
                    pair,
                    rate,
                    as_of_ms,
                });
            }
        }
        Ok(answered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    /// A clock the test sets.
    struct At(AtomicI64);

    impl Clock for At {
        fn now_ms(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    fn pair(text: &str) -> Pair {
        Pair::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn rate(text: &str) -> Rate {
        Rate::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// 2026-12-07T06:00:00Z: a whole minute, so the feed stamps its rates with it.
    const A_MINUTE_MS: i64 = 1_796_623_200_000;

    async fn ask(feed: &SandboxRateFeed, pairs: &[&str]) -> Vec<(String, String, i64)> {
        let pairs: Vec<Pair> = pairs.iter().map(|p| pair(p)).collect();
        match feed.latest(&pairs).await {
            Ok(rates) => rates
                .into_iter()
                .map(|r| (r.pair.to_string(), r.rate.to_string(), r.as_of_ms))
                .collect(),
            Err(e) => panic!("the sandbox feed failed: {e}"),
        }
    }

    #[test]
    fn each_rate_stays_within_a_hundredth_of_a_percent_of_its_centre_and_moves_a_step_a_minute() {
        for (code, centre) in CENTRES {
            let currency = Currency::parse(code).unwrap_or(Currency::CNY);
            let at = |minute| rate_in_cny(currency, minute).map_or(0, Rate::units);
            let mut seen_centre = false;
            for minute in -100..100 {
                let units = at(minute);
                assert!(units.abs_diff(centre) <= centre / 10_000, "{code} {minute}");
                // One step, give or take the truncation of each end.
                assert!(
                    at(minute + 1).abs_diff(units) <= centre / 100_000 + 1,
                    "{code}"
                );
                seen_centre |= units == centre;
            }
            assert!(seen_centre, "{code} passes its centre");
        }
    }

    #[tokio::test]
    async fn the_same_minute_gives_the_same_rates_stamped_with_the_minute() {
        let clock = Arc::new(At(AtomicI64::new(A_MINUTE_MS + 1_234)));
        let feed = SandboxRateFeed::new(clock.clone());
        let first = ask(&feed, &["USD/CNY", "JPY/CNY"]).await;
        clock.0.store(A_MINUTE_MS + 59_999, Ordering::SeqCst);
        let again = ask(
            &SandboxRateFeed::new(clock.clone()),
            &["USD/CNY", "JPY/CNY"],
        )
        .await;
        assert_eq!(first, again);
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|(_, _, at)| *at == A_MINUTE_MS));

        clock.0.store(A_MINUTE_MS + 60_000, Ordering::SeqCst);
        let next = ask(&feed, &["USD/CNY", "JPY/CNY"]).await;
        assert_ne!(first[0].1, next[0].1, "USD/CNY moves the next minute");
        assert_eq!(next[0].2, A_MINUTE_MS + 60_000);
    }

    #[tokio::test]
    async fn cny_first_pairs_get_the_inverse_and_unquoted_pairs_are_left_out() {
        let clock = Arc::new(At(AtomicI64::new(A_MINUTE_MS)));
        let feed = SandboxRateFeed::new(clock);
        let answered = ask(
            &feed,
            &["USD/CNY", "CNY/USD", "USD/EUR", "CNY/KRW", "USD/CNY"],
        )
        .await;
        let pairs: Vec<&str> = answered.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(pairs, ["USD/CNY", "CNY/USD", "CNY/KRW"]);
        let usd_cny = rate(&answered[0].1);
        assert_eq!(usd_cny.inverse().ok(), Some(rate(&answered[1].1)));
    }

    #[tokio::test]
    async fn the_five_default_currencies_are_near_their_published_centres() {
        let feed = SandboxRateFeed::new(Arc::new(At(AtomicI64::new(A_MINUTE_MS))));
        let answered = ask(
            &feed,
            &["USD/CNY", "HKD/CNY", "EUR/CNY", "JPY/CNY", "GBP/CNY"],
        )
        .await;
        for ((pair, got, _), centre) in answered
            .iter()
            .zip(["7.1234", "0.9123", "7.7890", "0.0487", "9.0456"])
        {
            let (got, centre) = (rate(got).units(), rate(centre).units());
            assert!(got.abs_diff(centre) <= centre / 10_000, "{pair}");
        }
    }

    #[test]
    fn an_asked_pair_without_cny_or_with_an_unquoted_currency_has_no_rate() {
        assert_eq!(rate_of(pair("USD/HKD"), 0).ok(), Some(None));
        let cny_only = Pair {
            base: Currency::parse("CHF").unwrap_or(Currency::CNY),
            quote: Currency::CNY,
        };
        assert_eq!(rate_of(cny_only, 0).ok(), Some(None));
    }
}
