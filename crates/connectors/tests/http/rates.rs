//! `HttpRateFeed` against a local receiver.

use crate::receiver::{Receiver, Reply, unreachable_url};
use qianbao_connectors::{ApiKey, HttpRateFeed, HttpRateFeedConfig};
use qianbao_wallet::fx::Pair;
use qianbao_wallet::{ConnectorError, FeedRate, RateFeed};
use std::time::{Duration, Instant};

/// 2026-12-07T06:00:00Z.
const AS_OF_MS: i64 = 1_796_623_200_000;

const TWO_RATES: &str = r#"{"rates": [
    {"pair": "USD/CNY", "rate": "7.1234", "as_of": "2026-12-07T06:00:00Z"},
    {"pair": "HKD/CNY", "rate": "0.912345678901", "as_of": "2026-12-07T14:00:00+08:00"}
]}"#;

fn config(url: String, retries: u32) -> HttpRateFeedConfig {
    HttpRateFeedConfig {
        url,
        api_key: ApiKey::new("feed-key-789"),
        timeout: Duration::from_secs(5),
        retries,
        backoff: Duration::from_millis(10),
    }
}

fn feed(config: HttpRateFeedConfig) -> HttpRateFeed {
    match HttpRateFeed::new(config) {
        Ok(feed) => feed,
        Err(e) => panic!("config refused: {e}"),
    }
}

fn pairs(texts: &[&str]) -> Vec<Pair> {
    texts
        .iter()
        .map(|t| Pair::parse(t).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}

/// Asks `receiver` for USD/CNY and HKD/CNY.
async fn ask(
    receiver: &Receiver,
    retries: u32,
) -> Result<Vec<(String, String, i64)>, ConnectorError> {
    let rates = feed(config(receiver.url("/v1/rates"), retries))
        .latest(&pairs(&["USD/CNY", "HKD/CNY"]))
        .await?;
    Ok(rates.into_iter().map(shown).collect())
}

fn shown(rate: FeedRate) -> (String, String, i64) {
    (rate.pair.to_string(), rate.rate.to_string(), rate.as_of_ms)
}

fn both() -> Vec<(String, String, i64)> {
    vec![
        ("USD/CNY".into(), "7.1234".into(), AS_OF_MS),
        ("HKD/CNY".into(), "0.912345678901".into(), AS_OF_MS),
    ]
}

#[tokio::test]
async fn the_pairs_are_posted_with_the_bearer_key_and_the_rates_read_exactly() {
    let receiver = Receiver::start(vec![Reply::json(200, TWO_RATES)]).await;

    let rates = ask(&receiver, 0).await;

    assert_eq!(rates.ok(), Some(both()));
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/rates");
    assert_eq!(received[0].header("authorization"), "Bearer feed-key-789");
    assert_eq!(received[0].header("content-type"), "application/json");
    assert_eq!(received[0].header("idempotency-key").len(), 32);
    assert_eq!(
        received[0].json(),
        serde_json::json!({"pairs": ["USD/CNY", "HKD/CNY"]})
    );
}

#[tokio::test]
async fn a_pair_the_feed_leaves_out_is_simply_missing_and_an_empty_answer_is_no_rates() {
    let one = r#"{"rates":[{"pair":"HKD/CNY","rate":"0.9123","as_of":"2026-12-07T06:00:00Z"}]}"#;
    let receiver = Receiver::start(vec![Reply::json(200, one)]).await;
    let rates = ask(&receiver, 0).await;
    assert_eq!(
        rates.ok(),
        Some(vec![("HKD/CNY".into(), "0.9123".into(), AS_OF_MS)])
    );

    let receiver = Receiver::start(vec![Reply::json(200, r#"{"rates":[]}"#)]).await;
    assert_eq!(ask(&receiver, 0).await.ok(), Some(vec![]));
}

#[tokio::test]
async fn asking_for_no_pairs_calls_nobody() {
    let receiver = Receiver::start(vec![Reply::json(200, TWO_RATES)]).await;
    let rates = feed(config(receiver.url("/v1/rates"), 0)).latest(&[]).await;
    assert_eq!(rates.ok(), Some(vec![]));
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn a_rate_sent_as_a_json_number_is_a_protocol_error_without_a_retry() {
    let number = r#"{"rates":[{"pair":"USD/CNY","rate":7.1234,"as_of":"2026-12-07T06:00:00Z"}]}"#;
    let receiver = Receiver::start(vec![Reply::json(200, number)]).await;
    let rates = ask(&receiver, 3).await;
    let text = match rates {
        Err(ConnectorError::Protocol(text)) => text,
        other => panic!("{other:?}"),
    };
    assert!(
        text.contains("USD/CNY") && text.contains("number"),
        "{text}"
    );
    assert_eq!(receiver.count(), 1);
}

#[tokio::test]
async fn answers_outside_the_protocol_are_protocol_errors() {
    let entry = |pair: &str, rate: &str| {
        format!(r#"{{"rates":[{{"pair":"{pair}","rate":{rate},"as_of":"2026-12-07T06:00:00Z"}}]}}"#)
    };
    for answer in [
        "".to_owned(),
        "not json".to_owned(),
        "{}".to_owned(),
        r#"{"rates":{}}"#.to_owned(),
        r#"[{"rates":[]}]"#.to_owned(),
        entry("USD/CNY", r#""seven""#),
        entry("USD/CNY", r#""0""#),
        entry("USD/CNY", r#""-7.1234""#),
        entry("XYZ/CNY", r#""7.1234""#),
        // Not asked for.
        entry("EUR/CNY", r#""7.789""#),
        format!(
            r#"{{"rates":[{0},{0}]}}"#,
            r#"{"pair":"USD/CNY","rate":"7.1234","as_of":"2026-12-07T06:00:00Z"}"#
        ),
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, &answer)]).await;
        let rates = ask(&receiver, 3).await;
        assert!(
            matches!(rates, Err(ConnectorError::Protocol(_))),
            "{answer}: {rates:?}"
        );
        assert_eq!(receiver.count(), 1, "{answer}");
    }
}

#[tokio::test]
async fn a_500_then_a_good_answer_succeeds_after_a_retry() {
    let receiver = Receiver::start(vec![
        Reply::json(500, ""),
        Reply::json(429, ""),
        Reply::json(200, TWO_RATES),
    ])
    .await;
    assert_eq!(ask(&receiver, 2).await.ok(), Some(both()));
    assert_eq!(receiver.count(), 3);
}

#[tokio::test]
async fn a_5xx_answer_forever_is_unavailable_after_retries_plus_one_attempts() {
    let receiver = Receiver::start(vec![Reply::json(503, "")]).await;
    let rates = ask(&receiver, 2).await;
    assert!(
        matches!(rates, Err(ConnectorError::Unavailable(_))),
        "{rates:?}"
    );
    assert_eq!(receiver.count(), 3);
}

#[tokio::test]
async fn a_refused_key_is_a_protocol_error_without_a_retry() {
    for status in [401, 403, 404] {
        let receiver = Receiver::start(vec![Reply::json(status, "{}")]).await;
        let rates = ask(&receiver, 3).await;
        assert!(
            matches!(rates, Err(ConnectorError::Protocol(_))),
            "{status}: {rates:?}"
        );
        assert_eq!(receiver.count(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_slow_feed_times_out_and_is_unavailable() {
    let receiver = Receiver::start(vec![
        Reply::json(200, TWO_RATES).after(Duration::from_secs(3)),
    ])
    .await;
    let mut slow = config(receiver.url("/v1/rates"), 1);
    slow.timeout = Duration::from_millis(200);
    let started = Instant::now();

    let rates = feed(slow).latest(&pairs(&["USD/CNY"])).await;

    assert!(
        matches!(rates, Err(ConnectorError::Unavailable(_))),
        "{rates:?}"
    );
    assert_eq!(receiver.count(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_feed_is_unavailable() {
    let rates = feed(config(unreachable_url().await, 1))
        .latest(&pairs(&["USD/CNY"]))
        .await;
    assert!(
        matches!(rates, Err(ConnectorError::Unavailable(_))),
        "{rates:?}"
    );
}

#[tokio::test]
async fn an_answer_larger_than_64_kib_is_a_protocol_error() {
    let huge = format!(
        r#"{{"rates":[{{"pair":"USD/CNY","rate":"7.1234","as_of":"2026-12-07T06:00:00Z","pad":"{}"}}]}}"#,
        "x".repeat(70 * 1024)
    );
    let receiver = Receiver::start(vec![Reply::json(200, &huge)]).await;
    let rates = ask(&receiver, 2).await;
    assert!(
        matches!(rates, Err(ConnectorError::Protocol(_))),
        "{rates:?}"
    );
    assert_eq!(receiver.count(), 1);
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let receiver = Receiver::start(vec![
        Reply::json(302, "").to("http://127.0.0.1:9/elsewhere"),
    ])
    .await;
    let rates = ask(&receiver, 2).await;
    assert!(
        matches!(rates, Err(ConnectorError::Protocol(_))),
        "{rates:?}"
    );
    assert_eq!(receiver.count(), 1);
}

#[cfg(not(feature = "tls"))]
#[test]
fn an_https_url_is_refused_at_construction_when_tls_is_not_built() {
    let err = HttpRateFeed::new(config("https://rates.example.com/v1/rates".to_owned(), 0));
    assert!(
        matches!(
            err,
            Err(qianbao_connectors::ConfigError::TlsNotBuilt { field: "url" })
        ),
        "{err:?}"
    );
}
