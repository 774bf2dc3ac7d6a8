//! The production rate feed: a bank's or a data vendor's mid-market rates, asked over HTTP.
//!
//! The protocol: `POST <url>` with `Authorization: Bearer <api_key>`, an `Idempotency-Key`, and
//! the pairs wanted, `{"pairs": ["USD/CNY", "HKD/CNY"]}`, answered 200 with
//! `{"rates": [{"pair": "USD/CNY", "rate": "7.1234", "as_of": "2026-12-07T06:00:00Z"}, …]}`:
//! - `pair` is `BASE/QUOTE` in capitals, one of the pairs asked, at most once. A pair the feed
//!   does not quote is simply left out (an empty `rates` is a valid answer that changes nothing).
//! - `rate` is how many QUOTE one BASE buys, as a JSON **string** holding a plain decimal above
//!   zero with at most 12 digits after the point (`"7.1234"`, `"0.0487"`). A JSON number is
//!   refused: a provider's JSON library may have made it a float on the way, and a rate must
//!   arrive with every digit it was published with.
//! - `as_of` is when the feed observed the rate, RFC 3339 (`Z` or an offset).
//!
//! It is a POST, not a GET with the pairs in the query, because every production connector
//! calls out the one way (`outbound`): bearer key, idempotency key, no redirects, a timeout per
//! attempt, answers capped at 64 KiB. Asking is a read, so 5xx, 408, 429, timeouts and
//! connection failures are retried with backoff up to `retries` times, then reported as
//! `Unavailable`; the server's poller keeps the rates it has and asks again next round.
//!
//! Any other answer is a `Protocol` error for an operator, and the whole answer is refused, not
//! the offending entry alone: a 4xx (401 and 403 included: our key is wrong), a body that is not
//! the JSON above, a rate sent as a number or that is not a positive decimal, a pair that is
//! unknown, not asked for or given twice, an unreadable `as_of`. A feed that gets one rate wrong
//! cannot be trusted with the others of the same answer, and refusing it leaves the rates already
//! stored in force until they go stale by the policy's own clock. Errors name the pair at most,
//! never quote the answer.

use crate::config::{ApiKey, ConfigError, check_common, endpoint_url};
use crate::outbound::{Failure, Outbound, Retry, parse_answer};
use async_trait::async_trait;
use qianbao_wallet::fx::{Pair, Rate};
use qianbao_wallet::{ConnectorError, FeedRate, RateFeed};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The feed's name in error messages.
const PROVIDER: &str = "rate feed";

/// How to reach the rate feed.
#[derive(Clone, Debug)]
pub struct HttpRateFeedConfig {
    /// The feed's endpoint, `http://…` (or `https://…` with the `tls` feature).
    pub url: String,
    /// The feed's API key, sent as a bearer token.
    pub api_key: ApiKey,
    /// Time allowed for each attempt, connection included.
    pub timeout: Duration,
    /// Extra attempts after the first on a transient failure (at most 10).
    pub retries: u32,
    /// Wait before the first retry; it doubles with each further one, up to 5 s.
    pub backoff: Duration,
}

/// A rate feed reached over HTTP.
pub struct HttpRateFeed {
    outbound: Outbound,
    url: Url,
}

impl std::fmt::Debug for HttpRateFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRateFeed")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// The JSON the feed receives.
#[derive(Serialize)]
struct AskBody {
    pairs: Vec<String>,
}

/// The feed's answer.
#[derive(Deserialize)]
struct Answer {
    rates: Vec<Entry>,
}

/// One rate as the feed sends it. `rate` is taken as any JSON value so that a number can be
/// refused by name rather than as "unexpected JSON".
#[derive(Deserialize)]
struct Entry {
    pair: String,
    rate: serde_json::Value,
    as_of: String,
}

impl HttpRateFeed {
    /// Checks the configuration and builds the feed.
    pub fn new(config: HttpRateFeedConfig) -> Result<HttpRateFeed, ConfigError> {
        let url = endpoint_url("url", &config.url)?;
        check_common(
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        let outbound = Outbound::new(
            PROVIDER,
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        Ok(HttpRateFeed { outbound, url })
    }
}

/// The outbound failure as the port reports it.
fn into_connector_error(failure: Failure) -> ConnectorError {
    match failure {
        Failure::Unavailable(reason) => ConnectorError::Unavailable(reason),
        Failure::Refused(status) => {
            ConnectorError::Protocol(format!("{PROVIDER} refused the call with {status}"))
        }
        Failure::Protocol(reason) => ConnectorError::Protocol(reason),
    }
}

/// A protocol error about the answer.
fn refused(what: String) -> ConnectorError {
    ConnectorError::Protocol(format!("{PROVIDER} answered {what}"))
}

/// Checks every entry of the answer against what was `asked`; the first wrong one refuses all.
fn read_rates(answer: Answer, asked: &[Pair]) -> Result<Vec<FeedRate>, ConnectorError> {
    let mut rates: Vec<FeedRate> = Vec::with_capacity(answer.rates.len());
    for (index, entry) in answer.rates.into_iter().enumerate() {
        // Until it parses, the pair is the feed's text: named by position, not quoted.
        let pair = Pair::parse(&entry.pair).map_err(|e| {
            refused(format!(
                "entry {} with a pair that is not one to quote ({e})",
                index + 1
            ))
        })?;
        if !asked.contains(&pair) {
            return Err(refused(format!("{pair}, which was not asked for")));
        }
        if rates.iter().any(|r| r.pair == pair) {
            return Err(refused(format!("{pair} twice")));
        }
        let rate = match &entry.rate {
            serde_json::Value::String(text) => Rate::parse(text)
                .map_err(|e| refused(format!("a rate for {pair} that is not usable: {e}")))?,
            serde_json::Value::Number(_) => {
                return Err(refused(format!(
                    "the rate of {pair} as a JSON number; rates must be decimal strings, so no \
                     digit is lost to a float"
                )));
            }
            _ => {
                return Err(refused(format!(
                    "the rate of {pair} as something other than a string"
                )));
            }
        };
        let as_of_ms = as_of_ms(&entry.as_of)
            .ok_or_else(|| refused(format!("an as_of for {pair} that is not an RFC 3339 time")))?;
        rates.push(FeedRate {
            pair,
            rate,
            as_of_ms,
        });
    }
    Ok(rates)
}

/// An RFC 3339 time in milliseconds since the epoch.
fn as_of_ms(text: &str) -> Option<i64> {
    let time =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).ok()
}

#[async_trait]
impl RateFeed for HttpRateFeed {
    async fn latest(&self, pairs: &[Pair]) -> Result<Vec<FeedRate>, ConnectorError> {
        let mut asked: Vec<Pair> = Vec::with_capacity(pairs.len());
        for &pair in pairs {
            if !asked.contains(&pair) {
                asked.push(pair);
            }
        }
        // Nothing to ask is nothing to learn: no call, and no answer to check.
        if asked.is_empty() {
            return Ok(Vec::new());
        }
        let body = serde_json::to_vec(&AskBody {
            pairs: asked.iter().map(Pair::to_string).collect(),
        })
        .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
        let answer = self
            .outbound
            .post_json(&self.url, body, Retry::Always)
            .await
            .map_err(into_connector_error)?;
        read_rates(parse_answer::<Answer>(PROVIDER, &answer.body)?, &asked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> HttpRateFeedConfig {
        HttpRateFeedConfig {
            url: "http://127.0.0.1:9/rates".to_owned(),
            api_key: ApiKey::new("feed-key"),
            timeout: Duration::from_millis(200),
            retries: 2,
            backoff: Duration::from_millis(10),
        }
    }

    fn pair(text: &str) -> Pair {
        Pair::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn read(json: &str, asked: &[&str]) -> Result<Vec<FeedRate>, ConnectorError> {
        let asked: Vec<Pair> = asked.iter().map(|p| pair(p)).collect();
        read_rates(parse_answer::<Answer>(PROVIDER, json.as_bytes())?, &asked)
    }

    #[test]
    fn as_of_reads_rfc_3339_with_any_offset() {
        assert_eq!(as_of_ms("2026-12-07T06:00:00Z"), Some(1_796_623_200_000));
        assert_eq!(
            as_of_ms("2026-12-07T14:00:00.250+08:00"),
            Some(1_796_623_200_250)
        );
        for bad in ["", "1796623200000", "2026-12-07 06:00:00", "2026-12-07"] {
            assert_eq!(as_of_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_good_answer_reads_exactly() {
        let rates = read(
            r#"{"rates":[{"pair":"CNY/JPY","rate":"20.533880903491","as_of":"2026-12-07T06:00:00Z"}]}"#,
            &["CNY/JPY", "USD/CNY"],
        );
        let rates = rates.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rates.len(), 1);
        assert_eq!(rates[0].pair, pair("CNY/JPY"));
        assert_eq!(rates[0].rate.to_string(), "20.533880903491");
        assert_eq!(rates[0].as_of_ms, 1_796_623_200_000);
    }

    #[test]
    fn one_bad_entry_refuses_the_whole_answer() {
        let good = r#"{"pair":"HKD/CNY","rate":"0.9123","as_of":"2026-12-07T06:00:00Z"}"#;
        for bad in [
            r#"{"pair":"USD/CNY","rate":7.1234,"as_of":"2026-12-07T06:00:00Z"}"#,
            r#"{"pair":"USD/CNY","rate":"7.1234e0","as_of":"2026-12-07T06:00:00Z"}"#,
            r#"{"pair":"USD/CNY","rate":"0","as_of":"2026-12-07T06:00:00Z"}"#,
            r#"{"pair":"USD/CNY","rate":"-7.1234","as_of":"2026-12-07T06:00:00Z"}"#,
            r#"{"pair":"USD/CNY","rate":null,"as_of":"2026-12-07T06:00:00Z"}"#,
            r#"{"pair":"USD/CNY","rate":"7.1234","as_of":"yesterday"}"#,
            r#"{"pair":"USD/CNY","rate":"7.1234"}"#,
            r#"{"pair":"XYZ/CNY","rate":"7.1234","as_of":"2026-12-07T06:00:00Z"}"#,
            r#"{"pair":"usd/cny","rate":"7.1234","as_of":"2026-12-07T06:00:00Z"}"#,
            r#"{"pair":"EUR/CNY","rate":"7.789","as_of":"2026-12-07T06:00:00Z"}"#,
            good,
        ] {
            let json = format!(r#"{{"rates":[{good},{bad}]}}"#);
            let read = read(&json, &["HKD/CNY", "USD/CNY"]);
            assert!(
                matches!(read, Err(ConnectorError::Protocol(_))),
                "{bad}: {read:?}"
            );
        }
    }

    #[test]
    fn the_config_prints_without_its_key() {
        let printed = format!("{:?}", config());
        assert!(!printed.contains("feed-key"), "{printed}");
        assert!(printed.contains("ApiKey(***)"), "{printed}");
    }

    #[test]
    fn a_url_with_a_query_is_refused() {
        let mut bad = config();
        bad.url = "http://127.0.0.1:9/rates?key=1".to_owned();
        assert!(matches!(
            HttpRateFeed::new(bad),
            Err(ConfigError::Url { field: "url", .. })
        ));
    }
}
