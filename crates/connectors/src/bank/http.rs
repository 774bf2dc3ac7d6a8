//! The production bank connector: a bank's (or card network gateway's) HTTP API for binding cards.
//!
//! The protocol, both calls with `Authorization: Bearer <api_key>` and an `Idempotency-Key` that
//! is random per call and the same on each of its retries:
//! - `POST {base_url}/v1/cards/check` `{"card_number", "holder_name", "id_number",
//!   "reserved_phone", "expiry"?, "cvv"?}` (expiry and cvv only when given) →
//!   `{"result": "code_sent", "reference": "…"}` or `{"result": "holder_mismatch" | "rejected" |
//!   "inactive"}`.
//! - `POST {base_url}/v1/cards/confirm` `{"reference", "code"}` →
//!   `{"result": "bound", "card_token": "…"}` or `{"result": "wrong_code"}`.
//!
//! The check is retried on 5xx, 408, 429, timeouts and connection failures: the bank dedupes by
//! `Idempotency-Key`, so a retry cannot text the holder a second code or start a second binding.
//! The confirm is retried only when the connection failed, which proves the request never
//! arrived: a bank that counts wrong codes might count a repeat, and the holder can simply press
//! confirm again. After the last attempt either is `Unavailable` (`bank_unavailable`). Any other
//! answer is a `Protocol` error. The request bodies — card number, CVV, name, ID number — are
//! never logged or put in an error, and live only for the call.

use crate::config::{ApiKey, ConfigError, check_common, endpoint_below};
use crate::outbound::{Failure, Outbound, Retry, parse_answer};
use async_trait::async_trait;
use qianbao_wallet::{Bank, CardCheck, CardCheckOutcome, CardConfirmOutcome, ConnectorError};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Longest reference or card token accepted from the bank: we store and quote them, so a
/// runaway value must not reach the database.
const BANK_ID_BYTES_MAX: usize = 256;

/// How to reach the bank.
#[derive(Clone, Debug)]
pub struct HttpBankConfig {
    /// The bank API's base URL; the `/v1/cards/…` paths are appended below it.
    pub base_url: String,
    /// The API key the bank issued us, sent as a bearer token.
    pub api_key: ApiKey,
    /// Time allowed for each attempt, connection included.
    pub timeout: Duration,
    /// Extra attempts after the first on a transient failure (at most 10).
    pub retries: u32,
    /// Wait before the first retry; it doubles with each further one, up to 5 s.
    pub backoff: Duration,
}

/// A bank reached over HTTP.
pub struct HttpBank {
    outbound: Outbound,
    check_url: Url,
    confirm_url: Url,
}

impl std::fmt::Debug for HttpBank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpBank")
            .field("check_url", &self.check_url.as_str())
            .finish_non_exhaustive()
    }
}

/// Body of the four-element check. No `Debug`: it holds the card number and the CVV.
#[derive(Serialize)]
struct CheckBody<'a> {
    card_number: &'a str,
    holder_name: &'a str,
    id_number: &'a str,
    reserved_phone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvv: Option<&'a str>,
}

/// Body of the confirmation.
#[derive(Serialize)]
struct ConfirmBody<'a> {
    reference: &'a str,
    code: &'a str,
}

/// The bank's answer to a check.
#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum CheckAnswer {
    CodeSent { reference: String },
    HolderMismatch,
    Rejected,
    Inactive,
}

/// The bank's answer to a confirmation.
#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum ConfirmAnswer {
    Bound { card_token: String },
    WrongCode,
}

impl HttpBank {
    /// Checks the configuration and builds the connector.
    pub fn new(config: HttpBankConfig) -> Result<HttpBank, ConfigError> {
        let check_url = endpoint_below("base_url", &config.base_url, "v1/cards/check")?;
        let confirm_url = endpoint_below("base_url", &config.base_url, "v1/cards/confirm")?;
        check_common(
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        let outbound = Outbound::new(
            "bank",
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        Ok(HttpBank {
            outbound,
            check_url,
            confirm_url,
        })
    }

    /// Posts `body` and parses the answer as `T`.
    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
        body: Vec<u8>,
        retry: Retry,
    ) -> Result<T, ConnectorError> {
        let answer = self
            .outbound
            .post_json(url, body, retry)
            .await
            .map_err(|failure| match failure {
                Failure::Unavailable(reason) => ConnectorError::Unavailable(reason),
                Failure::Refused(status) => {
                    ConnectorError::Protocol(format!("bank refused the call with {status}"))
                }
                Failure::Protocol(reason) => ConnectorError::Protocol(reason),
            })?;
        parse_answer("bank", &answer.body)
    }
}

/// A reference or token as the bank sent it, if it is something we can store and quote back.
fn bank_id(what: &str, value: String) -> Result<String, ConnectorError> {
    if value.is_empty()
        || value.len() > BANK_ID_BYTES_MAX
        || !value.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ConnectorError::Protocol(format!(
            "bank answered a {what} that is empty, longer than {BANK_ID_BYTES_MAX} bytes or not \
             printable ASCII"
        )));
    }
    Ok(value)
}

#[async_trait]
impl Bank for HttpBank {
    async fn check_card(&self, check: &CardCheck) -> Result<CardCheckOutcome, ConnectorError> {
        // The body (CVV included) lives only for this call: it is built here, handed to the HTTP
        // client, and dropped with the call; it is never formatted anywhere.
        let body = serde_json::to_vec(&CheckBody {
            card_number: &check.card_number,
            holder_name: &check.holder_name,
            id_number: &check.id_number,
            reserved_phone: &check.reserved_phone,
            expiry: check.expiry.as_deref(),
            cvv: check.cvv.as_deref(),
        })
        .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
        let answer = self
            .ask::<CheckAnswer>(&self.check_url, body, Retry::Always)
            .await?;
        Ok(match answer {
            CheckAnswer::CodeSent { reference } => CardCheckOutcome::CodeSent {
                bank_reference: bank_id("reference", reference)?,
                // A real bank texts the holder itself.
                sandbox_code: None,
            },
            CheckAnswer::HolderMismatch => CardCheckOutcome::HolderMismatch,
            CheckAnswer::Rejected => CardCheckOutcome::Rejected,
            CheckAnswer::Inactive => CardCheckOutcome::Inactive,
        })
    }

    async fn confirm_card(
        &self,
        bank_reference: &str,
        code: &str,
    ) -> Result<CardConfirmOutcome, ConnectorError> {
        let body = serde_json::to_vec(&ConfirmBody {
            reference: bank_reference,
            code,
        })
        .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
        let answer = self
            .ask::<ConfirmAnswer>(&self.confirm_url, body, Retry::ConnectOnly)
            .await?;
        Ok(match answer {
            ConfirmAnswer::Bound { card_token } => CardConfirmOutcome::Bound {
                card_token: bank_id("card token", card_token)?,
            },
            ConfirmAnswer::WrongCode => CardConfirmOutcome::WrongCode,
        })
    }
}
