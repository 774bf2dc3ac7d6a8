//! What every money call checks of its request before any money moves: the `Idempotency-Key`
//! (required; a retry answered the same and moving money once, a day later too, even when sent
//! twice at once; another body under it a conflict; keys per caller; the stored digest keyed so it
//! does not give the PIN away) and the amount and currency (zero, negative, fractional, huge, text,
//! unknown).

use crate::helpers::{post, problem, spawn_app, spawn_app_with_clock, stored_rows};
use crate::money_helpers::{
    answer, available, balance, funded, idem, keyed, money, open_l1_holder_named, pay, records,
    refused, topup, transfer, typed,
};
use qianbao_api_types::MoneyReply;
use serde_json::json;

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
    let (sa, ra) =
        typed::<MoneyReply>(keyed(&app, "/v1/transfers", body_a, &a.token, &key).await).await;
    let (sb, rb) =
        typed::<MoneyReply>(keyed(&app, "/v1/transfers", body_b, &b.token, &key).await).await;
    assert_eq!((sa, sb), (201, 201), "{ra:?} {rb:?}");
    assert_ne!(ra.id, rb.id, "two transfers, not a replay");
    assert_eq!(available(&app, &c.token).await, 2_000);
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
        quote_id: None,
        second_factor: None,
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
