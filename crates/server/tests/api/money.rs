//! The holder's money calls over HTTP with the sandbox bank: top-ups (debit, credit, refused, lost
//! answers reconciled, the balance cap), idempotency, amounts, transfers (by phone and wallet id,
//! the payee's masked name, self, frozen, PIN tries and lock, limits, delayed and cancelled),
//! withdrawals (fees, settling, refused payouts), receive codes, records, the CSV export, the
//! month's summary, the inbox and its live stream, SMS alerts, and concurrent transfers.

use crate::helpers::card_number;
use crate::helpers::{TestApp, call, post, problem, spawn_app, spawn_app_with_clock, stored_rows};
use crate::money_helpers::{
    Holder, PASSWORD, PIN, WRONG_PIN, answer, assert_ledger_clean, assert_limit_exceeded,
    available, balance, debit_card_with, fee_income, idem, inbox, keyed, ledger, limit_problem,
    money, open_l1_holder, open_l1_holder_named, open_l2_holder, open_l2_holder_named,
    open_l2_holder_with_card, otp_for, pay, record, record_becomes, records, refused, signed_up,
    sms_to, topup, transfer,
};
use qianbao_ledger::{AccountKind, Currency};
use qianbao_wallet::AccountOwner;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How long a test waits for the timers (polled every 500 ms) or the reconciler.
const SETTLE: Duration = Duration::from_secs(10);

/// An L2 holder with `amount` fen topped up from their debit card.
async fn funded(app: &TestApp, name: &str, amount: i64) -> Holder {
    let h = open_l2_holder_named(app, name).await;
    if amount > 0 {
        topup(app, &h, amount).await;
    }
    h
}

// ---------------------------------------------------------------------------------------------
// Top-ups
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_wallet_starts_at_zero_and_a_debit_card_top_up_is_free() {
    let app = spawn_app().await;
    let h = open_l2_holder(&app).await;
    assert_eq!(balance(&app, &h.token).await, (0, 0));
    let body = topup(&app, &h, 12_345).await;
    assert_eq!(
        (&body["amount"], &body["fee"], &body["currency"]),
        (&json!(12_345), &json!(0), &json!("CNY"))
    );
    assert_eq!(balance(&app, &h.token).await, (12_345, 0));
    let rec = record(&app, &h.token, body["id"].as_str().unwrap()).await;
    assert_eq!(
        (&rec["type"], &rec["direction"], &rec["status"], &rec["fee"]),
        (
            &json!("topup"),
            &json!("in"),
            &json!("succeeded"),
            &json!(0)
        )
    );
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 0);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_credit_card_top_up_charges_the_card_a_tenth_of_a_percent_on_top() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &card_number("411111", 16), true).await;
    let body = topup(&app, &h, 100_000).await;
    assert_eq!(
        (&body["amount"], &body["fee"]),
        (&json!(100_000), &json!(100))
    );
    assert_eq!(
        available(&app, &h.token).await,
        100_000,
        "the wallet gets the amount"
    );
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 100, "the operator gets the fee");
    let clearing = store
        .open_account(
            &AccountOwner::Operator,
            AccountKind::BankClearing,
            Currency::CNY,
        )
        .await
        .unwrap();
    let clearing = store.account(clearing).await.unwrap().unwrap();
    assert_eq!(
        clearing.balance.minor(),
        -100_100,
        "the card paid the amount and the fee"
    );
    // Half a fen rounds up: ¥5 costs 0.5 fen → 1 fen.
    let body = topup(&app, &h, 500).await;
    assert_eq!(body["fee"], 1);
    assert_eq!(available(&app, &h.token).await, 100_500);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_card_without_funds_is_bank_insufficient_funds_and_the_balance_is_unchanged() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &debit_card_with("0001"), false).await;
    let key = idem();
    let body = json!({"card_id": h.card_id, "amount": 5_000, "pin": h.pin});
    let first = keyed(&app, "/v1/me/topups", body.clone(), &h.token, &key).await;
    let (status, first) = answer(first).await;
    assert_eq!(
        (status, &first["code"]),
        (422, &json!("bank_insufficient_funds"))
    );
    assert_eq!(balance(&app, &h.token).await, (0, 0));
    let again = answer(keyed(&app, "/v1/me/topups", body, &h.token, &key).await).await;
    assert_eq!(again, (422, first), "a retry gets the same refusal");
    assert_eq!(balance(&app, &h.token).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_top_up_whose_bank_answer_is_lost_is_pending_then_reconciled_exactly_once() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &debit_card_with("0005"), false).await;
    let key = idem();
    let body = json!({"card_id": h.card_id, "amount": 7_700, "pin": h.pin});
    let (status, first) =
        answer(keyed(&app, "/v1/me/topups", body.clone(), &h.token, &key).await).await;
    assert_eq!(
        (status, &first["status"]),
        (201, &json!("pending")),
        "{first}"
    );
    assert_eq!(
        balance(&app, &h.token).await,
        (0, 0),
        "nothing before the bank answers"
    );
    let id = first["id"].as_str().unwrap();
    record_becomes(&app, &h.token, id, "succeeded", SETTLE).await;
    assert_eq!(available(&app, &h.token).await, 7_700);
    // The retry replays the first answer and moves nothing; the reconciler does not run twice.
    let again = answer(keyed(&app, "/v1/me/topups", body, &h.token, &key).await).await;
    assert_eq!(again, (201, first));
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(balance(&app, &h.token).await, (7_700, 0));
    let store = ledger(&app).await;
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_top_up_over_the_balance_cap_is_limit_exceeded_with_the_headroom() {
    let app = spawn_app().await;
    let h = funded(&app, "张三", 1_000).await;
    // L2 may hold ¥500,000.
    let r = money(
        &app,
        "/v1/me/topups",
        json!({"card_id": h.card_id, "amount": 49_999_001, "pin": h.pin}),
        &h.token,
    )
    .await;
    assert_limit_exceeded(r, "balance_cap", 49_999_000).await;
    assert_eq!(balance(&app, &h.token).await, (1_000, 0));
    topup(&app, &h, 49_999_000).await;
    assert_eq!(available(&app, &h.token).await, 50_000_000);
}

// ---------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_money_call_without_an_idempotency_key_is_refused_with_400() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let calls = [
        (
            "/v1/me/topups",
            json!({"card_id": a.card_id, "amount": 100, "pin": a.pin}),
        ),
        (
            "/v1/transfers",
            json!({"to_wallet_id": b.wallet_id, "amount": 100, "pin": a.pin}),
        ),
        (
            "/v1/me/withdrawals",
            json!({"card_id": a.card_id, "amount": 100, "pin": a.pin}),
        ),
        (
            "/v1/pay",
            json!({"payload": format!("qianbao://r/{}", b.wallet_id), "amount": 100, "pin": a.pin}),
        ),
    ];
    for (path, body) in calls {
        let (status, code) = refused(post(&app, path, body, Some(&a.token)).await).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "idempotency_key_required"),
            "{path}"
        );
    }
    // An empty or unprintable key is no key either.
    let r = app
        .client
        .post(format!("{}/v1/transfers", app.address))
        .bearer_auth(&a.token)
        .header("Idempotency-Key", "")
        .json(&json!({"to_wallet_id": b.wallet_id, "amount": 100, "pin": a.pin}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
}

#[tokio::test]
async fn the_same_key_and_body_answer_the_same_and_move_money_once() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let key = idem();
    let body = json!({"to_wallet_id": b.wallet_id, "amount": 2_500, "pin": a.pin, "memo": "午饭"});
    let first = answer(keyed(&app, "/v1/transfers", body.clone(), &a.token, &key).await).await;
    assert_eq!(first.0, 201, "{}", first.1);
    let second = answer(keyed(&app, "/v1/transfers", body.clone(), &a.token, &key).await).await;
    assert_eq!(second, first, "the same status and body");
    assert_eq!(available(&app, &a.token).await, 7_500, "moved once");
    assert_eq!(available(&app, &b.token).await, 2_500);
    assert_eq!(records(&app, &b.token, "").await.len(), 1);

    // A refusal is the first answer too: kept, even once the balance would allow it.
    let key = idem();
    let body = json!({"to_wallet_id": b.wallet_id, "amount": 9_000, "pin": a.pin});
    let refusal = answer(keyed(&app, "/v1/transfers", body.clone(), &a.token, &key).await).await;
    assert_eq!(
        (refusal.0, &refusal.1["code"]),
        (422, &json!("insufficient_balance"))
    );
    topup(&app, &a, 5_000).await;
    let again = answer(keyed(&app, "/v1/transfers", body, &a.token, &key).await).await;
    assert_eq!(again, refusal, "the same refusal, status and body");
    assert_eq!(available(&app, &a.token).await, 12_500);
    assert_eq!(available(&app, &b.token).await, 2_500);

    // A top-up retried with its key credits once.
    let key = idem();
    let body = json!({"card_id": a.card_id, "amount": 300, "pin": a.pin});
    let first = answer(keyed(&app, "/v1/me/topups", body.clone(), &a.token, &key).await).await;
    let second = answer(keyed(&app, "/v1/me/topups", body, &a.token, &key).await).await;
    assert_eq!((first.0, &first), (201, &second));
    assert_eq!(available(&app, &a.token).await, 12_800);
}

#[tokio::test]
async fn a_key_is_still_honoured_a_day_later() {
    let (app, clock) = spawn_app_with_clock().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let key = idem();
    let body = json!({"to_wallet_id": b.wallet_id, "amount": 1_000, "pin": a.pin});
    let first = answer(keyed(&app, "/v1/transfers", body.clone(), &a.token, &key).await).await;
    assert_eq!(first.0, 201);
    clock.advance_s(24 * 3600 + 60);
    let again = answer(keyed(&app, "/v1/transfers", body, &a.token, &key).await).await;
    assert_eq!(again, first);
    assert_eq!(available(&app, &a.token).await, 9_000);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_idempotency_conflict() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let key = idem();
    let r = keyed(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 1_000, "pin": a.pin}),
        &a.token,
        &key,
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = keyed(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 1_001, "pin": a.pin}),
        &a.token,
        &key,
    )
    .await;
    assert_eq!(refused(r).await, (422, "idempotency_conflict".into()));
    // The same key on another money call is another request too.
    let r = keyed(
        &app,
        "/v1/me/topups",
        json!({"card_id": a.card_id, "amount": 1_000, "pin": a.pin}),
        &a.token,
        &key,
    )
    .await;
    assert_eq!(refused(r).await, (422, "idempotency_conflict".into()));
    assert_eq!(available(&app, &a.token).await, 9_000);
    assert_eq!(available(&app, &b.token).await, 1_000);
}

#[tokio::test]
async fn idempotency_keys_are_per_caller() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = funded(&app, "李四", 10_000).await;
    let c = open_l1_holder_named(&app, "王五").await;
    let key = idem();
    let body_a = json!({"to_wallet_id": c.wallet_id, "amount": 1_000, "pin": a.pin});
    let body_b = json!({"to_wallet_id": c.wallet_id, "amount": 1_000, "pin": b.pin});
    let (sa, ra) = answer(keyed(&app, "/v1/transfers", body_a, &a.token, &key).await).await;
    let (sb, rb) = answer(keyed(&app, "/v1/transfers", body_b, &b.token, &key).await).await;
    assert_eq!((sa, sb), (201, 201), "{ra} {rb}");
    assert_ne!(ra["id"], rb["id"], "two transfers, not a replay");
    assert_eq!(available(&app, &c.token).await, 2_000);
}

#[tokio::test]
async fn the_stored_request_digest_does_not_reveal_the_payment_password() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &a, &b, 1_000).await.status(), 201);
    // Everything in the request but the PIN is in the database (wallet id, amount) or fixed, so a
    // plain hash of it would give the six digits away in a million guesses.
    let request = qianbao_api_types::TransferRequest {
        to_phone: None,
        to_wallet_id: Some(b.wallet_id.clone()),
        amount: 1_000,
        currency: None,
        pin: a.pin.clone(),
        memo: None,
        delay: None,
    };
    let canonical = serde_json::to_string(&request).unwrap();
    let plain = qianbao_secrets::token::token_digest(&format!("transfer\n{canonical}"));
    let rows = stored_rows(&app).await;
    assert!(rows.iter().any(|r| r.starts_with("idempotency")));
    assert!(
        !rows.iter().any(|r| r.contains(&plain)),
        "an unkeyed digest of a request with the PIN is stored"
    );
}

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn zero_and_negative_amounts_are_amount_invalid() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    for amount in [0, -1, -10_000] {
        let r = transfer(&app, &a, &b, amount).await;
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "amount_invalid"),
            "{amount}"
        );
        assert_eq!(p.field.as_deref(), Some("amount"));
        let r = money(
            &app,
            "/v1/me/topups",
            json!({"card_id": a.card_id, "amount": amount, "pin": a.pin}),
            &a.token,
        )
        .await;
        assert_eq!(refused(r).await, (422, "amount_invalid".into()), "{amount}");
        let r = pay(
            &app,
            &a,
            &format!("qianbao://r/{}", b.wallet_id),
            Some(amount),
        )
        .await;
        assert_eq!(refused(r).await, (422, "amount_invalid".into()), "{amount}");
    }
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
}

#[tokio::test]
async fn fractional_huge_and_text_amounts_are_invalid_requests() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let amounts = [
        json!(12.5),
        json!(100.0),
        json!(1e3),
        json!(9_223_372_036_854_775_808u64),
        json!("1000"),
        json!(null),
    ];
    for amount in amounts {
        let body = json!({"to_wallet_id": b.wallet_id, "amount": amount, "pin": a.pin});
        let (status, code) = refused(money(&app, "/v1/transfers", body, &a.token).await).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "invalid_request"),
            "{amount}"
        );
    }
    // Raw JSON numbers beyond i64 never reach the rules either.
    let r = app
        .client
        .post(format!("{}/v1/transfers", app.address))
        .bearer_auth(&a.token)
        .header("Idempotency-Key", idem())
        .header("Content-Type", "application/json")
        .body(format!(
            r#"{{"to_wallet_id": "{}", "amount": 99999999999999999999999, "pin": "{}"}}"#,
            b.wallet_id, a.pin
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    // Beyond the per-call bound but within i64: amount_invalid.
    let r = transfer(&app, &a, &b, i64::MAX).await;
    assert_eq!(refused(r).await, (422, "amount_invalid".into()));
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
}

#[tokio::test]
async fn an_unknown_currency_is_currency_unsupported() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    for currency in ["XYZ", "cny", "", "人民币"] {
        let body =
            json!({"to_wallet_id": b.wallet_id, "amount": 100, "currency": currency, "pin": a.pin});
        let (status, p) = problem(money(&app, "/v1/transfers", body, &a.token).await).await;
        assert_eq!(
            (status, p.code.as_str(), p.field.as_deref()),
            (422, "currency_unsupported", Some("currency")),
            "{currency:?}"
        );
        let body = json!({"card_id": a.card_id, "amount": 100, "currency": currency, "pin": a.pin});
        let r = money(&app, "/v1/me/topups", body, &a.token).await;
        assert_eq!(refused(r).await, (422, "currency_unsupported".into()));
    }
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
}

// ---------------------------------------------------------------------------------------------
// Transfers
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_transfer_by_phone_or_by_wallet_id_moves_the_money() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let local = b.phone.trim_start_matches("+86").to_string();
    for (to, amount) in [
        (json!({"to_phone": b.phone}), 1_000),
        (json!({"to_phone": local}), 2_000),
        (json!({"to_wallet_id": b.wallet_id}), 3_000),
    ] {
        let mut body = to.clone();
        body["amount"] = json!(amount);
        body["pin"] = json!(a.pin);
        body["memo"] = json!("房租");
        let (status, reply) = answer(money(&app, "/v1/transfers", body, &a.token).await).await;
        assert_eq!(status, 201, "{to} {reply}");
        assert_eq!(
            (
                &reply["status"],
                &reply["amount"],
                &reply["fee"],
                &reply["currency"]
            ),
            (
                &json!("succeeded"),
                &json!(amount),
                &json!(0),
                &json!("CNY")
            )
        );
    }
    assert_eq!(balance(&app, &a.token).await, (4_000, 0));
    assert_eq!(balance(&app, &b.token).await, (6_000, 0));
    let out = records(&app, &a.token, "&type=transfer").await;
    let inn = records(&app, &b.token, "&type=transfer").await;
    assert_eq!((out.len(), inn.len()), (3, 3));
    assert_eq!(
        (
            &out[0]["direction"],
            &out[0]["counterparty"],
            &out[0]["memo"]
        ),
        (&json!("out"), &json!("*四"), &json!("房租"))
    );
    assert_eq!(
        (
            &inn[0]["direction"],
            &inn[0]["counterparty"],
            &inn[0]["amount"]
        ),
        (&json!("in"), &json!("*三"), &json!(3_000))
    );
}

#[tokio::test]
async fn a_payee_is_shown_by_their_masked_name_and_an_unknown_phone_is_not_found() {
    let app = spawn_app().await;
    let a = open_l1_holder(&app).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let unverified = signed_up(&app).await;
    for phone in [
        b.phone.clone(),
        b.phone.trim_start_matches("+86").to_string(),
    ] {
        let path = format!("/v1/payees?phone={}", phone.replace('+', "%2B"));
        let (status, body) = answer(call(&app, "GET", &path, None, Some(&a.token)).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            json!({"wallet_id": b.wallet_id, "masked_name": "*四"})
        );
    }
    let path = format!("/v1/payees?phone={}", unverified.phone.replace('+', "%2B"));
    let (_, body) = answer(call(&app, "GET", &path, None, Some(&a.token)).await).await;
    let shown = body["masked_name"].as_str().unwrap();
    assert!(
        !shown.contains(&unverified.phone[5..]),
        "an unverified payee's phone is masked: {shown}"
    );
    let r = call(
        &app,
        "GET",
        "/v1/payees?phone=%2B8613900000000",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    let r = call(&app, "GET", "/v1/payees?phone=13900000001", None, None).await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
    // A transfer to nobody is not found, and moves nothing.
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_phone": "+8613900000000", "amount": 1, "pin": a.pin}),
        &a.token,
    )
    .await;
    assert_eq!(refused(r).await.0, 404);
}

#[tokio::test]
async fn paying_yourself_or_a_frozen_wallet_is_invalid_payee() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = transfer(&app, &a, &a, 100).await;
    assert_eq!(refused(r).await, (422, "invalid_payee".into()));
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_phone": a.phone, "amount": 100, "pin": a.pin}),
        &a.token,
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_payee".into()));
    let r = post(&app, "/v1/me/freeze", json!({}), Some(&b.token)).await;
    assert_eq!(r.status(), 200);
    let r = transfer(&app, &a, &b, 100).await;
    assert_eq!(refused(r).await, (422, "invalid_payee".into()));
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
}

#[tokio::test]
async fn insufficient_balance_leaves_both_balances_unchanged() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 5_000).await;
    let b = funded(&app, "李四", 700).await;
    let r = transfer(&app, &a, &b, 5_001).await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    assert_eq!(balance(&app, &a.token).await, (5_000, 0));
    assert_eq!(balance(&app, &b.token).await, (700, 0));
    assert!(records(&app, &a.token, "&type=transfer").await.is_empty());
    assert!(records(&app, &b.token, "&type=transfer").await.is_empty());
    let r = transfer(&app, &a, &b, 5_000).await;
    assert_eq!(r.status(), 201, "exactly the balance may go");
    assert_eq!(balance(&app, &a.token).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_wrong_pin_is_pin_incorrect_and_the_fifth_locks_payments_even_for_the_right_pin() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let body = |pin: &str| json!({"to_wallet_id": b.wallet_id, "amount": 100, "pin": pin});
    for left in [4, 3, 2, 1] {
        let r = money(&app, "/v1/transfers", body(WRONG_PIN), &a.token).await;
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str(), p.attempts_left),
            (401, "pin_incorrect", Some(left))
        );
    }
    let r = money(&app, "/v1/transfers", body(WRONG_PIN), &a.token).await;
    assert!(r.headers().contains_key("retry-after"));
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (423, "pin_locked"));
    assert!(p.retry_after.unwrap() > 0);
    let r = money(&app, "/v1/transfers", body(PIN), &a.token).await;
    assert_eq!(refused(r).await, (423, "pin_locked".into()));
    let r = money(
        &app,
        "/v1/me/topups",
        json!({"card_id": a.card_id, "amount": 100, "pin": PIN}),
        &a.token,
    )
    .await;
    assert_eq!(refused(r).await, (423, "pin_locked".into()));
    let r = call(&app, "GET", "/v1/me/payment-code", None, Some(&a.token)).await;
    assert_eq!(refused(r).await, (423, "pin_locked".into()));
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
}

#[tokio::test]
async fn level_one_limits_per_payment_and_per_day_are_limit_exceeded_with_the_headroom() {
    let app = spawn_app().await;
    let rich = funded(&app, "张三", 2_000_000).await;
    let l1 = open_l1_holder_named(&app, "李四").await;
    let c = open_l1_holder_named(&app, "王五").await;
    assert_eq!(transfer(&app, &rich, &l1, 1_500_000).await.status(), 201);
    // L1: ¥5,000 per payment, ¥10,000 a day.
    let r = transfer(&app, &l1, &c, 500_001).await;
    assert_limit_exceeded(r, "per_payment", 500_000).await;
    assert_eq!(transfer(&app, &l1, &c, 500_000).await.status(), 201);
    assert_eq!(transfer(&app, &l1, &c, 400_000).await.status(), 201);
    let r = transfer(&app, &l1, &c, 100_001).await;
    assert_limit_exceeded(r, "per_day", 100_000).await;
    assert_eq!(transfer(&app, &l1, &c, 100_000).await.status(), 201);
    let r = transfer(&app, &l1, &c, 1).await;
    assert_limit_exceeded(r, "per_day", 0).await;
    assert_eq!(available(&app, &l1.token).await, 500_000);
    assert_eq!(available(&app, &c.token).await, 1_000_000);
}

#[tokio::test]
async fn the_days_limits_start_again_at_midnight_in_china() {
    let (app, clock) = spawn_app_with_clock().await;
    // The clock starts at 16:00 in Beijing.
    let rich = funded(&app, "张三", 2_000_000).await;
    let l1 = open_l1_holder_named(&app, "李四").await;
    let c = open_l1_holder_named(&app, "王五").await;
    assert_eq!(transfer(&app, &rich, &l1, 1_500_000).await.status(), 201);
    assert_eq!(transfer(&app, &l1, &c, 500_000).await.status(), 201);
    assert_eq!(transfer(&app, &l1, &c, 500_000).await.status(), 201);
    let r = transfer(&app, &l1, &c, 1).await;
    assert_eq!(limit_problem(r).await.2.as_deref(), Some("per_day"));
    // 23:59:59 in Beijing is still the same day.
    clock.advance_s(8 * 3600 - 1);
    let r = transfer(&app, &l1, &c, 1).await;
    assert_eq!(limit_problem(r).await.2.as_deref(), Some("per_day"));
    clock.advance_s(1);
    assert_eq!(transfer(&app, &l1, &c, 500_000).await.status(), 201);
    assert_eq!(available(&app, &l1.token).await, 0);
}

#[tokio::test]
async fn a_delayed_transfer_counts_toward_the_days_limit_until_cancelled() {
    let app = spawn_app().await;
    let rich = funded(&app, "张三", 2_000_000).await;
    let l1 = open_l1_holder_named(&app, "李四").await;
    let c = open_l1_holder_named(&app, "王五").await;
    assert_eq!(transfer(&app, &rich, &l1, 1_500_000).await.status(), 201);
    let mut ids = vec![];
    for _ in 0..2 {
        let r = money(
            &app,
            "/v1/transfers",
            json!({"to_wallet_id": c.wallet_id, "amount": 500_000, "pin": l1.pin, "delay": "24h"}),
            &l1.token,
        )
        .await;
        let (status, body) = answer(r).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    let r = transfer(&app, &l1, &c, 1).await;
    assert_limit_exceeded(r, "per_day", 0).await;
    let r = money(
        &app,
        &format!("/v1/transfers/{}/cancel", ids[0]),
        json!({}),
        &l1.token,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(transfer(&app, &l1, &c, 500_000).await.status(), 201);
    assert_eq!(balance(&app, &l1.token).await, (500_000, 500_000));
}

#[tokio::test]
async fn an_l0_holder_has_no_payment_password_so_cannot_transfer() {
    let app = spawn_app().await;
    let l0 = signed_up(&app).await;
    let r = call(
        &app,
        "PUT",
        "/v1/me/pin",
        Some(json!({"pin": PIN})),
        Some(&l0.token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "kyc_required".into()));
    let b = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 100, "pin": PIN}),
        &l0.token,
    )
    .await;
    assert_eq!(refused(r).await, (403, "pin_not_set".into()));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
}

#[tokio::test]
async fn a_payee_over_their_balance_cap_is_limit_exceeded() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 1_500_000).await;
    // L1 may hold ¥20,000.
    let b = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &a, &b, 1_200_000).await.status(), 201);
    let r = transfer(&app, &a, &b, 800_001).await;
    assert_limit_exceeded(r, "balance_cap", 800_000).await;
    assert_eq!(available(&app, &a.token).await, 300_000);
    assert_eq!(available(&app, &b.token).await, 1_200_000);
}

#[tokio::test]
async fn a_frozen_wallet_cannot_transfer_top_up_withdraw_pay_or_show_a_payment_code() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = post(&app, "/v1/me/freeze", json!({}), Some(&a.token)).await;
    assert_eq!(r.status(), 200);
    let calls = [
        (
            "/v1/transfers",
            json!({"to_wallet_id": b.wallet_id, "amount": 100, "pin": a.pin}),
        ),
        (
            "/v1/me/topups",
            json!({"card_id": a.card_id, "amount": 100, "pin": a.pin}),
        ),
        (
            "/v1/me/withdrawals",
            json!({"card_id": a.card_id, "amount": 100, "pin": a.pin}),
        ),
        (
            "/v1/pay",
            json!({"payload": format!("qianbao://r/{}", b.wallet_id), "amount": 100, "pin": a.pin}),
        ),
    ];
    for (path, body) in calls {
        let r = money(&app, path, body, &a.token).await;
        assert_eq!(refused(r).await, (403, "account_frozen".into()), "{path}");
    }
    let r = call(&app, "GET", "/v1/me/payment-code", None, Some(&a.token)).await;
    assert_eq!(refused(r).await, (403, "account_frozen".into()));
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
    // Money may still arrive in a frozen wallet? No: it is refused as invalid_payee.
    let c = funded(&app, "王五", 1_000).await;
    assert_eq!(
        refused(transfer(&app, &c, &a, 100).await).await,
        (422, "invalid_payee".into())
    );
}

#[tokio::test]
async fn a_delayed_transfer_is_held_until_cancelled_and_can_be_cancelled_once() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let stranger = open_l1_holder_named(&app, "王五").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 3_000, "pin": a.pin, "delay": "2h"}),
        &a.token,
    )
    .await;
    let (status, reply) = answer(r).await;
    assert_eq!(
        (status, &reply["status"]),
        (201, &json!("scheduled")),
        "{reply}"
    );
    assert_eq!(balance(&app, &a.token).await, (7_000, 3_000));
    assert_eq!(
        balance(&app, &b.token).await,
        (0, 0),
        "the payee sees nothing yet"
    );
    assert!(records(&app, &b.token, "").await.is_empty());
    let id = reply["id"].as_str().unwrap();
    assert_eq!(record(&app, &a.token, id).await["status"], "scheduled");

    let cancel = format!("/v1/transfers/{id}/cancel");
    let r = money(&app, &cancel, json!({}), &stranger.token).await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    let (status, body) = answer(money(&app, &cancel, json!({}), &a.token).await).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("cancelled")),
        "{body}"
    );
    assert_eq!(
        balance(&app, &a.token).await,
        (10_000, 0),
        "the money is back"
    );
    let r = money(&app, &cancel, json!({}), &a.token).await;
    assert_eq!(refused(r).await, (409, "not_cancellable".into()));
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
    assert_eq!(record(&app, &a.token, id).await["status"], "cancelled");
    // An immediate transfer is not cancellable either, and an unknown delay is refused.
    let (_, done) = answer(transfer(&app, &a, &b, 100).await).await;
    let r = money(
        &app,
        &format!("/v1/transfers/{}/cancel", done["id"].as_str().unwrap()),
        json!({}),
        &a.token,
    )
    .await;
    assert_eq!(refused(r).await, (409, "not_cancellable".into()));
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 100, "pin": a.pin, "delay": "3h"}),
        &a.token,
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_delayed_transfer_arrives_when_its_time_comes() {
    let (app, clock) = spawn_app_with_clock().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 4_000, "pin": a.pin, "delay": "2h"}),
        &a.token,
    )
    .await;
    let (status, reply) = answer(r).await;
    assert_eq!(status, 201, "{reply}");
    let id = reply["id"].as_str().unwrap().to_string();
    clock.advance_s(2 * 3600 - 10);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(balance(&app, &b.token).await, (0, 0), "not before its time");
    clock.advance_s(11);
    let deadline = Instant::now() + SETTLE;
    while available(&app, &b.token).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the delayed transfer never arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(balance(&app, &b.token).await, (4_000, 0));
    assert_eq!(balance(&app, &a.token).await, (6_000, 0));
    assert_eq!(record(&app, &a.token, &id).await["status"], "succeeded");
    let inn = records(&app, &b.token, "").await;
    assert_eq!(inn.len(), 1);
    assert_eq!(
        (&inn[0]["direction"], &inn[0]["amount"]),
        (&json!("in"), &json!(4_000))
    );
    let r = money(
        &app,
        &format!("/v1/transfers/{id}/cancel"),
        json!({}),
        &a.token,
    )
    .await;
    assert_eq!(refused(r).await, (409, "not_cancellable".into()));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(balance(&app, &b.token).await, (4_000, 0), "it arrives once");
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_delayed_transfer_does_not_leave_a_frozen_wallet_until_it_is_unfrozen() {
    let (app, clock) = spawn_app_with_clock().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 4_000, "pin": a.pin, "delay": "2h"}),
        &a.token,
    )
    .await;
    let (status, reply) = answer(r).await;
    assert_eq!(status, 201, "{reply}");
    let id = reply["id"].as_str().unwrap().to_string();
    // The phone is lost: the holder freezes the wallet before the transfer is due.
    assert_eq!(
        post(&app, "/v1/me/freeze", json!({}), Some(&a.token))
            .await
            .status(),
        200
    );
    clock.advance_s(2 * 3600 + 1);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        balance(&app, &b.token).await,
        (0, 0),
        "no money leaves a frozen wallet"
    );
    assert_eq!(balance(&app, &a.token).await, (6_000, 4_000));
    assert_eq!(record(&app, &a.token, &id).await["status"], "scheduled");

    // Once unfrozen, it arrives.
    clock.advance_s(61);
    let otp = otp_for(&app, &a.phone, "unfreeze").await;
    let r = post(
        &app,
        "/v1/me/unfreeze",
        json!({"otp": otp, "id_number": a.id_number, "password": PASSWORD}),
        Some(&a.token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    clock.advance_s(600);
    let deadline = Instant::now() + SETTLE;
    while available(&app, &b.token).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the transfer never arrived after unfreezing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(balance(&app, &b.token).await, (4_000, 0));
    assert_eq!(balance(&app, &a.token).await, (6_000, 0));
    assert_eq!(record(&app, &a.token, &id).await["status"], "succeeded");
}

#[tokio::test]
async fn a_frozen_holder_may_still_cancel_a_delayed_transfer() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 4_000, "pin": a.pin, "delay": "24h"}),
        &a.token,
    )
    .await;
    let (_, reply) = answer(r).await;
    let id = reply["id"].as_str().unwrap();
    assert_eq!(
        post(&app, "/v1/me/freeze", json!({}), Some(&a.token))
            .await
            .status(),
        200
    );
    let r = money(
        &app,
        &format!("/v1/transfers/{id}/cancel"),
        json!({}),
        &a.token,
    )
    .await;
    assert_eq!(r.status(), 200, "cancelling keeps the money in the wallet");
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
    assert_eq!(balance(&app, &b.token).await, (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Withdrawals
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_l1_holder_cannot_withdraw() {
    let app = spawn_app().await;
    let rich = funded(&app, "张三", 10_000).await;
    let l1 = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &rich, &l1, 5_000).await.status(), 201);
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": "card-none", "amount": 1_000, "pin": l1.pin}),
        &l1.token,
    )
    .await;
    assert_eq!(refused(r).await, (403, "kyc_required".into()));
    assert_eq!(balance(&app, &l1.token).await, (5_000, 0));
}

/// Withdraws `amount` and waits until the bank settled it; returns the first reply.
async fn withdrawn(app: &TestApp, h: &Holder, amount: i64) -> Value {
    let r = money(
        app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": amount, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, reply) = answer(r).await;
    assert_eq!(
        (status, &reply["status"]),
        (201, &json!("pending")),
        "{reply}"
    );
    record_becomes(
        app,
        &h.token,
        reply["id"].as_str().unwrap(),
        "succeeded",
        SETTLE,
    )
    .await;
    reply
}

#[tokio::test]
async fn a_withdrawal_is_pending_then_settled_and_only_the_first_thousand_yuan_are_free() {
    let app = spawn_app().await;
    let h = funded(&app, "张三", 300_000).await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": 60_000, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, first) = answer(r).await;
    assert_eq!(
        (status, &first["status"], &first["fee"]),
        (201, &json!("pending"), &json!(0)),
        "{first}"
    );
    assert_eq!(
        balance(&app, &h.token).await,
        (240_000, 60_000),
        "held until the bank pays"
    );
    record_becomes(
        &app,
        &h.token,
        first["id"].as_str().unwrap(),
        "succeeded",
        SETTLE,
    )
    .await;
    assert_eq!(balance(&app, &h.token).await, (240_000, 0));
    // ¥400 of the free ¥1,000 are left: ¥200 of the next ¥600 are charged at 0.1 % = 20 fen.
    let second = withdrawn(&app, &h, 60_000).await;
    assert_eq!(second["fee"], 20);
    assert_eq!(balance(&app, &h.token).await, (240_000 - 60_020, 0));
    // 0.1 % of ¥50 is 5 fen, below the ¥0.10 minimum.
    let third = withdrawn(&app, &h, 5_000).await;
    assert_eq!(third["fee"], 10);
    assert_eq!(balance(&app, &h.token).await, (240_000 - 60_020 - 5_010, 0));
    let rec = record(&app, &h.token, third["id"].as_str().unwrap()).await;
    assert_eq!(
        (&rec["type"], &rec["direction"], &rec["amount"], &rec["fee"]),
        (
            &json!("withdrawal"),
            &json!("out"),
            &json!(5_000),
            &json!(10)
        )
    );
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 30);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_payout_the_bank_refuses_is_voided_and_the_balance_restored() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &debit_card_with("0006"), false).await;
    topup(&app, &h, 20_000).await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": 15_000, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, reply) = answer(r).await;
    assert_eq!(
        (status, &reply["status"]),
        (201, &json!("pending")),
        "{reply}"
    );
    assert_eq!(balance(&app, &h.token).await, (5_000, 15_000));
    record_becomes(
        &app,
        &h.token,
        reply["id"].as_str().unwrap(),
        "failed",
        SETTLE,
    )
    .await;
    assert_eq!(balance(&app, &h.token).await, (20_000, 0));
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 0);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn withdrawing_more_than_the_balance_is_insufficient_balance() {
    let app = spawn_app().await;
    let h = funded(&app, "张三", 1_000).await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": 1_001, "pin": h.pin}),
        &h.token,
    )
    .await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": "no-such-card", "amount": 100, "pin": h.pin}),
        &h.token,
    )
    .await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    assert_eq!(balance(&app, &h.token).await, (1_000, 0));
}

// ---------------------------------------------------------------------------------------------
// Receive codes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_receive_code_without_an_amount_is_paid_what_the_payer_types() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let (status, code) =
        answer(call(&app, "GET", "/v1/me/receive-code", None, Some(&b.token)).await).await;
    assert_eq!(status, 200);
    assert!(code["qr_svg"].as_str().unwrap().contains("<svg"));
    let payload = code["payload"].as_str().unwrap();
    let r = pay(&app, &a, payload, None).await;
    assert_eq!(
        refused(r).await,
        (422, "amount_invalid".into()),
        "the payer must type it"
    );
    let (status, paid) = answer(pay(&app, &a, payload, Some(1_234)).await).await;
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
            &json!(1_234),
            &json!("CNY"),
            &json!("*四")
        )
    );
    assert!(paid["payment_id"].is_string());
    assert_eq!(available(&app, &a.token).await, 8_766);
    assert_eq!(available(&app, &b.token).await, 1_234);
    // One's own receive code is not payable.
    let (_, own) =
        answer(call(&app, "GET", "/v1/me/receive-code", None, Some(&a.token)).await).await;
    let r = pay(&app, &a, own["payload"].as_str().unwrap(), Some(100)).await;
    assert_eq!(refused(r).await, (422, "invalid_payee".into()));
}

#[tokio::test]
async fn a_receive_code_with_an_amount_is_paid_exactly_that() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let (_, code) = answer(
        call(
            &app,
            "GET",
            "/v1/me/receive-code?amount=2500",
            None,
            Some(&b.token),
        )
        .await,
    )
    .await;
    let payload = code["payload"].as_str().unwrap();
    let (status, paid) = answer(pay(&app, &a, payload, None).await).await;
    assert_eq!((status, &paid["amount"]), (201, &json!(2_500)), "{paid}");
    assert_eq!(available(&app, &a.token).await, 7_500);
    assert_eq!(available(&app, &b.token).await, 2_500);
    let r = call(
        &app,
        "GET",
        "/v1/me/receive-code?amount=0",
        None,
        Some(&b.token),
    )
    .await;
    assert_eq!(refused(r).await, (422, "amount_invalid".into()));
}

#[tokio::test]
async fn a_payload_the_platform_did_not_issue_is_payload_invalid() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    for payload in [
        "",
        "hello",
        "https://example.com/pay",
        "qianbao://x/abc",
        "qianbao://r/",
        "qianbao://r/UPPER",
        "qianbao://r/abc?amount=-5",
        "qianbao://o/no-such-order",
        "qianbao://r/no-such-wallet",
        "wxp://f2f0abcdef",
    ] {
        let r = pay(&app, &a, payload, Some(100)).await;
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "payload_invalid"),
            "{payload:?}"
        );
    }
    let long = format!("qianbao://r/{}", "a".repeat(10_000));
    assert_eq!(
        refused(pay(&app, &a, &long, Some(100)).await).await,
        (422, "payload_invalid".into())
    );
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
}

// ---------------------------------------------------------------------------------------------
// Records, export, summary
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn records_list_newest_first_filter_by_type_and_page_by_cursor() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let mut ids = vec![];
    for amount in [100, 200, 300, 400] {
        let (_, r) = answer(transfer(&app, &a, &b, amount).await).await;
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    let all = records(&app, &a.token, "").await;
    assert_eq!(all.len(), 5, "a top-up and four transfers");
    assert_eq!(all[0]["amount"], 400, "newest first");
    assert_eq!(all[4]["type"], "topup");
    let transfers = records(&app, &a.token, "&type=transfer").await;
    assert_eq!(
        transfers
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ids.iter().rev().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(records(&app, &a.token, "&type=topup").await.len(), 1);
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions?type=bogus",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    for bad in ["0", "101", "-1"] {
        let path = format!("/v1/me/transactions?limit={bad}");
        let r = call(&app, "GET", &path, None, Some(&a.token)).await;
        assert_eq!(refused(r).await.0, 422, "limit={bad}");
    }

    // limit=2 over 5 records: 2, 2, 1, and no cursor after the last page.
    let mut seen = vec![];
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/me/transactions?limit=2&cursor={c}"),
            None => "/v1/me/transactions?limit=2".to_string(),
        };
        let (status, page) = answer(call(&app, "GET", &path, None, Some(&a.token)).await).await;
        assert_eq!(status, 200);
        pages += 1;
        let items = page["items"].as_array().unwrap();
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(items.len(), 2);
                cursor = Some(c.to_string());
            }
            None => {
                assert!(page["next_cursor"].is_null());
                break;
            }
        }
        assert!(pages < 10, "paging never ends");
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        all.iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        "every record once, in order"
    );
}

#[tokio::test]
async fn records_filter_by_day_in_china_time() {
    let (app, clock) = spawn_app_with_clock().await;
    // The clock starts at 2027-01-15T16:00 in Beijing.
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &a, &b, 100).await.status(), 201);
    clock.advance_s(24 * 3600);
    assert_eq!(transfer(&app, &a, &b, 200).await.status(), 201);
    let day1 = records(&app, &a.token, "&from=2027-01-15&to=2027-01-15").await;
    assert_eq!(day1.len(), 2, "the top-up and the first transfer: {day1:?}");
    let day2 = records(&app, &a.token, "&from=2027-01-16").await;
    assert_eq!(day2.len(), 1);
    assert_eq!(day2[0]["amount"], 200);
    let before = records(&app, &a.token, "&to=2027-01-14").await;
    assert!(before.is_empty());
    let exact = records(
        &app,
        &a.token,
        "&from=2027-01-16T07:59:00Z&to=2027-01-16T08:01:00Z",
    )
    .await;
    assert_eq!(exact.len(), 1);
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions?from=yesterday",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
}

#[tokio::test]
async fn another_holders_record_is_not_found() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 1_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let (_, t) = answer(transfer(&app, &a, &b, 100).await).await;
    let id = t["id"].as_str().unwrap();
    let r = call(
        &app,
        "GET",
        &format!("/v1/me/transactions/{id}"),
        None,
        Some(&b.token),
    )
    .await;
    assert_eq!(
        refused(r).await,
        (404, "not_found".into()),
        "the payer's side is the payer's"
    );
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions/nope",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    assert_eq!(record(&app, &a.token, id).await["amount"], 100);
}

#[tokio::test]
async fn the_csv_export_has_a_header_row_and_one_line_per_record() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 1_250, "pin": a.pin, "memo": "=1+2, \"quoted\""}),
        &a.token,
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(transfer(&app, &a, &b, 5).await.status(), 201);
    let r = call(&app, "GET", "/v1/me/transactions.csv", None, Some(&a.token)).await;
    assert_eq!(r.status(), 200);
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = r.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three records:\n{text}");
    assert_eq!(
        lines[0],
        "id,type,direction,amount,fee,currency,counterparty,status,memo,created_at"
    );
    assert!(lines[1].contains(",0.05,"), "{}", lines[1]);
    assert!(lines[2].contains(",12.50,"), "{}", lines[2]);
    assert!(
        lines[2].contains("\"'=1+2, \"\"quoted\"\"\""),
        "the memo is quoted and defused: {}",
        lines[2]
    );
    assert!(lines[3].contains("\"topup\""));
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions.csv?type=topup",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(r.text().await.unwrap().lines().count(), 2);
    let r = call(&app, "GET", "/v1/me/transactions.csv", None, Some(&b.token)).await;
    assert_eq!(r.text().await.unwrap().lines().count(), 3);
}

#[tokio::test]
async fn the_month_summary_totals_what_came_in_and_went_out() {
    let (app, _clock) = spawn_app_with_clock().await;
    // The clock is in January 2027.
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &a, &b, 1_000).await.status(), 201);
    assert_eq!(transfer(&app, &a, &b, 500).await.status(), 201);
    assert_eq!(transfer(&app, &b, &a, 200).await.status(), 201);
    let (status, s) = answer(
        call(
            &app,
            "GET",
            "/v1/me/summary?month=2027-01",
            None,
            Some(&a.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        (&s["total_in"], &s["total_out"]),
        (&json!(10_200), &json!(1_500)),
        "{s}"
    );
    let cats = s["categories"].as_array().unwrap();
    let out = cats
        .iter()
        .find(|c| c["type"] == "transfer" && c["direction"] == "out")
        .unwrap();
    assert_eq!((&out["total"], &out["count"]), (&json!(1_500), &json!(2)));
    let (_, s) = answer(
        call(
            &app,
            "GET",
            "/v1/me/summary?month=2026-12",
            None,
            Some(&a.token),
        )
        .await,
    )
    .await;
    assert_eq!((&s["total_in"], &s["total_out"]), (&json!(0), &json!(0)));
    for bad in ["2027-13", "2027-00", "abc", "2027", "2027-1-1", ""] {
        let path = format!("/v1/me/summary?month={bad}");
        let r = call(&app, "GET", &path, None, Some(&a.token)).await;
        assert_eq!(refused(r).await.0, 422, "{bad:?}");
    }
}

#[tokio::test]
async fn a_malformed_query_is_a_problem_not_plain_text() {
    let app = spawn_app().await;
    let a = open_l1_holder(&app).await;
    for path in [
        "/v1/me/summary",
        "/v1/me/summary?month=2027-01&month=2027-02",
        "/v1/me/transactions?limit=abc",
        "/v1/me/transactions?limit=1.5",
        "/v1/me/transactions.csv?limit=-",
        "/v1/me/receive-code?amount=1.5",
        "/v1/me/receive-code?amount=ten",
        "/v1/me/notifications?limit=x",
    ] {
        let r = call(&app, "GET", path, None, Some(&a.token)).await;
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            kind.starts_with("application/problem+json"),
            "{path}: {kind}"
        );
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "invalid_request"),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Notifications and alerts
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn each_movement_writes_one_notification_to_the_payer_and_one_to_the_payee() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let before_a = inbox(&app, &a.token).await.len();
    assert_eq!(before_a, 1, "the top-up's");
    let (_, t) = answer(transfer(&app, &a, &b, 1_000).await).await;
    let inbox_a = inbox(&app, &a.token).await;
    let inbox_b = inbox(&app, &b.token).await;
    assert_eq!((inbox_a.len(), inbox_b.len()), (2, 1));
    assert_eq!(inbox_a[0]["kind"], "transfer_out");
    assert_eq!(inbox_a[0]["transaction_id"], t["id"]);
    assert_eq!(inbox_b[0]["kind"], "transfer_in");
    assert!(
        inbox_b[0]["body"].as_str().unwrap().contains("¥10.00"),
        "{}",
        inbox_b[0]
    );
    // In English too, for the web app's English pages.
    assert_eq!(inbox_b[0]["title_en"], "Money received");
    assert_eq!(inbox_b[0]["body_en"], "*三 sent you ¥10.00");
    assert_eq!(inbox_a[0]["title_en"], "Transfer sent");
    // A refused movement writes none.
    assert_eq!(transfer(&app, &a, &b, 1_000_000).await.status(), 422);
    assert_eq!(inbox(&app, &a.token).await.len(), 2);
    assert_eq!(inbox(&app, &b.token).await.len(), 1);
    // The inbox pages by cursor, newest first.
    let r = call(
        &app,
        "GET",
        "/v1/me/notifications?limit=1",
        None,
        Some(&a.token),
    )
    .await;
    let (_, first) = answer(r).await;
    assert_eq!(first["items"][0]["kind"], "transfer_out");
    let cursor = first["next_cursor"].as_str().unwrap();
    let path = format!("/v1/me/notifications?limit=1&cursor={cursor}");
    let (_, second) = answer(call(&app, "GET", &path, None, Some(&a.token)).await).await;
    assert_eq!(second["items"][0]["kind"], "topup");
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn the_live_stream_delivers_a_notification_event_soon_after_a_transfer() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let mut stream = app
        .client
        .get(format!("{}/v1/me/notifications/stream", app.address))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let kind = stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.starts_with("text/event-stream"), "{kind}");
    let (_, t) = answer(transfer(&app, &a, &b, 1_500).await).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut text = String::new();
    while !text.contains("\n\n") || !text.contains("event: notification") {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no notification event within 5 s: {text:?}"))
            .unwrap()
            .expect("the stream ended");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: notification"), "{text}");
    let data = text
        .lines()
        .find_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
        .unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(event["kind"], "transfer_in");
    let records = records(&app, &b.token, "").await;
    assert_eq!(event["transaction_id"], records[0]["id"]);
    assert_ne!(event["transaction_id"], t["id"], "the payee's own record");
    drop(stream);

    // Resuming after an event id replays what came after it.
    let mut resumed = app
        .client
        .get(format!("{}/v1/me/notifications/stream", app.address))
        .bearer_auth(&b.token)
        .header("Last-Event-ID", "0")
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !text.contains("event: notification") {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, resumed.chunk())
            .await
            .unwrap_or_else(|_| panic!("nothing replayed within 5 s: {text:?}"))
            .unwrap()
            .expect("the stream ended");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("transfer_in"), "{text}");
}

#[tokio::test]
async fn a_large_movement_also_texts_the_holder() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 300_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let texts_a = sms_to(&app, &a.phone).await;
    assert!(
        texts_a[0]["text"].as_str().unwrap().contains("充值成功"),
        "a ¥3,000 top-up is texted: {:?}",
        texts_a[0]
    );
    let before = sms_to(&app, &b.phone).await.len();
    assert_eq!(transfer(&app, &a, &b, 99_999).await.status(), 201);
    assert_eq!(
        sms_to(&app, &b.phone).await.len(),
        before,
        "below ¥1,000: no SMS"
    );
    assert_eq!(transfer(&app, &a, &b, 100_000).await.status(), 201);
    let texts_b = sms_to(&app, &b.phone).await;
    assert_eq!(texts_b.len(), before + 1, "¥1,000: one SMS");
    let text = texts_b[0]["text"].as_str().unwrap();
    assert!(text.contains("¥1000.00"), "{text}");
    assert!(texts_b[0]["code"].is_null());
}

// ---------------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_transfers_in_a_ring_conserve_money_and_no_balance_goes_negative() {
    let app = spawn_app().await;
    let names = ["张三", "李四", "王五", "赵六"];
    let mut ring = vec![];
    for name in names {
        ring.push(funded(&app, name, 5_000).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let from = ring[i % 4].clone();
        let to = ring[(i + 1) % 4].clone();
        let amount = 1_000 + 300 * i64::try_from(i).unwrap();
        let client = app.client.clone();
        let url = format!("{}/v1/transfers", app.address);
        tasks.spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(&from.token)
                .header("Idempotency-Key", idem())
                .json(&json!({"to_wallet_id": to.wallet_id, "amount": amount, "pin": from.pin}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            (status, body)
        });
    }
    let mut succeeded = 0;
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.unwrap();
        match status {
            201 => succeeded += 1,
            422 => assert_eq!(body["code"], "insufficient_balance", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(succeeded > 0);
    let mut total = 0;
    for h in &ring {
        let (available, held) = balance(&app, &h.token).await;
        assert!(available >= 0 && held == 0, "{available} {held}");
        total += available;
    }
    assert_eq!(total, 20_000, "money is conserved");
    let mut recorded = 0;
    for h in &ring {
        recorded += records(&app, &h.token, "&type=transfer").await.len();
    }
    assert_eq!(
        recorded,
        2 * succeeded,
        "each transfer recorded on both sides once"
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_pins_sent_at_once_still_lock_payments_after_five() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, url) = (app.client.clone(), format!("{}/v1/transfers", app.address));
        let (token, to) = (a.token.clone(), b.wallet_id.clone());
        tasks.spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", idem())
                .json(&json!({"to_wallet_id": to, "amount": 100, "pin": WRONG_PIN}))
                .send()
                .await
                .unwrap();
            problem(r).await
        });
    }
    let mut left = vec![];
    let mut locked = 0;
    while let Some(done) = tasks.join_next().await {
        let (status, p) = done.unwrap();
        match (status, p.code.as_str()) {
            (401, "pin_incorrect") => left.push(p.attempts_left.unwrap()),
            (423, "pin_locked") => locked += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    left.sort_unstable();
    assert_eq!(left, vec![1, 2, 3, 4], "each try counted once");
    assert_eq!(locked, 4);
    let r = transfer(&app, &a, &b, 100).await;
    assert_eq!(refused(r).await, (423, "pin_locked".into()));
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_sent_twice_at_once_moves_money_once() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let key = idem();
    let body = json!({"to_wallet_id": b.wallet_id, "amount": 3_000, "pin": a.pin});
    let (r1, r2) = tokio::join!(
        keyed(&app, "/v1/transfers", body.clone(), &a.token, &key),
        keyed(&app, "/v1/transfers", body.clone(), &a.token, &key)
    );
    let (s1, b1) = answer(r1).await;
    let (s2, b2) = answer(r2).await;
    let mut statuses = [s1, s2];
    statuses.sort_unstable();
    assert!(
        statuses == [201, 201] && b1 == b2 || statuses == [201, 409],
        "{s1} {b1} / {s2} {b2}"
    );
    assert_eq!(available(&app, &a.token).await, 7_000);
    assert_eq!(available(&app, &b.token).await, 3_000);
}

#[tokio::test]
async fn quotes_show_the_fee_before_confirming_and_match_what_is_charged() {
    let app = spawn_app().await;
    let credit = open_l2_holder_with_card(&app, "张三", &card_number("411111", 16), true).await;
    let q = |path: String, token: String| {
        let app = &app;
        async move { answer(call(app, "GET", &path, None, Some(&token)).await).await }
    };
    let (status, quote) = q(
        format!(
            "/v1/me/topups/quote?card_id={}&amount=100000",
            credit.card_id
        ),
        credit.token.clone(),
    )
    .await;
    assert_eq!(status, 200, "{quote}");
    assert_eq!(
        (quote["fee"].as_i64(), quote["total"].as_i64()),
        (Some(100), Some(100_100))
    );
    let charged = topup(&app, &credit, 100_000).await;
    assert_eq!(
        charged["fee"], quote["fee"],
        "the quote is what the top-up charges"
    );

    let (_, free) = q(
        "/v1/me/withdrawals/quote?amount=100000".into(),
        credit.token.clone(),
    )
    .await;
    assert_eq!(
        free["fee"].as_i64(),
        Some(0),
        "the first ¥1,000 is free: {free}"
    );
    let (_, paid) = q(
        "/v1/me/withdrawals/quote?amount=100100".into(),
        credit.token.clone(),
    )
    .await;
    assert_eq!(
        paid["fee"].as_i64(),
        Some(10),
        "¥1 over the quota costs the minimum: {paid}"
    );

    let other = open_l2_holder(&app).await;
    let (status, _) = q(
        format!("/v1/me/topups/quote?card_id={}&amount=100", credit.card_id),
        other.token.clone(),
    )
    .await;
    assert_eq!(status, 404, "another holder's card is not found");
    let (status, p) = q(
        "/v1/me/withdrawals/quote?amount=0".into(),
        other.token.clone(),
    )
    .await;
    assert_eq!((status, p["code"].as_str()), (422, Some("amount_invalid")));
}
