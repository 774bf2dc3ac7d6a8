//! Bill payment in the holder's app (docs/bills.md), walked in Chromium at a phone's width: a
//! funded holder opens 生活缴费 from home, picks 兰州's water company, looks a bill up (the amount,
//! period and masked account and name shown), pays it with the payment password and ends on the
//! result page; saves another account and switches its auto-pay on; and is told, at the form,
//! that a bill whose amount changed must be looked up again. Every step passes axe-core.

use crate::a11y::audit;
use crate::convert::{choose, signed_in};
use crate::helpers::spawn_app;
use crate::journeys::error_shown;
use crate::money_helpers::{PIN, available, funded};
use crate::webdriver::{Driver, Window};

/// Looks up the bill on `account` at 兰州's water company from the bills screen.
async fn look_up(w: &Window, account: &str) {
    choose(w, "#bills-biller", "lz-water").await;
    w.fill("#bills-account", account).await;
    w.click("#bills-submit").await;
}

#[tokio::test]
async fn a_holder_looks_a_bill_up_pays_it_with_the_pin_and_sets_up_auto_pay() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let h = funded(&app, "缴费人", 100_000).await;
    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, 360, 800).await;
    signed_in(&w, &base, &h.token, "zh").await;

    w.click("#tile-bills").await;
    w.find("#bills-biller option[value='lz-water']").await;
    audit(&w, "bills").await;
    look_up(&w, "62010012345").await;
    let amount = w
        .wait_text("#bills-found-amount", |t| t.contains('¥'))
        .await;
    assert_eq!(w.text("#bills-found-account").await, "****2345");
    assert!(w.text("#bills-found-name").await.contains('*'));
    crate::journeys::shoot(&w, "105-bill-found", "zh").await;

    w.fill("#bills-pin", PIN).await;
    w.click("#bills-submit").await;
    w.wait_for_text("#bills-result", "缴费成功").await;
    crate::journeys::shoot(&w, "106-bill-paid", "zh").await;
    assert!(
        w.text("#bills-result-page")
            .await
            .contains(amount.trim_start_matches('¥'))
    );
    assert!(available(&app, &h.token).await < 100_000);

    // Another account: saved, then auto-pay on the 16th up to ¥200.
    w.run("location.hash = '#/home'", serde_json::json!([]))
        .await;
    w.click("#tile-bills").await;
    w.find("#bills-biller option[value='lz-water']").await;
    look_up(&w, "62010099999").await;
    w.wait_text("#bills-found-amount", |t| t.contains('¥'))
        .await;
    w.click("#bills-save").await;
    w.wait_for_text("#bills-saved", "62010099999").await;
    w.find("#bills-saved li").await;
    w.run(
        "const li = document.querySelector('#bills-saved li'); \
         li.querySelector('input[type=number]').value = '16'; \
         li.querySelector('input[inputmode=decimal]').value = '200.00';",
        serde_json::json!([]),
    )
    .await;
    w.run(
        "document.querySelectorAll('#bills-saved li .inline-form button')[0].click()",
        serde_json::json!([]),
    )
    .await;
    w.wait_for_text("#bills-saved", "每月 16 日").await;
    crate::journeys::shoot(&w, "107-bill-autopay", "zh").await;

    // A bill whose amount moved since the look-up is refused at the form.
    look_up(&w, "33333333").await;
    w.wait_text("#bills-found-amount", |t| t.contains('¥'))
        .await;
    w.fill("#bills-pin", PIN).await;
    w.click("#bills-submit").await;
    let (code, text) = error_shown(&w, "#bills-error").await;
    assert_eq!(code, "bill_amount_changed", "{text}");
    assert!(text.contains("重新查询"), "{text}");
}
