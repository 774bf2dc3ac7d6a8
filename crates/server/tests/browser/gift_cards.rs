//! Gift cards in the holder's app (issue 22, item 4): a shop with takings issues a ¥50.00 card
//! with a redeem code through the merchant API; the holder opens 卡券, finds no card yet, types
//! a wrong code (refused in the error box), then the right one: the card appears with its shop,
//! balance, expiry and barcode, and the give form offers it.

use crate::convert::{hidden, signed_in};
use crate::helpers::spawn_app;
use crate::journeys::{PHONE, error_shown, shoot, show};
use crate::money_helpers::{answer, funded, idem, keyed, open_merchant, order, pay};
use crate::webdriver::Driver;
use serde_json::json;

#[tokio::test]
async fn a_holder_redeems_a_gift_card_code_and_sees_the_card_with_its_barcode() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "星巴克").await;
    let regular = funded(&app, "老客", 10_000).await;
    let o = order(&app, &shop, 10_000).await;
    let (status, body) =
        answer(pay(&app, &regular, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{body}");
    let (status, issued) = answer(
        keyed(
            &app,
            "/v1/merchant/gift-cards",
            json!({"amount": 5_000}),
            &shop.api_key,
            &idem(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let code = issued["cards"][0]["code"].as_str().unwrap().to_string();
    let number = issued["cards"][0]["number"].as_str().unwrap().to_string();
    let h = funded(&app, "张三", 0).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &h.token, "zh").await;
    show(&w, "coupons", "#gc-code").await;
    w.wait_for_text("#gc-title", "礼品卡").await;
    assert!(!hidden(&w, "#gc-none").await);
    assert!(hidden(&w, "#gc-give-form").await);

    w.fill("#gc-code", "1234567890123456").await;
    w.click("#gc-redeem").await;
    let (refusal, _) = error_shown(&w, "#gc-error").await;
    assert_eq!(refusal, "gift_card_not_found");

    w.fill("#gc-code", &code).await;
    w.click("#gc-redeem").await;
    w.wait_for_text("#gc-got", "星巴克").await;
    w.wait_for_text("#gc-cards", "¥50.00").await;
    let shown = w.text("#gc-cards").await;
    assert!(
        shown.contains("星巴克") && shown.contains("有效期至") && shown.contains(&number),
        "{shown}"
    );
    w.find("#gc-cards .barcode svg").await;
    assert!(hidden(&w, "#gc-none").await);
    assert!(!hidden(&w, "#gc-give-form").await);
    shoot(&w, "115-gift-cards", "zh").await;
}
