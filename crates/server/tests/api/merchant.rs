//! Merchants over HTTP: opening one (L1), its API key as the bearer and its rotation, orders paid
//! through their QR codes (once, before they expire), the static code's daily cap, the merchant
//! discount, payment codes (password-free limits, one use, 60 s), refunds, and the races that
//! must move money once: one order paid twice, one code charged twice, two refunds of one payment.

use crate::helpers::{TestApp, call, problem, spawn_app, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, Merchant, PIN, WRONG_PIN, answer, assert_ledger_clean, assert_limit_exceeded,
    available, balance, charge, charge_without_waiting, fee_income, idem, keyed, ledger,
    limit_problem, merchant_balance, open_l1_holder, open_l1_holder_named, open_l2_holder_named,
    open_merchant, order, pay, payment_code, refused, signed_up, topup,
};
use serde_json::{Value, json};

/// A merchant (owned by 王老板) and a payer (张三, L2) with `funds` fen.
async fn shop_and_payer(app: &TestApp, funds: i64) -> (Merchant, Holder) {
    let owner = open_l1_holder_named(app, "王老板").await;
    let m = open_merchant(app, &owner, "兰州牛肉面").await;
    let payer = open_l2_holder_named(app, "张三").await;
    if funds > 0 {
        topup(app, &payer, funds).await;
    }
    (m, payer)
}

/// The merchant's payments, newest first.
async fn payments(app: &TestApp, m: &Merchant) -> Vec<Value> {
    let r = call(app, "GET", "/v1/merchant/payments", None, Some(&m.api_key)).await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Refunds `amount` of `payment_id` with `key`.
async fn refund(
    app: &TestApp,
    m: &Merchant,
    payment_id: &str,
    amount: i64,
    key: &str,
) -> reqwest::Response {
    keyed(
        app,
        "/v1/merchant/refunds",
        json!({"payment_id": payment_id, "amount": amount, "reason": "退菜"}),
        &m.api_key,
        key,
    )
    .await
}

/// Pays a fresh order of `amount` as `payer`; returns the payment id.
async fn paid_order(app: &TestApp, m: &Merchant, payer: &Holder, amount: i64) -> String {
    let o = order(app, m, amount).await;
    let (status, paid) =
        answer(pay(app, payer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{paid}");
    paid["payment_id"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// Opening and keys
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn opening_a_merchant_needs_a_verified_name() {
    let app = spawn_app().await;
    let l0 = signed_up(&app).await;
    let r = call(
        &app,
        "POST",
        "/v1/merchants",
        Some(json!({"name": "小卖部", "category": "retail"})),
        Some(&l0.token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "kyc_required".into()));
    let l1 = open_l1_holder(&app).await;
    let r = call(
        &app,
        "POST",
        "/v1/merchants",
        Some(json!({"name": "小卖部", "category": "retail"})),
        Some(&l1.token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["merchant_id"].is_string());
    assert!(body["api_key"].as_str().unwrap().len() >= 20);
    assert!(
        body["static_qr_payload"]
            .as_str()
            .unwrap()
            .starts_with("000201")
    );
    for bad in [
        json!({"name": "", "category": "retail"}),
        json!({"name": "小卖部", "category": "Retail!"}),
    ] {
        let r = call(
            &app,
            "POST",
            "/v1/merchants",
            Some(bad.clone()),
            Some(&l1.token),
        )
        .await;
        assert_eq!(refused(r).await, (422, "invalid_request".into()), "{bad}");
    }
    let r = call(
        &app,
        "POST",
        "/v1/merchants",
        Some(json!({"name": "小卖部", "category": "retail"})),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
}

#[tokio::test]
async fn the_api_key_is_the_merchants_bearer_and_a_holder_token_is_not() {
    let app = spawn_app().await;
    let owner = open_l1_holder(&app).await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    assert_eq!(merchant_balance(&app, &m).await, (0, 0));
    let r = call(&app, "GET", "/v1/merchant/payments", None, Some(&m.api_key)).await;
    assert_eq!(r.status(), 200);
    for token in [
        Some(owner.token.as_str()),
        None,
        Some("qbk_not_a_key"),
        Some(""),
    ] {
        for (method, path) in [
            ("GET", "/v1/merchant/balance"),
            ("GET", "/v1/merchant/payments"),
            ("POST", "/v1/merchant/orders"),
        ] {
            let body = (method == "POST").then(|| json!({"amount": 100, "description": "x"}));
            let r = call(&app, method, path, body, token).await;
            assert_eq!(
                refused(r).await,
                (401, "unauthorized".into()),
                "{path} {token:?}"
            );
        }
    }
    let r = call(
        &app,
        "GET",
        "/v1/merchant/payments?limit=x",
        None,
        Some(&m.api_key),
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    // And the merchant's key is no holder's token.
    let r = call(&app, "GET", "/v1/me/balance", None, Some(&m.api_key)).await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
}

#[tokio::test]
async fn rotating_the_key_kills_the_old_one() {
    let app = spawn_app().await;
    let owner = open_l1_holder(&app).await;
    let other = open_l1_holder_named(&app, "李四").await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let path = format!("/v1/merchants/{}/api-keys", m.id);
    let r = call(&app, "POST", &path, None, Some(&other.token)).await;
    assert_eq!(
        refused(r).await,
        (404, "not_found".into()),
        "not another holder's"
    );
    let (status, body) = answer(call(&app, "POST", &path, None, Some(&owner.token)).await).await;
    assert_eq!(status, 201, "{body}");
    let new_key = body["api_key"].as_str().unwrap().to_string();
    assert_ne!(new_key, m.api_key);
    let r = call(&app, "GET", "/v1/merchant/balance", None, Some(&m.api_key)).await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
    let r = call(&app, "GET", "/v1/merchant/balance", None, Some(&new_key)).await;
    assert_eq!(r.status(), 200);
}

// ---------------------------------------------------------------------------------------------
// Orders and static codes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_order_is_paid_once_through_its_qr_code() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    let o = order(&app, &m, 1_800).await;
    assert_eq!(
        (&o["status"], &o["amount"]),
        (&json!("open"), &json!(1_800))
    );
    assert!(o["expires_at"].as_str().unwrap().ends_with('Z'));
    let order_path = format!("/v1/merchant/orders/{}", o["order_id"].as_str().unwrap());
    let qr = o["qr_payload"].as_str().unwrap();
    let (status, paid) = answer(pay(&app, &payer, qr, None).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        (
            &paid["status"],
            &paid["amount"],
            &paid["currency"],
            &paid["payee"]
        ),
        (
            &json!("succeeded"),
            &json!(1_800),
            &json!("CNY"),
            &json!("兰州牛肉面")
        )
    );
    let (_, got) = answer(call(&app, "GET", &order_path, None, Some(&m.api_key)).await).await;
    assert_eq!(
        (&got["status"], &got["payment_id"]),
        (&json!("paid"), &paid["payment_id"])
    );
    let r = pay(&app, &payer, qr, None).await;
    assert_eq!(refused(r).await, (409, "order_paid".into()));
    assert_eq!(available(&app, &payer.token).await, 8_200, "paid once");
    // 0.6 % of ¥18 is 10.8 fen → 11.
    assert_eq!(merchant_balance(&app, &m).await, (1_789, 0));
    let list = payments(&app, &m).await;
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            &list[0]["payment_id"],
            &list[0]["amount"],
            &list[0]["fee"],
            &list[0]["channel"]
        ),
        (
            &paid["payment_id"],
            &json!(1_800),
            &json!(11),
            &json!("order")
        )
    );
    assert_eq!(list[0]["order_id"], o["order_id"]);
    // Another merchant cannot see the order.
    let owner2 = open_l1_holder_named(&app, "赵六").await;
    let m2 = open_merchant(&app, &owner2, "沙县小吃").await;
    let r = call(&app, "GET", &order_path, None, Some(&m2.api_key)).await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 11);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn an_order_the_payer_cannot_afford_stays_open() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 1_000).await;
    let o = order(&app, &m, 1_001).await;
    let r = pay(&app, &payer, o["qr_payload"].as_str().unwrap(), None).await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    let path = format!("/v1/merchant/orders/{}", o["order_id"].as_str().unwrap());
    let (_, got) = answer(call(&app, "GET", &path, None, Some(&m.api_key)).await).await;
    assert_eq!(got["status"], "open");
    assert_eq!(balance(&app, &payer.token).await, (1_000, 0));
    assert_eq!(merchant_balance(&app, &m).await, (0, 0));
}

#[tokio::test]
async fn an_expired_order_is_order_expired() {
    let (app, clock) = spawn_app_with_clock().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    let r = call(
        &app,
        "POST",
        "/v1/merchant/orders",
        Some(json!({"amount": 500, "description": "豆浆", "expires_in": 1})),
        Some(&m.api_key),
    )
    .await;
    let (status, o) = answer(r).await;
    assert_eq!(status, 201, "{o}");
    clock.advance_s(2);
    let r = pay(&app, &payer, o["qr_payload"].as_str().unwrap(), None).await;
    assert_eq!(refused(r).await, (422, "order_expired".into()));
    let path = format!("/v1/merchant/orders/{}", o["order_id"].as_str().unwrap());
    let (_, got) = answer(call(&app, "GET", &path, None, Some(&m.api_key)).await).await;
    assert_eq!(got["status"], "expired");
    assert_eq!(balance(&app, &payer.token).await, (10_000, 0));
    for bad in [0, -5, 100 * 24 * 3600] {
        let r = call(
            &app,
            "POST",
            "/v1/merchant/orders",
            Some(json!({"amount": 500, "description": "豆浆", "expires_in": bad})),
            Some(&m.api_key),
        )
        .await;
        assert_eq!(refused(r).await, (422, "invalid_request".into()), "{bad}");
    }
    let r = call(
        &app,
        "POST",
        "/v1/merchant/orders",
        Some(json!({"amount": 0, "description": "豆浆"})),
        Some(&m.api_key),
    )
    .await;
    assert_eq!(refused(r).await, (422, "amount_invalid".into()));
    // An order may be priced in any currency the operator enabled, and no other.
    for code in ["KRW", "usd", "XYZ"] {
        let r = call(
            &app,
            "POST",
            "/v1/merchant/orders",
            Some(json!({"amount": 500, "currency": code, "description": "豆浆"})),
            Some(&m.api_key),
        )
        .await;
        assert_eq!(
            refused(r).await,
            (422, "currency_unsupported".into()),
            "{code}"
        );
    }
}

#[tokio::test]
async fn a_static_code_needs_an_amount_and_is_capped_at_500_yuan_a_day() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 100_000).await;
    let r = pay(&app, &payer, &m.static_qr, None).await;
    assert_eq!(refused(r).await, (422, "amount_invalid".into()));
    let (status, paid) = answer(pay(&app, &payer, &m.static_qr, Some(30_000)).await).await;
    assert_eq!((status, &paid["amount"]), (201, &json!(30_000)), "{paid}");
    let r = pay(&app, &payer, &m.static_qr, Some(20_001)).await;
    assert_limit_exceeded(r, "static_qr_daily", 20_000).await;
    let (status, _) = answer(pay(&app, &payer, &m.static_qr, Some(20_000)).await).await;
    assert_eq!(status, 201);
    let r = pay(&app, &payer, &m.static_qr, Some(1)).await;
    assert_eq!(limit_problem(r).await.3, Some(0));
    // Orders are not static codes: the cap does not apply to them.
    paid_order(&app, &m, &payer, 10_000).await;
    assert_eq!(available(&app, &payer.token).await, 40_000);
}

#[tokio::test]
async fn the_merchant_discount_shows_in_payments_and_balance() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 100_000).await;
    paid_order(&app, &m, &payer, 10_000).await;
    let (status, _) = answer(pay(&app, &payer, &m.static_qr, Some(2_500)).await).await;
    assert_eq!(status, 201);
    let list = payments(&app, &m).await;
    assert_eq!(list.len(), 2);
    assert_eq!(
        (&list[0]["amount"], &list[0]["fee"]),
        (&json!(2_500), &json!(15))
    );
    assert_eq!(
        (&list[1]["amount"], &list[1]["fee"]),
        (&json!(10_000), &json!(60))
    );
    assert_eq!(list[0]["channel"], "static_qr");
    assert_eq!(merchant_balance(&app, &m).await, (12_500 - 75, 0));
    assert_eq!(available(&app, &payer.token).await, 87_500);
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 75);
    assert_ledger_clean(&store).await;
    // The payer's record shows no fee: the merchant pays it.
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions?type=payment",
        None,
        Some(&payer.token),
    )
    .await;
    let (_, page) = answer(r).await;
    assert_eq!(page["items"][0]["fee"], 0);
    assert_eq!(page["items"][0]["counterparty"], "兰州牛肉面");
}

#[tokio::test]
async fn a_merchant_cannot_be_paid_by_its_owner() {
    let app = spawn_app().await;
    let owner = open_l2_holder_named(&app, "王老板").await;
    topup(&app, &owner, 5_000).await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let r = pay(&app, &owner, &m.static_qr, Some(100)).await;
    assert_eq!(refused(r).await, (422, "invalid_payee".into()));
    assert_eq!(available(&app, &owner.token).await, 5_000);
}

// ---------------------------------------------------------------------------------------------
// Payment codes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_payment_code_is_eighteen_digits_and_pays_up_to_500_yuan_without_the_pin() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 100_000).await;
    let (status, body) =
        answer(call(&app, "GET", "/v1/me/payment-code", None, Some(&payer.token)).await).await;
    assert_eq!(status, 200);
    let code = body["code"].as_str().unwrap();
    assert_eq!(code.len(), 18);
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert!(body["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    let (status, charged) = answer(charge(&app, &m, code, 50_000, None).await).await;
    assert_eq!(status, 201, "{charged}");
    assert_eq!(
        (&charged["status"], &charged["amount"]),
        (&json!("succeeded"), &json!(50_000))
    );
    assert_eq!(available(&app, &payer.token).await, 50_000);
    assert_eq!(merchant_balance(&app, &m).await, (50_000 - 300, 0));
    // A used code is no code.
    let r = charge(&app, &m, code, 100, None).await;
    assert_eq!(refused(r).await, (422, "payment_code_invalid".into()));
    for unknown in ["280000000000000000", "12345", "28000000000000000x", ""] {
        let r = charge(&app, &m, unknown, 100, None).await;
        assert_eq!(
            refused(r).await,
            (422, "payment_code_invalid".into()),
            "{unknown:?}"
        );
        let r = charge(&app, &m, unknown, 100, Some(PIN)).await;
        assert_eq!(
            refused(r).await,
            (422, "payment_code_invalid".into()),
            "{unknown:?}"
        );
    }
    assert_eq!(available(&app, &payer.token).await, 50_000);
}

#[tokio::test]
async fn above_500_yuan_a_payment_code_needs_the_payers_pin() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 200_000).await;
    let code = payment_code(&app, &payer).await;
    // Asked not to wait for the payer's phone (`money_waiting_charges.rs` covers the wait).
    let r = charge_without_waiting(&app, &m, &code, 50_001).await;
    assert_eq!(refused(r).await, (422, "pin_required".into()));
    assert_eq!(available(&app, &payer.token).await, 200_000);
    let r = charge(&app, &m, &code, 50_001, Some(WRONG_PIN)).await;
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "pin_incorrect", Some(4))
    );
    let (status, body) = answer(charge(&app, &m, &code, 150_000, Some(PIN)).await).await;
    assert_eq!(
        status, 201,
        "the refused tries left the code usable: {body}"
    );
    assert_eq!(available(&app, &payer.token).await, 50_000);
    let code = payment_code(&app, &payer).await;
    let r = charge(&app, &m, &code, 50_001, Some(PIN)).await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    assert_eq!(available(&app, &payer.token).await, 50_000);
}

#[tokio::test]
async fn a_payment_code_expires_after_60_seconds() {
    let (app, clock) = spawn_app_with_clock().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    let code = payment_code(&app, &payer).await;
    clock.advance_s(61);
    let r = charge(&app, &m, &code, 100, None).await;
    assert_eq!(refused(r).await, (422, "payment_code_expired".into()));
    let r = charge(&app, &m, &code, 100, Some(PIN)).await;
    assert_eq!(refused(r).await, (422, "payment_code_expired".into()));
    assert_eq!(available(&app, &payer.token).await, 10_000);
    let fresh = payment_code(&app, &payer).await;
    clock.advance_s(59);
    assert_eq!(charge(&app, &m, &fresh, 100, None).await.status(), 201);
    assert_eq!(available(&app, &payer.token).await, 9_900);
}

#[tokio::test]
async fn password_free_payment_code_charges_are_capped_at_1000_yuan_a_day() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 300_000).await;
    for amount in [50_000, 40_000] {
        let code = payment_code(&app, &payer).await;
        assert_eq!(charge(&app, &m, &code, amount, None).await.status(), 201);
    }
    let code = payment_code(&app, &payer).await;
    let r = charge_without_waiting(&app, &m, &code, 10_001).await;
    assert_eq!(refused(r).await, (422, "pin_required".into()));
    assert_eq!(charge(&app, &m, &code, 10_000, None).await.status(), 201);
    let code = payment_code(&app, &payer).await;
    let r = charge_without_waiting(&app, &m, &code, 1).await;
    assert_eq!(refused(r).await, (422, "pin_required".into()));
    assert_eq!(
        charge(&app, &m, &code, 1, Some(PIN)).await.status(),
        201,
        "with the PIN it works"
    );
    assert_eq!(available(&app, &payer.token).await, 300_000 - 100_001);
}

#[tokio::test]
async fn a_charge_is_idempotent_per_merchant_key() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    let code = payment_code(&app, &payer).await;
    let key = idem();
    let body = json!({"payment_code": code, "amount": 700});
    let first =
        answer(keyed(&app, "/v1/merchant/charges", body.clone(), &m.api_key, &key).await).await;
    let second = answer(keyed(&app, "/v1/merchant/charges", body, &m.api_key, &key).await).await;
    assert_eq!(first.0, 201, "{}", first.1);
    assert_eq!(first, second);
    let r = keyed(
        &app,
        "/v1/merchant/charges",
        json!({"payment_code": code, "amount": 701}),
        &m.api_key,
        &key,
    )
    .await;
    assert_eq!(refused(r).await, (422, "idempotency_conflict".into()));
    let r = call(
        &app,
        "POST",
        "/v1/merchant/charges",
        Some(json!({"payment_code": code, "amount": 700})),
        Some(&m.api_key),
    )
    .await;
    assert_eq!(refused(r).await, (400, "idempotency_key_required".into()));
    assert_eq!(available(&app, &payer.token).await, 9_300);
}

// ---------------------------------------------------------------------------------------------
// Refunds
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_payment_is_refunded_in_parts_and_never_beyond_what_was_paid() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    let store = ledger(&app).await;
    let payment = paid_order(&app, &m, &payer, 1_800).await;
    assert_eq!(merchant_balance(&app, &m).await, (1_789, 0));
    assert_eq!(fee_income(&store).await, 11);
    let (status, first) = answer(refund(&app, &m, &payment, 600, &idem()).await).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (&first["status"], &first["amount"]),
        (&json!("succeeded"), &json!(600))
    );
    assert_eq!(available(&app, &payer.token).await, 8_800);
    let r = refund(&app, &m, &payment, 1_201, &idem()).await;
    assert_eq!(
        refused(r).await,
        (422, "refund_exceeds_payment".into()),
        "one fen more"
    );
    let (status, _) = answer(refund(&app, &m, &payment, 1_200, &idem()).await).await;
    assert_eq!(status, 201);
    let r = refund(&app, &m, &payment, 1, &idem()).await;
    assert_eq!(refused(r).await, (422, "refund_exceeds_payment".into()));
    assert_eq!(
        available(&app, &payer.token).await,
        10_000,
        "all of it is back"
    );
    assert_eq!(merchant_balance(&app, &m).await, (0, 0));
    assert_eq!(
        fee_income(&store).await,
        0,
        "the fee went back with the refund"
    );
    assert_eq!(payments(&app, &m).await[0]["refunded"], 1_800);
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions?type=refund",
        None,
        Some(&payer.token),
    )
    .await;
    let (_, page) = answer(r).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_refund_of_another_merchants_payment_is_not_found() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    let owner2 = open_l1_holder_named(&app, "赵六").await;
    let m2 = open_merchant(&app, &owner2, "沙县小吃").await;
    let payment = paid_order(&app, &m, &payer, 1_000).await;
    let r = refund(&app, &m2, &payment, 100, &idem()).await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    let r = refund(&app, &m, "no-such-payment", 100, &idem()).await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    assert_eq!(available(&app, &payer.token).await, 9_000);
    let r = refund(&app, &m, &payment, 0, &idem()).await;
    assert_eq!(refused(r).await, (422, "amount_invalid".into()));
}

#[tokio::test]
async fn a_refund_retried_with_its_key_refunds_once() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    let payment = paid_order(&app, &m, &payer, 2_000).await;
    let key = idem();
    let first = answer(refund(&app, &m, &payment, 500, &key).await).await;
    let second = answer(refund(&app, &m, &payment, 500, &key).await).await;
    assert_eq!(first.0, 201, "{}", first.1);
    assert_eq!(first, second, "the same reply");
    assert_eq!(available(&app, &payer.token).await, 8_500, "refunded once");
    let r = refund(&app, &m, &payment, 400, &key).await;
    assert_eq!(refused(r).await, (422, "idempotency_conflict".into()));
    assert_eq!(payments(&app, &m).await[0]["refunded"], 500);
}

#[tokio::test]
async fn takings_are_settled_to_the_owners_card_once_the_bank_pays() {
    let app = spawn_app().await;
    let payer = open_l2_holder_named(&app, "张三").await;
    topup(&app, &payer, 20_000).await;
    let l1_owner = open_l1_holder_named(&app, "王老板").await;
    let no_card = open_merchant(&app, &l1_owner, "兰州牛肉面").await;
    paid_order(&app, &no_card, &payer, 1_000).await;
    let r = keyed(
        &app,
        "/v1/merchant/settlements",
        json!({}),
        &no_card.api_key,
        &idem(),
    )
    .await;
    assert_eq!(
        refused(r).await,
        (403, "kyc_required".into()),
        "no card to settle to"
    );

    let owner = open_l2_holder_named(&app, "赵六").await;
    let m = open_merchant(&app, &owner, "沙县小吃").await;
    paid_order(&app, &m, &payer, 10_000).await;
    let r = keyed(
        &app,
        "/v1/merchant/settlements",
        json!({"amount": 9_941}),
        &m.api_key,
        &idem(),
    )
    .await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    let (status, body) = answer(
        keyed(
            &app,
            "/v1/merchant/settlements",
            json!({}),
            &m.api_key,
            &idem(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, &body["status"], &body["amount"]),
        (201, &json!("pending"), &json!(9_940)),
        "{body}"
    );
    assert_eq!(merchant_balance(&app, &m).await, (0, 9_940));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while merchant_balance(&app, &m).await != (0, 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the settlement was never paid"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let r = keyed(
        &app,
        "/v1/merchant/settlements",
        json!({}),
        &m.api_key,
        &idem(),
    )
    .await;
    assert_eq!(
        refused(r).await,
        (422, "insufficient_balance".into()),
        "nothing left"
    );
    assert_eq!(
        available(&app, &owner.token).await,
        0,
        "settled to the card, not the wallet"
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

// ---------------------------------------------------------------------------------------------
// Races
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_order_paid_by_two_holders_at_once_is_paid_exactly_once() {
    let app = spawn_app().await;
    let (m, first) = shop_and_payer(&app, 10_000).await;
    let second = open_l2_holder_named(&app, "李四").await;
    topup(&app, &second, 10_000).await;
    for _ in 0..3 {
        let o = order(&app, &m, 3_000).await;
        let qr = o["qr_payload"].as_str().unwrap();
        let (r1, r2) = tokio::join!(pay(&app, &first, qr, None), pay(&app, &second, qr, None));
        let (s1, b1) = answer(r1).await;
        let (s2, b2) = answer(r2).await;
        let mut statuses = [s1, s2];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{b1} / {b2}");
        let loser = if s1 == 409 { &b1 } else { &b2 };
        assert_eq!(loser["code"], "order_paid");
    }
    let spent = 20_000 - available(&app, &first.token).await - available(&app, &second.token).await;
    assert_eq!(spent, 9_000, "three orders paid once each");
    assert_eq!(payments(&app, &m).await.len(), 3);
    assert_eq!(merchant_balance(&app, &m).await.0, 9_000 - 3 * 18);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_payment_code_charged_by_two_merchants_at_once_is_charged_exactly_once() {
    let app = spawn_app().await;
    let (m1, payer) = shop_and_payer(&app, 10_000).await;
    let owner2 = open_l1_holder_named(&app, "赵六").await;
    let m2 = open_merchant(&app, &owner2, "沙县小吃").await;
    for _ in 0..3 {
        let code = payment_code(&app, &payer).await;
        let (r1, r2) = tokio::join!(
            charge(&app, &m1, &code, 1_000, None),
            charge(&app, &m2, &code, 1_000, None)
        );
        let (s1, b1) = answer(r1).await;
        let (s2, b2) = answer(r2).await;
        let mut statuses = [s1, s2];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 422], "{b1} / {b2}");
        let loser = if s1 == 422 { &b1 } else { &b2 };
        assert_eq!(loser["code"], "payment_code_invalid");
    }
    assert_eq!(available(&app, &payer.token).await, 7_000);
    let taken = merchant_balance(&app, &m1).await.0 + merchant_balance(&app, &m2).await.0;
    assert_eq!(taken, 3 * (1_000 - 6));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_refunds_racing_for_the_full_amount_refund_it_once() {
    let app = spawn_app().await;
    let (m, payer) = shop_and_payer(&app, 10_000).await;
    // The merchant has more than one payment's worth, so only the refund rule can stop the second.
    paid_order(&app, &m, &payer, 5_000).await;
    let payment = paid_order(&app, &m, &payer, 4_000).await;
    let (k1, k2) = (idem(), idem());
    let (r1, r2) = tokio::join!(
        refund(&app, &m, &payment, 4_000, &k1),
        refund(&app, &m, &payment, 4_000, &k2)
    );
    let (s1, b1) = answer(r1).await;
    let (s2, b2) = answer(r2).await;
    let mut statuses = [s1, s2];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{b1} / {b2}");
    let loser = if s1 == 422 { &b1 } else { &b2 };
    assert_eq!(loser["code"], "refund_exceeds_payment");
    assert_eq!(available(&app, &payer.token).await, 5_000);
    assert_eq!(payments(&app, &m).await[0]["refunded"], 4_000);
    assert_eq!(merchant_balance(&app, &m).await.0, 5_000 - 30);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_payers_paying_one_merchant_at_once_all_arrive() {
    let app = spawn_app().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let mut payers = vec![];
    for name in ["张三", "李四", "王五", "赵六"] {
        let h = open_l2_holder_named(&app, name).await;
        topup(&app, &h, 10_000).await;
        payers.push(h);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let h = payers[i % 4].clone();
        let (client, url, qr) = (
            app.client.clone(),
            format!("{}/v1/pay", app.address),
            m.static_qr.clone(),
        );
        tasks.spawn(async move {
            client
                .post(url)
                .bearer_auth(&h.token)
                .header("Idempotency-Key", idem())
                .json(&json!({"payload": qr, "amount": 1_000, "pin": h.pin}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 201);
    }
    assert_eq!(merchant_balance(&app, &m).await.0, 12 * (1_000 - 6));
    assert_eq!(payments(&app, &m).await.len(), 12);
    for h in &payers {
        assert_eq!(balance(&app, &h.token).await, (7_000, 0));
    }
    assert_ledger_clean(&ledger(&app).await).await;
}
