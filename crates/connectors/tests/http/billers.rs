//! `HttpBillers` against a local receiver: what a look-up and a payment send, how answers are
//! read and refused, and how a busy or slow network is retried and then reported unavailable.

use crate::receiver::{Receiver, Reply};
use qianbao_connectors::{ApiKey, HttpBillers, HttpBillersConfig};
use qianbao_ledger::PositiveAmount;
use qianbao_wallet::ConnectorError;
use qianbao_wallet::bills::{BillAccount, BillOrder, Billers, LookedUp, PaidAnswer};
use std::time::{Duration, Instant};

const DUE: &str = r#"{"result": "due", "reference": "LZW-2026-11-0042", "amount": 8800,
    "period": "2026-11", "masked_name": "*明"}"#;

fn config(base_url: String, retries: u32) -> HttpBillersConfig {
    HttpBillersConfig {
        base_url,
        api_key: ApiKey::new("biller-key-456"),
        timeout: Duration::from_secs(5),
        retries,
        backoff: Duration::from_millis(10),
    }
}

fn billers(config: HttpBillersConfig) -> HttpBillers {
    HttpBillers::new(config).unwrap_or_else(|e| panic!("config refused: {e}"))
}

fn account() -> BillAccount {
    BillAccount::parse("62010012345").unwrap_or_else(|| panic!("a good account"))
}

fn order() -> BillOrder {
    BillOrder {
        payment_id: "01a24fcc-1893-74e5-88b1-08f599a32b50".into(),
        biller_id: "lz-water".into(),
        reference: "LZW-2026-11-0042".into(),
        amount: PositiveAmount::new(8800).unwrap_or_else(|| panic!("positive")),
    }
}

#[tokio::test]
async fn a_look_up_posts_the_biller_and_account_and_reads_the_bill() {
    let receiver = Receiver::start(vec![Reply::json(200, DUE)]).await;
    let got = billers(config(receiver.base_url.clone(), 0))
        .look_up("lz-water", &account())
        .await;
    let Ok(LookedUp::Due(bill)) = got else {
        panic!("{got:?}");
    };
    assert_eq!(bill.reference, "LZW-2026-11-0042");
    assert_eq!(bill.amount.amount().minor(), 8800);
    assert_eq!(
        (bill.period.as_str(), bill.masked_name.as_str()),
        ("2026-11", "*明")
    );
    let received = receiver.received();
    assert_eq!(received[0].path, "/v1/bills/lookup");
    assert_eq!(received[0].header("authorization"), "Bearer biller-key-456");
    assert_eq!(
        received[0].json(),
        serde_json::json!({"biller_id": "lz-water", "account": "62010012345"})
    );
}

#[tokio::test]
async fn a_payment_is_keyed_by_our_payment_id_on_every_retry() {
    let receiver = Receiver::start(vec![
        Reply::json(503, ""),
        Reply::json(502, ""),
        Reply::json(200, r#"{"result": "paid", "receipt": "R-77"}"#),
    ])
    .await;
    let got = billers(config(receiver.base_url.clone(), 2))
        .pay(&order())
        .await;
    assert_eq!(
        got.ok(),
        Some(PaidAnswer::Paid {
            receipt: "R-77".into()
        })
    );
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    for r in &received {
        assert_eq!(r.path, "/v1/bills/pay");
        assert_eq!(r.header("idempotency-key"), order().payment_id);
        assert_eq!(r.json()["amount"], 8800);
    }
}

#[tokio::test]
async fn the_other_answers_read_as_the_port_says() {
    for (answer, expected) in [
        (r#"{"result": "not_found"}"#, Some(LookedUp::NotFound)),
        (r#"{"result": "paid"}"#, Some(LookedUp::AlreadyPaid)),
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let got = billers(config(receiver.base_url.clone(), 0))
            .look_up("lz-water", &account())
            .await;
        assert_eq!(got.ok(), expected, "{answer}");
    }
    for (answer, expected) in [
        (r#"{"result": "refused"}"#, PaidAnswer::Refused),
        (r#"{"result": "pending"}"#, PaidAnswer::Unknown),
        (r#"{"result": "unknown"}"#, PaidAnswer::Unknown),
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let got = billers(config(receiver.base_url.clone(), 0))
            .payment_status("lz-water", "p1")
            .await;
        assert_eq!(got.ok(), Some(expected), "{answer}");
    }
}

#[tokio::test]
async fn a_malformed_answer_is_refused_whole() {
    for answer in [
        r#"{"result": "due", "reference": "R", "amount": 88.5, "period": "2026-11", "masked_name": "*明"}"#,
        r#"{"result": "due", "reference": "R", "amount": "8800", "period": "2026-11", "masked_name": "*明"}"#,
        r#"{"result": "due", "reference": "R", "amount": 0, "period": "2026-11", "masked_name": "*明"}"#,
        r#"{"result": "due", "reference": "", "amount": 8800, "period": "2026-11", "masked_name": "*明"}"#,
        r#"{"result": "due", "reference": "R", "amount": 8800, "period": "2026-11"}"#,
        r#"{"result": "maybe"}"#,
        r#"["due"]"#,
        "not json",
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let got = billers(config(receiver.base_url.clone(), 0))
            .look_up("lz-water", &account())
            .await;
        assert!(
            matches!(got, Err(ConnectorError::Protocol(_))),
            "{answer}: {got:?}"
        );
    }
    let list = r#"{"billers": [{"id": "a", "name": "A", "kind": "water", "city": "兰州"},
        {"id": "a", "name": "A", "kind": "water", "city": "兰州"}]}"#;
    let receiver = Receiver::start(vec![Reply::json(200, list)]).await;
    let got = billers(config(receiver.base_url.clone(), 0))
        .billers()
        .await;
    assert!(matches!(got, Err(ConnectorError::Protocol(_))), "{got:?}");
}

#[tokio::test]
async fn a_4xx_is_a_protocol_error_without_a_retry() {
    let receiver = Receiver::start(vec![Reply::json(401, "{}")]).await;
    let got = billers(config(receiver.base_url.clone(), 3))
        .pay(&order())
        .await;
    assert!(matches!(got, Err(ConnectorError::Protocol(_))), "{got:?}");
    assert_eq!(receiver.count(), 1);
}

#[tokio::test]
async fn a_busy_or_slow_network_is_unavailable_after_its_retries() {
    let receiver = Receiver::start(vec![Reply::json(503, "")]).await;
    let got = billers(config(receiver.base_url.clone(), 2))
        .look_up("lz-water", &account())
        .await;
    assert!(
        matches!(got, Err(ConnectorError::Unavailable(_))),
        "{got:?}"
    );
    assert_eq!(receiver.count(), 3);

    let receiver = Receiver::start(vec![Reply::json(200, DUE).after(Duration::from_secs(3))]).await;
    let mut slow = config(receiver.base_url.clone(), 1);
    slow.timeout = Duration::from_millis(200);
    let started = Instant::now();
    let got = billers(slow).pay(&order()).await;
    assert!(
        matches!(got, Err(ConnectorError::Unavailable(_))),
        "{got:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_list_is_read_with_each_billers_kind() {
    let list = r#"{"billers": [{"id": "lz-water", "name": "兰州威立雅水务", "kind": "water", "city": "兰州"},
        {"id": "cn-mobile", "name": "中国移动", "kind": "phone", "city": "全国"}]}"#;
    let receiver = Receiver::start(vec![Reply::json(200, list)]).await;
    let got = billers(config(receiver.base_url.clone(), 0))
        .billers()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].kind.as_str(), "phone");
    assert_eq!(receiver.received()[0].path, "/v1/billers");
}
