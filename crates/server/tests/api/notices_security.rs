//! The inbox tells a holder about every change to how the wallet is guarded — frozen and
//! unfrozen (by the owner or the operator's staff), the payment password changed or reset, the
//! login password reset, TOTP on and off, a login from a new device — in both languages, and a
//! refused change tells nothing. Notices write money as `¥1,000.00`. And the transfer screen's
//! recent payees (`GET /v1/me/recent-payees`): only the caller's own transfers, newest first,
//! one row per person.

use crate::helpers::{
    TestApp, TestClock, base32_decode, call, card_number, spawn_app_with_clock,
    spawn_app_without_risk_rules,
};
use crate::money_helpers::{
    Holder, PASSWORD, PIN, WRONG_PIN, answer, funded, inbox, newest_code, open_l1_holder_named,
    open_l2_holder_with_card, refused, transfer,
};
use qianbao_wallet::domain::totp::code_at;
use serde_json::{Value, json};

/// Asks for a code of `purpose` after the 60 s resend wait, and reads it from the sandbox.
async fn code(app: &TestApp, clock: &TestClock, phone: &str, purpose: &str) -> String {
    clock.advance_s(61);
    let r = call(
        app,
        "POST",
        "/v1/otp",
        Some(json!({"phone": phone, "purpose": purpose})),
        None,
    )
    .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    newest_code(app, phone).await
}

/// The newest notice in the holder's inbox.
async fn newest(app: &TestApp, token: &str) -> Value {
    inbox(app, token)
        .await
        .first()
        .cloned()
        .expect("an empty inbox")
}

/// Checks the newest notice: a security notice with these titles, in both languages.
async fn told(app: &TestApp, token: &str, title: &str, title_en: &str) -> Value {
    let n = newest(app, token).await;
    assert_eq!(n["kind"], "security", "{n}");
    assert_eq!(n["title"], title, "{n}");
    assert_eq!(n["title_en"], title_en, "{n}");
    assert!(!n["body"].as_str().unwrap().is_empty(), "{n}");
    assert!(!n["body_en"].as_str().unwrap().is_empty(), "{n}");
    assert!(n["transaction_id"].is_null(), "{n}");
    n
}

async fn put_pin(app: &TestApp, h: &Holder, pin: &str, old: &str) -> reqwest::Response {
    call(
        app,
        "PUT",
        "/v1/me/pin",
        Some(json!({"pin": pin, "old_pin": old})),
        Some(&h.token),
    )
    .await
}

#[tokio::test]
async fn freezing_and_unfreezing_are_told_in_the_inbox_and_the_stream_carries_them() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l1_holder_named(&app, "张三").await;
    let before = inbox(&app, &h.token).await.len();
    let r = call(
        &app,
        "POST",
        "/v1/me/freeze",
        Some(json!({})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let frozen = told(&app, &h.token, "钱包已冻结", "Wallet frozen").await;
    assert_eq!(inbox(&app, &h.token).await.len(), before + 1);

    let c = code(&app, &clock, &h.phone, "unfreeze").await;
    let r = call(
        &app,
        "POST",
        "/v1/me/unfreeze",
        Some(json!({"otp": c, "id_number": h.id_number, "password": PASSWORD})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let unfrozen = told(&app, &h.token, "钱包已解冻", "Wallet unfrozen").await;
    assert!(unfrozen["id"].as_i64() > frozen["id"].as_i64());

    // Frozen without a session, by phone and password (the phone is lost): told too.
    let r = call(
        &app,
        "POST",
        "/v1/freeze",
        Some(json!({"phone": h.phone, "password": PASSWORD})),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    told(&app, &h.token, "钱包已冻结", "Wallet frozen").await;
}

#[tokio::test]
async fn a_changed_pin_is_told_and_a_refused_change_tells_nothing() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = open_l1_holder_named(&app, "张三").await;
    let before = inbox(&app, &h.token).await.len();
    // Setting the first PIN was part of opening: no notice for it.
    assert!(
        inbox(&app, &h.token)
            .await
            .iter()
            .all(|n| n["kind"] != "security"),
        "the first PIN is no news"
    );
    let r = put_pin(&app, &h, "371946", WRONG_PIN).await;
    assert_eq!(refused(r).await.1, "pin_incorrect");
    assert_eq!(
        inbox(&app, &h.token).await.len(),
        before,
        "a refused change writes nothing"
    );
    let r = put_pin(&app, &h, "371946", PIN).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let n = told(&app, &h.token, "支付密码已修改", "Payment password changed").await;
    assert!(n["body"].as_str().unwrap().contains("如非本人操作"), "{n}");
}

#[tokio::test]
async fn a_pin_reset_and_a_login_password_reset_are_told() {
    let (app, clock) = spawn_app_with_clock().await;
    let number = card_number("622202", 19);
    let h = open_l2_holder_with_card(&app, "李四", &number, false).await;
    let c = code(&app, &clock, &h.phone, "reset_pin").await;
    let r = call(
        &app,
        "POST",
        "/v1/me/pin/reset",
        Some(json!({"otp": c, "id_number": h.id_number, "card_number": number, "pin": "371946"})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    told(&app, &h.token, "支付密码已重置", "Payment password reset").await;

    // The login password reset ends every session: the next login is from a new device, which
    // needs a login code and is told as well, with the device's own name.
    let c = code(&app, &clock, &h.phone, "reset_password").await;
    let r = call(
        &app,
        "POST",
        "/v1/password/reset",
        Some(json!({"phone": h.phone, "otp": c, "id_number": h.id_number, "new_password": "An0ther-Good-One"})),
        None,
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let c = code(&app, &clock, &h.phone, "login").await;
    let r = call(
        &app,
        "POST",
        "/v1/sessions",
        Some(
            json!({"phone": h.phone, "password": "An0ther-Good-One", "device_id": "laptop-7",
            "device_name": "Firefox on Linux", "otp": c}),
        ),
        None,
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let n = told(&app, &token, "新设备登录", "Login from a new device").await;
    assert!(
        n["body"].as_str().unwrap().contains("Firefox on Linux"),
        "{n}"
    );
    assert!(
        n["body_en"].as_str().unwrap().contains("Firefox on Linux"),
        "{n}"
    );
    let reset = &inbox(&app, &token).await[1];
    assert_eq!(reset["title"], "登录密码已重置", "{reset}");
    assert_eq!(reset["title_en"], "Login password reset", "{reset}");

    // The same device again: known now, no code and no notice (its new session replaces the
    // earlier one: one per device).
    let count = inbox(&app, &token).await.len();
    let r = call(
        &app,
        "POST",
        "/v1/sessions",
        Some(json!({"phone": h.phone, "password": "An0ther-Good-One", "device_id": "laptop-7"})),
        None,
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap();
    assert_eq!(inbox(&app, token).await.len(), count);
}

#[tokio::test]
async fn turning_totp_on_and_off_is_told() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l1_holder_named(&app, "王五").await;
    let r = call(&app, "POST", "/v1/me/totp", None, Some(&h.token)).await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    let secret = base32_decode(body["secret"].as_str().unwrap());
    let now_s = clock.0.load(std::sync::atomic::Ordering::SeqCst) / 1000;
    let r = call(
        &app,
        "POST",
        "/v1/me/totp/confirm",
        Some(json!({"code": code_at(&secret, now_s, 6)})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    told(
        &app,
        &h.token,
        "身份验证器已开启",
        "Authenticator turned on",
    )
    .await;
    let r = call(
        &app,
        "DELETE",
        "/v1/me/totp",
        Some(json!({"pin": PIN})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    told(
        &app,
        &h.token,
        "身份验证器已关闭",
        "Authenticator turned off",
    )
    .await;
}

#[tokio::test]
async fn notices_write_amounts_with_thousands_separators() {
    // Without the risk rules, which would hold ¥1,234.56 to a wallet opened today.
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let a = funded(&app, "张三", 300_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &a, &b, 123_456).await.status(), 201);
    let n = newest(&app, &b.token).await;
    assert_eq!(n["kind"], "transfer_in");
    assert_eq!(n["body"], "*三 向你转入 ¥1,234.56", "{n}");
    assert_eq!(n["body_en"], "*三 sent you ¥1,234.56", "{n}");
}

async fn recent(app: &TestApp, token: &str) -> Vec<Value> {
    let r = call(app, "GET", "/v1/me/recent-payees", None, Some(token)).await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn recent_payees_are_the_callers_own_newest_first_one_row_per_person() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let a = funded(&app, "张三", 100_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let c = open_l1_holder_named(&app, "王小五").await;
    let stranger = funded(&app, "赵六", 100_000).await;
    let d = open_l1_holder_named(&app, "钱七").await;
    assert!(recent(&app, &a.token).await.is_empty(), "none yet");

    assert_eq!(transfer(&app, &a, &b, 100).await.status(), 201);
    clock.advance_s(5);
    assert_eq!(transfer(&app, &a, &c, 100).await.status(), 201);
    clock.advance_s(5);
    assert_eq!(transfer(&app, &a, &b, 100).await.status(), 201);
    // Another holder's transfer, and money coming in, are not the caller's payees.
    assert_eq!(transfer(&app, &stranger, &d, 100).await.status(), 201);
    assert_eq!(transfer(&app, &stranger, &a, 100).await.status(), 201);
    // A transfer refused (more than the balance) made nobody a payee.
    assert!(
        transfer(&app, &a, &d, 10_000_000)
            .await
            .status()
            .is_client_error()
    );

    let items = recent(&app, &a.token).await;
    let phones: Vec<&str> = items.iter().map(|p| p["phone"].as_str().unwrap()).collect();
    assert_eq!(
        phones,
        vec![b.phone.as_str(), c.phone.as_str()],
        "{items:?}"
    );
    assert_eq!(items[0]["masked_name"], "*四");
    assert_eq!(items[1]["masked_name"], "*五");
    let (first, second) = (
        items[0]["last_at"].as_str().unwrap(),
        items[1]["last_at"].as_str().unwrap(),
    );
    assert!(first > second, "{first} after {second}");

    // The stranger's own payees are theirs alone: the caller (paid last) and the other holder.
    let theirs = recent(&app, &stranger.token).await;
    let phones: Vec<&str> = theirs
        .iter()
        .map(|p| p["phone"].as_str().unwrap())
        .collect();
    assert_eq!(
        phones,
        vec![a.phone.as_str(), d.phone.as_str()],
        "{theirs:?}"
    );
    assert!(
        recent(&app, &b.token).await.is_empty(),
        "receiving makes no payee"
    );

    // Signed out: no list.
    let r = call(&app, "GET", "/v1/me/recent-payees", None, None).await;
    assert_eq!(r.status(), 401);
}
