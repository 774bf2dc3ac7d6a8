//! The production bank connector: a bank's (or card network gateway's) HTTP API for binding cards
//! and moving money to and from them.
//!
//! The protocol, every call with `Authorization: Bearer <api_key>` and an `Idempotency-Key` that
//! is the same on each of a call's retries — random per call, except for debits and credits,
//! whose key is the movement's reference:
//! - `POST {base_url}/v1/cards/check` `{"card_number", "holder_name", "id_number",
//!   "reserved_phone", "expiry"?, "cvv"?}` (expiry and cvv only when given) →
//!   `{"result": "code_sent", "reference": "…"}` or `{"result": "holder_mismatch" | "rejected" |
//!   "inactive"}`.
//! - `POST {base_url}/v1/cards/confirm` `{"reference", "code"}` →
//!   `{"result": "bound", "card_token": "…"}` or `{"result": "wrong_code"}`.
//! - `POST {base_url}/v1/movements/debit` (a top-up) and `POST {base_url}/v1/movements/credit`
//!   (a withdrawal or settlement), `{"reference", "card_token", "amount", "currency"}` with the
//!   amount in minor units → `{"result": "done" | "insufficient_funds" | "rejected"}`. The card
//!   is named by its token only: the card number is never sent for money.
//! - `POST {base_url}/v1/movements/status` `{"reference"}` → `{"result": "done" |
//!   "insufficient_funds" | "rejected" | "unknown"}`, `unknown` when the bank never received it.
//!
//! The check is retried on 5xx, 408, 429, timeouts and connection failures: the bank dedupes by
//! `Idempotency-Key`, so a retry cannot text the holder a second code or start a second binding.
//! The confirm is retried only when the connection failed, which proves the request never
//! arrived: a bank that counts wrong codes might count a repeat, and the holder can simply press
//! confirm again. Debits, credits and status questions are retried like the check: the bank
//! dedupes a movement by its `Idempotency-Key`, the reference, which stays the same across our
//! retries, other nodes and restarts, so no repeat can move money twice. After the last attempt
//! any call is `Unavailable` (`bank_unavailable`; for a movement: outcome unknown, ask the
//! status later). Any other answer is a `Protocol` error. The request bodies — card number, CVV,
//! name, ID number — are never logged or put in an error, and live only for the call.

use crate::config::{ApiKey, ConfigError, check_common, endpoint_below};
use crate::outbound::{Answer, Failure, Outbound, Retry, parse_answer};
use async_trait::async_trait;
use qianbao_wallet::domain::Cvv;
use qianbao_wallet::{
    Bank, BankMovement, BankOutcome, CardCheck, CardCheckOutcome, CardConfirmOutcome,
    ConnectorError,
};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Longest reference or card token accepted from the bank: we store and quote them, so a
/// runaway value must not reach the database.
const BANK_ID_BYTES_MAX: usize = 256;
/// Longest movement reference we send: it is the `Idempotency-Key` too, and banks cap those.
const MOVEMENT_REFERENCE_BYTES_MAX: usize = 255;

/// How to reach the bank.
#[derive(Clone, Debug)]
pub struct HttpBankConfig {
    /// The bank API's base URL; the `/v1/cards/…` and `/v1/movements/…` paths are appended below
    /// it.
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
    debit_url: Url,
    credit_url: Url,
    status_url: Url,
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
    expiry: Option<String>,
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

/// Body of a debit or credit: the card by its token, never its number.
#[derive(Serialize)]
struct MovementBody<'a> {
    reference: &'a str,
    card_token: &'a str,
    amount: i64,
    currency: &'a str,
}

/// Body of a status question.
#[derive(Serialize)]
struct StatusBody<'a> {
    reference: &'a str,
}

/// The bank's answer to a debit or credit.
#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum MovementAnswer {
    Done,
    InsufficientFunds,
    Rejected,
}

impl From<MovementAnswer> for BankOutcome {
    fn from(answer: MovementAnswer) -> BankOutcome {
        match answer {
            MovementAnswer::Done => BankOutcome::Done,
            MovementAnswer::InsufficientFunds => BankOutcome::InsufficientFunds,
            MovementAnswer::Rejected => BankOutcome::Rejected,
        }
    }
}

/// The bank's answer to a status question.
#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum StatusAnswer {
    Done,
    InsufficientFunds,
    Rejected,
    Unknown,
}

/// Which way a movement goes, for the URL and the error messages.
#[derive(Clone, Copy)]
enum Direction {
    Debit,
    Credit,
}

impl HttpBank {
    /// Checks the configuration and builds the connector.
    pub fn new(config: HttpBankConfig) -> Result<HttpBank, ConfigError> {
        let check_url = endpoint_below("base_url", &config.base_url, "v1/cards/check")?;
        let confirm_url = endpoint_below("base_url", &config.base_url, "v1/cards/confirm")?;
        let debit_url = endpoint_below("base_url", &config.base_url, "v1/movements/debit")?;
        let credit_url = endpoint_below("base_url", &config.base_url, "v1/movements/credit")?;
        let status_url = endpoint_below("base_url", &config.base_url, "v1/movements/status")?;
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
            debit_url,
            credit_url,
            status_url,
        })
    }

    /// Posts `body` and parses the answer as `T`.
    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
        body: Vec<u8>,
        retry: Retry,
    ) -> Result<T, ConnectorError> {
        let answer = self.outbound.post_json(url, body, retry).await;
        Self::read(answer)
    }

    /// Posts `body` with `idempotency_key` on every attempt and parses the answer as `T`.
    async fn ask_keyed<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
        body: Vec<u8>,
        idempotency_key: &str,
    ) -> Result<T, ConnectorError> {
        let answer = self
            .outbound
            .post_json_keyed(url, body, Retry::Always, idempotency_key)
            .await;
        Self::read(answer)
    }

    /// The bank's answer as `T`, or the connector's error for a call that got none.
    fn read<T: serde::de::DeserializeOwned>(
        answer: Result<Answer, Failure>,
    ) -> Result<T, ConnectorError> {
        let answer = answer.map_err(|failure| match failure {
            Failure::Unavailable(reason) => ConnectorError::Unavailable(reason),
            Failure::Refused(status) => {
                ConnectorError::Protocol(format!("bank refused the call with {status}"))
            }
            Failure::Protocol(reason) => ConnectorError::Protocol(reason),
        })?;
        parse_answer("bank", &answer.body)
    }

    /// Sends a debit or credit keyed by its reference, so every repeat is the same movement.
    async fn move_money(
        &self,
        direction: Direction,
        movement: &BankMovement,
    ) -> Result<BankOutcome, ConnectorError> {
        let (url, what) = match direction {
            Direction::Debit => (&self.debit_url, "debit"),
            Direction::Credit => (&self.credit_url, "credit"),
        };
        // Either would be our bug, caught here rather than sent: a reference unfit for a header
        // cannot be the key that makes repeats safe.
        movement_reference(&movement.reference)?;
        if movement.amount_minor <= 0 {
            return Err(ConnectorError::Protocol(format!(
                "a bank {what} needs a positive amount"
            )));
        }
        let body = serde_json::to_vec(&MovementBody {
            reference: &movement.reference,
            card_token: &movement.card_token,
            amount: movement.amount_minor,
            currency: &movement.currency,
        })
        .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
        let answer = self
            .ask_keyed::<MovementAnswer>(url, body, &movement.reference)
            .await?;
        Ok(answer.into())
    }
}

/// Checks a movement reference is something the bank can take as an `Idempotency-Key`.
fn movement_reference(reference: &str) -> Result<(), ConnectorError> {
    if reference.is_empty()
        || reference.len() > MOVEMENT_REFERENCE_BYTES_MAX
        || !reference.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ConnectorError::Protocol(format!(
            "a movement reference must be 1 to {MOVEMENT_REFERENCE_BYTES_MAX} bytes of printable \
             ASCII"
        )));
    }
    Ok(())
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
            expiry: check.expiry.map(|e| e.to_string()),
            cvv: check.cvv.as_ref().map(Cvv::expose),
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

    async fn debit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        self.move_money(Direction::Debit, movement).await
    }

    async fn credit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        self.move_money(Direction::Credit, movement).await
    }

    async fn movement_status(
        &self,
        reference: &str,
    ) -> Result<Option<BankOutcome>, ConnectorError> {
        movement_reference(reference)?;
        let body = serde_json::to_vec(&StatusBody { reference })
            .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
        // A question changes nothing at the bank, so it may be repeated on any failure.
        let answer = self
            .ask::<StatusAnswer>(&self.status_url, body, Retry::Always)
            .await?;
        Ok(match answer {
            StatusAnswer::Done => Some(BankOutcome::Done),
            StatusAnswer::InsufficientFunds => Some(BankOutcome::InsufficientFunds),
            StatusAnswer::Rejected => Some(BankOutcome::Rejected),
            StatusAnswer::Unknown => None,
        })
    }
}
