//! Points in the holder's app and at the till (issue 22, items 3 and 6): a shop with takings
//! launches a points campaign of 10 points a yuan through the merchant API; a holder pays it
//! ¥20.00 and finds 200 points on 积分 (the balance, what expires when, the history, in Chinese
//! and in English). Paying a ¥40.00 order offers "用 200 积分抵 ¥2.00", off until switched on;
//! on, the confirmation shows ¥40.00 − ¥2.00 = ¥38.00, the result page the price, the discount
//! with its points and what was paid, and ¥38.00 leaves the balance. The shop's till then makes
//! an order the holder pays with points: its receipt says the price, the discount and what the
//! customer paid.

use crate::convert::{hidden, now_ms, signed_in};
use crate::helpers::{get, spawn_app};
use crate::journeys::{PHONE, ready, shoot, show};
use crate::money_helpers::{PIN, answer, funded, idem, keyed, open_merchant, order, pay};
use crate::webdriver::Driver;
use serde_json::json;

/// RFC 3339 of `ms`.
fn at(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn a_holder_earns_points_sees_them_and_pays_with_them_and_the_till_shows_the_discount() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();

    // A coffee shop with ¥100.00 of takings gives 10 points a yuan, for a month.
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "积分咖啡").await;
    let regular = funded(&app, "老客", 10_000).await;
    let o = order(&app, &shop, 10_000).await;
    let (status, body) =
        answer(pay(&app, &regular, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{body}");
    let now = now_ms();
    let (status, launched) = answer(
        keyed(
            &app,
            "/v1/merchant/campaigns",
            json!({
                "kind": "points", "budget": 5_000,
                "starts_at": at(now - 60_000), "ends_at": at(now + 30 * 86_400_000),
                "rule": {"points_per_yuan": 10},
            }),
            &shop.api_key,
            &idem(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{launched}");
    // ¥20.00 paid there earns 200 points.
    let h = funded(&app, "张三", 10_000).await;
    let o = order(&app, &shop, 2_000).await;
    let (status, body) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{body}");

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &h.token, "zh").await;
    // The points tile is live on home.
    assert!(w.text("#tile-points").await.contains("积分"));

    // 积分: the balance, what it is worth, when the points lapse, and where they came from.
    w.click("#tile-points").await;
    w.find("#screen-points").await;
    w.wait_for_text("#pts-balance", "200").await;
    assert_eq!(w.text("#screen-title").await, "积分");
    assert_eq!(w.text("#pts-worth").await, "可抵 ¥2.00");
    let soon = w.text("#pts-expiring").await;
    assert!(soon.contains("200 积分") && soon.contains("过期"), "{soon}");
    assert!(hidden(&w, "#pts-expiring-none").await);
    let line = w.text("#pts-line-0").await;
    assert!(
        line.contains("付款获得") && line.contains("积分咖啡") && line.contains("+200"),
        "{line}"
    );
    show(&w, "points", "#pts-balance").await;
    shoot(&w, "117-points", "zh").await;
    w.click("#lang-switch").await;
    w.wait_for_text("#pts-line-0", "Earned").await;
    assert_eq!(w.text("#pts-worth").await, "Worth ¥2.00");
    assert!(w.text("#pts-exp-0").await.contains("200 points"));
    shoot(&w, "117-points", "en").await;
    w.click("#lang-switch").await;
    w.wait_for_text("#pts-line-0", "付款获得").await;

    // A ¥40.00 order: the points offered, off until switched on.
    let o = order(&app, &shop, 4_000).await;
    show(&w, "scan", "#pay-payload").await;
    w.fill("#pay-payload", o["qr_payload"].as_str().unwrap())
        .await;
    w.click("#pay-next").await;
    w.wait_for_text("#pay-points-text", "用 200 积分抵 ¥2.00")
        .await;
    assert_eq!(w.text("#pay-points-have").await, "你有 200 积分");
    assert!(hidden(&w, "#pay-points-sum").await);
    w.click("#pay-points").await;
    w.wait_for_text("#pay-points-paid", "¥38.00").await;
    assert_eq!(w.text("#pay-points-price").await, "¥40.00");
    assert_eq!(w.text("#pay-points-discount").await, "-¥2.00");
    shoot(&w, "118-points-pay", "zh").await;
    // In English, redrawn in place.
    w.click("#lang-switch").await;
    w.wait_for_text("#pay-points-text", "Use 200 points for ¥2.00 off")
        .await;
    assert_eq!(w.text("#pay-points-paid").await, "¥38.00");
    w.click("#lang-switch").await;
    w.wait_for_text("#pay-points-text", "用 200 积分").await;
    // Off again, the sum goes; on, it comes back.
    w.click("#pay-points").await;
    assert!(hidden(&w, "#pay-points-sum").await);
    w.click("#pay-points").await;
    w.wait_for_text("#pay-points-paid", "¥38.00").await;

    w.fill("#pay-pin", PIN).await;
    w.click("#pay-confirm").await;
    w.wait_for_text("#pay-result", "付款成功").await;
    assert_eq!(w.text("#pay-result-amount").await, "¥38.00");
    assert_eq!(w.text("#pay-result-price").await, "¥40.00");
    assert_eq!(
        w.text("#pay-result-discount").await,
        "-¥2.00（含 200 积分）"
    );
    assert_eq!(w.text("#pay-result-paid").await, "¥38.00");
    assert!(w.text("#pay-result-page").await.contains("优惠抵扣"));
    shoot(&w, "119-points-result", "zh").await;
    let (_, balance) = answer(get(&app, "/v1/me/balance", &h.token).await).await;
    let cny = balance["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "CNY")
        .unwrap()
        .clone();
    assert_eq!(cny["available"], 10_000 - 2_000 - 3_800, "{balance}");

    // 积分 again: the 200 spent, and the 400 the ¥40.00 price earned.
    show(&w, "points", "#pts-balance").await;
    w.wait_for_text("#pts-balance", "400").await;
    let history = w.text("#pts-history").await;
    assert!(
        history.contains("付款抵扣") && history.contains("-200"),
        "{history}"
    );

    // The till: an order of ¥12.50 paid with 100 points; its receipt says what paid it.
    let till = driver.window(&chromium, PHONE.0, PHONE.1).await;
    till.goto(&format!("{base}/merchant")).await;
    ready(&till).await;
    till.fill("#till-key", &shop.api_key).await;
    till.click("#till-signin").await;
    till.fill("#till-order-amount", "12.50").await;
    till.click("#till-order-submit").await;
    till.wait_for_text("#till-order-status", "等待付款").await;
    let payload = till.text("#till-order-payload").await;
    let body = json!({"payload": payload, "pin": PIN, "points": 100});
    let (status, paid) = answer(keyed(&app, "/v1/pay", body, &h.token, &idem()).await).await;
    assert_eq!(status, 201, "{paid}");
    till.wait_for_text("#till-order-status", "已支付").await;
    till.find("#till-receipt").await;
    till.wait_for_text("#till-receipt-paid", "¥11.50").await;
    assert_eq!(till.text("#till-receipt-amount").await, "¥12.50");
    assert_eq!(till.text("#till-receipt-price").await, "¥12.50");
    assert_eq!(till.text("#till-receipt-discount").await, "-¥1.00");
    assert!(hidden(&till, "#till-receipt-gift-card-row").await);
    crate::a11y::audit(&till, "till-receipt-points").await;
    till.close().await;
    w.close().await;
}
