//! `HttpWebhooks` against a local receiver.

use crate::receiver::{Receiver, Reply, unreachable_url};
use qianbao_connectors::{HttpWebhooks, WEBHOOK_TIMEOUT};
use qianbao_wallet::{ConnectorError, WebhookSender};
use std::time::{Duration, Instant};

const BODY: &str = r#"{"id":"0190a0b1-0000-7000-8000-000000000001","type":"payment.succeeded","created_ms":1800000000000,"data":{"payment_id":"p1","amount":1800,"note":"一碗面"}}"#;

fn headers() -> Vec<(String, String)> {
    [
        ("Content-Type", "application/json"),
        ("Qianbao-Signature", "t=1800000000,v1=00ff"),
        ("Qianbao-Event", "payment.succeeded"),
        ("Qianbao-Delivery", "42"),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect()
}

fn sender(timeout: Duration) -> HttpWebhooks {
    match HttpWebhooks::new(timeout) {
        Ok(sender) => sender,
        Err(e) => panic!("client refused: {e}"),
    }
}

#[tokio::test]
async fn a_2xx_answer_is_delivered_with_the_body_and_headers_exactly() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;

    let sent = sender(WEBHOOK_TIMEOUT)
        .deliver(&receiver.url("/hooks/qianbao?token=abc"), &headers(), BODY)
        .await;

    assert!(sent.is_ok(), "{sent:?}");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/hooks/qianbao");
    assert_eq!(&request.body[..], BODY.as_bytes());
    for (name, value) in headers() {
        assert_eq!(request.header(&name), value, "{name}");
    }
    // Merchants are not our providers: no key of ours goes to them.
    assert_eq!(request.header("authorization"), "");
    assert!(
        request
            .header("user-agent")
            .starts_with("qianbao-webhooks/")
    );
}

#[tokio::test]
async fn any_2xx_answer_is_delivered_and_its_body_ignored() {
    let big = "x".repeat(1024 * 1024);
    for (status, body) in [(200, "not json"), (201, ""), (202, big.as_str()), (204, "")] {
        let receiver = Receiver::start(vec![Reply::json(status, body)]).await;
        let sent = sender(WEBHOOK_TIMEOUT)
            .deliver(&receiver.url("/h"), &headers(), BODY)
            .await;
        assert!(sent.is_ok(), "{status}: {sent:?}");
    }
}

#[tokio::test]
async fn a_4xx_or_5xx_answer_is_unavailable_after_one_attempt() {
    for status in [400, 401, 404, 410, 429, 500, 502, 503] {
        let receiver = Receiver::start(vec![Reply::json(status, "{}")]).await;
        let sent = sender(WEBHOOK_TIMEOUT)
            .deliver(&receiver.url("/h"), &headers(), BODY)
            .await;
        assert!(
            matches!(&sent, Err(ConnectorError::Unavailable(reason)) if reason.contains(&status.to_string())),
            "{status}: {sent:?}"
        );
        // The outbox retries with its own backoff; the connector never does.
        assert_eq!(receiver.count(), 1, "{status}");
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_unavailable() {
    let elsewhere = Receiver::start(vec![Reply::json(200, "{}")]).await;
    for status in [301, 302, 307, 308] {
        let receiver =
            Receiver::start(vec![Reply::json(status, "").to(&elsewhere.url("/stolen"))]).await;
        let sent = sender(WEBHOOK_TIMEOUT)
            .deliver(&receiver.url("/h"), &headers(), BODY)
            .await;
        assert!(
            matches!(sent, Err(ConnectorError::Unavailable(_))),
            "{status}: {sent:?}"
        );
        assert_eq!(receiver.count(), 1);
    }
    assert_eq!(elsewhere.count(), 0, "a redirect was followed");
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_is_unavailable() {
    let receiver =
        Receiver::start(vec![Reply::json(200, "{}").after(Duration::from_secs(3))]).await;
    let started = Instant::now();

    let sent = sender(Duration::from_millis(200))
        .deliver(&receiver.url("/h"), &headers(), BODY)
        .await;

    assert!(
        matches!(&sent, Err(ConnectorError::Unavailable(reason)) if reason.contains("timed out")),
        "{sent:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_receiver_is_unavailable_and_the_error_carries_no_url() {
    let url = format!("{}/h?token=secret-token", unreachable_url().await);
    let sent = sender(WEBHOOK_TIMEOUT)
        .deliver(&url, &headers(), BODY)
        .await;
    let Err(ConnectorError::Unavailable(reason)) = sent else {
        panic!("{sent:?}");
    };
    assert!(!reason.contains("secret-token"), "{reason}");
    assert!(!reason.contains("127.0.0.1"), "{reason}");
}

#[tokio::test]
async fn a_url_that_is_not_http_is_refused_without_a_request() {
    for url in ["ftp://127.0.0.1/h", "file:///etc/passwd", "not a url"] {
        let sent = sender(WEBHOOK_TIMEOUT).deliver(url, &headers(), BODY).await;
        assert!(
            matches!(sent, Err(ConnectorError::Protocol(_))),
            "{url}: {sent:?}"
        );
    }
}

#[cfg(not(feature = "tls"))]
#[tokio::test]
async fn an_https_url_is_refused_when_tls_is_not_built() {
    let sent = sender(WEBHOOK_TIMEOUT)
        .deliver("https://shop.example.com/h", &headers(), BODY)
        .await;
    assert!(
        matches!(&sent, Err(ConnectorError::Protocol(reason)) if reason.contains("tls")),
        "{sent:?}"
    );
}
