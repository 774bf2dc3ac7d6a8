//! The one way the production connectors call out: a JSON POST with a bearer key, an
//! `Idempotency-Key` (random per call, or the caller's when the call must be recognised across
//! processes), a timeout per attempt, bounded retries with backoff, and a capped answer.
//!
//! Nothing here logs or formats a request body: bodies carry names, ID numbers, card numbers and
//! CVVs. Errors name the status or the kind of transport failure, never the payload, and drop the
//! URL from reqwest's errors so a misconfigured URL cannot leak anything either.

use crate::config::{ApiKey, BACKOFF_MAX, ConfigError};
use bytes::Bytes;
use qianbao_wallet::{OsRandomness, Randomness};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{StatusCode, Url};
use std::sync::Arc;
use std::time::Duration;

/// Largest answer read from a provider: their answers are a few fields; anything bigger is not
/// the protocol, and reading it unbounded would let a broken provider exhaust our memory.
const ANSWER_BYTES_MAX: usize = 64 * 1024;
/// Header carrying the per-call key that lets a provider recognise a retry as the same call.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// When a failed attempt may be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// On 5xx, 408, 429, timeouts and connection failures: the call is safe to repeat (a read,
    /// or a write the provider dedupes by `Idempotency-Key`).
    Always,
    /// Only when the connection could not be made, so the request certainly never arrived.
    ConnectOnly,
}

/// A 2xx answer's body.
pub(crate) struct Answer {
    /// The body, at most [`ANSWER_BYTES_MAX`] bytes.
    pub(crate) body: Vec<u8>,
}

/// Why a call gave no 2xx answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Every allowed attempt met a busy, slow or unreachable provider.
    Unavailable(String),
    /// A 4xx other than 408/429: the provider refused this request (or our key) for good.
    Refused(StatusCode),
    /// An answer outside the protocol (a redirect, a 1xx, an oversized body).
    Protocol(String),
}

/// What one attempt came to, before deciding whether to try again.
enum Attempt {
    /// Final: success, or a failure no retry can change.
    Done(Result<Answer, Failure>),
    /// Failed in a way that may pass later; `arrived` says whether the request may have reached
    /// the provider (only a connection failure proves it did not).
    Transient { reason: String, arrived: bool },
}

/// An HTTP client bound to one provider's key, timeout and retry policy.
pub(crate) struct Outbound {
    client: reqwest::Client,
    /// `Bearer <key>`, marked sensitive so hyper and reqwest never print it.
    authorization: HeaderValue,
    retries: u32,
    backoff: Duration,
    /// The provider's name in error messages (`SMS gateway`, `bank`, …).
    provider: &'static str,
    /// Where idempotency keys come from: the OS (production connectors never run in the
    /// simulation, which uses the sandbox ones).
    random: Arc<dyn Randomness>,
}

impl Outbound {
    /// Builds the client; the settings were checked by `config::check_common`.
    pub(crate) fn new(
        provider: &'static str,
        api_key: &ApiKey,
        timeout: Duration,
        retries: u32,
        backoff: Duration,
    ) -> Result<Outbound, ConfigError> {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", api_key.expose()))
            .map_err(|_| ConfigError::Invalid {
                field: "api_key",
                reason: "is not a valid header value".to_owned(),
            })?;
        authorization.set_sensitive(true);
        #[cfg(feature = "tls")]
        crate::install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect would carry our key and the body to wherever the provider points; a
            // provider that moves must be reconfigured by an operator instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("qianbao-connectors/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Client(e.without_url().to_string()))?;
        Ok(Outbound {
            client,
            authorization,
            retries,
            backoff,
            provider,
            random: Arc::new(OsRandomness),
        })
    }

    /// POSTs `body` (JSON) to `url`, trying up to `retries + 1` times as `retry` allows, with one
    /// `Idempotency-Key` for all attempts so the provider can tell a retry from a new call.
    pub(crate) async fn post_json(
        &self,
        url: &Url,
        body: Vec<u8>,
        retry: Retry,
    ) -> Result<Answer, Failure> {
        let idempotency_key =
            new_idempotency_key(self.random.as_ref()).map_err(Failure::Unavailable)?;
        self.post_json_keyed(url, body, retry, &idempotency_key)
            .await
    }

    /// [`Outbound::post_json`] with the caller's `Idempotency-Key`: for calls the provider must
    /// recognise as the same even when they come from another process or after a restart (a
    /// bank movement keyed by its reference), where a key random per call would not do.
    pub(crate) async fn post_json_keyed(
        &self,
        url: &Url,
        body: Vec<u8>,
        retry: Retry,
        idempotency_key: &str,
    ) -> Result<Answer, Failure> {
        // Checked once here: reqwest would report a bad header value only at send, as a
        // transport error that looks transient and would be retried to no purpose.
        let idempotency_key = HeaderValue::from_str(idempotency_key).map_err(|_| {
            Failure::Protocol(format!(
                "the idempotency key for the {} is not a valid header value",
                self.provider
            ))
        })?;
        // Bytes, so each attempt shares the one buffer instead of copying the body.
        let body = Bytes::from(body);
        let mut attempt: u32 = 0;
        loop {
            let (reason, arrived) = match self.attempt(url, &body, &idempotency_key).await {
                Attempt::Done(result) => return result,
                Attempt::Transient { reason, arrived } => (reason, arrived),
            };
            let may_repeat = match retry {
                Retry::Always => true,
                Retry::ConnectOnly => !arrived,
            };
            if !may_repeat || attempt >= self.retries {
                let tries = attempt + 1;
                return Err(Failure::Unavailable(format!(
                    "{} {reason} ({tries} attempt{})",
                    self.provider,
                    if tries == 1 { "" } else { "s" }
                )));
            }
            tokio::time::sleep(backoff_before(attempt, self.backoff)).await;
            attempt += 1;
        }
    }

    /// One attempt: send, classify the status, read the answer within its cap.
    async fn attempt(&self, url: &Url, body: &Bytes, idempotency_key: &HeaderValue) -> Attempt {
        let sent = self
            .client
            .post(url.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(IDEMPOTENCY_KEY, idempotency_key.clone())
            .body(body.clone())
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(e) => return transport_failure(&e),
        };
        let status = response.status();
        if status.is_success() {
            return match read_capped(&mut response).await {
                Ok(body) => Attempt::Done(Ok(Answer { body })),
                Err(ReadError::TooLarge) => Attempt::Done(Err(Failure::Protocol(format!(
                    "{} answered more than {ANSWER_BYTES_MAX} bytes",
                    self.provider
                )))),
                // The provider handled the call but the answer was lost on the way: only a
                // repeatable call may ask again.
                Err(ReadError::Transport(e)) => transport_failure(&e),
            };
        }
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
        {
            return Attempt::Transient {
                reason: format!("answered {status}"),
                arrived: true,
            };
        }
        if status.is_client_error() {
            return Attempt::Done(Err(Failure::Refused(status)));
        }
        Attempt::Done(Err(Failure::Protocol(format!(
            "{} answered {status}, which the protocol does not use",
            self.provider
        ))))
    }
}

/// Parses a 2xx answer as `T`, which must come as a JSON object: serde would also take a struct
/// from an array, and the protocol has none.
///
/// Errors give the kind of error and where, never serde's message, which can quote the answer —
/// and a provider echoing the request would put a name or an ID number into our logs.
pub(crate) fn parse_answer<T: serde::de::DeserializeOwned>(
    provider: &str,
    body: &[u8],
) -> Result<T, qianbao_wallet::ConnectorError> {
    let unexpected = |e: serde_json::Error| {
        qianbao_wallet::ConnectorError::Protocol(format!(
            "{provider} answered unexpected JSON ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(unexpected)?;
    if !value.is_object() {
        return Err(qianbao_wallet::ConnectorError::Protocol(format!(
            "{provider} answered JSON that is not an object"
        )));
    }
    serde_json::from_value(value).map_err(unexpected)
}

/// Classifies a reqwest error; only a failed connection proves the request never arrived.
fn transport_failure(e: &reqwest::Error) -> Attempt {
    let arrived = !e.is_connect();
    let reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not be reached".to_owned()
    } else {
        // Without the URL: it is configuration, not news, and must not reach logs twice.
        format!("failed: {}", without_url(e))
    };
    Attempt::Transient { reason, arrived }
}

/// The error's text without its URL.
fn without_url(e: &reqwest::Error) -> String {
    // `without_url` consumes the error; rebuild the message from the source chain instead.
    let mut text = String::from("transport error");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Why an answer body could not be read.
enum ReadError {
    TooLarge,
    Transport(reqwest::Error),
}

/// Reads the body chunk by chunk, refusing it as soon as it passes the cap.
async fn read_capped(response: &mut reqwest::Response) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|n| n > ANSWER_BYTES_MAX as u64)
    {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len() + chunk.len() > ANSWER_BYTES_MAX {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The wait before retry number `attempt + 1`: `first`, doubling each time, capped.
fn backoff_before(attempt: u32, first: Duration) -> Duration {
    first
        .checked_mul(1u32 << attempt.min(16))
        .map_or(BACKOFF_MAX, |d| d.min(BACKOFF_MAX))
}

/// 128 random bits as hex: unique per call without coordination between nodes.
fn new_idempotency_key(random: &dyn Randomness) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    random
        .fill(&mut bytes)
        .map_err(|e| format!("no randomness for an idempotency key: {e}"))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_first_wait_and_stops_at_the_cap() {
        let first = Duration::from_millis(100);
        let waits: Vec<u128> = (0..8)
            .map(|n| backoff_before(n, first).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        assert_eq!(backoff_before(u32::MAX, first), BACKOFF_MAX);
        assert_eq!(backoff_before(3, Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn idempotency_keys_are_128_bit_hex_and_differ() -> Result<(), String> {
        let a = new_idempotency_key(&OsRandomness)?;
        let b = new_idempotency_key(&OsRandomness)?;
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        Ok(())
    }
}
