//! Points (积分) over HTTP: a shop's points campaign gives points per yuan paid there, out of its
//! budget; the holder redeems them at any shop, one fen a point; refunds give redeemed points back
//! and take earned ones back in proportion; a year on they lapse and their yuan go back to the
//! shop that funded them; `qianbao verify` checks holders' points and the reserve against the lots.

use crate::helpers::{TestApp, TestClock, get, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, Merchant, answer, assert_ledger_clean, available, funded, idem, keyed, ledger,
    merchant_balance, open_merchant, order, pay,
};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::helpers::rfc3339_of as at;

fn now(clock: &Arc<TestClock>) -> i64 {
    qianbao_wallet::Clock::now_ms(clock.as_ref())
}

/// A shop with ¥1,000 of takings running a points campaign of `per_yuan` points a yuan and
/// `budget` fen.
async fn points_shop(
    app: &TestApp,
    clock: &Arc<TestClock>,
    per_yuan: i64,
    budget: i64,
) -> Merchant {
    let owner = funded(app, "店主", 0).await;
    let shop = open_merchant(app, &owner, "积分便利店").await;
    let regular = funded(app, "老客", 100_000).await;
    let o = order(app, &shop, 100_000).await;
    let (status, _) =
        answer(pay(app, &regular, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201);
    let (status, launched) = answer(
        keyed(
            app,
            "/v1/merchant/campaigns",
            json!({
                "kind": "points", "budget": budget,
                "starts_at": at(now(clock) - 60_000), "ends_at": at(now(clock) + 30 * 86_400_000),
                "rule": {"points_per_yuan": per_yuan},
            }),
            &shop.api_key,
            &idem(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{launched}");
    shop
}

async fn points(app: &TestApp, h: &Holder) -> Value {
    let (status, body) = answer(get(app, "/v1/me/points", &h.token).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Pays `shop`'s order of `price` as `h`, redeeming `redeem` points: (status, body).
async fn pay_with_points(
    app: &TestApp,
    h: &Holder,
    shop: &Merchant,
    price: i64,
    redeem: i64,
) -> (u16, Value) {
    let o = order(app, shop, price).await;
    let body = json!({"payload": o["qr_payload"], "pin": h.pin, "points": redeem});
    answer(keyed(app, "/v1/pay", body, &h.token, &idem()).await).await
}

async fn refund(app: &TestApp, shop: &Merchant, payment_id: &str, amount: i64) -> (u16, Value) {
    answer(
        keyed(
            app,
            "/v1/merchant/refunds",
            json!({"payment_id": payment_id, "amount": amount, "reason": "退货"}),
            &shop.api_key,
            &idem(),
        )
        .await,
    )
    .await
}

async fn verify_clean(app: &TestApp) {
    let (code, out) = crate::helpers::verify(app);
    assert_eq!(code, Some(0), "{out}");
    assert_ledger_clean(&ledger(app).await).await;
}

#[tokio::test]
async fn points_are_earned_per_yuan_redeemed_anywhere_and_refunds_square_every_party() {
    let (app, clock) = spawn_app_with_clock().await;
    let earning = points_shop(&app, &clock, 2, 10_000).await;
    let me = funded(&app, "积分客", 20_000).await;
    // ¥25.60 earns 25 yuan × 2 = 50 points; the campaign's budget pays their yuan into the reserve.
    let o = order(&app, &earning, 2_560).await;
    let (status, earned_on) =
        answer(pay(&app, &me, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{earned_on}");
    let mine = points(&app, &me).await;
    assert_eq!(mine["balance"], 50, "{mine}");
    assert_eq!(mine["expiring"][0]["points"], 50);
    assert_eq!(mine["history"][0]["kind"], "earned");
    assert_eq!(mine["history"][0]["memo"], "积分便利店");

    // Redeemed at another shop: ¥10.00 less 30 points; that shop takes the whole price.
    let owner = funded(&app, "面馆老板", 0).await;
    let other = open_merchant(&app, &owner, "面馆").await;
    let (before, _) = merchant_balance(&app, &other).await;
    let wallet_before = available(&app, &me.token).await;
    let (status, paid) = pay_with_points(&app, &me, &other, 1_000, 30).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        (
            &paid["amount"],
            &paid["discount"],
            &paid["paid"],
            &paid["points"]
        ),
        (&json!(1_000), &json!(30), &json!(970), &json!(30)),
        "{paid}"
    );
    assert_eq!(available(&app, &me.token).await, wallet_before - 970);
    let (after, _) = merchant_balance(&app, &other).await;
    // As much as a plain ¥10 payment brings the shop.
    let plain = funded(&app, "路人", 1_000).await;
    let o = order(&app, &other, 1_000).await;
    answer(pay(&app, &plain, o["qr_payload"].as_str().unwrap(), None).await).await;
    let (after_plain, _) = merchant_balance(&app, &other).await;
    assert_eq!(
        after - before,
        after_plain - after,
        "the shop takes its whole price"
    );
    assert_eq!(points(&app, &me).await["balance"], 20);

    // Bad asks move nothing: more points than held, more than the price, none, a receive code.
    for (redeem, price, code) in [
        (21, 1_000, "insufficient_points"),
        (2_001, 2_000, "invalid_request"),
        (0, 1_000, "invalid_request"),
    ] {
        let (status, problem) = pay_with_points(&app, &me, &other, price, redeem).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some(code)),
            "{problem}"
        );
    }
    assert_eq!(points(&app, &me).await["balance"], 20);
    assert_eq!(available(&app, &me.token).await, wallet_before - 970);

    // Refunding the redeeming payment in two parts gives back the 970 fen and the 30 points.
    let payment = paid["payment_id"].as_str().unwrap();
    let (status, body) = refund(&app, &other, payment, 333).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = refund(&app, &other, payment, 667).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(available(&app, &me.token).await, wallet_before);
    assert_eq!(points(&app, &me).await["balance"], 50);

    // Refunding half the earning payment takes back half its points.
    let (status, body) = refund(
        &app,
        &earning,
        earned_on["payment_id"].as_str().unwrap(),
        1_280,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let mine = points(&app, &me).await;
    assert_eq!(mine["balance"], 25, "{mine}");
    assert!(
        mine["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "taken_back" && l["points"] == -25),
        "{mine}"
    );
    verify_clean(&app).await;
}

#[tokio::test]
async fn points_lapse_after_a_year_and_their_yuan_go_back_to_the_shop_once() {
    let (app, clock) = spawn_app_with_clock().await;
    let shop = points_shop(&app, &clock, 1, 5_000).await;
    let me = funded(&app, "过期客", 10_000).await;
    let o = order(&app, &shop, 9_900).await;
    let (status, _) = answer(pay(&app, &me, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201);
    assert_eq!(points(&app, &me).await["balance"], 99);
    // The campaign ends first (its timer gives back the unspent budget), then the year passes.
    clock.advance_s(366 * 86_400);
    let (takings, _) = merchant_balance(&app, &shop).await;
    let mut lapsed = Value::Null;
    for _ in 0..100 {
        lapsed = points(&app, &me).await;
        if lapsed["balance"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(lapsed["balance"], 0, "{lapsed}");
    assert_eq!(lapsed["history"][0]["kind"], "expired");
    assert_eq!(lapsed["history"][0]["points"], -99);
    // Wait until the shop has its 99 fen back (the end timer and the lapse run on their own).
    let mut back = 0;
    for _ in 0..100 {
        back = merchant_balance(&app, &shop).await.0;
        if back >= takings + 99 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(back >= takings + 99, "{back} vs {takings}");
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let expired: Vec<_> = points(&app, &me).await["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "expired")
        .cloned()
        .collect();
    assert_eq!(expired.len(), 1, "lapsed once");
    verify_clean(&app).await;
}

#[tokio::test]
async fn verify_checks_points_accounts_and_the_reserve_against_the_lots() {
    let (app, clock) = spawn_app_with_clock().await;
    let shop = points_shop(&app, &clock, 3, 5_000).await;
    let me = funded(&app, "查账客", 10_000).await;
    let o = order(&app, &shop, 1_000).await;
    answer(pay(&app, &me, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(points(&app, &me).await["balance"], 30);
    verify_clean(&app).await;
    crate::helpers::tamper(
        &app,
        "UPDATE points_lots SET points = points + 1, remaining = remaining + 1",
    )
    .await;
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("points"), "{out}");
}
