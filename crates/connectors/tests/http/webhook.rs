//! `HttpWebhooks` against a local receiver.

use crate::receiver::{Receiver, Reply, unreachable_url};
use qianbao_connectors::{HttpWebhooks, WEBHOOK_TIMEOUT};
use qianbao_wallet::{ConnectorError, WebhookSender};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// A connector that delivers to private networks, as the sandbox's: every receiver here is on
/// 127.0.0.1.
fn sender(timeout: Duration) -> HttpWebhooks {
    match HttpWebhooks::new(timeout).and_then(|s| s.allow_private_networks(true)) {
        Ok(sender) => sender,
        Err(e) => panic!("client refused: {e}"),
    }
}

/// A connector as production builds it: public addresses only.
fn public_only_sender() -> HttpWebhooks {
    match HttpWebhooks::new(WEBHOOK_TIMEOUT) {
        Ok(sender) => sender,
        Err(e) => panic!("client refused: {e}"),
    }
}

/// Every spelling of 127.0.0.1 the outside attack of issue 14 delivered to, and the address
/// itself.
const LOOPBACK_SPELLINGS: [&str; 9] = [
    "127.0.0.1",
    "2130706433",
    "0x7f000001",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "127.1",
    "127.0.0.1.",
    "127.0.0.%31",
    "0",
];

/// IPv6 spellings that reach a receiver on 127.0.0.1 (IPv4-mapped) or on ::1.
const IPV6_LOOPBACK_SPELLINGS: [&str; 5] = [
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
];

/// Delivers to each URL with the production connector and returns those not refused as an
/// internal address, with what happened instead: one run names every spelling that got by.
async fn not_refused(urls: &[String]) -> Vec<String> {
    let mut got_by = Vec::new();
    for url in urls {
        let sent = public_only_sender().deliver(url, &headers(), BODY).await;
        match &sent {
            Err(ConnectorError::Protocol(reason)) if reason.contains("private networks") => {
                // The operator sees why; nobody sees the URL or the address.
                for leak in ["secret-token", "127.", "::1", "localhost", "http"] {
                    assert!(!reason.contains(leak), "{url}: {reason}");
                }
            }
            _ => got_by.push(format!("{url}: {sent:?}")),
        }
    }
    got_by
}

/// The receiver's port, as text.
fn port_of(receiver: &Receiver) -> String {
    receiver
        .base_url
        .rsplit(':')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// A plain TCP listener on [::1] that counts connections, or `None` where there is no IPv6
/// loopback.
async fn ipv6_loopback_listener() -> Option<(u16, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind("[::1]:0").await.ok()?;
    let port = listener.local_addr().ok()?.port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    Some((port, accepted))
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

#[tokio::test]
async fn every_spelling_of_loopback_is_refused_without_reaching_the_receiver() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let port = port_of(&receiver);
    let urls: Vec<String> = LOOPBACK_SPELLINGS
        .iter()
        .map(|host| format!("http://{host}:{port}/h?token=secret-token"))
        .collect();

    assert_eq!(not_refused(&urls).await, Vec::<String>::new());
    assert_eq!(receiver.count(), 0, "an internal address was delivered to");
}

#[tokio::test]
async fn every_spelling_of_loopback_reaches_the_receiver_when_private_networks_are_allowed() {
    // The control for the test above: these URLs do reach a local receiver, so it is the check
    // that stops them there, not the spelling.
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let port = port_of(&receiver);
    for host in LOOPBACK_SPELLINGS {
        let url = format!("http://{host}:{port}/h");
        let sent = sender(WEBHOOK_TIMEOUT)
            .deliver(&url, &headers(), BODY)
            .await;
        assert!(sent.is_ok(), "{url}: {sent:?}");
    }
    assert_eq!(receiver.count(), LOOPBACK_SPELLINGS.len());
}

/// The URLs of `IPV6_LOOPBACK_SPELLINGS`: the IPv4-mapped ones aimed at the IPv4 receiver's
/// port, the others at the IPv6 listener's (or, with no IPv6 loopback here, the IPv4 port).
fn ipv6_loopback_urls(v4_port: &str, v6_port: Option<u16>) -> Vec<String> {
    let v6_port = v6_port.map_or(v4_port.to_owned(), |port| port.to_string());
    IPV6_LOOPBACK_SPELLINGS
        .iter()
        .map(|host| {
            let port = if host.contains("ffff") {
                v4_port
            } else {
                &v6_port
            };
            format!("http://{host}:{port}/h")
        })
        .collect()
}

#[tokio::test]
async fn ipv6_forms_of_internal_addresses_are_refused_without_a_connection() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let v6 = ipv6_loopback_listener().await;
    let mut urls = ipv6_loopback_urls(&port_of(&receiver), v6.as_ref().map(|(port, _)| *port));
    // Not reachable here, but internal wherever they are: refused before any connection.
    for host in [
        "[::127.0.0.1]",
        "[64:ff9b::127.0.0.1]",
        "[2002:7f00:1::1]",
        "[fd00::1]",
        "[fe80::1]",
        "[ff02::1]",
    ] {
        urls.push(format!("http://{host}:{}/h", port_of(&receiver)));
    }

    assert_eq!(not_refused(&urls).await, Vec::<String>::new());
    assert_eq!(receiver.count(), 0, "an internal address was delivered to");
    if let Some((_, accepted)) = v6 {
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            0,
            "IPv6 loopback was connected to"
        );
    }
}

#[tokio::test]
async fn ipv6_forms_of_loopback_are_reached_when_private_networks_are_allowed() {
    // The control for the test above, where this machine has IPv6 loopback.
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let Some((v6_port, accepted)) = ipv6_loopback_listener().await else {
        eprintln!("no IPv6 loopback here: nothing to check");
        return;
    };
    for url in ipv6_loopback_urls(&port_of(&receiver), Some(v6_port)) {
        // The IPv6 listener hangs up without answering, so only the IPv4 receiver's answers
        // are deliveries: what matters is that each was connected to.
        let _ = sender(Duration::from_millis(500))
            .deliver(&url, &headers(), BODY)
            .await;
    }
    let mapped = IPV6_LOOPBACK_SPELLINGS
        .iter()
        .filter(|host| host.contains("ffff"))
        .count();
    assert_eq!(receiver.count(), mapped);
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        IPV6_LOOPBACK_SPELLINGS.len() - mapped
    );
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_without_reaching_the_receiver() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let port = port_of(&receiver);
    // `localhost` comes from /etc/hosts (and resolvers' own rules), whatever its case.
    let urls: Vec<String> = ["localhost", "LOCALHOST"]
        .iter()
        .map(|host| format!("http://{host}:{port}/h?token=secret-token"))
        .collect();

    assert_eq!(not_refused(&urls).await, Vec::<String>::new());
    assert_eq!(
        receiver.count(),
        0,
        "a name resolving to loopback was delivered to"
    );
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_delivered_to_when_private_networks_are_allowed() {
    let receiver = Receiver::start(vec![Reply::json(200, "{}")]).await;
    let url = format!("http://localhost:{}/h", port_of(&receiver));

    let sent = sender(WEBHOOK_TIMEOUT)
        .deliver(&url, &headers(), BODY)
        .await;

    assert!(sent.is_ok(), "{sent:?}");
    assert_eq!(receiver.count(), 1);
}
