//! Coupons in the holder's app (issue 22, item 6): a shop with takings launches a ¥5-off-¥30
//! campaign through the merchant API; a holder scans its campaign code, which opens the campaign
//! page, claims two coupons with 领取 (a third is refused through the error box), and finds them
//! in 卡券. Paying the shop's static code offers the coupon once the typed amount reaches the
//! minimum spend; paying a ¥40.00 order shows ¥40.00 − ¥5.00 = ¥35.00 with the coupon
//! pre-selected (in Chinese and in English), the result page shows the discount, ¥35.00 leaves the
//! balance, and 卡券 shows the coupon used beside the one left.

use crate::convert::{choose, hidden, now_ms, property, signed_in};
use crate::helpers::{get, spawn_app};
use crate::journeys::{PHONE, error_shown, shoot, show};
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
async fn a_holder_claims_a_coupon_from_its_campaign_and_pays_an_order_with_it() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();

    // A noodle shop with ¥100.00 of takings runs ¥5 off ¥30, two coupons a holder, for a day.
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;
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
                "kind": "coupon", "budget": 5_000,
                "starts_at": at(now - 60_000), "ends_at": at(now + 86_400_000),
                "rule": {"amount_off": 500, "min_spend": 3_000}, "per_holder": 2,
            }),
            &shop.api_key,
            &idem(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{launched}");
    let campaign = launched["campaign_id"].as_str().unwrap().to_string();
    let h = funded(&app, "张三", 10_000).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &h.token, "zh").await;
    // The coupons tile is live on home.
    assert!(w.text("#tile-coupons").await.contains("优惠券"));

    // The shop's campaign code, scanned, opens its page.
    show(&w, "scan", "#pay-payload").await;
    w.fill("#pay-payload", &format!("qianbao://campaign/{campaign}"))
        .await;
    w.click("#pay-next").await;
    w.find("#screen-campaign").await;
    w.wait_for_text("#cp-page-shop", "兰州牛肉面").await;
    assert_eq!(w.text("#cp-page-rule").await, "满 30 减 5");
    assert_eq!(w.text("#cp-page-state").await, "进行中");
    w.wait_for_text("#cp-page-left", "10 张").await;
    assert!(w.text("#cp-page-limit").await.contains("每人限领 2 张"));
    crate::a11y::audit(&w, "#/campaign").await;
    w.click("#cp-claim").await;
    w.wait_for_text("#cp-page-got", "已领取").await;
    w.wait_for_text("#cp-page-left", "9 张").await;
    w.click("#cp-claim").await;
    w.wait_for_text("#cp-page-left", "8 张").await;
    // A third is one more than the shop allows: said in the shared error box.
    w.click("#cp-claim").await;
    let (code, text) = error_shown(&w, "#cp-page-error").await;
    assert_eq!(code, "coupon_limit_reached");
    assert!(text.contains("上限"), "{text}");

    // 卡券: both coupons usable, with the shop, the rule and the expiry.
    w.click("#cp-to-wallet").await;
    w.find("#screen-coupons").await;
    w.wait_for_text("#screen-title", "卡券").await;
    w.wait_for_text("#cp-usable", "兰州牛肉面").await;
    let usable = w.text("#cp-usable").await;
    assert!(
        usable.contains("满 30 减 5") && usable.contains("有效期至"),
        "{usable}"
    );
    assert!(hidden(&w, "#cp-none").await && hidden(&w, "#cp-used-box").await);
    crate::a11y::audit(&w, "#/coupons").await;

    // The shop's static code: no coupon below ¥30, the best once the typed amount reaches it.
    show(&w, "scan", "#pay-payload").await;
    w.fill("#pay-payload", &shop.static_qr).await;
    w.click("#pay-next").await;
    w.find("#pay-amount").await;
    assert!(!hidden(&w, "#pay-coupon-row").await);
    w.fill("#pay-amount", "20").await;
    w.wait_for_text("#pay-coupon", "未满 ¥30.00").await;
    assert_eq!(property(&w, "#pay-coupon", "value").await, "");
    assert!(hidden(&w, "#pay-coupon-sum").await);
    w.fill("#pay-amount", "50").await;
    w.wait_for_text("#pay-coupon-paid", "¥45.00").await;
    w.click("#pay-cancel").await;

    // A ¥40.00 order: the coupon pre-selected, ¥40.00 − ¥5.00 = ¥35.00.
    let o = order(&app, &shop, 4_000).await;
    let payload = o["qr_payload"].as_str().unwrap().to_string();
    w.fill("#pay-payload", &payload).await;
    w.click("#pay-next").await;
    w.wait_for_text("#pay-coupon-paid", "¥35.00").await;
    assert_eq!(w.text("#pay-amount-fixed").await, "¥40.00");
    assert_eq!(w.text("#pay-coupon-price").await, "¥40.00");
    assert_eq!(w.text("#pay-coupon-discount").await, "-¥5.00");
    let picked = property(&w, "#pay-coupon", "value").await;
    assert!(picked.as_str().is_some_and(|v| !v.is_empty()), "{picked}");
    assert!(w.text("#pay-coupon").await.contains("不使用优惠券"));
    shoot(&w, "109-coupon-pay", "zh").await;
    // In English, redrawn in place.
    w.click("#lang-switch").await;
    w.wait_for_text("#pay-coupon", "¥5 off ¥30 or more").await;
    assert_eq!(w.text("#pay-coupon-paid").await, "¥35.00");
    shoot(&w, "109-coupon-pay", "en").await;
    w.click("#lang-switch").await;
    w.wait_for_text("#pay-coupon", "满 30 减 5").await;
    // "不使用优惠券" is a choice: the sum goes; the coupon comes back.
    choose(&w, "#pay-coupon", "").await;
    assert!(hidden(&w, "#pay-coupon-sum").await);
    choose(&w, "#pay-coupon", picked.as_str().unwrap()).await;
    w.wait_for_text("#pay-coupon-paid", "¥35.00").await;

    w.fill("#pay-pin", PIN).await;
    w.click("#pay-confirm").await;
    w.wait_for_text("#pay-result", "付款成功").await;
    assert_eq!(w.text("#pay-result-amount").await, "¥35.00");
    assert_eq!(w.text("#pay-result-price").await, "¥40.00");
    assert_eq!(w.text("#pay-result-discount").await, "-¥5.00");
    let (_, balance) = answer(get(&app, "/v1/me/balance", &h.token).await).await;
    let cny = balance["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "CNY")
        .unwrap()
        .clone();
    assert_eq!(cny["available"], 10_000 - 3_500, "{balance}");

    // 卡券: the coupon used, the other still usable.
    show(&w, "coupons", "#cp-usable").await;
    w.wait_for_text("#cp-used", "兰州牛肉面").await;
    assert!(!hidden(&w, "#cp-used-box").await);
    assert_eq!(
        w.run(
            "return document.querySelectorAll('#cp-usable li').length",
            json!([])
        )
        .await,
        1
    );
    shoot(&w, "110-coupons", "zh").await;
    w.close().await;
}
