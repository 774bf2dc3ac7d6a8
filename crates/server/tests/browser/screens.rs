//! Every screen of the holder's app, opened by a signed-in holder in both languages: each one
//! shows what it loads with no error on the screen and no script error in the page, a live
//! notification refreshes the screen shown, and signing out goes back to the welcome screen.
//! (The journeys walk the flows; this walks the screens they do not reach.)

use crate::helpers::spawn_app;
use crate::journeys::show;
use crate::journeys::signed_in_at_home;
use crate::money_helpers::{open_l2_holder, topup};
use crate::webdriver::{Driver, Window};
use serde_json::json;
use std::time::{Duration, Instant};

/// Records the page's uncaught script errors and rejected promises in `window.qbErrors`.
const CATCH_ERRORS: &str = "window.qbErrors = []; \
    window.addEventListener('error', (e) => window.qbErrors.push(String(e.message))); \
    window.addEventListener('unhandledrejection', (e) => window.qbErrors.push(String(e.reason)));";

/// The errors the shown screen or the page's scripts report (none expected).
async fn errors(w: &Window, route: &str) -> Vec<String> {
    let shown = w
        .run(
            "return Array.from(document.querySelectorAll('#screen-' + arguments[0] + ' .error'))\
             .filter((e) => !e.hidden).map((e) => e.id + ': ' + e.textContent)\
             .concat(window.qbErrors || [])",
            json!([route]),
        )
        .await;
    shown
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Waits until `selector`'s text satisfies `ok`, then checks that nothing reported an error.
async fn shows(w: &Window, route: &str, selector: &str, ok: impl Fn(&str) -> bool) {
    show(w, route, selector).await;
    w.wait_text(selector, ok).await;
    // Let the rest of the screen's loading finish before looking for errors.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let errors = errors(w, route).await;
    assert!(errors.is_empty(), "#/{route}: {errors:?}");
}

#[tokio::test]
async fn every_screen_of_a_signed_in_holder_opens_in_both_languages_without_an_error() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let holder = open_l2_holder(&app).await;
    topup(&app, &holder, 10_000).await;
    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, 360, 800).await;
    // The page's session is the holder's: the cookie holds the same kind of session token.
    signed_in_at_home(&w, &base, &holder.token).await;
    w.run(CATCH_ERRORS, json!([])).await;

    let card = format!("#card-{}", holder.card_id);
    for (lang, title) in [("zh", "我的钱包"), ("en", "My wallet")] {
        show(&w, "home", "#home-balance").await;
        let html_lang = if lang == "zh" { "zh-CN" } else { "en" };
        if w.run("return document.documentElement.lang", json!([]))
            .await
            != html_lang
        {
            // The switch redraws the screen shown in the other language.
            w.click("#lang-switch").await;
        }
        w.wait_for_text("#screen-title", title).await;
        shows(&w, "home", "#home-balance", |t| t == "¥100.00").await;
        // The code shows its first four digits until "查看数字" (widgets.rs walks the rest).
        shows(&w, "paycode", "#paycode-digits", |t| {
            t.chars().filter(char::is_ascii_digit).count() == 4 && t.contains('*')
        })
        .await;
        // The receive code names its payee; the raw link stays behind "复制收款链接".
        shows(&w, "receive", "#receive-name", |t| !t.is_empty()).await;
        shows(&w, "scan", "#pay-payload", |_| true).await;
        shows(&w, "transfer", "#transfer-phone", |_| true).await;
        shows(&w, "topup", "#topup-card", |t| t.contains("****")).await;
        shows(&w, "withdraw", "#withdraw-available", |t| t == "¥100.00").await;
        shows(&w, "records", "#records-list", |t| t.contains("100.00")).await;
        shows(&w, "cards", &card, |t| !t.is_empty()).await;
        shows(&w, "security", "#sessions-list", |t| !t.is_empty()).await;
        shows(&w, "face", "#face-level", |t| !t.is_empty()).await;
        shows(&w, "notices", "#notices-list", |t| !t.is_empty()).await;
        // No coupons yet: the wallet says how to get one.
        shows(&w, "coupons", "#cp-none", |t| !t.is_empty()).await;
        shows(&w, "shop", "#shop-name", |_| true).await;
        // At L2 with a payment password, opening goes on at step 5.
        shows(&w, "open", "#open-step-5", |_| true).await;
    }

    // A live notification refreshes the screen shown: records list the new top-up at once.
    show(&w, "records", "#records-list").await;
    topup(&app, &holder, 5_000).await;
    w.wait_for_text("#records-list", "50.00").await;
    w.wait_for_text("#notice-toast", "50.00").await;
    let errors = errors(&w, "records").await;
    assert!(errors.is_empty(), "{errors:?}");

    // Signing out here goes back to the welcome screen; the signed-out screens still open.
    show(&w, "security", "#logout").await;
    w.click("#logout").await;
    w.find("#welcome-open").await;
    shows(&w, "lost", "#lost-phone", |_| true).await;
    shows(&w, "recover", "#reset-phone", |_| true).await;
    shows(&w, "login", "#login-phone", |_| true).await;
    // A signed-in route sends a signed-out visitor to the welcome screen.
    w.run("location.hash = '#/home'", json!([])).await;
    w.find("#welcome-open").await;
    let started = Instant::now();
    while w.run("return location.hash", json!([])).await != "#/welcome" {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still not at #/welcome"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    w.close().await;
}
