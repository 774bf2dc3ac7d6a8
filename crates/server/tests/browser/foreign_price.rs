//! Shops pricing in another currency (issue 20), walked in Chromium at a phone's width: a shop's
//! till picks US dollars beside the amount (the keypad takes the dollar's two decimals, none for
//! yen), makes a US$10.00 order and shows its EMVCo code and amount in dollars; a funded holder
//! pastes the code in 扫码付款 and sees the dollar price, the yuan it costs with the fee (the
//! spread) in it, the rate and the quote's countdown — no card to pay with, since a card cannot
//! pay it — pays it with the payment password from yuan, and ends on the result page with both
//! amounts. The till sees it paid in dollars: its receipt, the voice, the payments list, today's
//! takings and the balance per currency. A second walk, in English on a server whose quotes live
//! 8 s, lets the quote of a yen order run out (pay disabled, 刷新报价 shown and said), refreshes
//! it, is told the server's `quote_expired` when the server's clock has passed it, and pays with
//! a fresh one.

use crate::convert::{choose, disabled, hidden, now_ms, property, set, signed_in};
use crate::helpers::{call, spawn_app, spawn_app_at};
use crate::journeys::{PHONE, attribute, error_shown, open_in, ready, shoot, show};
use crate::money_helpers::{
    PIN, REFUND_PASSWORD, answer, available, funded, open_l1_holder_named,
    open_shop_with_refund_password,
};
use crate::webdriver::{Driver, Window};
use serde_json::{Value, json};
use std::time::Duration;

/// The seconds the payment's quote countdown shows now.
async fn seconds_left(w: &Window) -> i64 {
    attribute(w, "#pay-fx-countdown", "data-seconds")
        .await
        .parse()
        .unwrap_or(-1)
}

/// Presses the till's order keypad keys in turn.
async fn press(w: &Window, keys: &[&str]) {
    for key in keys {
        w.click(&format!("#till-order-amount-keypad [data-key=\"{key}\"]"))
            .await;
    }
}

/// The shop's available balance in `currency`, as the API says.
async fn shop_balance(app: &crate::helpers::TestApp, api_key: &str, currency: &str) -> i64 {
    let (status, body) =
        answer(call(app, "GET", "/v1/merchant/balance", None, Some(api_key)).await).await;
    assert_eq!(status, 200, "{body}");
    body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == currency)
        .map_or(0, |b| b["available"].as_i64().unwrap())
}

#[tokio::test]
async fn a_till_prices_in_dollars_and_a_holder_pays_the_yuan_price_shown_with_its_quote() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let owner = open_l1_holder_named(&app, "王老板").await;
    let shop = open_shop_with_refund_password(&app, &owner, "免税店", REFUND_PASSWORD).await;
    let payer = funded(&app, "张三", 20_000).await;
    set(&app, now_ms(), &[("USD/CNY", "7.1234")]).await;

    let driver = Driver::start(&chromedriver).await;
    let till = driver.window(&chromium, PHONE.0, PHONE.1).await;
    let phone = driver.window(&chromium, PHONE.0, PHONE.1).await;

    // The till: a currency picker beside the amount, yuan first.
    till.goto(&format!("{base}/merchant")).await;
    ready(&till).await;
    till.fill("#till-key", &shop.api_key).await;
    till.click("#till-signin").await;
    till.find("#till-order-amount").await;
    till.click("#till-voice").await;
    till.find("#till-order-currency option[value=USD]").await;
    assert_eq!(till.value("#till-order-currency").await, "CNY");
    assert_eq!(till.text("#till-order-amount-label").await, "金额（元）");
    // Yen have no decimals: the keypad's point is disabled and a typed one refused.
    choose(&till, "#till-order-currency", "JPY").await;
    till.wait_for_text("#till-order-amount-label", "日元 JPY")
        .await;
    assert!(disabled(&till, "#till-order-amount-keypad [data-key=\".\"]").await);
    press(&till, &["1", ".", "5"]).await;
    assert_eq!(till.value("#till-order-amount").await, "15");
    till.fill("#till-order-amount", "1.5").await;
    till.click("#till-order-submit").await;
    let (code, text) = error_shown(&till, "#till-order-error").await;
    assert_eq!(code, "amount_decimals_0", "{text}");
    // Dollars: two decimals, a third not taken.
    choose(&till, "#till-order-currency", "USD").await;
    assert_eq!(
        till.text("#till-order-amount-label").await,
        "金额（美元 USD）"
    );
    assert!(!disabled(&till, "#till-order-amount-keypad [data-key=\".\"]").await);
    till.fill("#till-order-amount", "").await;
    press(&till, &["1", "0", ".", "0", "0", "9"]).await;
    assert_eq!(till.value("#till-order-amount").await, "10.00");
    till.fill("#till-order-desc", "香水").await;
    till.click("#till-order-submit").await;
    till.wait_for_text("#till-order-status", "等待付款").await;
    assert_eq!(till.text("#till-order-amount-shown").await, "10.00 USD");
    assert_eq!(
        attribute(&till, "#till-order-amount-shown", "data-currency").await,
        "USD"
    );
    // The code states the order's amount and currency (EMVCo: dynamic, 840, 10.00).
    let payload = till.text("#till-order-payload").await;
    assert!(payload.starts_with("000201010212"), "{payload}");
    assert!(
        payload.contains("5303840") && payload.contains("540510.00"),
        "{payload}"
    );
    assert!(
        attribute(&till, "#till-order-qr", "src")
            .await
            .starts_with("data:image/svg+xml;base64,")
    );
    till.run(
        "document.getElementById('till-order-box').scrollIntoView({block: 'start'})",
        json!([]),
    )
    .await;
    shoot(&till, "96-till-foreign", "zh").await;

    // The holder pastes the code: the dollar price, the yuan it costs with the fee, the rate.
    signed_in(&phone, &base, &payer.token, "zh").await;
    show(&phone, "scan", "#pay-payload").await;
    phone.fill("#pay-payload", &payload).await;
    phone.click("#pay-next").await;
    // US$10.00 at 1/7.1234 costs ¥71.23 at mid, grossed up by the 50 bp spread: ¥71.58.
    phone.wait_for_text("#pay-fx-pay", "¥71.58").await;
    assert_eq!(phone.text("#pay-amount-fixed").await, "10.00 USD");
    assert!(phone.text("#pay-payee").await.contains("免税店"));
    assert!(phone.text("#pay-payee").await.contains("香水"));
    assert_eq!(phone.text("#pay-kind").await, "商户订单");
    assert_eq!(phone.text("#pay-fx-fee").await, "¥0.35");
    assert_eq!(
        phone.text("#pay-fx-rate").await,
        "1 USD ≈ 7.158 CNY（含手续费）"
    );
    assert_eq!(phone.text("#pay-fx-mid").await, "1 CNY ≈ 0.140382 USD");
    assert_eq!(
        attribute(&phone, "#pay-fx-mid", "data-rate").await,
        "0.140382401662"
    );
    assert!(phone.text("#pay-fx-note").await.contains("美元"));
    // A card cannot pay an order in another currency: no method to choose, the balance pays.
    assert!(hidden(&phone, "#pay-method-row").await);
    // The countdown ticks, by seconds, from at most the quote's 30 s.
    let first = seconds_left(&phone).await;
    assert!((1..=30).contains(&first), "{first}");
    assert!(phone.text("#pay-fx-countdown").await.contains("秒后失效"));
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let later = seconds_left(&phone).await;
    assert!(later < first && later > 0, "{first} → {later}");
    assert!(hidden(&phone, "#pay-fx-refresh").await);
    assert!(!disabled(&phone, "#pay-confirm").await);
    shoot(&phone, "95-pay-foreign", "zh").await;

    // Paid with the payment password: the yuan paid, and the shop's price in dollars.
    phone.fill("#pay-pin", PIN).await;
    phone.click("#pay-confirm").await;
    phone.wait_for_text("#pay-result", "付款成功").await;
    assert_eq!(phone.text("#pay-result-amount").await, "¥71.58");
    assert_eq!(phone.text("#pay-result-price").await, "10.00 USD");
    assert_eq!(phone.text("#pay-result-fee").await, "¥0.35");
    assert_eq!(phone.text("#pay-result-method").await, "人民币余额");
    assert_eq!(
        attribute(&phone, "#pay-result", "data-currency").await,
        "CNY"
    );
    shoot(&phone, "97-pay-foreign-result", "zh").await;
    assert_eq!(available(&app, &payer.token).await, 20_000 - 7_158);

    // The till: paid, in dollars — the receipt, the voice, the list, today's takings, the balance.
    till.wait_for_text("#till-order-status", "已支付").await;
    till.find("#till-receipt").await;
    assert_eq!(till.text("#till-receipt-amount").await, "10.00 USD");
    assert_eq!(
        till.run("return window.__qbSpoken || []", json!([])).await,
        json!(["钱包到账 10.00 美元"])
    );
    let payments = till.wait_for_text("#till-payments", "10.00 USD").await;
    assert!(payments.contains("香水"), "{payments}");
    // The shop takes US$10.00 less its 0.6 % fee, in dollars; no yuan.
    assert_eq!(shop_balance(&app, &shop.api_key, "USD").await, 994);
    till.wait_for_text("#till-balance-USD", "9.94 USD").await;
    assert_eq!(till.text("#till-balance").await, "¥0.00");
    till.wait_for_text("#till-today-USD", "10.00 USD").await;
    assert_eq!(till.text("#till-today").await, "¥0.00");
    assert!(till.text("#till-today-count").await.starts_with("1 笔"));
    till.run("window.scrollTo(0, 0)", json!([])).await;
    shoot(&till, "98-till-foreign-paid", "zh").await;

    // In English, the till's picker and label.
    open_in(&till, &format!("{base}/merchant"), "en").await;
    till.find("#till-order-currency option[value=USD]").await;
    choose(&till, "#till-order-currency", "USD").await;
    assert_eq!(
        till.text("#till-order-amount-label").await,
        "Amount (US dollar, USD)"
    );
    till.wait_for_text("#till-balance-USD", "9.94 USD").await;
    till.wait_for_text("#till-today-USD", "10.00 USD").await;
    shoot(&till, "96-till-foreign", "en").await;

    phone.close().await;
    till.close().await;
}

#[tokio::test]
async fn an_expired_quote_for_a_foreign_price_disables_pay_until_it_is_refreshed() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    // Quotes live 8 s here; the server's clock is this machine's, moved by the test.
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.fx.quote_ttl_ms = 8_000;
    let (app, clock) = spawn_app_at(now_ms(), Some(policy)).await;
    let base = app.address.clone();
    let owner = open_l1_holder_named(&app, "王老板").await;
    let shop = open_shop_with_refund_password(&app, &owner, "寿司店", REFUND_PASSWORD).await;
    let payer = funded(&app, "张三", 10_000).await;
    let catch_up = || {
        clock
            .0
            .fetch_max(now_ms(), std::sync::atomic::Ordering::SeqCst);
    };
    catch_up();
    set(&app, now_ms(), &[("JPY/CNY", "0.048")]).await;
    // The order priced in yen, made with the shop's key as an integrator's till would.
    let (status, order) = answer(
        call(
            &app,
            "POST",
            "/v1/merchant/orders",
            Some(json!({"amount": 1_200, "currency": "JPY", "description": "Sushi"})),
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{order}");
    let payload = order["qr_payload"].as_str().unwrap().to_string();

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &payer.token, "en").await;
    open_in(&w, &format!("{base}/#/scan"), "en").await;
    w.find("#pay-payload").await;
    catch_up();
    w.fill("#pay-payload", &payload).await;
    w.click("#pay-next").await;
    w.wait_text("#pay-fx-pay", |t| t.starts_with('¥')).await;
    assert_eq!(w.text("#pay-amount-fixed").await, "1,200 JPY");
    let pays = w.text("#pay-fx-pay").await;
    let rate = w.text("#pay-fx-rate").await;
    assert!(
        rate.starts_with("1 JPY ≈ 0.04") && rate.ends_with(" CNY (fee included)"),
        "{rate}"
    );
    assert_eq!(w.text("#pay-fx-mid").await, "1 CNY ≈ 20.8333 JPY");
    assert!(w.text("#pay-fx-note").await.contains("Japanese yen"));
    let first = seconds_left(&w).await;
    assert!((1..=8).contains(&first), "{first}");
    shoot(&w, "95-pay-foreign", "en").await;

    // The countdown runs out: pay is disabled, the refresh button shows, and it is said.
    w.find("#pay-fx-refresh").await;
    assert_eq!(seconds_left(&w).await, 0);
    assert!(disabled(&w, "#pay-confirm").await);
    assert_eq!(
        w.text("#pay-fx-countdown").await,
        "The quote has expired; refresh it."
    );
    assert_eq!(
        property(&w, "#pay-fx-live", "textContent").await,
        "The quote has expired; refresh it."
    );
    shoot(&w, "99-pay-foreign-expired", "en").await;

    // A new quote (the preview asked again): pay works again.
    catch_up();
    w.click("#pay-fx-refresh").await;
    w.wait_for_text("#pay-fx-countdown", "Quote valid for")
        .await;
    assert!(!disabled(&w, "#pay-confirm").await);
    assert!(hidden(&w, "#pay-fx-refresh").await);
    assert_eq!(w.text("#pay-fx-pay").await, pays, "the same price");

    // The server's clock has passed the quote while the page still counts: refused, said in
    // words, nothing paid, and a new quote offered.
    clock.advance_s(60);
    w.fill("#pay-pin", PIN).await;
    w.click("#pay-confirm").await;
    let (code, text) = error_shown(&w, "#pay-error").await;
    assert_eq!(code, "quote_expired", "{text}");
    assert!(text.contains("nothing was paid"), "{text}");
    w.find("#pay-fx-refresh").await;
    assert!(disabled(&w, "#pay-confirm").await);
    assert_eq!(available(&app, &payer.token).await, 10_000);

    // Refreshed (by the server's clock now), it pays.
    w.click("#pay-fx-refresh").await;
    w.wait_for_text("#pay-fx-countdown", "Quote valid for")
        .await;
    assert!(!disabled(&w, "#pay-confirm").await);
    w.fill("#pay-pin", PIN).await;
    w.click("#pay-confirm").await;
    w.wait_for_text("#pay-result", "Payment succeeded").await;
    assert_eq!(w.text("#pay-result-amount").await, pays);
    assert_eq!(w.text("#pay-result-price").await, "1,200 JPY");
    let paid: i64 = attribute(&w, "#pay-result", "data-amount")
        .await
        .parse()
        .unwrap();
    assert_eq!(available(&app, &payer.token).await, 10_000 - paid);
    let (status, o) = answer(
        call(
            &app,
            "GET",
            &format!(
                "/v1/merchant/orders/{}",
                order["order_id"].as_str().unwrap()
            ),
            None,
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!((status, &o["status"]), (200, &Value::from("paid")), "{o}");
    w.close().await;
}
