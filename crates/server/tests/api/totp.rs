//! The TOTP second factor over HTTP: enrolling, confirming with a code the test computes from the
//! returned secret, each code working once, five wrong codes locking it as wrong PINs lock
//! payments, turning it off with the payment password, logins needing it once it is on, and the
//! secret never in the database in clear.

use crate::helpers::base32_decode;
use crate::helpers::{
    TestApp, TestClock, call, id_number, latest_code, problem, random_phone, spawn_app_with_clock,
};
use qianbao_wallet::domain::totp::code_at;
use serde_json::{Value, json};

const PASSWORD: &str = "Corr3ct-Horse-Battery";
const PIN: &str = "258147";

/// A signed-up holder, with the device that signed up (so logins need no SMS code). A login
/// from that device ends its earlier session (one per device): [`logged_in`] takes the new one.
struct Holder {
    phone: String,
    token: String,
    device_id: String,
}

async fn signed_up(app: &TestApp) -> Holder {
    let phone = random_phone();
    let r = call(
        app,
        "POST",
        "/v1/otp",
        Some(json!({"phone": phone, "purpose": "signup"})),
        None,
    )
    .await;
    assert_eq!(r.status(), 202);
    let code = latest_code(app, &phone).await;
    let r = call(
        app,
        "POST",
        "/v1/signup",
        Some(json!({"phone": phone, "otp": code, "password": PASSWORD})),
        None,
    )
    .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    Holder {
        phone,
        token: body["token"].as_str().unwrap().into(),
        device_id: body["device_id"].as_str().unwrap().into(),
    }
}

/// A holder with a verified real name and a payment password, as turning TOTP off needs.
async fn with_pin(app: &TestApp) -> Holder {
    let h = signed_up(app).await;
    let seq = format!("{:03}", 100 + uuid::Uuid::new_v4().as_u128() % 800);
    let r = call(
        app,
        "POST",
        "/v1/me/identity",
        Some(json!({"name": "张三", "id_number": id_number("19900307", &seq)})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = call(
        app,
        "PUT",
        "/v1/me/pin",
        Some(json!({"pin": PIN})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    h
}

/// The code the holder's app shows now.
fn code_now(secret: &[u8], clock: &TestClock) -> String {
    code_at(
        secret,
        clock.0.load(std::sync::atomic::Ordering::SeqCst) / 1000,
        6,
    )
}

/// A six-digit code that is not `right`.
fn wrong(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// Enrols TOTP for `h`: the secret's bytes and the whole answer.
async fn enrol(app: &TestApp, h: &Holder) -> (Vec<u8>, Value) {
    let r = call(app, "POST", "/v1/me/totp", None, Some(&h.token)).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let secret = base32_decode(body["secret"].as_str().unwrap());
    (secret, body)
}

/// Enrols and confirms TOTP for `h`, then moves the clock to the next step so that the next
/// code is a fresh one. Returns the secret.
async fn enabled(app: &TestApp, clock: &TestClock, h: &Holder) -> Vec<u8> {
    let (secret, _) = enrol(app, h).await;
    let r = confirm(app, h, &code_now(&secret, clock)).await;
    assert_eq!(r.status(), 204);
    clock.advance_s(30);
    secret
}

async fn confirm(app: &TestApp, h: &Holder, code: &str) -> reqwest::Response {
    call(
        app,
        "POST",
        "/v1/me/totp/confirm",
        Some(json!({"code": code})),
        Some(&h.token),
    )
    .await
}

async fn log_in(
    app: &TestApp,
    h: &Holder,
    password: &str,
    totp: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"phone": h.phone, "password": password, "device_id": h.device_id});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    call(app, "POST", "/v1/sessions", Some(body), None).await
}

/// Takes the session of a login that must succeed.
async fn logged_in(h: &mut Holder, r: reqwest::Response) {
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    h.token = body["token"].as_str().unwrap().into();
}

async fn turn_off(app: &TestApp, h: &Holder, pin: &str) -> reqwest::Response {
    call(
        app,
        "DELETE",
        "/v1/me/totp",
        Some(json!({"pin": pin})),
        Some(&h.token),
    )
    .await
}

async fn totp_enabled(app: &TestApp, h: &Holder) -> bool {
    let r = call(app, "GET", "/v1/me/totp", None, Some(&h.token)).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["enabled"].as_bool().unwrap()
}

#[tokio::test]
async fn enrolment_gives_a_secret_uri_and_qr_and_a_right_first_code_turns_totp_on() {
    let (app, clock) = spawn_app_with_clock().await;
    let mut h = signed_up(&app).await;
    assert!(!totp_enabled(&app, &h).await);

    let (secret, body) = enrol(&app, &h).await;
    assert_eq!(secret.len(), 20, "a 160-bit secret");
    let uri = body["otpauth_uri"].as_str().unwrap();
    let masked = format!("%2B86%20{}****{}", &h.phone[3..6], &h.phone[10..]);
    assert_eq!(
        uri,
        format!(
            "otpauth://totp/qianbao:{masked}?secret={}&issuer=qianbao&algorithm=SHA1&digits=6&period=30",
            body["secret"].as_str().unwrap()
        )
    );
    assert!(body["qr_svg"].as_str().unwrap().contains("<svg"));
    // Enrolled but not confirmed: nothing is guarded yet.
    assert!(!totp_enabled(&app, &h).await);
    let r = log_in(&app, &h, PASSWORD, None).await;
    logged_in(&mut h, r).await;

    // A wrong first code is refused and counted.
    let right = code_now(&secret, &clock);
    let (status, p) = problem(confirm(&app, &h, &wrong(&right)).await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "totp_invalid", Some(4))
    );
    assert_eq!(confirm(&app, &h, &right).await.status(), 204);
    assert!(totp_enabled(&app, &h).await);

    // On: a second enrolment or confirmation is a conflict, not a new secret.
    let (status, p) = problem(call(&app, "POST", "/v1/me/totp", None, Some(&h.token)).await).await;
    assert_eq!((status, p.code.as_str()), (409, "totp_already_enabled"));
    let (status, p) = problem(confirm(&app, &h, &right).await).await;
    assert_eq!((status, p.code.as_str()), (409, "totp_already_enabled"));
}

#[tokio::test]
async fn an_enrolment_not_yet_confirmed_is_replaced_by_a_new_one() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = signed_up(&app).await;
    let (first, _) = enrol(&app, &h).await;
    let (second, _) = enrol(&app, &h).await;
    assert_ne!(first, second);
    let (status, p) = problem(confirm(&app, &h, &code_now(&first, &clock)).await).await;
    assert_eq!((status, p.code.as_str()), (401, "totp_invalid"));
    assert_eq!(
        confirm(&app, &h, &code_now(&second, &clock)).await.status(),
        204
    );
}

#[tokio::test]
async fn login_needs_a_totp_code_once_it_is_on_and_each_code_works_once() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = signed_up(&app).await;
    let secret = enabled(&app, &clock, &h).await;

    // A wrong password is told as before, whatever the second factor: nothing about TOTP leaks.
    let (status, p) = problem(log_in(&app, &h, "Wrong-Password-1", None).await).await;
    assert_eq!((status, p.code.as_str()), (401, "invalid_credentials"));
    assert_eq!(p.methods, None);
    let code = code_now(&secret, &clock);
    let (status, p) = problem(log_in(&app, &h, "Wrong-Password-1", Some(&code)).await).await;
    assert_eq!((status, p.code.as_str()), (401, "invalid_credentials"));

    // The right password without a code: the answer says what to send.
    let (status, p) = problem(log_in(&app, &h, PASSWORD, None).await).await;
    assert_eq!((status, p.code.as_str()), (401, "step_up_required"));
    assert_eq!(p.methods, Some(vec!["totp".to_string()]));

    // A wrong code is totp_invalid with the tries left.
    let (status, p) = problem(log_in(&app, &h, PASSWORD, Some(&wrong(&code))).await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "totp_invalid", Some(4))
    );

    // The right code logs in, and clears the count.
    let r = log_in(&app, &h, PASSWORD, Some(&code)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // The same code again, within its 30 seconds: refused.
    let (status, p) = problem(log_in(&app, &h, PASSWORD, Some(&code)).await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "totp_invalid", Some(4))
    );
    // Five minutes on, a code from two steps ago was never used, but has expired.
    clock.advance_s(300);
    let now_s = clock.0.load(std::sync::atomic::Ordering::SeqCst) / 1000;
    let (status, p) =
        problem(log_in(&app, &h, PASSWORD, Some(&code_at(&secret, now_s - 60, 6))).await).await;
    assert_eq!((status, p.code.as_str()), (401, "totp_invalid"));
    // One step of drift either way is accepted: an app 30 s slow, then one 30 s fast.
    let slow = code_at(&secret, now_s - 30, 6);
    assert_eq!(log_in(&app, &h, PASSWORD, Some(&slow)).await.status(), 201);
    let fast = code_at(&secret, now_s + 30, 6);
    assert_eq!(log_in(&app, &h, PASSWORD, Some(&fast)).await.status(), 201);
    // Using the fast code used up every step up to it: the current one is refused too.
    let (status, p) =
        problem(log_in(&app, &h, PASSWORD, Some(&code_now(&secret, &clock))).await).await;
    assert_eq!((status, p.code.as_str()), (401, "totp_invalid"));
}

#[tokio::test]
async fn a_new_device_needs_both_the_sms_code_and_the_totp_code() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = signed_up(&app).await;
    let secret = enabled(&app, &clock, &h).await;
    let body = json!({"phone": h.phone, "password": PASSWORD, "device_id": "laptop-1"});
    let (status, p) = problem(call(&app, "POST", "/v1/sessions", Some(body), None).await).await;
    assert_eq!((status, p.code.as_str()), (401, "step_up_required"));
    assert_eq!(p.methods, Some(vec!["sms".to_string(), "totp".to_string()]));

    // One code a minute per phone: the sign-up code was the last.
    clock.advance_s(60);
    let r = call(
        &app,
        "POST",
        "/v1/otp",
        Some(json!({"phone": h.phone, "purpose": "login"})),
        None,
    )
    .await;
    assert_eq!(r.status(), 202);
    let sms = latest_code(&app, &h.phone).await;
    // The SMS code alone is not enough.
    let body = json!({"phone": h.phone, "password": PASSWORD, "device_id": "laptop-1", "otp": sms});
    let (status, p) = problem(call(&app, "POST", "/v1/sessions", Some(body), None).await).await;
    assert_eq!((status, p.code.as_str()), (401, "step_up_required"));
    assert_eq!(p.methods, Some(vec!["totp".to_string()]));
    // A wrong TOTP code leaves the SMS code for the next try.
    let code = code_now(&secret, &clock);
    let body = json!({"phone": h.phone, "password": PASSWORD, "device_id": "laptop-1",
                      "otp": sms, "totp": wrong(&code)});
    let (status, p) = problem(call(&app, "POST", "/v1/sessions", Some(body), None).await).await;
    assert_eq!((status, p.code.as_str()), (401, "totp_invalid"));
    let body = json!({"phone": h.phone, "password": PASSWORD, "device_id": "laptop-1",
                      "otp": sms, "totp": code});
    let r = call(&app, "POST", "/v1/sessions", Some(body), None).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn five_wrong_codes_lock_the_second_factor_for_the_pin_lock_time() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = signed_up(&app).await;
    let secret = enabled(&app, &clock, &h).await;
    let code = code_now(&secret, &clock);
    for left in (1..5).rev() {
        let (status, p) = problem(log_in(&app, &h, PASSWORD, Some(&wrong(&code))).await).await;
        assert_eq!(
            (status, p.code.as_str(), p.attempts_left),
            (401, "totp_invalid", Some(left))
        );
    }
    let (status, p) = problem(log_in(&app, &h, PASSWORD, Some(&wrong(&code))).await).await;
    assert_eq!((status, p.code.as_str()), (423, "totp_locked"));
    let lock_s = i64::try_from(p.retry_after.expect("retry_after")).unwrap();
    assert_eq!(lock_s, 3 * 3600, "the payment password's lock time");

    // Locked: even the right code is refused, on every route that checks one.
    let (status, p) = problem(log_in(&app, &h, PASSWORD, Some(&code)).await).await;
    assert_eq!((status, p.code.as_str()), (423, "totp_locked"));

    // When the lock ends, the right code works and the count starts again.
    clock.advance_s(lock_s);
    let code = code_now(&secret, &clock);
    assert_eq!(log_in(&app, &h, PASSWORD, Some(&code)).await.status(), 201);
    clock.advance_s(30);
    let code = code_now(&secret, &clock);
    let (status, p) = problem(log_in(&app, &h, PASSWORD, Some(&wrong(&code))).await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "totp_invalid", Some(4))
    );
}

#[tokio::test]
async fn turning_totp_off_needs_the_payment_password() {
    let (app, clock) = spawn_app_with_clock().await;
    let mut h = with_pin(&app).await;
    let secret = enabled(&app, &clock, &h).await;

    let (status, p) = problem(turn_off(&app, &h, "000000").await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "pin_incorrect", Some(4))
    );
    assert!(totp_enabled(&app, &h).await, "a wrong PIN changed nothing");
    let (status, _) = problem(log_in(&app, &h, PASSWORD, None).await).await;
    assert_eq!(status, 401);

    assert_eq!(turn_off(&app, &h, PIN).await.status(), 204);
    assert!(!totp_enabled(&app, &h).await);
    let r = log_in(&app, &h, PASSWORD, None).await;
    logged_in(&mut h, r).await;
    let (status, p) = problem(turn_off(&app, &h, PIN).await).await;
    assert_eq!((status, p.code.as_str()), (409, "totp_not_enabled"));

    // Off means off: the old secret's codes confirm nothing, and a new enrolment starts afresh.
    let (status, p) = problem(confirm(&app, &h, &code_now(&secret, &clock)).await).await;
    assert_eq!((status, p.code.as_str()), (409, "totp_not_enabled"));
    let (fresh, _) = enrol(&app, &h).await;
    assert_ne!(fresh, secret);
}

#[tokio::test]
async fn a_holder_without_a_payment_password_cannot_turn_totp_off() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = signed_up(&app).await;
    enabled(&app, &clock, &h).await;
    let r = call(
        &app,
        "DELETE",
        "/v1/me/totp",
        Some(json!({"pin": PIN})),
        Some(&h.token),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (403, "pin_not_set"));
    assert!(totp_enabled(&app, &h).await);
}

#[tokio::test]
async fn every_totp_route_needs_a_session() {
    let (app, _) = spawn_app_with_clock().await;
    for (method, path, body) in [
        ("GET", "/v1/me/totp", None),
        ("POST", "/v1/me/totp", None),
        (
            "POST",
            "/v1/me/totp/confirm",
            Some(json!({"code": "123456"})),
        ),
        ("DELETE", "/v1/me/totp", Some(json!({"pin": PIN}))),
    ] {
        let (status, p) = problem(call(&app, method, path, body, None).await).await;
        assert_eq!(
            (status, p.code.as_str()),
            (401, "unauthorized"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn the_totp_secret_is_never_stored_in_clear() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = signed_up(&app).await;
    let secret = enabled(&app, &clock, &h).await;
    let encoded = qianbao_wallet::domain::totp::base32(&secret);
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();

    // The row itself: sealed bytes, longer than the secret by the nonce and tag, and the secret's
    // bytes nowhere inside.
    let sealed: Vec<u8> = match &app.database {
        None => rusqlite::Connection::open(app.dir.join("qianbao.db"))
            .unwrap()
            .query_row("SELECT secret_sealed FROM totp_secrets", [], |r| r.get(0))
            .unwrap(),
        Some(db) => {
            let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client
                .query_one("SELECT secret_sealed FROM totp_secrets", &[])
                .await
                .unwrap()
                .get(0)
        }
    };
    assert_eq!(sealed.len(), secret.len() + 1 + 12 + 16);
    assert!(
        !sealed.windows(secret.len()).any(|w| w == secret.as_slice()),
        "the secret is in its row in clear"
    );

    // Every row of every table, as an attacker with the database reads it.
    for row in crate::helpers::stored_rows(&app).await {
        assert!(
            !row.contains(&encoded),
            "the base32 secret is stored: {row}"
        );
        assert!(!row.contains(&hex), "the hex secret is stored: {row}");
    }
    // And the SQLite files' raw bytes (database and write-ahead log).
    if app.database.is_none() {
        for name in ["qianbao.db", "qianbao.db-wal"] {
            let Ok(bytes) = std::fs::read(app.dir.join(name)) else {
                continue;
            };
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_slice()),
                "the secret is in {name} in clear"
            );
            assert!(
                !bytes
                    .windows(encoded.len())
                    .any(|w| w == encoded.as_bytes()),
                "the base32 secret is in {name}"
            );
        }
    }
}

#[tokio::test]
async fn a_risky_payment_takes_a_totp_code_once_and_a_wrong_one_may_be_corrected() {
    use crate::money_helpers::{balance, funded, keyed, open_l1_holder_named};
    let (app, clock) = spawn_app_with_clock().await;
    let payer = funded(&app, "张三", 2_000_000).await;
    let payee = open_l1_holder_named(&app, "李四").await;
    clock.advance_s(86_460);
    let h = Holder {
        phone: payer.phone.clone(),
        token: payer.token.clone(),
        device_id: String::new(),
    };
    let secret = enabled(&app, &clock, &h).await;
    let body = json!({"to_wallet_id": payee.wallet_id, "amount": 600_000, "pin": payer.pin});
    let r = keyed(&app, "/v1/transfers", body.clone(), &payer.token, "totp-1").await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (401, "step_up_required"));
    assert_eq!(p.methods, Some(vec!["totp".to_string(), "sms".to_string()]));

    let right = code_now(&secret, &clock);
    let mut wrong_one = body.clone();
    wrong_one["second_factor"] = json!({"totp": wrong(&right)});
    let r = keyed(&app, "/v1/transfers", wrong_one, &payer.token, "totp-1").await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (401, "totp_invalid"));
    assert_eq!(p.attempts_left, Some(4));

    let mut proven = body.clone();
    proven["second_factor"] = json!({"totp": right});
    let r = keyed(
        &app,
        "/v1/transfers",
        proven.clone(),
        &payer.token,
        "totp-1",
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let before = balance(&app, &payer.token).await;
    // The same code for another payment is used up.
    let r = keyed(&app, "/v1/transfers", proven, &payer.token, "totp-2").await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (401, "totp_invalid"));
    assert_eq!(balance(&app, &payer.token).await, before);
}

#[tokio::test]
async fn a_password_reset_turns_totp_off_so_a_lost_authenticator_never_locks_the_owner_out() {
    let (app, clock) = spawn_app_with_clock().await;
    // Not yet verified: the reset takes the SMS code alone.
    let h = signed_up(&app).await;
    enabled(&app, &clock, &h).await;
    assert!(totp_enabled(&app, &h).await);
    clock.advance_s(120);
    let r = call(
        &app,
        "POST",
        "/v1/otp",
        Some(json!({"phone": h.phone, "purpose": "reset_password"})),
        None,
    )
    .await;
    assert_eq!(r.status(), 202);
    let otp = latest_code(&app, &h.phone).await;
    let r = call(
        &app,
        "POST",
        "/v1/password/reset",
        Some(json!({"phone": h.phone, "otp": otp, "new_password": "An0ther-Good-One"})),
        None,
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    // Logging in again needs the new password only.
    let r = call(
        &app,
        "POST",
        "/v1/sessions",
        Some(json!({"phone": h.phone, "password": "An0ther-Good-One", "device_id": h.device_id})),
        None,
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}
