//! What stops a money call that is well formed: the payment password's tries and lock (sent one
//! by one or all at once), a holder without one, the per-payment and daily limits of a level (the
//! day is China's, and a delayed transfer counts until cancelled), the balance cap of payer and
//! payee, and a frozen wallet.

use crate::helpers::{call, post, problem, spawn_app, spawn_app_without_risk_rules};
use crate::money_helpers::{
    PIN, WRONG_PIN, assert_limit_exceeded, available, balance, funded, idem, limit_problem, money,
    open_l1_holder_named, refused, signed_up, topup, transfer, typed,
};
use qianbao_api_types::MoneyReply;
use serde_json::json;

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
async fn level_one_limits_per_payment_and_per_day_are_limit_exceeded_with_the_headroom() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
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
    let (app, clock) = spawn_app_without_risk_rules().await;
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
    let (app, _clock) = spawn_app_without_risk_rules().await;
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
        let (status, body) = typed::<MoneyReply>(r).await;
        assert_eq!(status, 201, "{body:?}");
        ids.push(body.id);
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

#[tokio::test]
async fn a_payee_over_their_balance_cap_is_limit_exceeded() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
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
