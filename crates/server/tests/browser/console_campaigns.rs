//! Campaigns in the operator console, walked in Chromium at a desktop's width: a finance staff
//! member finds a merchant, launches a ¥5-off coupon campaign for it from the form (its budget
//! leaves the merchant's takings), sees it listed with its budget, and ends it early with a
//! reason (the budget comes back). The rules themselves are the server's, tested over the API
//! (`api/console_campaigns.rs`); here the page must carry them out and say what happened.

use crate::console::{DESKTOP, section, signed_in};
use crate::console_helpers::{add_staff, app, first_admin, sign_in};
use crate::journeys::shoot;
use crate::money_helpers::{answer, funded, merchant_balance, open_merchant, order, pay};
use crate::webdriver::Driver;
use serde_json::json;

#[tokio::test]
async fn finance_launches_a_coupon_campaign_for_a_merchant_from_the_console_and_ends_it_early() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let token = sign_in(&app, &clock, &admin).await;
    let finance = add_staff(&app, &clock, &token, "finance").await;
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;
    let customer = funded(&app, "老客", 100_000).await;
    let o = order(&app, &shop, 100_000).await;
    let (status, body) =
        answer(pay(&app, &customer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{body}");
    let (takings, _) = merchant_balance(&app, &shop).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&w, &app, &clock, &finance, "zh").await;
    section(&w, "campaigns", "#campaign-find-form").await;
    w.fill("#campaign-merchant", &shop.id).await;
    w.click("#campaign-find").await;
    w.wait_for_text("#campaign-list", "还没有活动").await;

    // The window is filled in (from now, for a week); the rule, budget and reason are typed.
    w.fill("#campaign-budget", "100").await;
    w.fill("#campaign-amount-off", "5").await;
    w.fill("#campaign-min-spend", "30").await;
    w.fill("#campaign-per-holder", "2").await;
    w.fill("#campaign-reason", "商户电话委托").await;
    w.click("#campaign-submit").await;
    w.wait_for_text("#campaign-result", "已发起").await;
    let row = w
        .wait_for_text("#campaigns-table", "满 ¥30.00 减 ¥5.00")
        .await;
    assert!(
        row.contains("兰州牛肉面") && row.contains("¥100.00"),
        "{row}"
    );
    assert_eq!(merchant_balance(&app, &shop).await.0, takings - 10_000);
    // The picture shows the list with the new campaign, not the form the click scrolled to.
    w.run(
        "window.scrollTo(0, 0); document.getElementById('notice-toast').hidden = true",
        json!([]),
    )
    .await;
    shoot(&w, "111-console-campaigns", "zh").await;

    // Ended early with a reason: the whole budget comes back (nothing was used).
    w.fill("#campaign-end-reason", "活动取消").await;
    let id = w
        .run(
            "const b = document.querySelector('#campaigns-table button[id^=\"campaign-end-\"]'); return b ? b.id : ''",
            json!([]),
        )
        .await;
    w.click(&format!("#{}", id.as_str().unwrap())).await;
    w.wait_for_text("#notice-toast", "已退回").await;
    w.wait_for_text("#campaigns-table", "已结束").await;
    assert_eq!(merchant_balance(&app, &shop).await.0, takings);
    w.close().await;
}
