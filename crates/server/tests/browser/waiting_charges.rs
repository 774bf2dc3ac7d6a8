//! A shop's charge above the password-free limit, walked in Chromium at a phone's width (issue 18,
//! item 1): the till charges the customer's payment code and shows that it waits for the
//! customer; the customer's app shows the shop and the amount with a payment-password field; the
//! customer confirms with the PIN and the till shows the money taken. A second charge, declined
//! on the phone, shows as declined on the till and moves nothing.

use crate::helpers::spawn_app_without_risk_rules;
use crate::journeys::{PHONE, ready, shoot, signed_in_at_home};
use crate::money_helpers::{
    PIN, available, funded, open_l1_holder_named, open_merchant, payment_code,
};
use crate::webdriver::Window;

/// The till charges `code` for `yuan` and waits to be told it waits for the customer.
async fn charge_at_till(till: &Window, code: &str, yuan: &str) {
    till.fill("#till-charge-code", code).await;
    till.fill("#till-charge-amount", yuan).await;
    till.click("#till-charge-submit").await;
    till.wait_for_text("#till-charge-result", "等待顾客确认")
        .await;
}

#[tokio::test]
async fn the_customer_confirms_a_till_charge_on_their_phone_and_the_till_sees_it_paid() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let owner = open_l1_holder_named(&app, "王老板").await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;
    let payer = funded(&app, "张三", 100_000).await;

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let phone = driver.window(&chromium, PHONE.0, PHONE.1).await;
    let till = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in_at_home(&phone, &base, &payer.token).await;
    phone.wait_for_text("#home-balance", "¥1,000.00").await;
    till.goto(&format!("{base}/merchant")).await;
    ready(&till).await;
    till.fill("#till-key", &shop.api_key).await;
    till.click("#till-signin").await;
    assert!(
        till.find_now("#till-charge-pin").await.is_none(),
        "the customer's PIN is never typed on the till"
    );

    // ¥600, above the ¥500 password-free limit: the phone asks, live.
    charge_at_till(&till, &payment_code(&app, &payer).await, "600").await;
    phone.wait_for_text("#charge-merchant", "兰州牛肉面").await;
    assert_eq!(phone.text("#charge-amount").await, "¥600.00");
    shoot(&phone, "40-pending-charge", "zh").await;
    phone.fill("#charge-pin", PIN).await;
    phone.click("#charge-confirm").await;
    phone.wait_for_text("#notice-toast", "付款成功").await;
    till.wait_for_text("#till-charge-result", "收款成功：¥600.00")
        .await;
    shoot(&till, "41-till-charge-confirmed", "zh").await;
    assert_eq!(available(&app, &payer.token).await, 40_000);

    // The next one is declined: the till says so and nothing moves.
    charge_at_till(&till, &payment_code(&app, &payer).await, "550").await;
    phone.wait_for_text("#charge-amount", "¥550.00").await;
    phone.click("#charge-decline").await;
    phone.wait_for_text("#notice-toast", "已拒绝").await;
    till.wait_for_text("#till-charge-result", "顾客拒绝").await;
    assert_eq!(available(&app, &payer.token).await, 40_000);
    phone.close().await;
    till.close().await;
}
