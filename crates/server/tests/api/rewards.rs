//! Campaigns and coupons over HTTP: a shop launches a coupon campaign whose budget leaves its
//! takings at once; holders claim coupons within the window and their limits; five hundred racing
//! claims of the last ten coupons give exactly ten; the end timer lapses unused coupons and gives
//! the budget back; `qianbao verify` checks campaign funds against active campaigns.

use crate::helpers::{TestApp, TestClock, call, get, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, Merchant, SETTLE, answer, assert_ledger_clean, funded, keyed, ledger, merchant_balance,
    open_merchant, order, pay, refused, signed_up,
};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

use crate::helpers::rfc3339_of as at;

fn now(clock: &Arc<TestClock>) -> i64 {
    qianbao_wallet::Clock::now_ms(clock.as_ref())
}

/// A shop whose takings are `takings` fen (less the fee), paid by a customer, and the customer.
async fn shop_with_takings(app: &TestApp, takings: i64) -> (Merchant, Holder) {
    let owner = funded(app, "店主", 0).await;
    let shop = open_merchant(app, &owner, "兰州牛肉面").await;
    let customer = funded(app, "老客", takings).await;
    let o = order(app, &shop, takings).await;
    let (status, body) =
        answer(pay(app, &customer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{body}");
    (shop, customer)
}

async fn launch(app: &TestApp, shop: &Merchant, body: Value) -> (u16, Value) {
    answer(
        keyed(
            app,
            "/v1/merchant/campaigns",
            body,
            &shop.api_key,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await
}

/// ¥5 off ¥30, from a minute ago for a day, `budget` fen.
fn five_off(clock: &Arc<TestClock>, budget: i64) -> Value {
    json!({
        "kind": "coupon", "budget": budget,
        "starts_at": at(now(clock) - 60_000), "ends_at": at(now(clock) + 86_400_000),
        "rule": {"amount_off": 500, "min_spend": 3_000},
    })
}

async fn claim(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    call(
        app,
        "POST",
        &format!("/v1/campaigns/{id}/claim"),
        None,
        Some(token),
    )
    .await
}

#[tokio::test]
async fn a_campaigns_budget_leaves_the_takings_at_once_and_bad_campaigns_move_nothing() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let (before, _) = merchant_balance(&app, &shop).await;
    for (field, bend) in [
        ("rule", json!({"kind": "points"})),
        ("kind", json!({"kind": "lottery"})),
        (
            "rule",
            json!({"rule": {"amount_off": 500, "percent_off": 10, "max_off": 100, "min_spend": 3_000}}),
        ),
        (
            "min_spend",
            json!({"rule": {"amount_off": 500, "min_spend": 500}}),
        ),
        (
            "percent_off",
            json!({"rule": {"percent_off": 100, "max_off": 100, "min_spend": 1}}),
        ),
        ("budget", json!({"budget": 499})),
        ("ends_at", json!({"ends_at": at(now(&clock) - 1)})),
        ("starts_at", json!({"starts_at": "yesterday"})),
    ] {
        let mut body = five_off(&clock, 10_000);
        for (k, v) in bend.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, problem) = launch(&app, &shop, body).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some(field)),
            "{problem}"
        );
    }
    let (status, problem) = launch(&app, &shop, five_off(&clock, before + 1)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("insufficient_balance"))
    );
    // Without a key nothing is launched.
    let r = call(
        &app,
        "POST",
        "/v1/merchant/campaigns",
        Some(five_off(&clock, 10_000)),
        Some(&shop.api_key),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(merchant_balance(&app, &shop).await.0, before);

    let (status, launched) = launch(&app, &shop, five_off(&clock, 10_000)).await;
    assert_eq!(status, 201, "{launched}");
    assert_eq!(merchant_balance(&app, &shop).await.0, before - 10_000);
    let id = launched["campaign_id"].as_str().unwrap();
    let holder = signed_up(&app).await;
    let (status, shown) =
        answer(get(&app, &format!("/v1/campaigns/{id}"), &holder.token).await).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["coupons_left"], 20);
    assert_eq!(shown["merchant_name"], "兰州牛肉面");
    assert_eq!(
        shown["rule"],
        json!({"amount_off": 500, "min_spend": 3_000})
    );
    let (_, list) = answer(
        call(
            &app,
            "GET",
            "/v1/merchant/campaigns",
            None,
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!(list["items"][0]["campaign_id"], id);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn five_hundred_racing_claims_of_the_last_ten_coupons_give_exactly_ten() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let (_, launched) = launch(&app, &shop, five_off(&clock, 5_000)).await;
    let id = launched["campaign_id"].as_str().unwrap().to_string();
    let app = Arc::new(app);
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let app = app.clone();
        opening.spawn(async move { signed_up(&app).await });
    }
    let holders: Vec<Holder> = opening.join_all().await;
    let mut claims = tokio::task::JoinSet::new();
    for h in &holders {
        for _ in 0..5 {
            let (app, token, id) = (app.clone(), h.token.clone(), id.clone());
            claims.spawn(async move {
                let (status, body) = answer(claim(&app, &token, &id).await).await;
                (token, status, body)
            });
        }
    }
    let answers = claims.join_all().await;
    assert_eq!(answers.len(), 500);
    let mut winners = HashSet::new();
    for (token, status, body) in &answers {
        match status {
            201 => assert!(winners.insert(token.clone()), "one coupon per holder"),
            409 => assert_eq!(body["code"], "coupon_limit_reached"),
            410 => assert_eq!(body["code"], "campaign_exhausted"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        winners.len(),
        10,
        "exactly the ten coupons the budget backs"
    );
    let (_, shown) =
        answer(get(&app, &format!("/v1/campaigns/{id}"), &holders[0].token).await).await;
    assert_eq!(shown["coupons_left"], 0);
    // A claim after the last coupon is refused as such.
    let late = signed_up(&app).await;
    assert_eq!(
        refused(claim(&app, &late.token, &id).await).await,
        (410, "campaign_exhausted".into())
    );
}

#[tokio::test]
async fn claims_keep_to_the_window_and_the_holders_limits() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, customer) = shop_with_takings(&app, 100_000).await;
    // Opens in an hour: not yet.
    let mut later = five_off(&clock, 10_000);
    later["starts_at"] = json!(at(now(&clock) + 3_600_000));
    let (_, l) = launch(&app, &shop, later).await;
    let h = signed_up(&app).await;
    let later_id = l["campaign_id"].as_str().unwrap();
    assert_eq!(
        refused(claim(&app, &h.token, later_id).await).await,
        (409, "campaign_not_active".into())
    );
    // Three each in all, one a day.
    let mut daily = five_off(&clock, 10_000);
    daily["per_holder"] = json!(3);
    daily["per_day"] = json!(1);
    daily["ends_at"] = json!(at(now(&clock) + 3 * 86_400_000));
    let (_, d) = launch(&app, &shop, daily).await;
    let daily_id = d["campaign_id"].as_str().unwrap();
    assert_eq!(claim(&app, &h.token, daily_id).await.status(), 201);
    assert_eq!(
        refused(claim(&app, &h.token, daily_id).await).await,
        (409, "coupon_limit_reached".into())
    );
    // The next day, one more.
    clock.advance_s(86_400);
    assert_eq!(claim(&app, &h.token, daily_id).await.status(), 201);
    // New customers only: the shop's old customer is not one.
    let mut new_only = five_off(&clock, 10_000);
    new_only["new_holders_only"] = json!(true);
    let (_, n) = launch(&app, &shop, new_only).await;
    let new_id = n["campaign_id"].as_str().unwrap();
    assert_eq!(
        refused(claim(&app, &customer.token, new_id).await).await,
        (403, "not_eligible".into())
    );
    assert_eq!(claim(&app, &h.token, new_id).await.status(), 201);
    let (status, mine) = answer(get(&app, "/v1/me/coupons", &h.token).await).await;
    assert_eq!(status, 200);
    assert_eq!(mine["items"].as_array().unwrap().len(), 3, "{mine}");
    assert_eq!(mine["items"][0]["status"], "claimed");
    assert_eq!(mine["items"][0]["merchant_name"], "兰州牛肉面");
    // Nobody sees another's coupons; an unknown campaign is not found.
    let (_, theirs) = answer(get(&app, "/v1/me/coupons", &customer.token).await).await;
    assert_eq!(theirs["items"], json!([]));
    assert_eq!(
        refused(claim(&app, &h.token, "nope").await).await,
        (404, "not_found".into())
    );
}

#[tokio::test]
async fn the_end_lapses_unused_coupons_and_gives_the_budget_back_once() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let (before, _) = merchant_balance(&app, &shop).await;
    let (_, launched) = launch(&app, &shop, five_off(&clock, 10_000)).await;
    let id = launched["campaign_id"].as_str().unwrap();
    let h = signed_up(&app).await;
    assert_eq!(claim(&app, &h.token, id).await.status(), 201);
    assert_eq!(merchant_balance(&app, &shop).await.0, before - 10_000);
    clock.advance_s(86_400 + 1);
    assert_eq!(
        refused(claim(&app, &h.token, id).await).await,
        (409, "campaign_not_active".into())
    );
    let started = std::time::Instant::now();
    while merchant_balance(&app, &shop).await.0 != before {
        assert!(started.elapsed() < SETTLE, "the budget came back");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(merchant_balance(&app, &shop).await.0, before, "once");
    let (_, mine) = answer(get(&app, "/v1/me/coupons", &h.token).await).await;
    assert_eq!(mine["items"][0]["status"], "expired");
    let (_, list) = answer(
        call(
            &app,
            "GET",
            "/v1/merchant/campaigns",
            None,
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "ended");
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn verify_checks_campaign_funds_against_active_campaigns() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let (_, launched) = launch(&app, &shop, five_off(&clock, 10_000)).await;
    let id = launched["campaign_id"].as_str().unwrap();
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(0), "{out}");
    let sql = format!("UPDATE campaigns SET spent = 1, reserved = 1 WHERE id = '{id}'");
    crate::helpers::tamper(&app, &sql).await;
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("campaign funds"), "{out}");
}

/// Pays `shop`'s order of `price` as `h` with `coupon`: (status, body).
async fn pay_with(
    app: &TestApp,
    h: &Holder,
    shop: &Merchant,
    price: i64,
    coupon: &str,
) -> (u16, Value) {
    let o = order(app, shop, price).await;
    let body = json!({"payload": o["qr_payload"], "pin": h.pin, "coupon_id": coupon});
    answer(
        keyed(
            app,
            "/v1/pay",
            body,
            &h.token,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await
}

async fn refund(app: &TestApp, shop: &Merchant, payment_id: &str, amount: i64) -> (u16, Value) {
    answer(
        keyed(
            app,
            "/v1/merchant/refunds",
            json!({"payment_id": payment_id, "amount": amount, "reason": "退菜"}),
            &shop.api_key,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await
}

async fn coupon_of(app: &TestApp, h: &Holder, shop: &Merchant, clock: &Arc<TestClock>) -> String {
    let (_, launched) = launch(app, shop, five_off(clock, 10_000)).await;
    let id = launched["campaign_id"].as_str().unwrap();
    let (status, body) = answer(claim(app, &h.token, id).await).await;
    assert_eq!(status, 201, "{body}");
    body["coupon_id"].as_str().unwrap().to_string()
}

/// Where one of `h`'s coupons stands, as their coupon list says (`null` when it is not there).
pub(crate) async fn coupon_status(app: &TestApp, h: &Holder, coupon: &str) -> Value {
    let (_, mine) = answer(get(app, "/v1/me/coupons", &h.token).await).await;
    mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coupon_id"] == coupon)
        .map(|c| c["status"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_coupon_takes_its_discount_off_the_price_once_and_a_whole_refund_gives_it_back() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let h = funded(&app, "食客", 20_000).await;
    let coupon = coupon_of(&app, &h, &shop, &clock).await;
    let (takings, _) = merchant_balance(&app, &shop).await;
    // Below the ¥30 minimum: refused as such, nothing moves.
    let (status, p) = pay_with(&app, &h, &shop, 2_000, &coupon).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("coupon_min_spend")),
        "{p}"
    );
    assert_eq!(
        crate::money_helpers::available(&app, &h.token).await,
        20_000
    );
    // At another shop: not applicable.
    let owner = funded(&app, "别家", 0).await;
    let other = open_merchant(&app, &owner, "别家面馆").await;
    let (status, p) = pay_with(&app, &h, &other, 4_000, &coupon).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("coupon_not_applicable")),
        "{p}"
    );

    let (status, paid) = pay_with(&app, &h, &shop, 4_000, &coupon).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        (&paid["amount"], &paid["discount"], &paid["paid"]),
        (&json!(4_000), &json!(500), &json!(3_500))
    );
    assert_eq!(
        crate::money_helpers::available(&app, &h.token).await,
        16_500
    );
    // The shop takes its whole price less its fee on it (0.6 %: ¥0.24).
    assert_eq!(merchant_balance(&app, &shop).await.0, takings + 4_000 - 24);
    assert_eq!(coupon_status(&app, &h, &coupon).await, "used");
    // Twice: refused.
    let (status, p) = pay_with(&app, &h, &shop, 4_000, &coupon).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("coupon_used")),
        "{p}"
    );

    // Refunded in two parts: the payer gets exactly the ¥35 they paid, the coupon comes back.
    let payment = paid["payment_id"].as_str().unwrap();
    let (status, first) = refund(&app, &shop, payment, 1_000).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        crate::money_helpers::available(&app, &h.token).await,
        16_500 + 875
    );
    assert_eq!(coupon_status(&app, &h, &coupon).await, "used");
    let (status, rest) = refund(&app, &shop, payment, 3_000).await;
    assert_eq!(status, 201, "{rest}");
    assert_eq!(
        crate::money_helpers::available(&app, &h.token).await,
        20_000
    );
    assert_eq!(coupon_status(&app, &h, &coupon).await, "claimed");
    assert_eq!(merchant_balance(&app, &shop).await.0, takings);
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(0), "{out}");
    // It can be used again.
    let (status, again) = pay_with(&app, &h, &shop, 3_000, &coupon).await;
    assert_eq!(
        (status, again["paid"].as_i64()),
        (201, Some(2_500)),
        "{again}"
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_coupon_of_an_ended_campaign_is_expired_and_its_refund_leaves_the_part_with_the_shop() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let h = funded(&app, "食客", 20_000).await;
    let used = coupon_of(&app, &h, &shop, &clock).await;
    let unused = coupon_of(&app, &h, &shop, &clock).await;
    let (_, paid) = pay_with(&app, &h, &shop, 4_000, &used).await;
    let payment = paid["payment_id"].as_str().unwrap().to_string();
    clock.advance_s(86_400 + 1);
    let (status, p) = pay_with(&app, &h, &shop, 4_000, &unused).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("coupon_expired")),
        "{p}"
    );
    // Once the campaigns have ended, a whole refund returns what the payer paid, no more.
    let started = std::time::Instant::now();
    while coupon_status(&app, &h, &unused).await != "expired" {
        assert!(started.elapsed() < SETTLE);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let before = crate::money_helpers::available(&app, &h.token).await;
    let (status, body) = refund(&app, &shop, &payment, 4_000).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        crate::money_helpers::available(&app, &h.token).await,
        before + 3_500
    );
    assert_eq!(coupon_status(&app, &h, &used).await, "used");
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(0), "{out}");
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn cashback_is_paid_from_the_budget_until_it_is_spent_and_a_refund_takes_it_back() {
    let (app, clock) = spawn_app_with_clock().await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    // 10 % back, at most ¥5, on ¥10 or more; ¥8 in all; five each.
    let (status, launched) = launch(
        &app,
        &shop,
        json!({
            "kind": "cashback", "budget": 800, "per_holder": 5,
            "starts_at": at(now(&clock) - 60_000), "ends_at": at(now(&clock) + 86_400_000),
            "rule": {"percent_off": 10, "max_off": 500, "min_spend": 1_000},
        }),
    )
    .await;
    assert_eq!(status, 201, "{launched}");
    let id = launched["campaign_id"].as_str().unwrap();
    let first = funded(&app, "甲", 10_000).await;
    // A cashback campaign has no coupons to claim.
    assert_eq!(claim(&app, &first.token, id).await.status(), 404);
    let o = order(&app, &shop, 4_000).await;
    let (status, paid) =
        answer(pay(&app, &first, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        crate::money_helpers::available(&app, &first.token).await,
        10_000 - 4_000 + 400
    );
    // The next payment gets what the budget has left, ¥4 of the ¥5 it would; then none.
    let second = funded(&app, "乙", 10_000).await;
    let o = order(&app, &shop, 6_000).await;
    let (status, _) =
        answer(pay(&app, &second, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201);
    assert_eq!(
        crate::money_helpers::available(&app, &second.token).await,
        10_000 - 6_000 + 400
    );
    let third = funded(&app, "丙", 10_000).await;
    let o = order(&app, &shop, 6_000).await;
    let (status, _) =
        answer(pay(&app, &third, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201);
    assert_eq!(
        crate::money_helpers::available(&app, &third.token).await,
        4_000,
        "the budget is spent"
    );
    let (_, shown) = answer(get(&app, &format!("/v1/campaigns/{id}"), &first.token).await).await;
    assert_eq!(shown["spent"], 800);

    // A whole refund takes the cashback back out of the refund: the payer ends where they began.
    let payment = paid["payment_id"].as_str().unwrap();
    let (status, body) = refund(&app, &shop, payment, 4_000).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        crate::money_helpers::available(&app, &first.token).await,
        10_000
    );
    let (_, shown) = answer(get(&app, &format!("/v1/campaigns/{id}"), &first.token).await).await;
    assert_eq!(shown["spent"], 400, "the budget has the ¥4 again");
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(0), "{out}");
    assert_ledger_clean(&ledger(&app).await).await;
}
