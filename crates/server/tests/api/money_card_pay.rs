//! Paying a merchant straight from a bound card (`POST /v1/pay` with `card_id`): the bank's debit
//! and the payment in one idempotent flow, the balance untouched; a bank that refuses or does not
//! answer leaves nothing paid; the limits, the card's owner and the records.

use crate::helpers::{
    call, card_number, problem, qianbao, spawn_app, spawn_app_with_clock,
    spawn_app_without_risk_rules,
};
use crate::money_helpers::{
    PIN, SETTLE, answer, assert_ledger_clean, assert_limit_exceeded, available, balance, bind_card,
    debit_card_with, funded, idem, keyed, ledger, merchant_balance, open_l2_holder_named,
    open_l2_holder_with_card, open_merchant, order, pay, record, record_becomes, refused,
};
use serde_json::{Value, json};
use std::time::Duration;

/// Pays `payload` from `card_id` as the holder with `token`, under `key`.
async fn card_pay(
    app: &crate::helpers::TestApp,
    token: &str,
    payload: &str,
    amount: Option<i64>,
    card_id: &str,
    key: &str,
) -> reqwest::Response {
    let mut body = json!({"payload": payload, "pin": PIN, "card_id": card_id});
    if let Some(amount) = amount {
        body["amount"] = json!(amount);
    }
    keyed(app, "/v1/pay", body, token, key).await
}

/// `qianbao verify` over the app's storage passes.
fn verified(app: &crate::helpers::TestApp) {
    let out = qianbao(app, &["verify"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_short_balance_pays_an_order_from_a_card_and_the_balance_stays() {
    let app = spawn_app().await;
    let payer = funded(&app, "张三", 1_000).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let o = order(&app, &shop, 1_800).await;
    let payload = o["qr_payload"].as_str().unwrap();
    let r = pay(&app, &payer, payload, None).await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    let (status, paid) =
        answer(card_pay(&app, &payer.token, payload, None, &payer.card_id, &idem()).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        (
            &paid["method"],
            &paid["status"],
            &paid["amount"],
            &paid["payee"]
        ),
        (
            &json!("card"),
            &json!("succeeded"),
            &json!(1_800),
            &json!("面馆")
        )
    );
    assert_eq!(
        balance(&app, &payer.token).await,
        (1_000, 0),
        "the balance is not touched"
    );
    let (got, _) = merchant_balance(&app, &shop).await;
    assert!(
        got > 0 && got <= 1_800,
        "the merchant gets the amount less its fee: {got}"
    );
    let id = paid["payment_id"].as_str().unwrap();
    let rec = record(&app, &payer.token, id).await;
    assert_eq!(
        (&rec["type"], &rec["status"], &rec["method"], &rec["fee"]),
        (
            &json!("payment"),
            &json!("succeeded"),
            &json!("card"),
            &json!(0)
        ),
        "{rec}"
    );
    let card = rec["card"].as_str().unwrap();
    assert!(card.contains("****"), "the masked card: {card}");
    // The order is paid once: the same code again is order_paid.
    let r = card_pay(&app, &payer.token, payload, None, &payer.card_id, &idem()).await;
    assert_eq!(refused(r).await, (409, "order_paid".into()));
    assert_ledger_clean(&ledger(&app).await).await;
    verified(&app);
}

#[tokio::test]
async fn the_balance_path_says_method_balance() {
    let app = spawn_app().await;
    let payer = funded(&app, "张三", 5_000).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let (status, paid) = answer(pay(&app, &payer, &shop.static_qr, Some(1_200)).await).await;
    assert_eq!(
        (status, &paid["method"]),
        (201, &json!("balance")),
        "{paid}"
    );
    assert_eq!(available(&app, &payer.token).await, 3_800);
    let rec = record(&app, &payer.token, paid["payment_id"].as_str().unwrap()).await;
    assert_eq!(
        (&rec["method"], &rec["card"]),
        (&json!("balance"), &Value::Null)
    );
    // A top-up is neither: it names its card.
    let tops = crate::money_helpers::records(&app, &payer.token, "&type=topup").await;
    assert_eq!(tops[0]["method"], Value::Null);
    assert!(tops[0]["card"].as_str().unwrap().contains("****"));
}

#[tokio::test]
async fn a_card_the_bank_declines_pays_nothing_and_a_retry_is_refused_alike() {
    let app = spawn_app().await;
    let payer = open_l2_holder_with_card(&app, "张三", &debit_card_with("0001"), false).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let o = order(&app, &shop, 1_800).await;
    let payload = o["qr_payload"].as_str().unwrap();
    let key = idem();
    let first =
        answer(card_pay(&app, &payer.token, payload, None, &payer.card_id, &key).await).await;
    assert_eq!(
        (first.0, &first.1["code"]),
        (422, &json!("bank_insufficient_funds")),
        "{first:?}"
    );
    let again =
        answer(card_pay(&app, &payer.token, payload, None, &payer.card_id, &key).await).await;
    assert_eq!(again, first, "a retry gets the same refusal");
    assert_eq!(merchant_balance(&app, &shop).await, (0, 0));
    assert_eq!(balance(&app, &payer.token).await, (0, 0));
    // The order still waits for payment.
    let r = call(
        &app,
        "GET",
        &format!("/v1/pay/preview?payload={}", urlencode(payload)),
        None,
        Some(&payer.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let store = ledger(&app).await;
    assert_ledger_clean(&store).await;
    verified(&app);
}

#[tokio::test]
async fn a_bank_that_does_not_answer_is_503_and_the_retry_pays_once() {
    let app = spawn_app().await;
    let payer = open_l2_holder_with_card(&app, "张三", &debit_card_with("0005"), false).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let o = order(&app, &shop, 2_500).await;
    let payload = o["qr_payload"].as_str().unwrap();
    let key = idem();
    let (status, p) =
        problem(card_pay(&app, &payer.token, payload, None, &payer.card_id, &key).await).await;
    assert_eq!(
        (status, p.code.as_str()),
        (503, "bank_unavailable"),
        "{p:?}"
    );
    assert!(p.retry_after.is_some());
    assert_eq!(
        merchant_balance(&app, &shop).await,
        (0, 0),
        "nothing is paid yet"
    );
    let (status, paid) =
        answer(card_pay(&app, &payer.token, payload, None, &payer.card_id, &key).await).await;
    assert_eq!((status, &paid["method"]), (201, &json!("card")), "{paid}");
    let once = merchant_balance(&app, &shop).await;
    assert!(once.0 > 0);
    // A retry after success gets the first answer, and moves nothing.
    let replay =
        answer(card_pay(&app, &payer.token, payload, None, &payer.card_id, &key).await).await;
    assert_eq!(replay, (201, paid));
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(merchant_balance(&app, &shop).await, once);
    assert_eq!(balance(&app, &payer.token).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
    verified(&app);
}

#[tokio::test]
async fn an_order_paid_by_another_while_the_bank_was_silent_leaves_the_card_money_in_the_balance() {
    let app = spawn_app().await;
    let payer = open_l2_holder_with_card(&app, "张三", &debit_card_with("0005"), false).await;
    let other = funded(&app, "王五", 5_000).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let o = order(&app, &shop, 2_500).await;
    let payload = o["qr_payload"].as_str().unwrap();
    let key = idem();
    let (status, _) =
        problem(card_pay(&app, &payer.token, payload, None, &payer.card_id, &key).await).await;
    assert_eq!(status, 503);
    assert_eq!(pay(&app, &other, payload, None).await.status(), 201);
    let paid_once = merchant_balance(&app, &shop).await;
    // The retry learns the bank took the money; the order is paid, so it lands in the balance.
    let r = card_pay(&app, &payer.token, payload, None, &payer.card_id, &key).await;
    assert_eq!(refused(r).await, (409, "order_paid".into()));
    assert_eq!(available(&app, &payer.token).await, 2_500);
    assert_eq!(
        merchant_balance(&app, &shop).await,
        paid_once,
        "the shop is paid once"
    );
    let tops = crate::money_helpers::records(&app, &payer.token, "&type=topup").await;
    assert_eq!(
        (&tops[0]["status"], &tops[0]["amount"]),
        (&json!("succeeded"), &json!(2_500))
    );
    assert!(tops[0]["card"].as_str().unwrap().contains("****"));
    let payments = crate::money_helpers::records(&app, &payer.token, "&type=payment").await;
    assert_eq!(payments[0]["status"], "failed");
    assert_ledger_clean(&ledger(&app).await).await;
    verified(&app);
}

#[tokio::test]
async fn a_card_payment_left_unanswered_and_not_retried_goes_to_the_balance() {
    let (app, clock) = spawn_app_with_clock().await;
    let payer = open_l2_holder_with_card(&app, "张三", &debit_card_with("0005"), false).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let key = idem();
    let (status, _) = problem(
        card_pay(
            &app,
            &payer.token,
            &shop.static_qr,
            Some(300),
            &payer.card_id,
            &key,
        )
        .await,
    )
    .await;
    assert_eq!(status, 503);
    let pending = crate::money_helpers::records(&app, &payer.token, "&type=payment").await;
    assert_eq!(pending[0]["status"], "pending");
    let id = pending[0]["id"].as_str().unwrap().to_string();
    clock.advance_s(301);
    record_becomes(&app, &payer.token, &id, "failed", SETTLE).await;
    assert_eq!(
        available(&app, &payer.token).await,
        300,
        "what the bank took is in the balance"
    );
    assert_eq!(
        merchant_balance(&app, &shop).await,
        (0, 0),
        "never to the shop late"
    );
    let (status, p) = problem(
        card_pay(
            &app,
            &payer.token,
            &shop.static_qr,
            Some(300),
            &payer.card_id,
            &key,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "bank_rejected"), "{p:?}");
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn another_holders_card_an_unknown_one_and_an_unbound_one_are_not_found() {
    let app = spawn_app().await;
    let payer = funded(&app, "张三", 0).await;
    let other = open_l2_holder_named(&app, "王五").await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    for card in [other.card_id.as_str(), "card-none"] {
        let r = card_pay(
            &app,
            &payer.token,
            &shop.static_qr,
            Some(100),
            card,
            &idem(),
        )
        .await;
        assert_eq!(refused(r).await, (404, "not_found".into()), "{card}");
    }
    let second = bind_card(&app, &payer, &card_number("621700", 19), false).await;
    let r = call(
        &app,
        "POST",
        &format!("/v1/me/cards/{second}/unbind"),
        Some(json!({"pin": PIN})),
        Some(&payer.token),
    )
    .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = card_pay(
        &app,
        &payer.token,
        &shop.static_qr,
        Some(100),
        &second,
        &idem(),
    )
    .await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    // A holder's receive code is not paid from a card.
    let (_, code) =
        answer(call(&app, "GET", "/v1/me/receive-code", None, Some(&other.token)).await).await;
    let r = card_pay(
        &app,
        &payer.token,
        code["payload"].as_str().unwrap(),
        Some(100),
        &payer.card_id,
        &idem(),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p.field.as_deref()),
        (422, Some("card_id")),
        "{p:?}"
    );
    assert_eq!(merchant_balance(&app, &shop).await, (0, 0));
    assert_eq!(balance(&app, &other.token).await, (0, 0));
}

#[tokio::test]
async fn limits_apply_to_a_card_payment_as_to_any() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let payer = funded(&app, "张三", 0).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    // L2: ¥50,000 a payment.
    let o = order(&app, &shop, 5_000_001).await;
    let r = card_pay(
        &app,
        &payer.token,
        o["qr_payload"].as_str().unwrap(),
        None,
        &payer.card_id,
        &idem(),
    )
    .await;
    assert_limit_exceeded(r, "per_payment", 5_000_000).await;
    // A static code: ¥500 a day.
    let r = card_pay(
        &app,
        &payer.token,
        &shop.static_qr,
        Some(50_001),
        &payer.card_id,
        &idem(),
    )
    .await;
    assert_limit_exceeded(r, "static_qr_daily", 50_000).await;
    assert_eq!(merchant_balance(&app, &shop).await, (0, 0));
    // What a card paid counts toward the day like any payment.
    let o = order(&app, &shop, 5_000_000).await;
    let r = card_pay(
        &app,
        &payer.token,
        o["qr_payload"].as_str().unwrap(),
        None,
        &payer.card_id,
        &idem(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let o = order(&app, &shop, 5_000_000).await;
    let r = card_pay(
        &app,
        &payer.token,
        o["qr_payload"].as_str().unwrap(),
        None,
        &payer.card_id,
        &idem(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let o = order(&app, &shop, 1).await;
    let r = card_pay(
        &app,
        &payer.token,
        o["qr_payload"].as_str().unwrap(),
        None,
        &payer.card_id,
        &idem(),
    )
    .await;
    assert_limit_exceeded(r, "per_day", 0).await;
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn risk_control_and_the_payment_password_guard_a_card_payment_and_the_bank_is_not_asked() {
    let app = spawn_app().await;
    let payer = funded(&app, "张三", 0).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let body = json!({"payload": shop.static_qr, "amount": 100, "pin": "963852", "card_id": payer.card_id});
    let (status, p) = problem(keyed(&app, "/v1/pay", body, &payer.token, &idem()).await).await;
    assert_eq!((status, p.code.as_str()), (401, "pin_incorrect"));
    let out = qianbao(&app, &["admin", "risk", "block", "--merchant", &shop.id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = card_pay(
        &app,
        &payer.token,
        &shop.static_qr,
        Some(100),
        &payer.card_id,
        &idem(),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (403, "risk_blocked"), "{p:?}");
    assert_eq!(merchant_balance(&app, &shop).await, (0, 0));
    // Nothing was written for either: no record, no debit at the bank.
    let payments = crate::money_helpers::records(&app, &payer.token, "&type=payment").await;
    assert!(payments.is_empty(), "{payments:?}");
    assert_ledger_clean(&ledger(&app).await).await;
}

/// `text` as a query value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A bank in front of the sandbox's that, while `down`, never receives a debit: the server hears
/// nothing back, as from a bank that is unreachable.
struct UnreachableForDebits {
    bank: std::sync::Arc<dyn qianbao_wallet::Bank>,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

#[async_trait::async_trait]
impl qianbao_wallet::Bank for UnreachableForDebits {
    async fn check_card(
        &self,
        check: &qianbao_wallet::CardCheck,
    ) -> Result<qianbao_wallet::CardCheckOutcome, qianbao_wallet::ConnectorError> {
        self.bank.check_card(check).await
    }

    async fn confirm_card(
        &self,
        bank_reference: &str,
        code: &str,
    ) -> Result<qianbao_wallet::CardConfirmOutcome, qianbao_wallet::ConnectorError> {
        self.bank.confirm_card(bank_reference, code).await
    }

    async fn debit(
        &self,
        movement: &qianbao_wallet::BankMovement,
    ) -> Result<qianbao_wallet::BankOutcome, qianbao_wallet::ConnectorError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(qianbao_wallet::ConnectorError::Unavailable(
                "the bank is unreachable".into(),
            ));
        }
        self.bank.debit(movement).await
    }

    async fn credit(
        &self,
        movement: &qianbao_wallet::BankMovement,
    ) -> Result<qianbao_wallet::BankOutcome, qianbao_wallet::ConnectorError> {
        self.bank.credit(movement).await
    }

    async fn movement_status(
        &self,
        reference: &str,
    ) -> Result<Option<qianbao_wallet::BankOutcome>, qianbao_wallet::ConnectorError> {
        self.bank.movement_status(reference).await
    }

    async fn statement(
        &self,
        day: qianbao_wallet::domain::ChinaDay,
    ) -> Result<qianbao_wallet::recon::Statement, qianbao_wallet::ConnectorError> {
        self.bank.statement(day).await
    }
}

/// The bug the simulation found (seed 15): a card payment its payer gave up on, whose debit the
/// bank never received, was reconciled by sending the bank a new debit — the card was charged
/// for a payment the payer had been told failed, and the money put in the balance. The
/// reconciler now asks the bank what it took: nothing, so the payment fails and nothing moves.
#[tokio::test]
async fn a_card_payment_the_bank_never_received_is_not_charged_by_the_reconciler() {
    let clock = std::sync::Arc::new(crate::helpers::TestClock(
        std::sync::atomic::AtomicI64::new(1_800_000_000_000),
    ));
    let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (c, d) = (clock.clone(), down.clone());
    let app = crate::helpers::spawn_app_with(move |settings| {
        settings.clock = c;
        settings.bank_wrapper = Some(std::sync::Arc::new(move |bank| {
            std::sync::Arc::new(UnreachableForDebits {
                bank,
                down: d.clone(),
            }) as std::sync::Arc<dyn qianbao_wallet::Bank>
        }));
    })
    .await;
    let payer = open_l2_holder_with_card(&app, "张三", &debit_card_with("0000"), false).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    down.store(true, std::sync::atomic::Ordering::SeqCst);
    let (status, p) = problem(
        card_pay(
            &app,
            &payer.token,
            &shop.static_qr,
            Some(300),
            &payer.card_id,
            &idem(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str()),
        (503, "bank_unavailable"),
        "{p:?}"
    );
    let pending = crate::money_helpers::records(&app, &payer.token, "&type=payment").await;
    assert_eq!(pending[0]["status"], "pending");
    let id = pending[0]["id"].as_str().unwrap().to_string();
    // The bank is back; the payer never retries.
    down.store(false, std::sync::atomic::Ordering::SeqCst);
    clock.advance_s(301);
    record_becomes(&app, &payer.token, &id, "failed", SETTLE).await;
    assert_eq!(
        balance(&app, &payer.token).await,
        (0, 0),
        "the card was not charged"
    );
    let tops = crate::money_helpers::records(&app, &payer.token, "&type=topup").await;
    assert!(tops.is_empty(), "no top-up from the card: {tops:?}");
    assert_eq!(merchant_balance(&app, &shop).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
    verified(&app);
}

/// The bug the simulation found (seeds 15 and 307): a card payment that asked for a second
/// factor, whose proven attempt the bank took but did not answer, was retried under the same
/// key with the same code and refused `otp_invalid` (the first attempt had used the code up),
/// while the bank kept the money. The retry is the same call, already proven: it learns what
/// the bank did and pays the shop, once.
#[tokio::test]
async fn a_proven_card_payment_retried_after_the_bank_was_silent_is_not_asked_for_its_used_code() {
    // The default rules, with the large-payment step-up at ¥20 so a small card payment needs it.
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    let rules = qianbao_wallet::risk::defaults::DOCUMENT.replacen(
        r#""min_amount": 500000"#,
        r#""min_amount": 2000"#,
        1,
    );
    policy.money.risk = std::sync::Arc::new(qianbao_wallet::risk::RuleSet::parse(&rules).unwrap());
    let (app, clock) = crate::helpers::spawn_app_with_policy(Some(policy)).await;
    let payer = open_l2_holder_with_card(&app, "张三", &debit_card_with("0005"), false).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    // Past the rules about new wallets and devices: only the large payment asks.
    clock.advance_s(86_400 + 60);
    let key = idem();
    let mut body =
        json!({"payload": shop.static_qr, "pin": PIN, "card_id": payer.card_id, "amount": 3_000});
    let (status, p) = problem(keyed(&app, "/v1/pay", body.clone(), &payer.token, &key).await).await;
    assert_eq!(
        (status, p.code.as_str()),
        (401, "step_up_required"),
        "{p:?}"
    );
    let otp = crate::helpers::code_for(&app, &payer.phone, "step_up").await;
    body["second_factor"] = json!({ "otp": otp });
    let (status, p) = problem(keyed(&app, "/v1/pay", body.clone(), &payer.token, &key).await).await;
    assert_eq!(
        (status, p.code.as_str()),
        (503, "bank_unavailable"),
        "{p:?}"
    );
    let (status, paid) = answer(keyed(&app, "/v1/pay", body, &payer.token, &key).await).await;
    assert_eq!((status, &paid["method"]), (201, &json!("card")), "{paid}");
    assert!(
        merchant_balance(&app, &shop).await.0 > 0,
        "the shop is paid"
    );
    assert_eq!(
        balance(&app, &payer.token).await,
        (0, 0),
        "the balance is untouched"
    );
    assert_ledger_clean(&ledger(&app).await).await;
    verified(&app);
}
