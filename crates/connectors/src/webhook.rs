//! Webhook delivery: one POST of an event to the URL a merchant chose, with the body and headers
//! exactly as the wallet built and signed them.
//!
//! One attempt per call. Any 2xx means delivered; everything else — a 3xx (redirects are never
//! followed), 4xx, 5xx, a timeout, a refused connection — is `Unavailable`, and the durable
//! outbox offers the event again later with backoff. The answer's body is never read: nothing in
//! it matters beyond the status, and reading it would let a receiver hold the worker or fill its
//! memory. Neither the URL (a merchant may put a token in its query) nor the body appears in an
//! error message.
//!
//! Like the other production connectors this speaks plain `http` unless the crate is built with
//! its `tls` feature; an `https` URL in a build without TLS is a `Protocol` error, which an
//! operator fixes by building with `tls` (the outbox keeps the event meanwhile).

use crate::config::{ConfigError, TIMEOUT_MAX};
use async_trait::async_trait;
use qianbao_wallet::{ConnectorError, WebhookSender};
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

/// The time each delivery may take, connection included, unless the operator chooses another.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest URL delivered to; `set_webhook` keeps merchants far below it.
const URL_BYTES_MAX: usize = 2048;

/// Delivers webhook events to merchants' URLs over HTTP.
#[derive(Debug)]
pub struct HttpWebhooks {
    client: reqwest::Client,
}

impl HttpWebhooks {
    /// Builds the client, each delivery allowed `timeout` (more than zero, at most 60 s).
    pub fn new(timeout: Duration) -> Result<HttpWebhooks, ConfigError> {
        if timeout.is_zero() || timeout > TIMEOUT_MAX {
            return Err(ConfigError::Invalid {
                field: "timeout",
                reason: "must be more than zero and at most 60 s".to_owned(),
            });
        }
        #[cfg(feature = "tls")]
        crate::install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // The merchant registered this URL; a redirect would send the signed event wherever
            // the receiver points, which the merchant never chose.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("qianbao-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Client(e.without_url().to_string()))?;
        Ok(HttpWebhooks { client })
    }
}

#[async_trait]
impl WebhookSender for HttpWebhooks {
    async fn deliver(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<(), ConnectorError> {
        let url = receiver_url(url)?;
        let headers = header_map(headers)?;
        let response = self
            .client
            .post(url)
            .headers(headers)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| ConnectorError::Unavailable(transport_reason(&e)))?;
        let status = response.status();
        // Dropped unread: see the module's doc.
        drop(response);
        if status.is_success() {
            Ok(())
        } else {
            Err(ConnectorError::Unavailable(format!(
                "the webhook receiver answered {status}"
            )))
        }
    }
}

/// Checks a merchant's URL: http, or https when TLS is built in, with a host. Queries and
/// credentials stay: the merchant chose them, and they are never logged.
fn receiver_url(text: &str) -> Result<Url, ConnectorError> {
    let refuse = |reason: &str| Err(ConnectorError::Protocol(format!("webhook URL {reason}")));
    if text.len() > URL_BYTES_MAX {
        return refuse("longer than 2048 bytes");
    }
    let Ok(url) = Url::parse(text) else {
        return refuse("does not parse");
    };
    match url.scheme() {
        "http" => {}
        "https" if cfg!(feature = "tls") => {}
        "https" => return refuse("is https, and this build has no TLS (the `tls` feature)"),
        _ => return refuse("is neither http nor https"),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return refuse("has no host");
    }
    Ok(url)
}

/// The wallet's headers as reqwest takes them; a bad one is a bug upstream, not the receiver's.
fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, ConnectorError> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let bad = || ConnectorError::Protocol(format!("webhook header {name:?} is not valid"));
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        let value = HeaderValue::from_str(value).map_err(|_| bad())?;
        map.append(name, value);
    }
    Ok(map)
}

/// Why the request got no answer, without the URL reqwest's own message would carry.
fn transport_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "the webhook receiver timed out".to_owned();
    }
    if e.is_connect() {
        return "the webhook receiver could not be reached".to_owned();
    }
    let mut text = String::from("the webhook request failed");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_are_taken_with_their_query_and_others_refused() {
        assert!(receiver_url("http://127.0.0.1:8080/hooks?token=abc").is_ok());
        for bad in [
            "ftp://host/x",
            "file:///etc/passwd",
            "not a url",
            "http://",
            "javascript:alert(1)",
        ] {
            assert!(
                matches!(receiver_url(bad), Err(ConnectorError::Protocol(_))),
                "{bad}"
            );
        }
        let long = format!("http://h/{}", "a".repeat(URL_BYTES_MAX));
        assert!(receiver_url(&long).is_err());
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn https_urls_are_refused_without_tls() {
        assert!(matches!(
            receiver_url("https://shop.example.com/hooks"),
            Err(ConnectorError::Protocol(_))
        ));
    }

    #[test]
    fn bad_headers_are_refused_and_good_ones_kept() {
        let good = [
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("Qianbao-Delivery".to_owned(), "7".to_owned()),
        ];
        let map = header_map(&good).ok();
        assert_eq!(
            map.as_ref()
                .and_then(|m| m.get("qianbao-delivery"))
                .and_then(|v| v.to_str().ok()),
            Some("7")
        );
        for bad in [("Bad Name", "x"), ("X-Ok", "line\nbreak")] {
            let headers = [(bad.0.to_owned(), bad.1.to_owned())];
            assert!(
                matches!(header_map(&headers), Err(ConnectorError::Protocol(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn timeouts_out_of_range_are_refused() {
        assert!(HttpWebhooks::new(Duration::ZERO).is_err());
        assert!(HttpWebhooks::new(TIMEOUT_MAX + Duration::from_millis(1)).is_err());
        assert!(HttpWebhooks::new(WEBHOOK_TIMEOUT).is_ok());
    }
}
