//! The journeys of issue 5, walked in Chromium at a phone's width: the happy path from opening to
//! refund, and the failures that must say what to do next.

use crate::helpers::{card_number, spawn_app, spawn_app_with_clock, temp_dir};
use crate::money_helpers::{
    PASSWORD, PIN, REFUND_PASSWORD, WRONG_PIN, assert_ledger_clean, fresh_id_number, ledger,
    open_l1_holder_named, open_shop_with_refund_password,
};
use crate::webdriver::{Driver, Window};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A phone's screen in CSS pixels.
pub const PHONE: (u32, u32) = (360, 800);

/// Where screenshots go, when `QIANBAO_SCREENSHOTS` asks for them.
fn screenshot_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("QIANBAO_SCREENSHOTS")?);
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

/// Saves what `w` shows as `<name>-<lang>.png`, when screenshots are asked for; what it shows is
/// checked for accessibility either way.
pub async fn shoot(w: &Window, name: &str, lang: &str) {
    crate::a11y::audit(w, &format!("{name}-{lang}")).await;
    if let Some(dir) = screenshot_dir() {
        // Let fonts and the QR images settle before the picture.
        tokio::time::sleep(Duration::from_millis(400)).await;
        std::fs::write(dir.join(format!("{name}-{lang}.png")), w.screenshot().await).unwrap();
    }
}

/// Switches the page to `lang` (`zh` or `en`) the way the language switch remembers it, and opens
/// `url`.
pub async fn open_in(w: &Window, url: &str, lang: &str) {
    w.run("localStorage.qb_lang = arguments[0]", json!([lang]))
        .await;
    w.goto("about:blank").await;
    w.goto(url).await;
    ready(w).await;
}

/// Shows `route` the way a link does, and waits for its screen and for `selector` to show.
pub async fn show(w: &Window, route: &str, selector: &str) {
    w.run(
        "location.hash = arguments[0]",
        json!([format!("#/{route}")]),
    )
    .await;
    w.find(&format!("#screen-{route}")).await;
    w.find(selector).await;
    crate::a11y::audit(w, &format!("#/{route}")).await;
}

/// Opens the holder's app in `w` at `#/home`, signed in with `token` (the page's session cookie
/// holds the same kind of session token the API gives).
pub async fn signed_in_at_home(w: &Window, base: &str, token: &str) {
    w.goto(&format!("{base}/")).await;
    w.add_cookie("qb_session", token).await;
    w.goto("about:blank").await;
    w.goto(&format!("{base}/#/home")).await;
    ready(w).await;
}

/// Waits until the page has booted.
pub async fn ready(w: &Window) {
    let started = Instant::now();
    while w
        .run(
            "return document.body && document.body.dataset.ready",
            json!([]),
        )
        .await
        != "1"
    {
        if started.elapsed() > Duration::from_secs(15) {
            let url = w.run("return location.href", json!([])).await;
            panic!("{url} never got ready; it shows:\n{}", w.page_text().await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = w.run("return location.href", json!([])).await;
    crate::a11y::audit(w, url.as_str().unwrap_or_default()).await;
}

/// The newest code in the sandbox panel now (empty if none).
async fn panel_code(w: &Window) -> String {
    w.run(
        "return document.getElementById('sms-latest-code').textContent",
        json!([]),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .trim()
    .to_string()
}

/// Clicks `send` and reads, from the sandbox panel, the code that click sent.
pub async fn code_sent_by(w: &Window, send: &str) -> String {
    // The panel polls every 2 s for the phones typed on the page; let it see this one first.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let before = panel_code(w).await;
    w.click(send).await;
    let started = Instant::now();
    loop {
        let code = panel_code(w).await;
        if code.len() == 6 && code != before {
            return code;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no new code in the sandbox panel after `{send}`; the page shows:\n{}",
            w.page_text().await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A real PNG of an ID card's photo (640×400), saved in `dir`.
fn id_photo(dir: &Path) -> PathBuf {
    let path = dir.join("id-card.png");
    std::fs::write(&path, crate::helpers::png(640, 400)).unwrap();
    path
}

/// An attribute of `selector` (via the page's DOM).
pub async fn attribute(w: &Window, selector: &str, name: &str) -> String {
    w.run(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null",
        json!([selector, name]),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[tokio::test]
async fn a_holder_opens_a_wallet_tops_up_pays_a_till_order_from_its_picture_and_gets_a_refund() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let files = temp_dir("browser");
    // The shop belongs to someone else: a holder cannot pay their own shop.
    let owner = open_l1_holder_named(&app, "马六").await;
    let shop = open_shop_with_refund_password(&app, &owner, "兰州牛肉面", REFUND_PASSWORD).await;

    let driver = Driver::start(&chromedriver).await;
    let phone = driver.window(&chromium, PHONE.0, PHONE.1).await;
    let till = driver.window(&chromium, PHONE.0, PHONE.1).await;

    // The welcome screen and the first step, in both languages, before anyone signs in.
    phone.goto(&format!("{base}/")).await;
    ready(&phone).await;
    for lang in ["en", "zh"] {
        open_in(&phone, &format!("{base}/#/welcome"), lang).await;
        phone.find("#welcome-open").await;
        shoot(&phone, "01-welcome", lang).await;
        open_in(&phone, &format!("{base}/#/open"), lang).await;
        phone.find("#signup-phone").await;
        shoot(&phone, "02-open-step-1", lang).await;
    }
    assert_eq!(
        attribute(&phone, "html", "lang").await,
        "zh-CN",
        "Chinese is the default and the last chosen"
    );

    // Step 1: phone and the code from the sandbox panel.
    let number = crate::helpers::random_phone();
    phone.fill("#signup-phone", &number).await;
    let code = code_sent_by(&phone, "#signup-send-code").await;
    phone
        .wait_text("#signup-send-code", |t| t.contains("秒后可重发"))
        .await;
    phone.fill("#signup-otp", &code).await;
    phone.click("#signup-next").await;
    // Step 2: the password.
    phone.fill("#signup-password", PASSWORD).await;
    phone.fill("#signup-password-2", PASSWORD).await;
    phone.click("#signup-submit").await;
    // Step 3: real name, ID number and the ID card's photo.
    phone.find("#open-step-3").await;
    phone.wait_for_text("#open-step-label", "第 3 步").await;
    phone.fill("#id-name", "王小明").await;
    phone.fill("#id-number", &fresh_id_number()).await;
    phone.upload("#id-photo", &id_photo(&files)).await;
    phone.click("#id-submit").await;
    // Verified, the page moves on to the card by itself.
    // Step 4: a bank card, confirmed with the bank's code (sent to the reserved phone).
    phone.find("#open-step-4").await;
    phone.fill("#card-number", &card_number("622202", 19)).await;
    assert_eq!(phone.value("#card-holder").await, "王小明");
    shoot(&phone, "03-open-step-4", "zh").await;
    let bank_code = code_sent_by(&phone, "#card-submit").await;
    phone.wait_for_text("#card-otp-sent", "验证码已发送").await;
    phone.fill("#card-otp", &bank_code).await;
    phone.click("#card-confirm").await;
    // Step 5: the payment password; 6: done.
    phone.find("#open-step-5").await;
    phone.fill("#pin-1", PIN).await;
    phone.fill("#pin-2", PIN).await;
    phone.click("#pin-submit").await;
    phone.wait_for_text("#open-done", "钱包已开通").await;
    shoot(&phone, "04-open-done", "zh").await;

    // Top up ¥200 with the fee shown first.
    phone.click("#open-topup").await;
    phone.fill("#topup-amount", "200").await;
    phone.click("#topup-submit").await;
    phone.wait_for_text("#topup-fee", "¥0.00").await;
    phone.fill("#topup-pin", PIN).await;
    phone.click("#topup-submit").await;
    phone
        .wait_for_text("#topup-result", "充值成功：¥200.00")
        .await;
    phone.goto(&format!("{base}/#/home")).await;
    phone.wait_for_text("#home-balance", "¥200.00").await;

    // The till of the noodle shop makes a ¥12.50 order and shows its QR code.
    till.goto(&format!("{base}/merchant")).await;
    ready(&till).await;
    till.fill("#till-key", &shop.api_key).await;
    till.click("#till-signin").await;
    till.fill("#till-order-amount", "12.5").await;
    till.fill("#till-order-desc", "牛肉面一碗").await;
    till.click("#till-order-submit").await;
    till.wait_for_text("#till-order-status", "等待付款").await;
    shoot(&till, "10-till-order", "zh").await;
    let qr = files.join("order-qr.png");
    std::fs::write(&qr, till.element_screenshot("#till-order-qr").await).unwrap();

    // The holder uploads the picture of the QR code; a wrong payment password shows tries left.
    phone.goto(&format!("{base}/#/scan")).await;
    phone.upload("#pay-file", &qr).await;
    // Before the password: who is paid and how much, as the shop set it.
    phone.wait_for_text("#pay-payee", "兰州牛肉面").await;
    assert_eq!(phone.text("#pay-amount-fixed").await, "¥12.50");
    phone.fill("#pay-pin", WRONG_PIN).await;
    phone.click("#pay-confirm").await;
    let wrong = phone.wait_for_text("#pay-error", "还可以再试 4 次").await;
    assert!(wrong.contains("支付密码错误"), "{wrong}");
    assert_eq!(
        attribute(&phone, "#pay-error", "data-code").await,
        "pin_incorrect"
    );
    shoot(&phone, "05-scan-wrong-pin", "zh").await;
    phone.fill("#pay-pin", PIN).await;
    phone.click("#pay-confirm").await;
    phone.wait_for_text("#pay-result", "付款成功").await;
    assert_eq!(phone.text("#pay-result-amount").await, "¥12.50");
    phone.wait_for_text("#pay-result-payee", "兰州牛肉面").await;
    let payment_id = attribute(&phone, "#pay-result", "data-payment-id").await;
    assert!(!payment_id.is_empty());
    // The notification arrives live, without a reload.
    phone.wait_for_text("#notice-toast", "¥12.50").await;
    shoot(&phone, "06-paid", "zh").await;

    // The till sees the order paid and refunds it in full.
    till.wait_for_text("#till-order-status", "已支付").await;
    till.click(&format!("#refund-{payment_id}")).await;
    assert_eq!(till.value("#till-refund-amount").await, "12.50");
    till.fill("#till-refund-reason", "面卖完了").await;
    till.click("#till-refund-submit").await;
    till.fill("#till-refund-password", REFUND_PASSWORD).await;
    till.click("#till-refund-confirm").await;
    till.wait_for_text("#till-refund-result", "已退款 ¥12.50")
        .await;
    shoot(&till, "11-till-refunded", "zh").await;

    // The holder's records show the payment and the refund; the balance is whole again.
    phone.goto(&format!("{base}/#/records")).await;
    phone
        .wait_text("#records-list", |t| {
            t.contains("付款") && t.contains("退款") && t.contains("12.50")
        })
        .await;
    phone.goto(&format!("{base}/#/home")).await;
    phone.wait_for_text("#home-balance", "¥200.00").await;

    // The main screens of an open wallet, in both languages.
    if screenshot_dir().is_some() {
        for lang in ["zh", "en"] {
            for (name, route, shown) in [
                ("07-home", "home", "#home-balance"),
                ("08-paycode", "paycode", "#paycode-qr"),
                ("09-records", "records", "#records-list"),
                ("12-topup", "topup", "#topup-amount"),
                ("13-security", "security", "#sessions-list"),
            ] {
                open_in(&phone, &format!("{base}/#/{route}"), lang).await;
                phone.find(shown).await;
                shoot(&phone, name, lang).await;
            }
            open_in(&till, &format!("{base}/merchant"), lang).await;
            till.find("#till-payments").await;
            shoot(&till, "14-till", lang).await;
        }
    }

    phone.close().await;
    till.close().await;
    assert_ledger_clean(&ledger(&app).await).await;
    let _ = std::fs::remove_dir_all(&files);
}

/// Waits until the error box `selector` carries a problem code, and returns it with its text.
pub async fn error_shown(w: &Window, selector: &str) -> (String, String) {
    let started = Instant::now();
    loop {
        let code = attribute(w, selector, "data-code").await;
        if !code.is_empty() {
            return (code, w.text(selector).await);
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no error in `{selector}`; the page shows:\n{}",
            w.page_text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn failures_say_what_to_do_next_underage_and_a_locked_login_that_recovery_unlocks() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    // A clock the test moves: a phone may be sent one code a minute.
    let (app, clock) = spawn_app_with_clock().await;
    let base = app.address.clone();
    let files = temp_dir("browser-failures");
    let driver = Driver::start(&chromedriver).await;
    let phone = driver.window(&chromium, PHONE.0, PHONE.1).await;

    // Someone born eleven years ago signs up and is told why they cannot verify.
    phone.goto(&format!("{base}/#/open")).await;
    ready(&phone).await;
    phone
        .fill("#signup-phone", &crate::helpers::random_phone())
        .await;
    let code = code_sent_by(&phone, "#signup-send-code").await;
    phone.fill("#signup-otp", &code).await;
    phone.click("#signup-next").await;
    phone.fill("#signup-password", PASSWORD).await;
    phone.fill("#signup-password-2", PASSWORD).await;
    phone.click("#signup-submit").await;
    phone.fill("#id-name", "王小明").await;
    phone
        .fill("#id-number", &crate::helpers::id_number("20150601", "123"))
        .await;
    phone.upload("#id-photo", &id_photo(&files)).await;
    phone.click("#id-submit").await;
    let (code, text) = error_shown(&phone, "#id-error").await;
    assert_eq!(code, "underage");
    assert!(text.contains("未满18周岁"), "{text}");
    phone.close().await;

    // A verified holder mistypes the password until sign-in locks; the lock links to recovery.
    let holder = open_l1_holder_named(&app, "赵敏").await;
    let phone = driver.window(&chromium, PHONE.0, PHONE.1).await;
    phone.goto(&format!("{base}/#/login")).await;
    ready(&phone).await;
    phone.fill("#login-phone", &holder.phone).await;
    let mut tries_left = Vec::new();
    loop {
        phone.fill("#login-password", "Wrong-Horse-1234").await;
        phone
            .run(
                "const e = document.getElementById('login-error'); e.removeAttribute('data-code')",
                json!([]),
            )
            .await;
        phone.click("#login-submit").await;
        let (code, text) = error_shown(&phone, "#login-error").await;
        if code == "login_locked" {
            assert!(text.contains("找回密码"), "{text}");
            break;
        }
        assert_eq!(code, "invalid_credentials", "{text}");
        tries_left.push(text);
        assert!(tries_left.len() < 6, "never locked: {tries_left:?}");
    }
    assert!(tries_left[0].contains("还可以再试 4 次"), "{tries_left:?}");
    phone.click("#login-error-link").await;
    // Its sign-up code went out moments ago: the next one waits, and the page says how long.
    phone.fill("#reset-phone", &holder.phone).await;
    phone.click("#reset-send-code").await;
    let (code, text) = error_shown(&phone, "#reset-error").await;
    assert_eq!(code, "otp_rate_limited");
    assert!(text.contains("秒后再试"), "{text}");
    clock.advance_s(61);
    phone.goto("about:blank").await;
    phone.goto(&format!("{base}/#/recover")).await;
    ready(&phone).await;
    phone.fill("#reset-phone", &holder.phone).await;
    let code = code_sent_by(&phone, "#reset-send-code").await;
    phone.fill("#reset-otp", &code).await;
    phone.fill("#reset-id-number", &holder.id_number).await;
    let new_password = "Tr0ubadour-Silver-Kite";
    phone.fill("#reset-password", new_password).await;
    phone.fill("#reset-password-2", new_password).await;
    phone.click("#reset-submit").await;
    phone.wait_for_text("#reset-done", "密码已重设").await;

    // The new password signs in; this browser is new to the server, so it also asks for a code.
    phone.click("#reset-to-login").await;
    phone.fill("#login-phone", &holder.phone).await;
    phone.fill("#login-password", new_password).await;
    phone.click("#login-submit").await;
    let (code, _) = error_shown(&phone, "#login-error").await;
    assert_eq!(code, "step_up_required");
    phone.fill("#login-password", new_password).await;
    clock.advance_s(61);
    let code = code_sent_by(&phone, "#login-send-code").await;
    phone.fill("#login-otp", &code).await;
    phone.click("#login-submit").await;
    phone.wait_for_text("#home-name", "敏").await;

    phone.close().await;
    let _ = std::fs::remove_dir_all(&files);
}
