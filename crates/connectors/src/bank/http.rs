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
//!   (a withdrawal or settlement), `{"reference", "kind", "card_token", "amount", "currency"}`
//!   with `kind` one of `topup`, `withdrawal`, `settlement` and the amount in minor units →
//!   `{"result": "done", "bank_reference": "…"}` or `{"result": "insufficient_funds" |
//!   "rejected"}`. `bank_reference` is the bank's own reference for the movement — for a
//!   settlement it may batch, the batch's — as its statement will show it: 1 to 128 ASCII letters,
//!   digits, `.`, `_` or `-`. The card is named by its token only: the card number is never sent
//!   for money.
//! - `POST {base_url}/v1/movements/status` `{"reference"}` → `{"result": "done",
//!   "bank_reference": "…"}` or `{"result": "insufficient_funds" | "rejected" | "unknown"}`,
//!   `unknown` when the bank never received it.
//! - `POST {base_url}/v1/statements` `{"day": "YYYY-MM-DD", "cursor"?}` → `{"lines": [{"date",
//!   "bank_reference", "kind", "amount", "currency", "references": ["…"]}], "next_cursor": "…" |
//!   null}`: the movements the bank booked that day (a day in China), one line per bank
//!   reference, `references` being ours (several for a batch), a page at a time — the next asked
//!   with the `next_cursor` of the last, until it is null.
//!
//! The check is retried on 5xx, 408, 429, timeouts and connection failures: the bank dedupes by
//! `Idempotency-Key`, so a retry cannot text the holder a second code or start a second binding.
//! The confirm is retried only when the connection failed, which proves the request never
//! arrived: a bank that counts wrong codes might count a repeat, and the holder can simply press
//! confirm again. Debits, credits, status questions and statement pages are retried like the
//! check (a statement page is a read): the bank
//! dedupes a movement by its `Idempotency-Key`, the reference, which stays the same across our
//! retries, other nodes and restarts, so no repeat can move money twice. After the last attempt
//! any call is `Unavailable` (`bank_unavailable`; for a movement: outcome unknown, ask the
//! status later). Any other answer is a `Protocol` error. The request bodies — card number, CVV,
//! name, ID number — are never logged or put in an error, and live only for the call.

use crate::config::{ApiKey, ConfigError, check_common, endpoint_below};
use crate::outbound::{Answer, Failure, Outbound, Retry, parse_answer};
use async_trait::async_trait;
use qianbao_ledger::{Currency, PositiveAmount};
use qianbao_wallet::domain::{BankKind, BankReference, ChinaDay, Cvv};
use qianbao_wallet::recon::statement::{day_text, parse_day};
use qianbao_wallet::recon::{Statement, StatementLine};
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
/// The most statement pages read for one day: each is at most 64 KiB, so this bounds a day's
/// statement at 640 MiB — beyond any day's, and short of reading forever from a bank whose
/// cursor never ends.
const STATEMENT_PAGES_MAX: usize = 10_000;

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
    statement_url: Url,
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
    kind: &'a str,
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
    Done { bank_reference: String },
    InsufficientFunds,
    Rejected,
}

impl MovementAnswer {
    /// The answer as an outcome; a bank reference we could not quote is the bank's error.
    fn outcome(self) -> Result<BankOutcome, ConnectorError> {
        Ok(match self {
            MovementAnswer::Done { bank_reference } => BankOutcome::Done {
                bank_reference: bank_reference_of(&bank_reference)?,
            },
            MovementAnswer::InsufficientFunds => BankOutcome::InsufficientFunds,
            MovementAnswer::Rejected => BankOutcome::Rejected,
        })
    }
}

/// The bank's answer to a status question.
#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum StatusAnswer {
    Done { bank_reference: String },
    InsufficientFunds,
    Rejected,
    Unknown,
}

/// Body of a statement page's request.
#[derive(Serialize)]
struct StatementBody<'a> {
    day: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<&'a str>,
}

/// One page of a statement.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementPage {
    lines: Vec<StatementAnswerLine>,
    next_cursor: Option<String>,
}

/// One statement line as the bank sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementAnswerLine {
    date: String,
    bank_reference: String,
    kind: String,
    amount: i64,
    currency: String,
    references: Vec<String>,
}

impl StatementAnswerLine {
    /// The line, checked as a statement file's line is.
    fn line(self) -> Result<StatementLine, ConnectorError> {
        let bad =
            |what: &str| ConnectorError::Protocol(format!("bank's statement line has {what}"));
        let date = parse_day(&self.date).ok_or_else(|| bad("a date that is not YYYY-MM-DD"))?;
        let kind = BankKind::parse(&self.kind).ok_or_else(|| bad("an unknown kind"))?;
        let amount = PositiveAmount::new(self.amount).ok_or_else(|| bad("no positive amount"))?;
        let currency = Currency::parse(&self.currency).ok_or_else(|| bad("an unknown currency"))?;
        if self.references.is_empty()
            || !self
                .references
                .iter()
                .all(|r| qianbao_wallet::domain::bank::is_reference(r))
        {
            return Err(bad("references we cannot quote"));
        }
        Ok(StatementLine {
            date,
            bank_reference: bank_reference_of(&self.bank_reference)?,
            kind,
            amount,
            currency,
            our_references: self.references,
        })
    }
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
        let statement_url = endpoint_below("base_url", &config.base_url, "v1/statements")?;
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
            statement_url,
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
            kind: movement.kind.as_str(),
            card_token: &movement.card_token,
            amount: movement.amount_minor,
            currency: &movement.currency,
        })
        .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
        self.ask_keyed::<MovementAnswer>(url, body, &movement.reference)
            .await?
            .outcome()
    }
}

/// The bank's reference as it sent it, if we can keep it and quote it in a statement.
fn bank_reference_of(text: &str) -> Result<BankReference, ConnectorError> {
    BankReference::parse(text).ok_or_else(|| {
        ConnectorError::Protocol(
            "bank answered a bank_reference that is not 1-128 ASCII letters, digits, '.', '_' \
             or '-'"
                .to_owned(),
        )
    })
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
            StatusAnswer::Done { bank_reference } => Some(BankOutcome::Done {
                bank_reference: bank_reference_of(&bank_reference)?,
            }),
            StatusAnswer::InsufficientFunds => Some(BankOutcome::InsufficientFunds),
            StatusAnswer::Rejected => Some(BankOutcome::Rejected),
            StatusAnswer::Unknown => None,
        })
    }

    async fn statement(&self, day: ChinaDay) -> Result<Statement, ConnectorError> {
        let day = day_text(day);
        let mut statement = Statement::default();
        let mut cursor: Option<String> = None;
        for _ in 0..STATEMENT_PAGES_MAX {
            let body = serde_json::to_vec(&StatementBody {
                day: &day,
                cursor: cursor.as_deref(),
            })
            .map_err(|e| ConnectorError::Protocol(format!("request could not be encoded: {e}")))?;
            let page = self
                .ask::<StatementPage>(&self.statement_url, body, Retry::Always)
                .await?;
            for line in page.lines {
                statement.lines.push(line.line()?);
            }
            match page.next_cursor {
                // A cursor that does not move would read the same page for ever.
                Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                    return Err(ConnectorError::Protocol(
                        "bank's statement cursor did not move".to_owned(),
                    ));
                }
                Some(next) => cursor = Some(next),
                // Read back through the file's rules, so a bank reference or one of ours on two
                // lines is refused here as it would be in a file.
                None => {
                    return Statement::parse_csv(statement.to_csv().as_bytes()).map_err(|e| {
                        ConnectorError::Protocol(format!("bank's statement of {day}: {e}"))
                    });
                }
            }
        }
        Err(ConnectorError::Protocol(format!(
            "bank's statement of {day} runs past {STATEMENT_PAGES_MAX} pages"
        )))
    }
}
