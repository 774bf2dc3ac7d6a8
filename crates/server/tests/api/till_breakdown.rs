//! What a shop's till reads back of a payment whose price a coupon and points paid in part:
//! `GET /v1/merchant/orders/{id}` and `GET /v1/merchant/payments/{id}` say the discount and the
//! gift-card part beside the price, a payment-code charge's reply says them too, and an order
//! not yet paid says neither.

use crate::helpers::{TestClock, call, get, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, Merchant, answer, charge, funded, idem, keyed, open_merchant, order, pay, payment_code,
};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::helpers::rfc3339_of as at;

fn now(clock: &Arc<TestClock>) -> i64 {
    qianbao_wallet::Clock::now_ms(clock.as_ref())
}

/// Launches a campaign of `kind` with `rule` at `shop`, running from a minute ago for a day.
async fn launch(
    app: &crate::helpers::TestApp,
    clock: &Arc<TestClock>,
    shop: &Merchant,
    kind: &str,
    rule: Value,
) -> String {
    let (status, body) = answer(
        keyed(
            app,
            "/v1/merchant/campaigns",
            json!({
                "kind": kind, "budget": 10_000,
                "starts_at": at(now(clock) - 60_000), "ends_at": at(now(clock) + 86_400_000),
                "rule": rule,
            }),
            &shop.api_key,
            &idem(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["campaign_id"].as_str().unwrap().to_string()
}

async fn merchant_get(app: &crate::helpers::TestApp, shop: &Merchant, path: &str) -> Value {
    let (status, body) = answer(call(app, "GET", path, None, Some(&shop.api_key)).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn points_of(app: &crate::helpers::TestApp, h: &Holder) -> i64 {
    let (status, body) = answer(get(app, "/v1/me/points", &h.token).await).await;
    assert_eq!(status, 200, "{body}");
    body["balance"].as_i64().unwrap()
}

#[tokio::test]
async fn the_till_reads_the_price_the_discount_and_the_gift_card_part_of_a_paid_order() {
    let (app, clock) = spawn_app_with_clock().await;
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "积分咖啡").await;
    // Takings to fund the campaigns from.
    let regular = funded(&app, "老客", 100_000).await;
    let o = order(&app, &shop, 100_000).await;
    let (status, _) =
        answer(pay(&app, &regular, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201);
    launch(
        &app,
        &clock,
        &shop,
        "points",
        json!({"points_per_yuan": 10}),
    )
    .await;
    let coupons = launch(
        &app,
        &clock,
        &shop,
        "coupon",
        json!({"amount_off": 500, "min_spend": 3_000}),
    )
    .await;

    // ¥20 earns 200 points.
    let me = funded(&app, "积分客", 20_000).await;
    let o = order(&app, &shop, 2_000).await;
    let (status, _) = answer(pay(&app, &me, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201);
    assert_eq!(points_of(&app, &me).await, 200);
    // Before it is paid, an order says nothing of discounts.
    let o = order(&app, &shop, 4_000).await;
    let id = o["order_id"].as_str().unwrap();
    let open = merchant_get(&app, &shop, &format!("/v1/merchant/orders/{id}")).await;
    assert_eq!(open["status"], "open");
    assert!(
        open.get("discount").is_none() && open.get("gift_card").is_none(),
        "{open}"
    );

    // ¥40 less the ¥5 coupon and 150 points (¥1.50): ¥6.50 off, ¥33.50 paid.
    let (status, mine) = answer(get(&app, "/v1/me/coupons", &me.token).await).await;
    assert_eq!(status, 200);
    assert!(mine["items"].as_array().unwrap().is_empty());
    let (status, claimed) = answer(
        call(
            &app,
            "POST",
            &format!("/v1/campaigns/{coupons}/claim"),
            None,
            Some(&me.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{claimed}");
    let body = json!({
        "payload": o["qr_payload"], "pin": me.pin,
        "coupon_id": claimed["coupon_id"], "points": 150,
    });
    let (status, paid) = answer(keyed(&app, "/v1/pay", body, &me.token, &idem()).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        (&paid["amount"], &paid["discount"], &paid["paid"]),
        (&json!(4_000), &json!(650), &json!(3_350))
    );

    let done = merchant_get(&app, &shop, &format!("/v1/merchant/orders/{id}")).await;
    assert_eq!(done["status"], "paid");
    assert_eq!(done["payment_id"], paid["payment_id"]);
    // Every field the till read before is still there, with the breakdown beside them.
    assert_eq!(
        (&done["amount"], &done["currency"]),
        (&json!(4_000), &json!("CNY"))
    );
    assert!(
        done["qr_payload"].is_string() && done["expires_at"].is_string(),
        "{done}"
    );
    assert_eq!(
        (&done["discount"], &done["gift_card"]),
        (&json!(650), &json!(0))
    );
    let payment = merchant_get(
        &app,
        &shop,
        &format!(
            "/v1/merchant/payments/{}",
            paid["payment_id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        (
            &payment["amount"],
            &payment["discount"],
            &payment["gift_card"]
        ),
        (&json!(4_000), &json!(650), &json!(0))
    );

    // Another shop cannot read this shop's order or payment, breakdown or not.
    let other_owner = funded(&app, "隔壁店主", 0).await;
    let other = open_merchant(&app, &other_owner, "隔壁").await;
    for path in [
        format!("/v1/merchant/orders/{id}"),
        format!(
            "/v1/merchant/payments/{}",
            paid["payment_id"].as_str().unwrap()
        ),
    ] {
        let (status, _) = answer(call(&app, "GET", &path, None, Some(&other.api_key)).await).await;
        assert_eq!(status, 404, "{path}");
    }
}

#[tokio::test]
async fn a_payment_code_charge_replies_with_its_price_and_an_empty_breakdown() {
    let (app, _clock) = spawn_app_with_clock().await;
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "便利店").await;
    let me = funded(&app, "顾客", 10_000).await;
    let code = payment_code(&app, &me).await;
    let (status, charged) = answer(charge(&app, &shop, &code, 1_250, None).await).await;
    assert_eq!(status, 201, "{charged}");
    assert_eq!(charged["status"], "succeeded");
    assert_eq!(
        (
            &charged["amount"],
            &charged["discount"],
            &charged["gift_card"]
        ),
        (&json!(1_250), &json!(0), &json!(0))
    );
    assert!(charged.get("expires_at").is_none(), "{charged}");
    let id = charged["payment_id"].as_str().unwrap();
    let payment = merchant_get(&app, &shop, &format!("/v1/merchant/payments/{id}")).await;
    assert_eq!(
        (&payment["discount"], &payment["gift_card"]),
        (&json!(0), &json!(0))
    );
}
