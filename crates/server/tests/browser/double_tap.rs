//! A double tap never pays twice, walked in Chromium at a phone's width: the pay, transfer and
//! withdrawal buttons are pressed three times in one go (as a shaky thumb or a slow phone does),
//! and the page sends one request for each — the button turns busy at the first press and the
//! Idempotency-Key is made once per confirmation — so the balance moves once.

use crate::journeys::{PHONE, signed_in_at_home};
use crate::money_helpers::{
    PIN, available, funded, merchant_balance, open_l2_holder_named, open_merchant, order,
};
use crate::webdriver::Window;
use serde_json::json;

/// Counts the page's POSTs by path in `window.qbPosts` (the page's own fetch, wrapped).
const COUNT_POSTS: &str = "window.qbPosts = {}; const real = window.fetch; \
    window.fetch = (url, init) => { \
      if (init && init.method === 'POST') { const p = new URL(url, location.href).pathname; \
        window.qbPosts[p] = (window.qbPosts[p] || 0) + 1; } \
      return real(url, init); };";

/// Presses `selector` three times without waiting between the presses.
async fn triple_tap(w: &Window, selector: &str) {
    w.run(
        "const b = document.querySelector(arguments[0]); b.click(); b.click(); b.click();",
        json!([selector]),
    )
    .await;
}

/// How many POSTs the page sent to `path`.
async fn posts(w: &Window, path: &str) -> u64 {
    w.run(
        "return (window.qbPosts || {})[arguments[0]] || 0",
        json!([path]),
    )
    .await
    .as_u64()
    .unwrap_or_default()
}

#[tokio::test]
async fn three_quick_taps_on_pay_transfer_and_withdraw_send_one_request_each() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = crate::helpers::spawn_app().await;
    let base = app.address.clone();
    let payer = funded(&app, "张三", 100_000).await;
    let friend = open_l2_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &friend, "兰州牛肉面").await;
    let o = order(&app, &shop, 1_250).await;
    let payload = o["qr_payload"].as_str().unwrap().to_string();

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in_at_home(&w, &base, &payer.token).await;
    w.run(COUNT_POSTS, json!([])).await;

    // Paying a shop's order.
    w.run("location.hash = '#/scan'", json!([])).await;
    w.fill("#pay-payload", &payload).await;
    w.click("#pay-next").await;
    w.wait_for_text("#pay-payee", "兰州牛肉面").await;
    w.fill("#pay-pin", PIN).await;
    triple_tap(&w, "#pay-confirm").await;
    w.wait_for_text("#pay-result", "付款成功").await;
    assert_eq!(posts(&w, "/v1/pay").await, 1, "one payment request");
    assert_eq!(available(&app, &payer.token).await, 100_000 - 1_250);
    // The shop is paid once, less its fee.
    let takings = merchant_balance(&app, &shop).await.0;
    assert!((1_200..=1_250).contains(&takings), "the shop got {takings}");

    // A transfer to a friend.
    w.run("location.hash = '#/transfer'", json!([])).await;
    w.fill("#transfer-phone", &friend.phone).await;
    w.click("#transfer-lookup").await;
    w.wait_for_text("#transfer-payee", "*四").await;
    w.fill("#transfer-amount", "20.05").await;
    w.fill("#transfer-pin", PIN).await;
    triple_tap(&w, "#transfer-submit").await;
    w.wait_for_text("#transfer-result", "¥20.05").await;
    assert_eq!(posts(&w, "/v1/transfers").await, 1, "one transfer request");
    assert_eq!(available(&app, &payer.token).await, 100_000 - 1_250 - 2_005);

    // A withdrawal: the first press asks for the fee quote, the second (with the PIN) withdraws.
    w.run("location.hash = '#/withdraw'", json!([])).await;
    w.fill("#withdraw-amount", "100").await;
    triple_tap(&w, "#withdraw-submit").await;
    w.find("#withdraw-pin").await;
    w.fill("#withdraw-pin", PIN).await;
    triple_tap(&w, "#withdraw-submit").await;
    w.wait_for_text("#withdraw-result", "¥100.00").await;
    assert_eq!(
        posts(&w, "/v1/me/withdrawals").await,
        1,
        "one withdrawal request"
    );
    let left = available(&app, &payer.token).await;
    assert!(
        (100_000 - 1_250 - 2_005 - 10_000 - 200..=100_000 - 1_250 - 2_005 - 10_000).contains(&left),
        "one withdrawal of ¥100 and its fee left {left}"
    );
    w.close().await;
}
