//! Risk control in the holder's app (issue 16, item 7), walked in Chromium at a phone's width on a
//! server whose clock the test moves: a transfer of more than ¥1,000 to a wallet opened today is
//! held and the app says it is under review, the records show it held and then rejected by the
//! reviewer; a transfer of ¥5,000 asks for a second factor in the shared sheet, which says why,
//! refuses a wrong SMS code at the code field and sends the same transfer again with the right
//! one; a blocked wallet is told the server's reason; and the authenticator app (TOTP) is turned
//! on from the security screen with a code computed from the secret it shows, then answers the
//! sheet and a sign-in from a new browser, and is turned off with the payment password.

use crate::helpers::{TestApp, TestClock, call, spawn_app_with_clock};
use crate::journeys::{PHONE, attribute, code_sent_by, error_shown, ready, shoot, show};
use crate::money_helpers::{
    Holder, PASSWORD, PIN, WRONG_PIN, assert_ledger_clean, funded, ledger, open_l1_holder_named,
};
use crate::webdriver::{Driver, Window};
use qianbao_wallet::domain::totp::code_at;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A day and a minute: wallets (and the payer's device) older than this are not new any more.
const A_DAY_AND_A_MINUTE_S: i64 = 86_400 + 60;

/// `qianbao admin risk ARGS` against the app's storage, as a reviewer runs it; asserts success.
fn admin_risk(app: &TestApp, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qianbao"))
        .arg("admin")
        .args(["--data-dir", app.dir.to_str().unwrap()])
        .arg("risk")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "qianbao admin risk {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Opens the app in `w` signed in as `holder` (the page's cookie holds the same kind of session
/// token the helpers' API calls use).
async fn signed_in(w: &Window, base: &str, holder: &Holder) {
    w.goto(&format!("{base}/")).await;
    w.add_cookie("qb_session", &holder.token).await;
    w.goto("about:blank").await;
    w.goto(&format!("{base}/#/home")).await;
    ready(w).await;
    w.find("#home-balance").await;
}

/// Fills the transfer form up to the payment password for `amount` yuan to `phone`, and submits.
async fn transfer(w: &Window, phone: &str, amount: &str) {
    show(w, "transfer", "#transfer-phone").await;
    w.fill("#transfer-phone", phone).await;
    w.click("#transfer-lookup").await;
    w.find("#transfer-amount").await;
    w.fill("#transfer-amount", amount).await;
    w.fill("#transfer-pin", PIN).await;
    w.click("#transfer-submit").await;
}

/// Whether `selector` is shown (not inside anything `hidden`).
async fn visible(w: &Window, selector: &str) -> bool {
    w.run(
        "const e = document.querySelector(arguments[0]); return !!e && !e.closest('[hidden]')",
        json!([selector]),
    )
    .await
        == true
}

/// Waits until `selector` is hidden (or gone).
async fn gone(w: &Window, selector: &str) {
    let started = Instant::now();
    while visible(w, selector).await {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "`{selector}` is still shown; the page shows:\n{}",
            w.page_text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A six-digit code that is not `right`.
fn other_than(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// RFC 4648 base32 (the TOTP key as an authenticator app reads it) back to bytes; spaces, which
/// the page groups the key with for reading, are skipped.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = u32::try_from(ALPHABET.find(c).expect("a base32 character")).unwrap();
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).unwrap());
        }
    }
    out
}

/// The code the holder's authenticator app shows now, by the server's clock.
fn totp_now(secret: &[u8], clock: &Arc<TestClock>) -> String {
    code_at(secret, clock.0.load(Ordering::SeqCst) / 1000, 6)
}

#[tokio::test]
async fn a_transfer_to_a_new_wallet_is_held_a_large_one_asks_for_a_second_factor_and_a_block_says_why()
 {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = spawn_app_with_clock().await;
    let base = app.address.clone();
    // The payer (and the payer's device) and a friend's wallet are more than a day old; the
    // newcomer's wallet is opened today.
    let payer = funded(&app, "张三", 2_000_000).await;
    let friend = open_l1_holder_named(&app, "王五").await;
    clock.advance_s(A_DAY_AND_A_MINUTE_S);
    let newcomer = open_l1_holder_named(&app, "李四").await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &payer).await;

    // ¥1,500 to a wallet opened today: held for a reviewer, and the app says so.
    transfer(&w, &newcomer.phone, "1500").await;
    let held = w.wait_for_text("#transfer-result", "安全审核中").await;
    assert!(
        held.contains("¥1,500.00") && held.contains("24 小时"),
        "{held}"
    );
    assert_eq!(
        attribute(&w, "#transfer-result", "data-status").await,
        "held_for_review"
    );
    let held_id = attribute(&w, "#transfer-result", "data-id").await;
    assert!(!held_id.is_empty());
    w.wait_for_text("#notice-toast", "审核").await;
    shoot(&w, "15-transfer-held", "zh").await;
    // The money waits on the payer's side; the records say why.
    show(&w, "home", "#home-held").await;
    w.wait_for_text("#home-held", "¥1,500.00").await;
    show(&w, "records", "#records-list").await;
    let record = format!("#rec-{held_id}");
    w.wait_for_text(&record, "资金审核中").await;
    assert_eq!(
        attribute(&w, &record, "data-status").await,
        "held_for_review"
    );
    w.wait_for_text(&format!("#rec-status-{held_id}"), "安全审核中")
        .await;
    shoot(&w, "16-records-held", "zh").await;

    // The reviewer rejects it: the records say so and the money is back.
    admin_risk(&app, &["reject", &held_id]);
    show(&w, "home", "#home-held").await;
    show(&w, "records", "#records-list").await;
    w.wait_for_text(&format!("#rec-status-{held_id}"), "审核未通过")
        .await;
    w.wait_for_text(&record, "资金已退回").await;
    assert_eq!(attribute(&w, &record, "data-status").await, "rejected");
    show(&w, "home", "#home-held").await;
    w.wait_for_text("#home-held", "¥0.00").await;
    w.wait_for_text("#home-balance", "¥20,000.00").await;

    // ¥5,000 needs a second factor: the sheet says why, in the server's words, and offers what
    // the server listed (an SMS code: this holder has no authenticator app).
    transfer(&w, &friend.phone, "5000").await;
    w.find("#stepup-sheet").await;
    let why = w.wait_for_text("#stepup-reason", "身份验证").await;
    assert!(why.contains("金额较大"), "{why}");
    assert_eq!(
        attribute(&w, "#stepup-reason", "data-reason").await,
        "large_payment"
    );
    w.wait_for_text("#stepup-what", "¥5,000.00").await;
    assert!(visible(&w, "#stepup-sms-row").await);
    assert!(!visible(&w, "#stepup-totp-row").await);
    assert!(!visible(&w, "#stepup-methods").await);
    let code = code_sent_by(&w, "#stepup-send-code").await;
    w.wait_text("#stepup-send-code", |t| t.contains("秒后可重发"))
        .await;
    shoot(&w, "17-step-up", "zh").await;
    // A wrong code is refused at the code field; the sheet stays for another try.
    w.fill("#stepup-otp", &other_than(&code)).await;
    w.click("#stepup-submit").await;
    let (refused, text) = error_shown(&w, "#stepup-error").await;
    assert_eq!(refused, "otp_invalid", "{text}");
    assert!(text.contains("验证码不正确"), "{text}");
    assert_eq!(attribute(&w, "#stepup-otp", "aria-invalid").await, "true");
    assert!(visible(&w, "#stepup-sheet").await);
    // The right code sends the same transfer again (same key): it is done, once.
    w.fill("#stepup-otp", &code).await;
    w.click("#stepup-submit").await;
    gone(&w, "#stepup-sheet").await;
    let done = w.wait_for_text("#transfer-result", "¥5,000.00").await;
    assert!(done.contains("已向 *五 转账"), "{done}");
    assert_eq!(
        attribute(&w, "#transfer-result", "data-status").await,
        "succeeded"
    );
    show(&w, "home", "#home-balance").await;
    w.wait_for_text("#home-balance", "¥15,000.00").await;

    // Closing the sheet moves nothing and says so.
    transfer(&w, &friend.phone, "5000").await;
    w.find("#stepup-sheet").await;
    w.click("#stepup-cancel").await;
    gone(&w, "#stepup-sheet").await;
    let (cancelled, _) = error_shown(&w, "#transfer-error").await;
    assert_eq!(cancelled, "step_up_cancelled");

    // A blocked wallet is told the server's reason, in the page's language.
    admin_risk(&app, &["block", "--wallet", &payer.wallet_id]);
    transfer(&w, &friend.phone, "10").await;
    let (blocked, text) = error_shown(&w, "#transfer-error").await;
    assert_eq!(blocked, "risk_blocked");
    assert!(
        text.contains("受限制的账户") && text.contains("安全监控"),
        "{text}"
    );
    shoot(&w, "18-risk-blocked", "zh").await;
    w.click("#lang-switch").await;
    w.fill("#transfer-pin", PIN).await;
    w.run(
        "document.getElementById('transfer-error').removeAttribute('data-code')",
        json!([]),
    )
    .await;
    w.click("#transfer-submit").await;
    let (_, text) = error_shown(&w, "#transfer-error").await;
    assert!(text.contains("security monitoring"), "{text}");
    admin_risk(&app, &["unblock", "--wallet", &payer.wallet_id]);
    w.click("#lang-switch").await;

    w.close().await;
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn the_authenticator_app_is_turned_on_and_off_from_the_security_screen_and_answers_the_sheet()
{
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = spawn_app_with_clock().await;
    let base = app.address.clone();
    let holder = funded(&app, "赵敏", 1_000_000).await;
    let friend = open_l1_holder_named(&app, "王五").await;
    clock.advance_s(A_DAY_AND_A_MINUTE_S);

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &holder).await;

    // Off at first; turning it on shows the QR code and the key, then asks for a first code.
    show(&w, "security", "#sec-row-totp").await;
    w.click("#sec-row-totp").await;
    w.find("#totp-status").await;
    w.wait_for_text("#totp-status", "未开启").await;
    assert_eq!(attribute(&w, "#totp-status", "data-enabled").await, "0");
    w.click("#totp-enable").await;
    w.find("#totp-qr").await;
    assert!(
        attribute(&w, "#totp-qr", "src")
            .await
            .starts_with("data:image/svg+xml;base64,")
    );
    let key = attribute(&w, "#totp-secret", "data-secret").await;
    assert_eq!(
        w.text("#totp-secret").await.replace(' ', ""),
        key,
        "the key as shown"
    );
    assert!(
        attribute(&w, "#totp-uri", "href")
            .await
            .starts_with("otpauth://totp/")
    );
    let secret = base32_decode(&key);
    assert!(secret.len() >= 10, "{key}");
    // The card from its title, below the sticky top bar, for the picture.
    w.run(
        "document.getElementById('totp-card').scrollIntoView({block: 'start'}); window.scrollBy(0, -64)",
        json!([]),
    )
    .await;
    shoot(&w, "19-totp-on", "zh").await;
    let right = totp_now(&secret, &clock);
    w.fill("#totp-code", &other_than(&right)).await;
    w.click("#totp-confirm").await;
    let (refused, text) = error_shown(&w, "#totp-confirm-error").await;
    assert_eq!(refused, "totp_invalid");
    assert!(text.contains("还可以再试 4 次"), "{text}");
    w.fill("#totp-code", &right).await;
    w.click("#totp-confirm").await;
    w.wait_for_text("#totp-status", "已开启").await;
    assert_eq!(attribute(&w, "#totp-status", "data-enabled").await, "1");
    w.wait_for_text("#totp-done", "身份验证器已开启").await;
    assert!(visible(&w, "#totp-off-form").await);
    assert!(!visible(&w, "#totp-enrol").await);

    // A ¥5,000 transfer now offers the app's code first (and SMS); the next code does it.
    clock.advance_s(30);
    transfer(&w, &friend.phone, "5000").await;
    w.find("#stepup-sheet").await;
    assert!(visible(&w, "#stepup-methods").await);
    assert!(visible(&w, "#stepup-totp-row").await);
    assert!(!visible(&w, "#stepup-sms-row").await);
    shoot(&w, "20-step-up-totp", "zh").await;
    w.fill("#stepup-totp", &totp_now(&secret, &clock)).await;
    w.click("#stepup-submit").await;
    gone(&w, "#stepup-sheet").await;
    let done = w.wait_for_text("#transfer-result", "¥5,000.00").await;
    assert!(done.contains("已向 *五 转账"), "{done}");

    // Paying the friend's receive code of ¥5,000 goes through the same sheet.
    let code = call(
        &app,
        "GET",
        "/v1/me/receive-code?amount=500000",
        None,
        Some(&friend.token),
    )
    .await;
    let code: serde_json::Value = code.json().await.unwrap();
    show(&w, "scan", "#pay-payload").await;
    w.fill("#pay-payload", code["payload"].as_str().unwrap())
        .await;
    w.click("#pay-next").await;
    w.wait_for_text("#pay-amount-fixed", "¥5,000.00").await;
    w.fill("#pay-pin", PIN).await;
    w.click("#pay-confirm").await;
    w.find("#stepup-sheet").await;
    w.wait_for_text("#stepup-what", "¥5,000.00").await;
    clock.advance_s(30);
    w.fill("#stepup-totp", &totp_now(&secret, &clock)).await;
    w.click("#stepup-submit").await;
    gone(&w, "#stepup-sheet").await;
    w.wait_for_text("#pay-result", "付款成功").await;
    assert_eq!(
        attribute(&w, "#pay-result", "data-status").await,
        "succeeded"
    );
    assert_eq!(w.text("#pay-result-amount").await, "¥5,000.00");

    // Signing in again from a browser the server has not seen asks for both codes.
    show(&w, "security", "#logout").await;
    w.click("#logout").await;
    w.find("#welcome-open").await;
    show(&w, "login", "#login-phone").await;
    w.fill("#login-phone", &holder.phone).await;
    w.fill("#login-password", PASSWORD).await;
    w.click("#login-submit").await;
    let (asked, text) = error_shown(&w, "#login-error").await;
    assert_eq!(asked, "step_up_required");
    assert!(text.contains("身份验证器"), "{text}");
    w.find("#login-otp").await;
    w.find("#login-totp").await;
    let sms = code_sent_by(&w, "#login-send-code").await;
    w.fill("#login-otp", &sms).await;
    clock.advance_s(30);
    w.fill("#login-totp", &totp_now(&secret, &clock)).await;
    w.click("#login-submit").await;
    w.wait_for_text("#home-name", "敏").await;

    // Turning it off asks for the payment password.
    show(&w, "security", "#sec-row-totp").await;
    w.click("#sec-row-totp").await;
    w.find("#totp-off-pin").await;
    w.wait_for_text("#totp-status", "已开启").await;
    w.fill("#totp-off-pin", WRONG_PIN).await;
    w.click("#totp-disable").await;
    let (refused, text) = error_shown(&w, "#totp-off-error").await;
    assert_eq!(refused, "pin_incorrect");
    assert!(text.contains("还可以再试 4 次"), "{text}");
    w.fill("#totp-off-pin", PIN).await;
    w.click("#totp-disable").await;
    w.wait_for_text("#totp-status", "未开启").await;
    w.wait_for_text("#totp-done", "身份验证器已关闭").await;
    // As the server has it: a fresh load of the screen says off too.
    w.goto("about:blank").await;
    w.goto(&format!("{base}/#/security/totp")).await;
    ready(&w).await;
    w.wait_for_text("#totp-status", "未开启").await;
    assert!(visible(&w, "#totp-enable").await);

    w.close().await;
    assert_ledger_clean(&ledger(&app).await).await;
}
