//! Transfers between holders: by phone or wallet id, the payee's masked name shown first, paying
//! oneself or a frozen wallet, too little balance; delayed transfers held until they arrive,
//! cancelled once, kept in a frozen wallet until it is unfrozen; and many at once in a ring,
//! conserving money.

use crate::helpers::{call, post, spawn_app, spawn_app_with_clock};
use crate::money_helpers::{
    PASSWORD, SETTLE, answer, assert_ledger_clean, available, balance, funded, idem, ledger, money,
    open_l1_holder, open_l1_holder_named, otp_for, record, records, refused, signed_up, transfer,
    typed,
};
use qianbao_api_types::{MoneyReply, PayeeBody};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

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
        let (status, reply) =
            typed::<MoneyReply>(money(&app, "/v1/transfers", body, &a.token).await).await;
        assert_eq!(status, 201, "{to} {reply:?}");
        assert_eq!(
            (
                reply.status.as_str(),
                reply.amount,
                reply.fee,
                reply.currency.as_str()
            ),
            ("succeeded", amount, 0, "CNY")
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
        // Nothing else about the payee: their wallet, masked name, and the currency money in
        // a currency they do not hold arrives in.
        assert_eq!(
            body,
            json!({"wallet_id": b.wallet_id, "masked_name": "*四", "main_currency": "CNY"})
        );
    }
    let path = format!("/v1/payees?phone={}", unverified.phone.replace('+', "%2B"));
    let (_, body) = typed::<PayeeBody>(call(&app, "GET", &path, None, Some(&a.token)).await).await;
    let shown = body.masked_name.as_str();
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
    let (status, reply) = typed::<MoneyReply>(r).await;
    assert_eq!(
        (status, reply.status.as_str()),
        (201, "scheduled"),
        "{reply:?}"
    );
    assert_eq!(balance(&app, &a.token).await, (7_000, 3_000));
    assert_eq!(
        balance(&app, &b.token).await,
        (0, 0),
        "the payee sees nothing yet"
    );
    assert!(records(&app, &b.token, "").await.is_empty());
    let id = reply.id.as_str();
    assert_eq!(record(&app, &a.token, id).await["status"], "scheduled");

    let cancel = format!("/v1/transfers/{id}/cancel");
    let r = money(&app, &cancel, json!({}), &stranger.token).await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    let (status, body) = typed::<MoneyReply>(money(&app, &cancel, json!({}), &a.token).await).await;
    assert_eq!(
        (status, body.status.as_str()),
        (200, "cancelled"),
        "{body:?}"
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
    let (_, done) = typed::<MoneyReply>(transfer(&app, &a, &b, 100).await).await;
    let r = money(
        &app,
        &format!("/v1/transfers/{}/cancel", done.id),
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
    let (status, reply) = typed::<MoneyReply>(r).await;
    assert_eq!(status, 201, "{reply:?}");
    let id = reply.id;
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
    let (status, reply) = typed::<MoneyReply>(r).await;
    assert_eq!(status, 201, "{reply:?}");
    let id = reply.id;
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
    let (_, reply) = typed::<MoneyReply>(r).await;
    let id = reply.id;
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
