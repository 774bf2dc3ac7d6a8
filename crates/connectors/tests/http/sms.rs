//! `HttpSms` against a local receiver.

use crate::receiver::{Receiver, Reply, unreachable_url};
use qianbao_connectors::{ApiKey, ConfigError, HttpSms, HttpSmsConfig};
use qianbao_wallet::{SmsError, SmsGateway};
use std::time::{Duration, Instant};

const PHONE: &str = "+8613812345678";

fn config(url: String, retries: u32) -> HttpSmsConfig {
    HttpSmsConfig {
        url,
        api_key: ApiKey::new("sms-key-123"),
        sender: "QIANBAO".to_owned(),
        template: "【钱包】{text}".to_owned(),
        // Generous, so a loaded CI machine does not turn a normal answer into a timeout.
        timeout: Duration::from_secs(5),
        retries,
        backoff: Duration::from_millis(10),
    }
}

fn gateway(config: HttpSmsConfig) -> HttpSms {
    match HttpSms::new(config) {
        Ok(sms) => sms,
        Err(e) => panic!("config refused: {e}"),
    }
}

#[tokio::test]
async fn a_message_is_posted_as_json_with_the_bearer_key_and_the_rendered_template() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let sms = gateway(config(receiver.url("/sms/send"), 2));

    let sent = sms.send(PHONE, "验证码 123456").await;

    assert!(sent.is_ok(), "{sent:?}");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/sms/send");
    assert_eq!(request.header("authorization"), "Bearer sms-key-123");
    assert_eq!(request.header("content-type"), "application/json");
    let key = request.header("idempotency-key");
    assert_eq!(key.len(), 32, "{key}");
    assert_eq!(
        request.json(),
        serde_json::json!({"to": PHONE, "sender": "QIANBAO", "text": "【钱包】验证码 123456"})
    );
}

#[tokio::test]
async fn any_2xx_answer_means_the_message_was_taken() {
    for status in [200, 201, 202, 204] {
        let receiver = Receiver::start(vec![Reply::json(status, "")]).await;
        let sent = gateway(config(receiver.url("/send"), 0))
            .send(PHONE, "hi")
            .await;
        assert!(sent.is_ok(), "{status}: {sent:?}");
    }
}

#[tokio::test]
async fn a_4xx_answer_is_refused_without_a_retry() {
    for status in [400, 401, 403, 404, 422] {
        let receiver = Receiver::start(vec![Reply::json(status, r#"{"error":"no"}"#)]).await;
        let sent = gateway(config(receiver.url("/send"), 3))
            .send(PHONE, "hi")
            .await;
        assert!(
            matches!(sent, Err(SmsError::Refused(_))),
            "{status}: {sent:?}"
        );
        assert_eq!(receiver.count(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_5xx_answer_is_retried_with_the_same_idempotency_key_and_then_succeeds() {
    let receiver = Receiver::start(vec![
        Reply::json(500, ""),
        Reply::json(503, ""),
        Reply::json(200, "{}"),
    ])
    .await;

    let sent = gateway(config(receiver.url("/send"), 3))
        .send(PHONE, "hi")
        .await;

    assert!(sent.is_ok(), "{sent:?}");
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    let keys: Vec<String> = received
        .iter()
        .map(|r| r.header("idempotency-key"))
        .collect();
    assert!(
        keys.iter().all(|k| k == &keys[0] && !k.is_empty()),
        "{keys:?}"
    );
}

#[tokio::test]
async fn a_429_answer_is_retried_as_busy_rather_than_refused() {
    let receiver = Receiver::start(vec![Reply::json(429, ""), Reply::json(200, "{}")]).await;
    let sent = gateway(config(receiver.url("/send"), 2))
        .send(PHONE, "hi")
        .await;
    assert!(sent.is_ok(), "{sent:?}");
    assert_eq!(receiver.count(), 2);
}

#[tokio::test]
async fn a_5xx_answer_forever_is_unavailable_after_retries_plus_one_attempts() {
    let receiver = Receiver::start(vec![Reply::json(502, "")]).await;
    let sent = gateway(config(receiver.url("/send"), 2))
        .send(PHONE, "hi")
        .await;
    assert!(matches!(sent, Err(SmsError::Unavailable(_))), "{sent:?}");
    assert_eq!(receiver.count(), 3);
}

#[tokio::test]
async fn a_slow_gateway_times_out_and_is_unavailable() {
    let receiver =
        Receiver::start(vec![Reply::json(200, "{}").after(Duration::from_secs(3))]).await;
    let mut slow = config(receiver.url("/send"), 1);
    slow.timeout = Duration::from_millis(200);
    let started = Instant::now();

    let sent = gateway(slow).send(PHONE, "hi").await;

    assert!(
        matches!(&sent, Err(SmsError::Unavailable(reason)) if reason.contains("timed out")),
        "{sent:?}"
    );
    assert_eq!(receiver.count(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_gateway_is_unavailable() {
    let sent = gateway(config(unreachable_url().await, 1))
        .send(PHONE, "hi")
        .await;
    assert!(matches!(sent, Err(SmsError::Unavailable(_))), "{sent:?}");
}

#[tokio::test]
async fn a_number_not_in_e164_form_is_refused_without_calling_the_gateway() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let sent = gateway(config(receiver.url("/send"), 0))
        .send("13812345678", "hi")
        .await;
    assert!(matches!(sent, Err(SmsError::Refused(_))), "{sent:?}");
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn each_message_gets_its_own_idempotency_key() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let sms = gateway(config(receiver.url("/send"), 0));
    for _ in 0..2 {
        assert!(sms.send(PHONE, "hi").await.is_ok());
    }
    let received = receiver.received();
    assert_ne!(
        received[0].header("idempotency-key"),
        received[1].header("idempotency-key")
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_message_stays_in_the_outbox() {
    let receiver = Receiver::start(vec![Reply::json(302, "").to("/elsewhere")]).await;
    let sent = gateway(config(receiver.url("/send"), 2))
        .send(PHONE, "hi")
        .await;
    // Unavailable, not Refused: a misconfigured gateway must not make the outbox drop messages.
    assert!(matches!(sent, Err(SmsError::Unavailable(_))), "{sent:?}");
    assert_eq!(receiver.count(), 1);
}

#[cfg(not(feature = "tls"))]
#[test]
fn an_https_url_is_refused_at_construction_when_tls_is_not_built() {
    let err = HttpSms::new(config("https://sms.example.com/send".to_owned(), 0));
    assert!(
        matches!(err, Err(ConfigError::TlsNotBuilt { field: "url" })),
        "{err:?}"
    );
}

#[test]
fn a_url_that_is_not_http_is_refused_at_construction() {
    for url in [
        "ftp://sms.example.com/send",
        "sms.example.com/send",
        "http://u:p@h/send",
    ] {
        let err = HttpSms::new(config(url.to_owned(), 0));
        assert!(
            matches!(err, Err(ConfigError::Url { .. })),
            "{url}: {err:?}"
        );
    }
}

#[cfg(feature = "tls")]
#[tokio::test]
async fn with_tls_built_an_https_url_is_accepted_and_a_failed_handshake_is_unavailable() {
    // The receiver speaks plain HTTP, so the TLS handshake fails: unreachable, not refused.
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let https = receiver.url("/send").replacen("http://", "https://", 1);
    let sent = gateway(config(https, 1)).send(PHONE, "hi").await;
    assert!(matches!(sent, Err(SmsError::Unavailable(_))), "{sent:?}");
    assert_eq!(receiver.count(), 0);
}
