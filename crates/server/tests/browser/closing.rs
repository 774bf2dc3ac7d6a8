//! Closing the wallet (注销) from the security screen, walked in Chromium at a phone's width: with
//! money left the app lists what to do first, in the page's language; once the money is gone the
//! same code and payment password close it, the app is signed out, and the wallet can no longer be
//! logged into.

use crate::helpers::{post, problem, spawn_app_without_risk_rules};
use crate::journeys::{PHONE, attribute, error_shown, shoot, show, signed_in_at_home};
use crate::money_helpers::{PASSWORD, PIN, funded, newest_code, open_l1_holder, transfer};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_wallet_with_money_is_told_what_to_do_first_and_closes_once_it_is_empty() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let holder = funded(&app, "张三", 1_230).await;
    let friend = open_l1_holder(&app).await;

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in_at_home(&w, &base, &holder.token).await;
    w.find("#home-balance").await;
    // The security centre lists its forms; 注销钱包 opens its own.
    show(&w, "security", "#sec-row-close").await;
    w.click("#sec-row-close").await;
    w.find("#close-send-code").await;

    // The code of purpose `close`, once the minute since the sign-up code has passed.
    clock.advance_s(61);
    let before = newest_code(&app, &holder.phone).await;
    w.click("#close-send-code").await;
    let started = Instant::now();
    let code = loop {
        let code = newest_code(&app, &holder.phone).await;
        if code != before {
            break code;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no code was sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    w.fill("#close-otp", &code).await;
    w.fill("#close-pin", PIN).await;
    w.click("#close-submit").await;
    let (refused, text) = error_shown(&w, "#close-error").await;
    assert_eq!(refused, "close_blocked");
    assert!(text.contains("无法注销"), "{text}");
    let listed = w.wait_for_text("#close-blockers", "¥12.30").await;
    assert!(listed.contains("提现"), "{listed}");
    assert_eq!(
        attribute(&w, "#close-blockers li", "data-kind").await,
        "balance"
    );
    w.run(
        "document.getElementById('close-card').scrollIntoView({block: 'start'}); window.scrollBy(0, -64)",
        json!([]),
    )
    .await;
    shoot(&w, "21-close-blocked", "zh").await;

    // The money leaves; the same code and password now close the wallet and sign the app out.
    assert_eq!(transfer(&app, &holder, &friend, 1_230).await.status(), 201);
    w.click("#close-submit").await;
    w.wait_for_text("#notice-toast", "钱包已注销").await;
    w.find("#welcome-open").await;
    let r = post(
        &app,
        "/v1/sessions",
        json!({"phone": holder.phone, "password": PASSWORD}),
        None,
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (403, "account_closed"));
    w.close().await;
}
