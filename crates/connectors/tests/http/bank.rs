//! `HttpBank` against a local receiver.

use crate::receiver::{Receiver, Reply, unreachable_url};
use qianbao_connectors::{ApiKey, ConfigError, HttpBank, HttpBankConfig};
use qianbao_wallet::domain::{BankKind, BankReference, ChinaDay};
use qianbao_wallet::recon::statement::parse_day;
use qianbao_wallet::{
    Bank, BankMovement, BankOutcome, CardCheck, CardCheckOutcome, CardConfirmOutcome,
    ConnectorError,
};
use std::time::{Duration, Instant};

const CARD: &str = "6222020000000000003";
const CVV: &str = "737";
const CODE_SENT: &str = r#"{"result":"code_sent","reference":"ref-123"}"#;
/// A movement done, under the bank's reference `B-1`.
const DONE: &str = r#"{"result":"done","bank_reference":"B-1"}"#;

/// `Done` under the bank's reference `B-1`.
fn done() -> BankOutcome {
    BankOutcome::Done {
        bank_reference: BankReference::parse("B-1").unwrap_or_else(|| panic!("B-1 is a reference")),
    }
}

fn config(base_url: String, retries: u32) -> HttpBankConfig {
    HttpBankConfig {
        base_url,
        api_key: ApiKey::new("bank-key-789"),
        timeout: Duration::from_secs(5),
        retries,
        backoff: Duration::from_millis(10),
    }
}

fn bank(config: HttpBankConfig) -> HttpBank {
    match HttpBank::new(config) {
        Ok(bank) => bank,
        Err(e) => panic!("config refused: {e}"),
    }
}

fn debit_check() -> CardCheck {
    CardCheck {
        card_number: CARD.to_owned(),
        holder_name: "张三".to_owned(),
        id_number: "110101199001010019".to_owned(),
        reserved_phone: "+8613812345678".to_owned(),
        expiry: None,
        cvv: None,
    }
}

/// A top-up or payout of ¥123.45 on [`CARD`], bound as `tok_abc`.
fn movement(reference: &str) -> BankMovement {
    BankMovement {
        reference: reference.to_owned(),
        kind: BankKind::Withdrawal,
        card_token: "tok_abc".to_owned(),
        card_number: CARD.to_owned(),
        amount_minor: 12_345,
        currency: "CNY".to_owned(),
    }
}

/// Which of the two money calls a test makes.
#[derive(Clone, Copy, Debug)]
enum Way {
    Debit,
    Credit,
}

impl Way {
    const BOTH: [Way; 2] = [Way::Debit, Way::Credit];

    fn path(self) -> &'static str {
        match self {
            Way::Debit => "/v1/movements/debit",
            Way::Credit => "/v1/movements/credit",
        }
    }

    async fn send(
        self,
        bank: &HttpBank,
        movement: &BankMovement,
    ) -> Result<BankOutcome, ConnectorError> {
        match self {
            Way::Debit => bank.debit(movement).await,
            Way::Credit => bank.credit(movement).await,
        }
    }
}

fn credit_check() -> CardCheck {
    CardCheck {
        expiry: qianbao_wallet::domain::CardExpiry::parse_on("12/30", time::Date::MIN),
        cvv: qianbao_wallet::domain::Cvv::parse(CVV),
        ..debit_check()
    }
}

#[tokio::test]
async fn a_debit_card_check_posts_the_four_elements_without_expiry_or_cvv() {
    let receiver = Receiver::start(vec![Reply::json(200, CODE_SENT)]).await;

    let outcome = bank(config(receiver.base_url.clone(), 0))
        .check_card(&debit_check())
        .await;

    assert_eq!(
        outcome.ok(),
        Some(CardCheckOutcome::CodeSent {
            bank_reference: "ref-123".to_owned(),
            sandbox_code: None
        })
    );
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/cards/check");
    assert_eq!(received[0].header("authorization"), "Bearer bank-key-789");
    assert_eq!(received[0].header("content-type"), "application/json");
    assert_eq!(received[0].header("idempotency-key").len(), 32);
    // Exactly these keys: no `cvv` or `expiry`, not even as null.
    assert_eq!(
        received[0].json(),
        serde_json::json!({
            "card_number": CARD,
            "holder_name": "张三",
            "id_number": "110101199001010019",
            "reserved_phone": "+8613812345678",
        })
    );
}

#[tokio::test]
async fn a_credit_card_check_carries_expiry_and_cvv() {
    let receiver = Receiver::start(vec![Reply::json(200, CODE_SENT)]).await;
    let outcome = bank(config(receiver.base_url.clone(), 0))
        .check_card(&credit_check())
        .await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let body = receiver.received()[0].json();
    assert_eq!(body["expiry"], "12/30");
    assert_eq!(body["cvv"], CVV);
}

#[tokio::test]
async fn check_answers_map_to_outcomes() {
    let cases = [
        (
            CODE_SENT,
            CardCheckOutcome::CodeSent {
                bank_reference: "ref-123".to_owned(),
                sandbox_code: None,
            },
        ),
        (
            r#"{"result":"holder_mismatch"}"#,
            CardCheckOutcome::HolderMismatch,
        ),
        (r#"{"result":"rejected"}"#, CardCheckOutcome::Rejected),
        (r#"{"result":"inactive"}"#, CardCheckOutcome::Inactive),
    ];
    for (answer, expected) in cases {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let outcome = bank(config(receiver.base_url.clone(), 0))
            .check_card(&debit_check())
            .await;
        assert_eq!(outcome.ok(), Some(expected), "{answer}");
    }
}

#[tokio::test]
async fn a_card_check_is_retried_with_the_same_idempotency_key_and_then_succeeds() {
    let receiver = Receiver::start(vec![
        Reply::json(500, ""),
        Reply::json(503, ""),
        Reply::json(200, CODE_SENT),
    ])
    .await;

    let outcome = bank(config(receiver.base_url.clone(), 2))
        .check_card(&credit_check())
        .await;

    assert!(
        matches!(outcome, Ok(CardCheckOutcome::CodeSent { .. })),
        "{outcome:?}"
    );
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    let keys: Vec<String> = received
        .iter()
        .map(|r| r.header("idempotency-key"))
        .collect();
    assert!(
        keys.iter().all(|k| k == &keys[0] && k.len() == 32),
        "{keys:?}"
    );
    // Every retry is the same request, CVV included.
    assert!(received.iter().all(|r| r.body == received[0].body));
}

#[tokio::test]
async fn two_card_checks_carry_different_idempotency_keys() {
    let receiver = Receiver::start(vec![Reply::json(200, CODE_SENT)]).await;
    let bank = bank(config(receiver.base_url.clone(), 0));
    for _ in 0..2 {
        assert!(bank.check_card(&debit_check()).await.is_ok());
    }
    let received = receiver.received();
    assert_ne!(
        received[0].header("idempotency-key"),
        received[1].header("idempotency-key")
    );
}

#[tokio::test]
async fn a_card_check_failing_forever_is_unavailable_after_retries_plus_one_attempts() {
    let receiver = Receiver::start(vec![Reply::json(503, "")]).await;
    let outcome = bank(config(receiver.base_url.clone(), 3))
        .check_card(&debit_check())
        .await;
    assert!(
        matches!(outcome, Err(ConnectorError::Unavailable(_))),
        "{outcome:?}"
    );
    assert_eq!(receiver.count(), 4);
}

#[tokio::test]
async fn a_slow_bank_times_out_and_is_unavailable() {
    let receiver = Receiver::start(vec![
        Reply::json(200, CODE_SENT).after(Duration::from_secs(3)),
    ])
    .await;
    let mut slow = config(receiver.base_url.clone(), 1);
    slow.timeout = Duration::from_millis(200);
    let started = Instant::now();

    let outcome = bank(slow).check_card(&debit_check()).await;

    assert!(
        matches!(outcome, Err(ConnectorError::Unavailable(_))),
        "{outcome:?}"
    );
    assert_eq!(receiver.count(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_bank_is_unavailable_for_checks_and_confirmations() {
    let bank = bank(config(unreachable_url().await, 1));
    let outcome = bank.check_card(&debit_check()).await;
    assert!(
        matches!(outcome, Err(ConnectorError::Unavailable(_))),
        "{outcome:?}"
    );
    let confirmed = bank.confirm_card("ref-123", "123456").await;
    assert!(
        matches!(confirmed, Err(ConnectorError::Unavailable(_))),
        "{confirmed:?}"
    );
}

#[tokio::test]
async fn a_4xx_answer_is_a_protocol_error_without_a_retry() {
    for status in [400, 401, 403, 409, 422] {
        let receiver = Receiver::start(vec![Reply::json(status, "{}")]).await;
        let outcome = bank(config(receiver.base_url.clone(), 3))
            .check_card(&debit_check())
            .await;
        assert!(
            matches!(outcome, Err(ConnectorError::Protocol(_))),
            "{status}: {outcome:?}"
        );
        assert_eq!(receiver.count(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_malformed_check_answer_is_a_protocol_error() {
    let too_long = format!(
        r#"{{"result":"code_sent","reference":"{}"}}"#,
        "r".repeat(300)
    );
    for answer in [
        "",
        "<html>",
        "{}",
        r#"{"result":"code_sent"}"#,
        r#"{"result":"code_sent","reference":""}"#,
        r#"{"result":"code_sent","reference":"has space"}"#,
        r#"{"result":"code_sent","reference":42}"#,
        too_long.as_str(),
        r#"{"result":"approved"}"#,
        r#"{"result":"bound","card_token":"t"}"#,
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let outcome = bank(config(receiver.base_url.clone(), 2))
            .check_card(&debit_check())
            .await;
        assert!(
            matches!(outcome, Err(ConnectorError::Protocol(_))),
            "{answer}: {outcome:?}"
        );
        assert_eq!(receiver.count(), 1, "{answer}");
    }
}

#[tokio::test]
async fn a_confirmation_posts_reference_and_code_and_maps_the_answer() {
    let cases = [
        (
            r#"{"result":"bound","card_token":"tok_abc"}"#,
            CardConfirmOutcome::Bound {
                card_token: "tok_abc".to_owned(),
            },
        ),
        (r#"{"result":"wrong_code"}"#, CardConfirmOutcome::WrongCode),
    ];
    for (answer, expected) in cases {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let outcome = bank(config(receiver.base_url.clone(), 0))
            .confirm_card("ref-123", "654321")
            .await;
        assert_eq!(outcome.ok(), Some(expected), "{answer}");
        let received = receiver.received();
        assert_eq!(received[0].path, "/v1/cards/confirm");
        assert_eq!(received[0].header("authorization"), "Bearer bank-key-789");
        assert_eq!(received[0].header("idempotency-key").len(), 32);
        assert_eq!(
            received[0].json(),
            serde_json::json!({"reference": "ref-123", "code": "654321"})
        );
    }
}

#[tokio::test]
async fn a_malformed_confirmation_answer_is_a_protocol_error() {
    for answer in [
        "{}",
        r#"{"result":"bound"}"#,
        r#"{"result":"bound","card_token":""}"#,
        r#"{"result":"code_sent","reference":"r"}"#,
        r#"{"result":"wrong"}"#,
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let outcome = bank(config(receiver.base_url.clone(), 0))
            .confirm_card("ref-123", "654321")
            .await;
        assert!(
            matches!(outcome, Err(ConnectorError::Protocol(_))),
            "{answer}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn a_confirmation_that_reached_the_bank_is_not_retried() {
    // A 5xx or a timeout may come after the bank counted the code; a repeat could count twice.
    let replies = [
        Reply::json(500, ""),
        Reply::json(200, r#"{"result":"wrong_code"}"#).after(Duration::from_secs(3)),
    ];
    for reply in replies {
        let receiver = Receiver::start(vec![reply]).await;
        let mut short = config(receiver.base_url.clone(), 3);
        short.timeout = Duration::from_millis(200);
        let outcome = bank(short).confirm_card("ref-123", "654321").await;
        assert!(
            matches!(outcome, Err(ConnectorError::Unavailable(_))),
            "{outcome:?}"
        );
        assert_eq!(receiver.count(), 1);
    }
}

#[tokio::test]
async fn a_redirect_is_a_protocol_error_and_is_not_followed() {
    let receiver = Receiver::start(vec![Reply::json(307, "").to("/v1/cards/elsewhere")]).await;
    let outcome = bank(config(receiver.base_url.clone(), 2))
        .check_card(&credit_check())
        .await;
    assert!(
        matches!(outcome, Err(ConnectorError::Protocol(_))),
        "{outcome:?}"
    );
    assert_eq!(receiver.count(), 1, "the card and CVV must not be sent on");
}

#[tokio::test]
async fn errors_never_contain_the_card_number_or_the_cvv() {
    let echo = format!(r#"{{"result":"{CARD} {CVV}"}}"#);
    for reply in [
        Reply::json(200, &echo),
        Reply::json(422, &echo),
        Reply::json(503, &echo),
    ] {
        let receiver = Receiver::start(vec![reply]).await;
        let outcome = bank(config(receiver.base_url.clone(), 0))
            .check_card(&credit_check())
            .await;
        let text = outcome.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!text.is_empty());
        assert!(!text.contains(CARD) && !text.contains(CVV), "{text}");
    }
}

#[tokio::test]
async fn a_movement_posts_the_card_token_never_the_card_number_keyed_by_its_reference() {
    for way in Way::BOTH {
        let receiver = Receiver::start(vec![Reply::json(200, DONE)]).await;

        let outcome = way
            .send(
                &bank(config(receiver.base_url.clone(), 0)),
                &movement("mv-20260101-0001"),
            )
            .await;

        assert_eq!(outcome.ok(), Some(done()), "{way:?}");
        let received = receiver.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, way.path());
        assert_eq!(received[0].header("authorization"), "Bearer bank-key-789");
        assert_eq!(received[0].header("content-type"), "application/json");
        assert_eq!(received[0].header("idempotency-key"), "mv-20260101-0001");
        // Exactly these keys: the card travels as its token only.
        assert_eq!(
            received[0].json(),
            serde_json::json!({
                "reference": "mv-20260101-0001",
                "kind": "withdrawal",
                "card_token": "tok_abc",
                "amount": 12_345,
                "currency": "CNY",
            })
        );
        let raw = String::from_utf8_lossy(&received[0].body);
        assert!(!raw.contains(CARD) && !raw.contains(&CARD[6..]), "{raw}");
    }
}

#[tokio::test]
async fn movement_answers_map_to_outcomes() {
    let cases = [
        (DONE, done()),
        (
            r#"{"result":"insufficient_funds"}"#,
            BankOutcome::InsufficientFunds,
        ),
        (r#"{"result":"rejected"}"#, BankOutcome::Rejected),
    ];
    for way in Way::BOTH {
        for (answer, expected) in cases.clone() {
            let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
            let outcome = way
                .send(
                    &bank(config(receiver.base_url.clone(), 0)),
                    &movement("mv-1"),
                )
                .await;
            assert_eq!(outcome.ok(), Some(expected), "{way:?} {answer}");
        }
    }
}

#[tokio::test]
async fn a_movement_is_retried_after_5xx_with_its_reference_as_the_key_each_time() {
    for way in Way::BOTH {
        let receiver = Receiver::start(vec![
            Reply::json(500, ""),
            Reply::json(503, ""),
            Reply::json(200, DONE),
        ])
        .await;

        let outcome = way
            .send(
                &bank(config(receiver.base_url.clone(), 2)),
                &movement("mv-7"),
            )
            .await;

        assert_eq!(outcome.ok(), Some(done()), "{way:?}");
        let received = receiver.received();
        assert_eq!(received.len(), 3, "{way:?}");
        assert!(
            received
                .iter()
                .all(|r| r.header("idempotency-key") == "mv-7"
                    && r.body == received[0].body
                    && r.path == way.path()),
            "{way:?}"
        );
    }
}

#[tokio::test]
async fn another_process_repeating_a_movement_sends_the_same_key() {
    // Two connectors stand for the node before a restart and the node after it (or two nodes).
    let receiver = Receiver::start(vec![Reply::json(200, DONE)]).await;
    for _ in 0..2 {
        let fresh = bank(config(receiver.base_url.clone(), 0));
        assert!(fresh.debit(&movement("mv-restart")).await.is_ok());
    }
    let keys: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.header("idempotency-key"))
        .collect();
    assert_eq!(keys, ["mv-restart", "mv-restart"]);
}

#[tokio::test]
async fn a_movement_timing_out_on_every_attempt_is_unavailable() {
    for way in Way::BOTH {
        let receiver =
            Receiver::start(vec![Reply::json(200, DONE).after(Duration::from_secs(3))]).await;
        let mut slow = config(receiver.base_url.clone(), 1);
        slow.timeout = Duration::from_millis(200);

        let outcome = way.send(&bank(slow), &movement("mv-slow")).await;

        assert!(
            matches!(outcome, Err(ConnectorError::Unavailable(_))),
            "{way:?}: {outcome:?}"
        );
        assert_eq!(receiver.count(), 2, "{way:?}");
    }
}

#[tokio::test]
async fn a_movement_failing_forever_is_unavailable_after_retries_plus_one_attempts() {
    let receiver = Receiver::start(vec![Reply::json(503, "")]).await;
    let outcome = bank(config(receiver.base_url.clone(), 2))
        .debit(&movement("mv-1"))
        .await;
    assert!(
        matches!(outcome, Err(ConnectorError::Unavailable(_))),
        "{outcome:?}"
    );
    assert_eq!(receiver.count(), 3);
}

#[tokio::test]
async fn a_malformed_movement_answer_is_a_protocol_error_without_a_retry() {
    for way in Way::BOTH {
        for answer in [
            "",
            "<html>",
            "{}",
            "[]",
            r#"["done"]"#,
            r#"{"result":"unknown"}"#,
            r#"{"result":"approved"}"#,
            r#"{"result":"DONE"}"#,
            r#"{"result":42}"#,
            // Done, but without a reference of the bank's we could quote in a statement.
            r#"{"result":"done"}"#,
            r#"{"result":"done","bank_reference":""}"#,
            r#"{"result":"done","bank_reference":"a,b"}"#,
            r#"{"result":"done","bank_reference":42}"#,
        ] {
            let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
            let outcome = way
                .send(
                    &bank(config(receiver.base_url.clone(), 2)),
                    &movement("mv-1"),
                )
                .await;
            assert!(
                matches!(outcome, Err(ConnectorError::Protocol(_))),
                "{way:?} {answer}: {outcome:?}"
            );
            assert_eq!(receiver.count(), 1, "{way:?} {answer}");
        }
    }
}

#[tokio::test]
async fn a_movement_the_platform_should_not_ask_for_is_refused_before_sending() {
    let receiver = Receiver::start(vec![Reply::json(200, DONE)]).await;
    let bank = bank(config(receiver.base_url.clone(), 0));
    let mut cases = Vec::new();
    for amount_minor in [0, -1] {
        cases.push(BankMovement {
            amount_minor,
            ..movement("mv-1")
        });
    }
    for reference in ["", "has space", "line\nbreak", &"r".repeat(256)] {
        cases.push(movement(reference));
    }
    for way in Way::BOTH {
        for bad in &cases {
            let outcome = way.send(&bank, bad).await;
            assert!(
                matches!(outcome, Err(ConnectorError::Protocol(_))),
                "{way:?} {bad:?}: {outcome:?}"
            );
        }
    }
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn movement_status_asks_by_reference_and_maps_every_answer() {
    let cases = [
        (DONE, Some(done())),
        (
            r#"{"result":"insufficient_funds"}"#,
            Some(BankOutcome::InsufficientFunds),
        ),
        (r#"{"result":"rejected"}"#, Some(BankOutcome::Rejected)),
        (r#"{"result":"unknown"}"#, None),
    ];
    for (answer, expected) in cases {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let outcome = bank(config(receiver.base_url.clone(), 0))
            .movement_status("mv-42")
            .await;
        assert_eq!(outcome.ok(), Some(expected), "{answer}");
        let received = receiver.received();
        assert_eq!(received[0].path, "/v1/movements/status");
        assert_eq!(received[0].header("authorization"), "Bearer bank-key-789");
        assert_eq!(received[0].header("idempotency-key").len(), 32);
        assert_eq!(
            received[0].json(),
            serde_json::json!({"reference": "mv-42"})
        );
    }
}

#[tokio::test]
async fn a_status_question_is_retried_after_a_5xx() {
    let receiver = Receiver::start(vec![
        Reply::json(502, ""),
        Reply::json(200, r#"{"result":"unknown"}"#),
    ])
    .await;
    let outcome = bank(config(receiver.base_url.clone(), 1))
        .movement_status("mv-42")
        .await;
    assert_eq!(outcome.ok(), Some(None));
    assert_eq!(receiver.count(), 2);
}

#[tokio::test]
async fn a_malformed_status_answer_is_a_protocol_error() {
    for answer in [
        "",
        "null",
        "{}",
        r#"{"result":"pending"}"#,
        r#"{"result":null}"#,
        r#"{"result":"done"}"#,
        r#"{"result":"done","bank_reference":"has space"}"#,
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let outcome = bank(config(receiver.base_url.clone(), 2))
            .movement_status("mv-42")
            .await;
        assert!(
            matches!(outcome, Err(ConnectorError::Protocol(_))),
            "{answer}: {outcome:?}"
        );
        assert_eq!(receiver.count(), 1, "{answer}");
    }
}

#[tokio::test]
async fn movement_errors_never_contain_the_card_number() {
    let echo = format!(r#"{{"result":"{CARD}"}}"#);
    for reply in [
        Reply::json(200, &echo),
        Reply::json(422, &echo),
        Reply::json(503, &echo),
    ] {
        let receiver = Receiver::start(vec![reply]).await;
        let bank = bank(config(receiver.base_url.clone(), 0));
        for way in Way::BOTH {
            let outcome = way.send(&bank, &movement("mv-1")).await;
            let text = outcome.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!text.is_empty());
            assert!(!text.contains(CARD), "{text}");
        }
    }
}

#[test]
fn a_card_check_prints_without_the_card_number_or_the_cvv() {
    let printed = format!("{:?}", credit_check());
    assert!(
        !printed.contains(CARD) && !printed.contains(CVV),
        "{printed}"
    );
}

#[cfg(not(feature = "tls"))]
#[test]
fn an_https_base_url_is_refused_at_construction_when_tls_is_not_built() {
    let err = HttpBank::new(config("https://bank.example.com/api".to_owned(), 0));
    assert!(
        matches!(err, Err(ConfigError::TlsNotBuilt { field: "base_url" })),
        "{err:?}"
    );
}

#[test]
fn out_of_range_settings_are_refused_at_construction() {
    let base = "http://127.0.0.1:1".to_owned();
    let mut no_key = config(base.clone(), 0);
    no_key.api_key = ApiKey::new("");
    let mut many_retries = config(base.clone(), 11);
    many_retries.retries = 11;
    let mut no_timeout = config(base, 0);
    no_timeout.timeout = Duration::ZERO;
    for bad in [no_key, many_retries, no_timeout] {
        let err = HttpBank::new(bad);
        assert!(matches!(err, Err(ConfigError::Invalid { .. })), "{err:?}");
    }
}

/// A statement page's answer with `lines` and `next_cursor`.
fn page(lines: &str, next_cursor: Option<&str>) -> String {
    let next = next_cursor.map_or("null".to_owned(), |c| format!("\"{c}\""));
    format!(r#"{{"lines":[{lines}],"next_cursor":{next}}}"#)
}

/// A statement line's JSON.
fn answer_line(bank_reference: &str, kind: &str, amount: i64, references: &str) -> String {
    format!(
        r#"{{"date":"2026-03-01","bank_reference":"{bank_reference}","kind":"{kind}","amount":{amount},"currency":"CNY","references":[{references}]}}"#
    )
}

fn march_first() -> ChinaDay {
    parse_day("2026-03-01").unwrap_or_else(|| panic!("a day"))
}

#[tokio::test]
async fn a_statement_is_read_page_by_page_until_the_cursor_ends() {
    let first = page(
        &format!(
            "{},{}",
            answer_line("B-1", "topup", 10_010, r#""m1""#),
            answer_line("B-2", "withdrawal", 5_000, r#""m2""#)
        ),
        Some("p2"),
    );
    let second = page(
        &answer_line("B-3", "settlement", 25_000, r#""m3","m4""#),
        None,
    );
    let receiver = Receiver::start(vec![
        Reply::json(200, &first),
        Reply::json(503, ""),
        Reply::json(200, &second),
    ])
    .await;
    let statement = bank(config(receiver.base_url.clone(), 1))
        .statement(march_first())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        statement.to_csv(),
        "date,bank_ref,kind,amount_minor,currency,our_refs\n\
         2026-03-01,B-1,topup,10010,CNY,m1\n\
         2026-03-01,B-2,withdrawal,5000,CNY,m2\n\
         2026-03-01,B-3,settlement,25000,CNY,m3;m4\n"
    );
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    assert_eq!(received[0].path, "/v1/statements");
    assert_eq!(received[0].header("authorization"), "Bearer bank-key-789");
    assert_eq!(received[0].json(), serde_json::json!({"day": "2026-03-01"}));
    assert_eq!(
        received[2].json(),
        serde_json::json!({"day": "2026-03-01", "cursor": "p2"})
    );
}

#[tokio::test]
async fn a_statement_line_we_could_not_read_from_a_file_is_a_protocol_error() {
    let good = answer_line("B-1", "topup", 100, r#""m1""#);
    for lines in [
        answer_line("B 1", "topup", 100, r#""m1""#),
        answer_line("B-1", "payout", 100, r#""m1""#),
        answer_line("B-1", "topup", 0, r#""m1""#),
        answer_line("B-1", "topup", 100, ""),
        answer_line("B-1", "topup", 100, r#""m;1""#),
        answer_line("B-1", "topup", 100, r#""m1""#).replace("2026-03-01", "01/03/2026"),
        answer_line("B-1", "topup", 100, r#""m1""#).replace("CNY", "yuan"),
        // The same bank reference twice, and one of ours on two lines.
        format!("{good},{good}"),
        format!("{good},{}", answer_line("B-2", "topup", 100, r#""m1""#)),
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, &page(&lines, None))]).await;
        let got = bank(config(receiver.base_url.clone(), 0))
            .statement(march_first())
            .await;
        assert!(
            matches!(got, Err(ConnectorError::Protocol(_))),
            "{lines}: {got:?}"
        );
    }
}

#[tokio::test]
async fn a_statement_cursor_that_does_not_move_is_a_protocol_error() {
    let stuck = page("", Some("p1"));
    let receiver = Receiver::start(vec![
        Reply::json(200, &stuck),
        Reply::json(200, &stuck),
        Reply::json(200, &page("", None)),
    ])
    .await;
    let got = bank(config(receiver.base_url.clone(), 0))
        .statement(march_first())
        .await;
    assert!(matches!(got, Err(ConnectorError::Protocol(_))), "{got:?}");
    assert_eq!(receiver.count(), 2);
}
