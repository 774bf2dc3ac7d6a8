//! The production identity verifier: a real-name (实名) service reached over HTTP.
//!
//! The protocol, both calls with `Authorization: Bearer <api_key>` and an `Idempotency-Key`:
//! - `POST {base_url}/v1/identity/verify` `{"name", "id_number"}` →
//!   `{"result": "match" | "mismatch" | "needs_review"}` (`needs_review`: the service cannot
//!   decide and a person must look at the ID photo; the case goes to the console's KYC queue)
//! - `POST {base_url}/v1/identity/face` `{"id_number", "selfie_base64"}` →
//!   `{"result": "match" | "mismatch"}` (a face check has no review: `needs_review` there is a
//!   `Protocol` error).
//!
//! Both are reads, so 5xx, 408, 429, timeouts and connection failures are retried with backoff up
//! to `retries` times, then reported as `Unavailable` (`verifier_unavailable`). Any other answer —
//! a 4xx, unparseable JSON, an unknown `result` — is a `Protocol` error for an operator. The name,
//! the ID number and the image are never logged or put in an error.

use crate::config::{ApiKey, ConfigError, check_common, endpoint_below};
use crate::outbound::{Failure, Outbound, Retry, parse_answer};
use async_trait::async_trait;
use base64::Engine;
use qianbao_wallet::{ConnectorError, FaceVerdict, IdentityVerdict, IdentityVerifier};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How to reach the identity verifier.
#[derive(Clone, Debug)]
pub struct HttpIdentityConfig {
    /// The verifier's base URL; the `/v1/identity/…` paths are appended below it.
    pub base_url: String,
    /// The verifier's API key, sent as a bearer token.
    pub api_key: ApiKey,
    /// Time allowed for each attempt, connection included.
    pub timeout: Duration,
    /// Extra attempts after the first on a transient failure (at most 10).
    pub retries: u32,
    /// Wait before the first retry; it doubles with each further one, up to 5 s.
    pub backoff: Duration,
}

/// An identity verifier reached over HTTP.
pub struct HttpIdentity {
    outbound: Outbound,
    verify_url: Url,
    face_url: Url,
}

impl std::fmt::Debug for HttpIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpIdentity")
            .field("verify_url", &self.verify_url.as_str())
            .finish_non_exhaustive()
    }
}

/// Body of the name check.
#[derive(Serialize)]
struct VerifyBody<'a> {
    name: &'a str,
    id_number: &'a str,
}

/// Body of the face check.
#[derive(Serialize)]
struct FaceBody<'a> {
    id_number: &'a str,
    selfie_base64: &'a str,
}

/// The verifier's answer to either call.
#[derive(Deserialize)]
struct Answer {
    result: Verdict,
}

/// `match`, `mismatch` or `needs_review`; anything else fails to parse and becomes a
/// `Protocol` error.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Match,
    Mismatch,
    NeedsReview,
}

impl HttpIdentity {
    /// Checks the configuration and builds the verifier.
    pub fn new(config: HttpIdentityConfig) -> Result<HttpIdentity, ConfigError> {
        let verify_url = endpoint_below("base_url", &config.base_url, "v1/identity/verify")?;
        let face_url = endpoint_below("base_url", &config.base_url, "v1/identity/face")?;
        check_common(
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        let outbound = Outbound::new(
            "identity verifier",
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        Ok(HttpIdentity {
            outbound,
            verify_url,
            face_url,
        })
    }

    /// Posts `body` to `url` and reads the verdict.
    async fn ask(&self, url: &Url, body: Vec<u8>) -> Result<Verdict, ConnectorError> {
        let answer = self
            .outbound
            .post_json(url, body, Retry::Always)
            .await
            .map_err(into_connector_error)?;
        parse_answer::<Answer>("identity verifier", &answer.body).map(|a| a.result)
    }
}

/// The outbound failure as the port reports it.
fn into_connector_error(failure: Failure) -> ConnectorError {
    match failure {
        Failure::Unavailable(reason) => ConnectorError::Unavailable(reason),
        Failure::Refused(status) => {
            ConnectorError::Protocol(format!("identity verifier refused the call with {status}"))
        }
        Failure::Protocol(reason) => ConnectorError::Protocol(reason),
    }
}

/// Encodes a request body; our own structs of strings always serialize.
fn encode(body: &impl Serialize) -> Result<Vec<u8>, ConnectorError> {
    serde_json::to_vec(body)
        .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))
}

#[async_trait]
impl IdentityVerifier for HttpIdentity {
    async fn verify_name(
        &self,
        name: &str,
        id_number: &str,
    ) -> Result<IdentityVerdict, ConnectorError> {
        let body = encode(&VerifyBody { name, id_number })?;
        Ok(match self.ask(&self.verify_url, body).await? {
            Verdict::Match => IdentityVerdict::Match,
            Verdict::Mismatch => IdentityVerdict::Mismatch,
            Verdict::NeedsReview => IdentityVerdict::NeedsReview,
        })
    }

    async fn verify_face(
        &self,
        id_number: &str,
        selfie: &[u8],
    ) -> Result<FaceVerdict, ConnectorError> {
        let selfie_base64 = base64::engine::general_purpose::STANDARD.encode(selfie);
        let body = encode(&FaceBody {
            id_number,
            selfie_base64: &selfie_base64,
        })?;
        Ok(match self.ask(&self.face_url, body).await? {
            Verdict::Match => FaceVerdict::Match,
            Verdict::Mismatch => FaceVerdict::Mismatch,
            Verdict::NeedsReview => {
                return Err(ConnectorError::Protocol(
                    "identity verifier answered needs_review to a face check".to_owned(),
                ));
            }
        })
    }
}
