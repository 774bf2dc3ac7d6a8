//! Paying a shop's order from a bound card, walked in Chromium at a phone's width: the balance is
//! too short, so the payment-method row picks the card; the payment goes through, the result says
//! the card paid and the balance is unchanged.

use crate::journeys::{PHONE, attribute, shoot, signed_in_at_home};
use crate::money_helpers::{
    PIN, available, funded, merchant_balance, open_l2_holder_named, open_merchant, order,
};
use serde_json::json;

#[tokio::test]
async fn a_short_balance_pays_a_shop_order_from_the_bound_card() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = crate::helpers::spawn_app().await;
    let base = app.address.clone();
    let payer = funded(&app, "张三", 1_000).await;
    let owner = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;
    let o = order(&app, &shop, 1_800).await;
    let payload = o["qr_payload"].as_str().unwrap().to_string();

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in_at_home(&w, &base, &payer.token).await;
    w.find("#home-balance").await;
    w.run(
        "location.hash = arguments[0]",
        json!([format!("#/scan?payload={payload}")]),
    )
    .await;
    w.find("#screen-scan").await;
    w.fill("#pay-payload", &payload).await;
    w.click("#pay-next").await;
    w.wait_for_text("#pay-payee", "兰州牛肉面").await;
    // ¥10.00 cannot pay ¥18.00: the card is chosen, the balance still offered.
    w.wait_text("#pay-method", |t| t.contains("钱包余额")).await;
    assert_eq!(w.value("#pay-method").await, payer.card_id);
    shoot(&w, "40-pay-method", "zh").await;
    w.fill("#pay-pin", PIN).await;
    w.click("#pay-confirm").await;
    w.wait_for_text("#pay-result", "付款成功").await;
    w.wait_for_text("#pay-result-method", "余额未变").await;
    assert_eq!(w.text("#pay-result-amount").await, "¥18.00");
    let id = attribute(&w, "#pay-result", "data-payment-id").await;
    assert!(!id.is_empty());
    assert_eq!(available(&app, &payer.token).await, 1_000);
    assert!(merchant_balance(&app, &shop).await.0 > 0);
    w.close().await;
}
