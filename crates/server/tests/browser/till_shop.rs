//! The till like a shop's (issue 18, item 7), walked in Chromium at a phone's width: the owner
//! opens a shop in the app with its refund password and gets the printable shop code; the till
//! shows the same code display-sized at `/merchant#qr`; an order paid collapses to its receipt
//! and is announced aloud ("钱包到账 12.50 元"); a refund asks for confirmation and the refund
//! password, says a wrong one at its field and moves nothing, and refunds with the right one; a
//! customer paying the printed code is announced too, though the till did not start that payment.

use crate::journeys::{
    PHONE, attribute, error_shown, open_in, ready, shoot, show, signed_in_at_home,
};
use crate::money_helpers::{available, funded, open_l1_holder_named, pay};
use crate::webdriver::Window;
use serde_json::json;

/// The refund password the owner chooses in the app.
const REFUND_PASSWORD: &str = "480317";

/// Whether `selector` is on the page but not shown (inside a hidden ancestor).
async fn not_shown(w: &Window, selector: &str) -> bool {
    w.run(
        "const e = document.querySelector(arguments[0]); return !!e && e.offsetParent === null",
        json!([selector]),
    )
    .await
        == true
}

/// The visible buttons, links styled as buttons and toggles lower than 44 px, by id or text.
async fn small_targets(w: &Window) -> Vec<String> {
    let found = w
        .run(
            "return [...document.querySelectorAll('button, a.btn, .toggle, input, select')]
               .filter((e) => e.offsetParent !== null && e.type !== 'checkbox' && e.type !== 'file')
               .filter((e) => e.getBoundingClientRect().height < 44)
               .map((e) => e.id || e.textContent.trim())",
            json!([]),
        )
        .await;
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn a_shop_prints_its_code_a_paid_order_becomes_a_receipt_and_a_refund_needs_its_password() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = crate::helpers::spawn_app().await;
    let base = app.address.clone();
    let owner = open_l1_holder_named(&app, "王老板").await;
    let payer = funded(&app, "张三", 10_000).await;

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let phone = driver.window(&chromium, PHONE.0, PHONE.1).await;
    let till = driver.window(&chromium, PHONE.0, PHONE.1).await;

    // The owner opens the shop in the app, with its refund password: the printable code shows.
    signed_in_at_home(&phone, &base, &owner.token).await;
    show(&phone, "shop", "#shop-name").await;
    phone.fill("#shop-name", "兰州牛肉面").await;
    phone.fill("#shop-refund-password", "111111").await;
    phone.click("#shop-submit").await;
    let (code, text) = error_shown(&phone, "#shop-error").await;
    assert_eq!(code, "refund_password_weak", "{text}");
    assert_eq!(
        attribute(&phone, "#shop-refund-password", "aria-invalid").await,
        "true"
    );
    phone.fill("#shop-refund-password", REFUND_PASSWORD).await;
    phone.click("#shop-submit").await;
    phone.wait_for_text("#shop-qr-name", "兰州牛肉面").await;
    assert!(phone.text("#shop-qr-poster").await.contains("钱包扫码付款"));
    assert!(
        attribute(&phone, "#shop-qr-img", "src")
            .await
            .starts_with("data:image/svg+xml;base64,")
    );
    let static_qr = attribute(&phone, "#shop-qr-img", "data-payload").await;
    // An EMVCo merchant-presented code, static (the payer types the amount).
    assert!(static_qr.starts_with("000201010211"), "{static_qr}");
    shoot(&phone, "80-shop-opened-poster", "zh").await;
    let api_key = phone.text("#shop-key").await;

    // The till: the same code, display-sized, at /merchant#qr.
    till.goto(&format!("{base}/merchant")).await;
    ready(&till).await;
    till.fill("#till-key", &api_key).await;
    till.click("#till-signin").await;
    till.click("#till-shop-qr-open").await;
    till.wait_for_text("#till-qr-name", "兰州牛肉面").await;
    assert!(till.text("#till-qr-poster").await.contains("钱包扫码付款"));
    assert_eq!(
        attribute(&till, "#till-qr-img", "data-payload").await,
        static_qr
    );
    let width = till
        .run(
            "const i = document.getElementById('till-qr-img'); return i.complete && i.naturalWidth > 0 ? i.getBoundingClientRect().width : 0",
            json!([]),
        )
        .await
        .as_f64()
        .unwrap();
    assert!(
        width >= 260.0,
        "the shop code fills a phone's width: {width} px"
    );
    assert!(not_shown(&till, "#till-main").await);
    assert_eq!(
        till.run(
            "return document.body.classList.contains('poster-shown')",
            json!([])
        )
        .await,
        true,
        "printing prints the poster alone"
    );
    shoot(&till, "81-till-shop-qr", "zh").await;
    till.click("#till-qr-back").await;
    till.find("#till-order-amount").await;
    assert!(
        small_targets(&till).await.is_empty(),
        "{:?}",
        small_targets(&till).await
    );

    // The voice toggle, kept for the next visit.
    till.click("#till-voice").await;
    assert_eq!(
        till.run("return localStorage.qb_till_voice", json!([]))
            .await,
        "1"
    );

    // An order, paid by the payer: the QR and the raw ids go, the receipt stays; it is spoken.
    // The amount typed on the till's keypad, as a counter's tablet does: a third decimal and a
    // second point are not taken.
    for key in ["1", "2", ".", "5", ".", "del", "0", "9", "del", "del"] {
        till.click(&format!("#till-order-amount-keypad [data-key=\"{key}\"]"))
            .await;
    }
    assert_eq!(till.value("#till-order-amount").await, "12.");
    till.click("#till-order-amount-keypad [data-key=\"5\"]")
        .await;
    assert_eq!(till.value("#till-order-amount").await, "12.5");
    till.fill("#till-order-desc", "牛肉面一碗").await;
    till.click("#till-order-submit").await;
    till.wait_for_text("#till-order-status", "等待付款").await;
    let payload = till.text("#till-order-payload").await;
    let r = pay(&app, &payer, &payload, None).await;
    assert_eq!(r.status(), 201);
    till.wait_for_text("#till-order-status", "已支付").await;
    till.find("#till-receipt").await;
    assert_eq!(till.text("#till-receipt-amount").await, "¥12.50");
    assert_eq!(till.text("#till-receipt-desc").await, "牛肉面一碗");
    let payer_name = till.text("#till-receipt-payer").await;
    assert!(
        payer_name.contains('三') && !payer_name.contains('张'),
        "the payer's masked name: {payer_name}"
    );
    let payment_id = attribute(&till, "#till-receipt", "data-payment-id").await;
    let short: String = payment_id.replace('-', "");
    let short = short[short.len() - 8..].to_uppercase();
    assert_eq!(till.text("#till-receipt-no").await, short);
    assert!(!till.text("#till-receipt-time").await.is_empty());
    assert!(not_shown(&till, "#till-order-qr").await);
    assert!(not_shown(&till, "#till-order-id").await);
    assert!(!till.page_text().await.contains(&payment_id), "no raw ids");
    till.find("#till-order-new").await;
    let spoken = till.run("return window.__qbSpoken || []", json!([])).await;
    assert_eq!(spoken, json!(["钱包到账 12.50 元"]));
    shoot(&till, "82-till-receipt", "zh").await;
    assert_eq!(available(&app, &payer.token).await, 8_750);

    // A refund asks for confirmation and the refund password; a wrong one is said at its field.
    till.click(&format!("#refund-{payment_id}")).await;
    till.click("#till-refund-submit").await;
    till.find("#till-refund-sheet").await;
    assert_eq!(till.text("#till-refund-confirm-amount").await, "¥12.50");
    let what = till.text("#till-refund-confirm-what").await;
    assert!(what.contains("¥12.50") && what.contains(&short), "{what}");
    till.fill("#till-refund-password", "135790").await;
    till.click("#till-refund-confirm").await;
    let (code, text) = error_shown(&till, "#till-refund-password-error").await;
    assert_eq!(code, "refund_password_incorrect");
    assert!(text.contains("还可以再试 4 次"), "{text}");
    assert_eq!(
        attribute(&till, "#till-refund-password", "aria-invalid").await,
        "true"
    );
    shoot(&till, "83-till-refund-wrong-password", "zh").await;
    assert_eq!(available(&app, &payer.token).await, 8_750, "nothing moved");
    till.fill("#till-refund-password", REFUND_PASSWORD).await;
    till.click("#till-refund-confirm").await;
    till.wait_for_text("#till-refund-result", "已退款 ¥12.50")
        .await;
    assert!(not_shown(&till, "#till-refund-sheet").await);
    assert_eq!(available(&app, &payer.token).await, 10_000);

    // A customer scans the printed shop code and pays ¥8.00: the till did not start that payment,
    // yet it says it, lists it, and says the order's payment above only once.
    let r = pay(&app, &payer, &static_qr, Some(800)).await;
    assert_eq!(r.status(), 201);
    let started = std::time::Instant::now();
    let spoken = loop {
        let spoken = till.run("return window.__qbSpoken || []", json!([])).await;
        if spoken.as_array().is_some_and(|s| s.len() >= 2) || started.elapsed().as_secs() > 15 {
            break spoken;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(spoken, json!(["钱包到账 12.50 元", "钱包到账 8.00 元"]));
    till.wait_for_text("#till-payments", "¥8.00").await;

    // In English too.
    open_in(&till, &format!("{base}/merchant#qr"), "en").await;
    till.wait_for_text("#till-qr-poster", "Scan with Qianbao to pay")
        .await;
    shoot(&till, "81-till-shop-qr", "en").await;

    phone.close().await;
    till.close().await;
}
