//! What issue 18 (items 2 to 4) found wrong in the holder's app, walked in Chromium at a phone's
//! width: a delayed transfer is cancelled from its result and from the list of transfers on their
//! way (the money back, the record cancelled) and the delay is not kept for the next transfer;
//! refusals name the field at fault (a credit card without expiry, a wrong password when
//! unfreezing); and a wrong SMS code at sign-up keeps the person on the password step with the
//! passwords kept, the code asked again at its own field, and a rate-limit wait that counts down.

use crate::helpers::{call, card_number, random_phone, spawn_app_without_risk_rules};
use crate::journeys::{PHONE, attribute, code_sent_by, error_shown, ready, show};
use crate::money_helpers::{
    PASSWORD, PIN, balance, funded, newest_code, open_l1_holder, open_l1_holder_named, record,
};
use crate::webdriver::Window;
use serde_json::json;
use std::time::{Duration, Instant};

/// Opens the app signed in with `token`, on the home screen.
async fn signed_in(w: &Window, base: &str, token: &str) {
    w.goto(&format!("{base}/")).await;
    w.add_cookie("qb_session", token).await;
    w.goto("about:blank").await;
    w.goto(&format!("{base}/#/home")).await;
    ready(w).await;
    w.find("#home-balance").await;
}

/// Waits for the code `send` makes the server text to `phone` (a fresh one).
async fn code_texted(app: &crate::helpers::TestApp, w: &Window, phone: &str, send: &str) -> String {
    let before = newest_code(app, phone).await;
    w.click(send).await;
    let started = Instant::now();
    loop {
        let code = newest_code(app, phone).await;
        if code != before {
            return code;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no code was sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Transfers ¥30.00 to the payee looked up by `to_phone`, to arrive in 2 h.
async fn delayed_transfer(w: &Window, to_phone: &str) {
    show(w, "transfer", "#transfer-phone").await;
    w.fill("#transfer-phone", to_phone).await;
    w.click("#transfer-lookup").await;
    w.wait_for_text("#transfer-payee", "四").await;
    w.fill("#transfer-amount", "30").await;
    w.run(
        "document.getElementById('transfer-delay').value = '2h'",
        json!([]),
    )
    .await;
    w.fill("#transfer-pin", PIN).await;
    w.click("#transfer-submit").await;
}

#[tokio::test]
async fn a_delayed_transfer_is_cancelled_from_the_app_and_the_delay_is_not_kept() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let holder = funded(&app, "张三", 10_000).await;
    let friend = open_l1_holder_named(&app, "李四").await;

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &holder.token).await;

    // From its result: cancel, think again, then cancel for good.
    delayed_transfer(&w, &friend.phone).await;
    w.wait_for_text("#transfer-result", "到账前可撤销").await;
    assert_eq!(
        attribute(&w, "#transfer-result", "data-status").await,
        "scheduled"
    );
    let id = attribute(&w, "#transfer-result", "data-id").await;
    assert_eq!(balance(&app, &holder.token).await, (7_000, 3_000));
    assert_eq!(
        w.run(
            "return document.getElementById('transfer-delay').value",
            json!([])
        )
        .await,
        "",
        "the 2 h delay is not kept for the next transfer"
    );
    w.click("#transfer-cancel").await;
    let asked = w.wait_for_text("#transfer-cancel-ask", "¥30.00").await;
    assert!(asked.contains("确定撤销"), "{asked}");
    w.click("#transfer-cancel-no").await;
    assert_eq!(
        balance(&app, &holder.token).await,
        (7_000, 3_000),
        "not without the confirmation"
    );
    w.click("#transfer-cancel").await;
    w.click("#transfer-cancel-yes").await;
    let done = w.wait_for_text("#transfer-cancelled", "已退回").await;
    assert!(done.contains("¥30.00"), "{done}");
    assert_eq!(balance(&app, &holder.token).await, (10_000, 0));
    assert_eq!(
        record(&app, &holder.token, &id).await["status"],
        "cancelled"
    );

    // From the list of transfers on their way, after leaving the screen.
    delayed_transfer(&w, &friend.phone).await;
    w.wait_for_text("#transfer-result", "到账前可撤销").await;
    let second = attribute(&w, "#transfer-result", "data-id").await;
    show(&w, "home", "#home-balance").await;
    show(&w, "transfer", &format!("#sched-{second}")).await;
    assert!(
        w.find_now(&format!("#sched-{id}")).await.is_none(),
        "a cancelled transfer is not listed"
    );
    w.click(&format!("#sched-cancel-{second}")).await;
    w.click("#transfer-cancel-yes").await;
    w.wait_for_text("#transfer-cancelled", "已退回").await;
    assert_eq!(balance(&app, &holder.token).await, (10_000, 0));
    assert_eq!(balance(&app, &friend.token).await, (0, 0));
    let started = Instant::now();
    while w
        .find_now("#transfer-scheduled:not([hidden])")
        .await
        .is_some()
    {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the list never emptied"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The records say so.
    show(&w, "records", &format!("#rec-status-{second}")).await;
    w.wait_for_text(&format!("#rec-status-{second}"), "已撤销")
        .await;

    // From the record's own page: offered while it is on its way, gone once cancelled.
    delayed_transfer(&w, &friend.phone).await;
    w.wait_for_text("#transfer-result", "到账前可撤销").await;
    let third = attribute(&w, "#transfer-result", "data-id").await;
    w.run(
        "location.hash = arguments[0]",
        json!([format!("#/record?id={third}")]),
    )
    .await;
    w.find("#record-cancel").await;
    w.click("#record-cancel").await;
    w.wait_for_text("#record-cancel-ask", "¥30.00").await;
    w.click("#record-cancel-yes").await;
    w.wait_for_text("#record-cancelled", "已退回").await;
    w.wait_for_text("#record-status", "已撤销").await;
    assert_eq!(
        w.run(
            "return document.getElementById('record-cancel').hidden",
            json!([])
        )
        .await,
        true,
        "a cancelled transfer offers no cancel"
    );
    assert_eq!(balance(&app, &holder.token).await, (10_000, 0));
}

#[tokio::test]
async fn refusals_name_the_field_at_fault() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let holder = open_l1_holder(&app).await;

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &holder.token).await;

    // A credit card without its expiry: the expiry is asked for, at its field.
    show(&w, "cards", "#cards-add").await;
    w.click("#cards-add").await;
    w.fill("#card-number", &card_number("411111", 16)).await;
    w.fill("#card-holder", &holder.name).await;
    w.fill("#card-id-number", &holder.id_number).await;
    w.fill("#card-cvv", "737").await;
    w.click("#card-submit").await;
    let (code, text) = error_shown(&w, "#card-error").await;
    assert_eq!(code, "card_invalid");
    assert!(text.contains("有效期"), "{text}");
    assert!(!text.contains("卡号"), "{text}");
    assert_eq!(attribute(&w, "#card-expiry", "aria-invalid").await, "true");
    assert_ne!(attribute(&w, "#card-number", "aria-invalid").await, "true");

    // Unfreezing with a wrong password: the password is named, not the phone.
    let r = call(
        &app,
        "POST",
        "/v1/me/freeze",
        Some(json!({})),
        Some(&holder.token),
    )
    .await;
    assert!(r.status().is_success());
    signed_in(&w, &base, &holder.token).await;
    show(&w, "security", "#unfreeze-send-code").await;
    clock.advance_s(61);
    let code = code_texted(&app, &w, &holder.phone, "#unfreeze-send-code").await;
    w.fill("#unfreeze-otp", &code).await;
    w.fill("#unfreeze-id-number", &holder.id_number).await;
    w.fill("#unfreeze-password", "Wrong-Password-9").await;
    w.click("#unfreeze-submit").await;
    let (refused, text) = error_shown(&w, "#unfreeze-error").await;
    assert_eq!(refused, "invalid_credentials");
    assert!(text.contains("登录密码不正确"), "{text}");
    assert!(!text.contains("手机号"), "{text}");
    assert_eq!(
        attribute(&w, "#unfreeze-password", "aria-invalid").await,
        "true"
    );
    // The right password then unfreezes with the same code.
    w.fill("#unfreeze-password", PASSWORD).await;
    w.click("#unfreeze-submit").await;
    let started = Instant::now();
    loop {
        let me = call(&app, "GET", "/v1/me", None, Some(&holder.token)).await;
        let me: serde_json::Value = me.json().await.unwrap();
        if me["status"] == "active" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never unfrozen: {me}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_wrong_sms_code_at_sign_up_is_asked_again_on_the_password_step() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    w.goto(&format!("{base}/#/open")).await;
    ready(&w).await;

    let number = random_phone();
    w.fill("#signup-phone", &number).await;
    let code = code_sent_by(&w, "#signup-send-code").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    w.fill("#signup-otp", wrong).await;
    w.click("#signup-next").await;
    w.fill("#signup-password", PASSWORD).await;
    w.fill("#signup-password-2", PASSWORD).await;
    w.click("#signup-submit").await;
    let (refused, _) = error_shown(&w, "#signup-error-2").await;
    assert_eq!(refused, "otp_invalid");
    w.find("#open-step-2").await;
    assert_eq!(
        w.run(
            "return document.getElementById('open-step-1').hidden",
            json!([])
        )
        .await,
        true,
        "still on the password step"
    );
    assert_eq!(
        w.value("#signup-password").await,
        PASSWORD,
        "the password is kept"
    );
    assert_eq!(w.value("#signup-password-2").await, PASSWORD);
    assert_eq!(attribute(&w, "#signup-otp-2", "aria-invalid").await, "true");

    // A new code asked for too soon: the wait counts down with the button.
    w.click("#signup-resend-code").await;
    let (limited, first) = error_shown(&w, "#signup-error-2").await;
    assert_eq!(limited, "otp_rate_limited");
    let seconds = |t: &str| -> u32 {
        t.chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let before = seconds(&first);
    let later = w
        .wait_text("#signup-error-2", |t| {
            t.chars().any(|c| c.is_ascii_digit()) && seconds(t) + 2 <= before
        })
        .await;
    let button = w.text("#signup-resend-code").await;
    assert!(
        button.contains(&seconds(&later).to_string())
            || button.contains(&(seconds(&later) - 1).to_string()),
        "the text follows the button: {later} / {button}"
    );

    // The right code, typed on this step, opens the wallet.
    w.fill("#signup-otp-2", &code).await;
    w.click("#signup-submit").await;
    w.find("#open-step-3").await;
}
