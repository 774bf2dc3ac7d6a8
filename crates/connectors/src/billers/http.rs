//! The production billers: a bill network's (a bank's or an aggregator's) HTTP API.
//!
//! The protocol, every call a `POST` with `Authorization: Bearer <api_key>` and an
//! `Idempotency-Key` — random per call, except a payment's, which is our payment id:
//! - `{base_url}/v1/billers` `{}` → `{"billers": [{"id", "name", "kind", "city"}]}`, `kind` one of
//!   `water`, `electricity`, `gas`, `phone`.
//! - `{base_url}/v1/bills/lookup` `{"biller_id", "account"}` → `{"result": "due", "reference",
//!   "amount", "period", "masked_name"}` (amount in fen, a positive integer) or
//!   `{"result": "not_found" | "paid"}`.
//! - `{base_url}/v1/bills/pay` `{"payment_id", "biller_id", "reference", "amount"}` →
//!   `{"result": "paid", "receipt"}`, `{"result": "refused"}`, or `{"result": "pending"}` when the
//!   network has not heard from the biller yet.
//! - `{base_url}/v1/bills/status` `{"payment_id", "biller_id"}` → the same answers as a payment,
//!   or `{"result": "unknown"}` when the network never received it.
//!
//! Look-ups, the list and status questions are reads, and a payment is deduped by its
//! `Idempotency-Key`, our payment id, which is the same on every retry, node and restart: so all
//! four are retried on 5xx, 408, 429, timeouts and connection failures, then reported
//! `Unavailable` (for a payment: outcome unknown, the reconciler asks later). Any other answer
//! is a `Protocol` error and is refused whole: a 4xx, a body that is not the JSON above, an
//! amount that is not a positive whole number of fen, a reference, receipt or name out of bounds,
//! a list with an unknown kind or a biller twice. Answers are capped at 64 KiB by the outbound
//! path; errors never quote them.

use crate::config::{ApiKey, ConfigError, check_common, endpoint_below};
use crate::outbound::{Failure, Outbound, Retry, parse_answer};
use async_trait::async_trait;
use qianbao_ledger::PositiveAmount;
use qianbao_wallet::ConnectorError;
use qianbao_wallet::bills::{
    BillAccount, BillOrder, Biller, BillerKind, Billers, DueBill, LookedUp, PaidAnswer,
};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The network's name in error messages.
const PROVIDER: &str = "bill network";
/// Longest id, reference or receipt kept from the network: we store and show them.
const ID_BYTES_MAX: usize = 128;
/// Longest name, city, period or masked name, in characters.
const TEXT_CHARS_MAX: usize = 64;
/// Most billers one list may hold: a network's catalogue, not an unbounded stream.
const BILLERS_MAX: usize = 10_000;
/// Largest bill accepted, in fen (¥10,000,000): above that is not a household bill.
const AMOUNT_MAX: i64 = 1_000_000_000;

/// How to reach the bill network.
#[derive(Clone, Debug)]
pub struct HttpBillersConfig {
    /// The network's base URL; the `/v1/…` paths are appended below it.
    pub base_url: String,
    /// The API key it issued us, sent as a bearer token.
    pub api_key: ApiKey,
    /// Time allowed for each attempt, connection included.
    pub timeout: Duration,
    /// Extra attempts after the first on a transient failure (at most 10).
    pub retries: u32,
    /// Wait before the first retry; it doubles with each further one, up to 5 s.
    pub backoff: Duration,
}

/// Billers reached over HTTP.
pub struct HttpBillers {
    outbound: Outbound,
    billers_url: Url,
    lookup_url: Url,
    pay_url: Url,
    status_url: Url,
}

impl std::fmt::Debug for HttpBillers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpBillers")
            .field("billers_url", &self.billers_url.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct LookupBody<'a> {
    biller_id: &'a str,
    account: &'a str,
}

#[derive(Serialize)]
struct PayBody<'a> {
    payment_id: &'a str,
    biller_id: &'a str,
    reference: &'a str,
    amount: i64,
}

#[derive(Serialize)]
struct StatusBody<'a> {
    payment_id: &'a str,
    biller_id: &'a str,
}

#[derive(Deserialize)]
struct BillerList {
    billers: Vec<BillerEntry>,
}

#[derive(Deserialize)]
struct BillerEntry {
    id: String,
    name: String,
    kind: String,
    city: String,
}

#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum LookupAnswer {
    Due {
        reference: String,
        amount: serde_json::Value,
        period: String,
        masked_name: String,
    },
    NotFound,
    Paid,
}

#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum PayAnswer {
    Paid { receipt: String },
    Refused,
    Pending,
    Unknown,
}

impl HttpBillers {
    /// Checks the configuration and builds the connector.
    pub fn new(config: HttpBillersConfig) -> Result<HttpBillers, ConfigError> {
        let below = |path| endpoint_below("base_url", &config.base_url, path);
        let (billers_url, lookup_url) = (below("v1/billers")?, below("v1/bills/lookup")?);
        let (pay_url, status_url) = (below("v1/bills/pay")?, below("v1/bills/status")?);
        check_common(
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        let outbound = Outbound::new(
            PROVIDER,
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        Ok(HttpBillers {
            outbound,
            billers_url,
            lookup_url,
            pay_url,
            status_url,
        })
    }

    /// Posts `body` (under `key` when given, else a random one) and parses the answer as `T`.
    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
        body: &impl Serialize,
        key: Option<&str>,
    ) -> Result<T, ConnectorError> {
        let body = serde_json::to_vec(body)
            .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
        let answer = match key {
            Some(key) => {
                self.outbound
                    .post_json_keyed(url, body, Retry::Always, key)
                    .await
            }
            None => self.outbound.post_json(url, body, Retry::Always).await,
        }
        .map_err(|failure| match failure {
            Failure::Unavailable(reason) => ConnectorError::Unavailable(reason),
            Failure::Refused(status) => {
                ConnectorError::Protocol(format!("{PROVIDER} refused the call with {status}"))
            }
            Failure::Protocol(reason) => ConnectorError::Protocol(reason),
        })?;
        parse_answer(PROVIDER, &answer.body)
    }
}

/// A protocol error about the answer.
fn refused(what: &str) -> ConnectorError {
    ConnectorError::Protocol(format!("{PROVIDER} answered {what}"))
}

/// An id, reference or receipt we can store and show: 1–128 printable ASCII bytes.
fn id_of(what: &str, text: String) -> Result<String, ConnectorError> {
    let ok = !text.is_empty()
        && text.len() <= ID_BYTES_MAX
        && text.bytes().all(|b| b.is_ascii_graphic());
    ok.then_some(text).ok_or_else(|| {
        refused(&format!(
            "a {what} that is empty, over {ID_BYTES_MAX} bytes or not printable ASCII"
        ))
    })
}

/// A name or period we can show: 1–64 characters, none of them control characters.
fn text_of(what: &str, text: String) -> Result<String, ConnectorError> {
    let count = text.chars().count();
    let ok = (1..=TEXT_CHARS_MAX).contains(&count) && !text.chars().any(char::is_control);
    ok.then_some(text).ok_or_else(|| {
        refused(&format!(
            "a {what} that is empty, over {TEXT_CHARS_MAX} characters or has control characters"
        ))
    })
}

/// An amount in fen: a JSON integer from 1 to [`AMOUNT_MAX`]; a float or a string is refused.
fn amount_of(value: &serde_json::Value) -> Result<PositiveAmount, ConnectorError> {
    value
        .as_i64()
        .filter(|v| (1..=AMOUNT_MAX).contains(v))
        .and_then(PositiveAmount::new)
        .ok_or_else(|| refused("an amount that is not a whole number of fen from 1 to 10^9"))
}

/// The answer to a payment or a status question.
fn paid_of(answer: PayAnswer) -> Result<PaidAnswer, ConnectorError> {
    Ok(match answer {
        PayAnswer::Paid { receipt } => PaidAnswer::Paid {
            receipt: id_of("receipt", receipt)?,
        },
        PayAnswer::Refused => PaidAnswer::Refused,
        PayAnswer::Pending | PayAnswer::Unknown => PaidAnswer::Unknown,
    })
}

#[async_trait]
impl Billers for HttpBillers {
    async fn billers(&self) -> Result<Vec<Biller>, ConnectorError> {
        let list: BillerList = self.ask(&self.billers_url, &Empty {}, None).await?;
        if list.billers.len() > BILLERS_MAX {
            return Err(refused("more billers than a list may hold"));
        }
        let mut billers: Vec<Biller> = Vec::with_capacity(list.billers.len());
        for entry in list.billers {
            let kind = BillerKind::parse(&entry.kind)
                .ok_or_else(|| refused("a biller of an unknown kind"))?;
            let id = id_of("biller id", entry.id)?;
            if billers.iter().any(|b| b.id == id) {
                return Err(refused("a biller twice"));
            }
            billers.push(Biller {
                id,
                name: text_of("biller name", entry.name)?,
                kind,
                city: text_of("city", entry.city)?,
            });
        }
        Ok(billers)
    }

    async fn look_up(
        &self,
        biller_id: &str,
        account: &BillAccount,
    ) -> Result<LookedUp, ConnectorError> {
        let body = LookupBody {
            biller_id,
            account: account.as_str(),
        };
        Ok(match self.ask(&self.lookup_url, &body, None).await? {
            LookupAnswer::Due {
                reference,
                amount,
                period,
                masked_name,
            } => LookedUp::Due(DueBill {
                reference: id_of("reference", reference)?,
                amount: amount_of(&amount)?,
                period: text_of("period", period)?,
                masked_name: text_of("masked name", masked_name)?,
            }),
            LookupAnswer::NotFound => LookedUp::NotFound,
            LookupAnswer::Paid => LookedUp::AlreadyPaid,
        })
    }

    async fn pay(&self, order: &BillOrder) -> Result<PaidAnswer, ConnectorError> {
        let body = PayBody {
            payment_id: &order.payment_id,
            biller_id: &order.biller_id,
            reference: &order.reference,
            amount: order.amount.amount().minor(),
        };
        let answer: PayAnswer = self
            .ask(&self.pay_url, &body, Some(&order.payment_id))
            .await?;
        // "Never received" is no answer to a payment we just sent: it means the same as pending.
        paid_of(answer)
    }

    async fn payment_status(
        &self,
        biller_id: &str,
        payment_id: &str,
    ) -> Result<PaidAnswer, ConnectorError> {
        let body = StatusBody {
            payment_id,
            biller_id,
        };
        paid_of(self.ask(&self.status_url, &body, None).await?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_positive_fen() {
        assert_eq!(
            amount_of(&serde_json::json!(8800))
                .unwrap()
                .amount()
                .minor(),
            8800
        );
        for bad in [
            serde_json::json!(0),
            serde_json::json!(-5),
            serde_json::json!(88.5),
            serde_json::json!("8800"),
            serde_json::json!(1_000_000_001),
            serde_json::Value::Null,
        ] {
            assert!(amount_of(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn receipts_and_names_are_bounded() {
        assert!(id_of("receipt", "R-1".into()).is_ok());
        assert!(id_of("receipt", String::new()).is_err());
        assert!(id_of("receipt", "a b".into()).is_err());
        assert!(id_of("receipt", "x".repeat(129)).is_err());
        assert!(text_of("name", "*明".into()).is_ok());
        assert!(text_of("name", "a\nb".into()).is_err());
        assert!(text_of("name", "字".repeat(65)).is_err());
    }
}
