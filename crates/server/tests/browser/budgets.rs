//! Monthly budgets in the holder's app (issue 22): a funded holder opens 消费预算 from home, sets
//! a month total and a restaurant budget, pays a restaurant ¥85.00, and sees the bars of spent
//! against budget with the restaurant line at 85 % in its 80 % state, this month beside last,
//! in Chinese and in English; the 80 % alert reaches the inbox.

use crate::convert::{choose, hidden, signed_in};
use crate::helpers::{call, spawn_app_without_risk_rules};
use crate::journeys::{PHONE, open_in, shoot};
use crate::money_helpers::{answer, funded, inbox, order, pay};
use crate::webdriver::Driver;
use serde_json::json;

#[tokio::test]
async fn a_holder_sets_budgets_pays_and_sees_the_bar_reach_its_80_percent_state() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let owner = funded(&app, "店主", 0).await;
    let (status, shop) = answer(
        call(
            &app,
            "POST",
            "/v1/merchants",
            Some(json!({"name": "兰州拉面", "category": "restaurant"})),
            Some(&owner.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{shop}");
    let h = funded(&app, "张三", 50_000).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &h.token, "zh").await;
    w.click("#nav-budgets").await;
    w.find("#screen-budgets").await;
    w.wait_for_text("#screen-title", "消费预算").await;
    w.wait_for_text("#bud-none", "还没有设置预算").await;
    crate::a11y::audit(&w, "#/budgets").await;

    // ¥200.00 for the month, ¥100.00 of it for restaurants.
    w.fill("#bud-total-input", "200").await;
    w.click("#bud-add").await;
    choose(&w, "#bud-rows .bud-cat", "restaurant").await;
    w.fill("#bud-rows .bud-amount", "100").await;
    w.click("#bud-submit").await;
    w.wait_for_text("#bud-line-total", "¥200.00").await;
    w.wait_for_text("#bud-line-restaurant", "¥100.00").await;
    assert!(hidden(&w, "#bud-none").await);

    // A ¥85.00 bowl of noodles: 85 % of the restaurant budget, 42 % of the month's.
    let merchant = crate::money_helpers::Merchant {
        id: shop["merchant_id"].as_str().unwrap().into(),
        api_key: shop["api_key"].as_str().unwrap().into(),
        static_qr: shop["static_qr_payload"].as_str().unwrap().into(),
    };
    let o = order(&app, &merchant, 8_500).await;
    let (status, paid) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert!(status == 200 || status == 201, "{status} {paid}");

    open_in(&w, &format!("{base}/#/budgets"), "zh").await;
    w.wait_for_text("#bud-line-restaurant", "85%").await;
    w.wait_for_text("#bud-line-restaurant", "已用80%以上").await;
    let state = w
        .run(
            "const li = document.querySelector('#bud-line-restaurant'); \
             return [li.dataset.state, li.querySelector('.budget-fill').style.width];",
            json!([]),
        )
        .await;
    assert_eq!(state, json!(["warning", "85%"]));
    w.wait_for_text("#bud-line-total", "42%").await;
    w.wait_for_text("#bud-cmp-restaurant", "¥85.00").await;
    w.wait_for_text("#bud-compare-title", "上月").await;
    shoot(&w, "108-budgets", "zh").await;

    open_in(&w, &format!("{base}/#/budgets"), "en").await;
    w.wait_for_text("#screen-title", "Budgets").await;
    w.wait_for_text("#bud-line-restaurant", "80% or more used")
        .await;
    shoot(&w, "108-budgets", "en").await;

    // The 80 % alert is in the inbox within seconds.
    let start = std::time::Instant::now();
    while !inbox(&app, &h.token)
        .await
        .iter()
        .any(|n| n["kind"] == "budget")
    {
        assert!(start.elapsed().as_secs() < 15, "no budget alert");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    w.close().await;
}
