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
//!
//! **Only public addresses**, unless the operator allows private networks (the sandbox). Any
//! verified holder can open a merchant and choose its URL, so the connector itself decides on
//! the address it is about to connect to, with the wallet's one classification
//! ([`is_internal`]): a host written as an address is judged as the WHATWG parser read it (so
//! `http://0x7f000001/` is 127.0.0.1, as the client would connect), and a name is judged after
//! resolution, on every connection, by our own resolver — which is the only way to see the
//! address a name points to *now*, not when the merchant set it (DNS rebinding), and the
//! addresses `/etc/hosts` adds. Internal addresses are dropped from the answer; when none is
//! left the delivery is refused as a `Protocol` error that says so, without the URL or the
//! address. No proxy is used, not even one from the environment: a proxy would resolve and
//! connect in our place, where this check cannot see.

use crate::config::{ConfigError, TIMEOUT_MAX};
use async_trait::async_trait;
use qianbao_wallet::domain::network_address::is_internal;
use qianbao_wallet::{ConnectorError, WebhookSender};
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The time each delivery may take, connection included, unless the operator chooses another.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest URL delivered to; `set_webhook` keeps merchants far below it.
const URL_BYTES_MAX: usize = 2048;

/// The reason a delivery to an internal address is refused. It names neither the URL nor the
/// address (see the module's doc), and says what an operator needs: the merchant's URL must
/// change, or this server must be allowed private networks.
const REFUSED_REASON: &str = "webhook receiver refused: its address is not on the public \
     internet (loopback, private, link-local or reserved), and this server does not deliver to \
     private networks";

/// Delivers webhook events to merchants' URLs over HTTP.
#[derive(Debug)]
pub struct HttpWebhooks {
    client: reqwest::Client,
    timeout: Duration,
    private_networks: bool,
}

impl HttpWebhooks {
    /// Builds the client, each delivery allowed `timeout` (more than zero, at most 60 s), refusing
    /// receivers at internal addresses (see the module's doc).
    pub fn new(timeout: Duration) -> Result<HttpWebhooks, ConfigError> {
        HttpWebhooks::build(timeout, false)
    }

    /// The same connector, delivering to loopback and private addresses too when `allowed`: for
    /// the sandbox and tests, whose receivers run beside the server. Never in production, where
    /// it would let any merchant make this server call into the operator's network.
    pub fn allow_private_networks(self, allowed: bool) -> Result<HttpWebhooks, ConfigError> {
        if allowed == self.private_networks {
            return Ok(self);
        }
        HttpWebhooks::build(self.timeout, allowed)
    }

    fn build(timeout: Duration, private_networks: bool) -> Result<HttpWebhooks, ConfigError> {
        if timeout.is_zero() || timeout > TIMEOUT_MAX {
            return Err(ConfigError::Invalid {
                field: "timeout",
                reason: "must be more than zero and at most 60 s".to_owned(),
            });
        }
        #[cfg(feature = "tls")]
        crate::install_tls_provider();
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // The merchant registered this URL; a redirect would send the signed event wherever
            // the receiver points, which the merchant never chose.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy (`HTTP_PROXY` included) would resolve and connect in our place, past the
            // address check below; receivers are reached directly.
            .no_proxy()
            .user_agent(concat!("qianbao-webhooks/", env!("CARGO_PKG_VERSION")));
        if !private_networks {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        let client = builder
            .build()
            .map_err(|e| ConfigError::Client(e.without_url().to_string()))?;
        Ok(HttpWebhooks {
            client,
            timeout,
            private_networks,
        })
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
        // The resolver is never asked about a host written as an address: judged here.
        if !self.private_networks && literal_address(&url).is_some_and(is_internal) {
            return Err(ConnectorError::Protocol(REFUSED_REASON.to_owned()));
        }
        let headers = header_map(headers)?;
        let response = self
            .client
            .post(url)
            .headers(headers)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| {
                if refused_by_resolver(&e) {
                    ConnectorError::Protocol(REFUSED_REASON.to_owned())
                } else {
                    ConnectorError::Unavailable(transport_reason(&e))
                }
            })?;
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

/// The address a URL's host is written as, in the form the parser normalised it to and the
/// client connects to; `None` for a name.
fn literal_address(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// Resolves names as the system does (`getaddrinfo`: DNS and `/etc/hosts`), keeping only public
/// addresses. The client asks it on every new connection, so the address judged is the address
/// connected to.
struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: the client puts the URL's port (or the scheme's) in its place.
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public = public_addresses(found);
            if public.is_empty() {
                return Err(RefusedAddress.into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(addrs)
        })
    }
}

/// The addresses of `found` a delivery may connect to.
fn public_addresses(found: impl IntoIterator<Item = SocketAddr>) -> Vec<SocketAddr> {
    found
        .into_iter()
        .filter(|addr| !is_internal(addr.ip()))
        .collect()
}

/// Every address a name resolved to is internal; found again in the client's error chain.
#[derive(Debug)]
struct RefusedAddress;

impl std::fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REFUSED_REASON)
    }
}

impl std::error::Error for RefusedAddress {}

/// Whether the request failed because our resolver refused every address of the host.
fn refused_by_resolver(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if cause.is::<RefusedAddress>() {
            return true;
        }
        source = cause.source();
    }
    false
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
    fn addresses_written_in_the_url_are_read_as_the_parser_normalised_them() {
        for (url, address) in [
            ("http://2130706433/", "127.0.0.1"),
            ("http://0x7f.0.0.1/", "127.0.0.1"),
            ("http://127.0.0.1./", "127.0.0.1"),
            ("http://0/", "0.0.0.0"),
            ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ] {
            let parsed = receiver_url(url).ok();
            assert_eq!(
                parsed.as_ref().and_then(literal_address),
                address.parse().ok(),
                "{url}"
            );
        }
        let named = receiver_url("http://shop.example.com/").ok();
        assert_eq!(named.as_ref().and_then(literal_address), None);
    }

    #[test]
    fn resolved_internal_addresses_are_dropped_and_public_ones_kept() {
        let found: Vec<SocketAddr> = [
            "127.0.0.1:0",
            "[::1]:0",
            "10.0.0.8:0",
            "8.8.8.8:0",
            "169.254.169.254:0",
            "[2606:4700::1111]:0",
            "[::ffff:127.0.0.1]:0",
        ]
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
        let kept: Vec<String> = public_addresses(found)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(kept, ["8.8.8.8:0", "[2606:4700::1111]:0"]);
    }

    #[tokio::test]
    async fn a_name_that_resolves_only_to_loopback_is_refused_by_the_resolver() {
        let Ok(name) = "localhost".parse::<Name>() else {
            panic!("localhost is a name");
        };
        let resolved = PublicOnlyResolver.resolve(name).await;
        assert!(
            matches!(&resolved, Err(e) if e.is::<RefusedAddress>()),
            "{:?}",
            resolved.map(|addrs| addrs.collect::<Vec<_>>())
        );
    }

    #[test]
    fn the_refusal_names_neither_a_url_nor_an_address() {
        assert!(!REFUSED_REASON.contains("://"));
        assert!(!REFUSED_REASON.contains("127."));
        assert!(REFUSED_REASON.contains("private networks"));
    }

    #[test]
    fn timeouts_out_of_range_are_refused() {
        assert!(HttpWebhooks::new(Duration::ZERO).is_err());
        assert!(HttpWebhooks::new(TIMEOUT_MAX + Duration::from_millis(1)).is_err());
        assert!(HttpWebhooks::new(WEBHOOK_TIMEOUT).is_ok());
    }
}
