//! Freezing a lost wallet from any browser, unfreezing it, resetting a forgotten password (which
//! unlocks login), and the operator's restriction list, through the real `qianbao admin` command.

use crate::helpers::id_number;
use crate::helpers::{
    TestApp, TestClock, code_for, post, problem, random_phone, spawn_app_with_clock,
};
use serde_json::{Value, json};

const PASSWORD: &str = "Corr3ct-Horse-Battery";

/// Asks for a code and reads it from the sandbox; the clock moves past the 60 s resend limit
/// first, as a person waiting between steps would.
async fn code(app: &TestApp, clock: &TestClock, phone: &str, purpose: &str) -> String {
    clock.advance_s(61);
    code_for(app, phone, purpose).await
}

/// The status and stable code of a refused call.
async fn refused(r: reqwest::Response) -> (u16, String) {
    let (status, p) = problem(r).await;
    (status, p.code)
}

/// A verified holder: (phone, token, id number).
async fn verified(app: &TestApp, clock: &TestClock) -> (String, String, String) {
    let phone = random_phone();
    let c = code(app, clock, &phone, "signup").await;
    let r = post(
        app,
        "/v1/signup",
        json!({"phone": phone, "otp": c, "password": PASSWORD}),
        None,
    )
    .await;
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let id = id_number(
        "19850611",
        &format!("{:03}", 100 + uuid::Uuid::new_v4().as_u128() % 800),
    );
    let r = post(
        app,
        "/v1/me/identity",
        json!({"name": "王五", "id_number": id}),
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200);
    (phone, token, id)
}

async fn status_of(app: &TestApp, token: &str) -> String {
    let me: Value = app
        .client
        .get(format!("{}/v1/me", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_lost_phone_is_frozen_from_any_browser_and_unfrozen_only_with_code_id_and_password() {
    let (app, clock) = spawn_app_with_clock().await;
    let (phone, token, id) = verified(&app, &clock).await;
    // Without a session, by phone and password.
    let r = post(
        &app,
        "/v1/freeze",
        json!({"phone": phone, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        status_of(&app, &token).await,
        "frozen",
        "a frozen wallet can still log in and read"
    );

    // Unfreezing needs all three: a wrong ID number is refused.
    let c = code(&app, &clock, &phone, "unfreeze").await;
    let wrong = post(
        &app,
        "/v1/me/unfreeze",
        json!({"otp": c, "id_number": id_number("19850611", "777"), "password": PASSWORD}),
        Some(&token),
    )
    .await;
    assert_eq!(refused(wrong).await, (422, "identity_mismatch".to_string()));
    let r = post(
        &app,
        "/v1/me/unfreeze",
        json!({"otp": c, "id_number": id, "password": PASSWORD}),
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(status_of(&app, &token).await, "active");

    // Without a session, by phone, SMS code and ID number; and from the session itself.
    let c = code(&app, &clock, &phone, "freeze").await;
    assert_eq!(
        post(
            &app,
            "/v1/freeze",
            json!({"phone": phone, "otp": c, "id_number": id}),
            None
        )
        .await
        .status(),
        200
    );
    assert_eq!(status_of(&app, &token).await, "frozen");
    assert_eq!(
        post(&app, "/v1/me/freeze", json!({}), Some(&token))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn freezing_by_password_counts_wrong_passwords_toward_the_login_lock() {
    let (app, clock) = spawn_app_with_clock().await;
    let (phone, _, _) = verified(&app, &clock).await;
    for _ in 0..4 {
        let r = post(
            &app,
            "/v1/freeze",
            json!({"phone": phone, "password": "Wrong-Password-9"}),
            None,
        )
        .await;
        assert_eq!(refused(r).await, (401, "invalid_credentials".to_string()));
    }
    let r = post(
        &app,
        "/v1/freeze",
        json!({"phone": phone, "password": "Wrong-Password-9"}),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (423, "login_locked".to_string()));
    let r = post(
        &app,
        "/v1/sessions",
        json!({"phone": phone, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (423, "login_locked".to_string()));
}

#[tokio::test]
async fn a_password_reset_needs_the_id_number_once_verified_and_unlocks_login() {
    let (app, clock) = spawn_app_with_clock().await;
    let (phone, token, id) = verified(&app, &clock).await;
    for _ in 0..5 {
        post(
            &app,
            "/v1/sessions",
            json!({"phone": phone, "password": "Wrong-Password-9"}),
            None,
        )
        .await;
    }
    let c = code(&app, &clock, &phone, "reset_password").await;
    let r = post(
        &app,
        "/v1/password/reset",
        json!({"phone": phone, "otp": c, "new_password": "An0ther-Good-One"}),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (422, "identity_mismatch".to_string()));
    let r = post(
        &app,
        "/v1/password/reset",
        json!({"phone": phone, "otp": c, "id_number": id, "new_password": "password1"}),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (422, "password_weak".to_string()));
    let r = post(
        &app,
        "/v1/password/reset",
        json!({"phone": phone, "otp": c, "id_number": id, "new_password": "An0ther-Good-One"}),
        None,
    )
    .await;
    assert_eq!(r.status(), 204);
    let old = app
        .client
        .get(format!("{}/v1/me", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401, "a reset logs every device out");
    let r = post(
        &app,
        "/v1/sessions",
        json!({"phone": phone, "password": "An0ther-Good-One"}),
        None,
    )
    .await;
    // The old device id was not sent, so this is a new device; the lock is gone.
    assert_eq!(refused(r).await, (401, "step_up_required".to_string()));
}

#[tokio::test]
async fn restricted_phones_and_id_numbers_cannot_open_or_verify_a_wallet() {
    let (app, clock) = spawn_app_with_clock().await;
    let bin = env!("CARGO_BIN_EXE_qianbao");
    let dir = app.dir.to_str().unwrap();
    let phone = random_phone();
    let id = id_number("19770101", "321");
    // The admin command needs the server's key (in the data folder) and its storage.
    let mut storage = vec!["--data-dir".to_string(), dir.to_string()];
    if let Some(db) = &app.database {
        storage.extend(["--database".to_string(), db.url.clone()]);
    }
    let admin = |args: &[&str]| {
        std::process::Command::new(bin)
            .arg("admin")
            .args(&storage)
            .arg("restrict")
            .args(args)
            .output()
            .unwrap()
    };
    assert!(
        admin(&["add", "--phone", &phone, "--note", "fraud report 17"])
            .status
            .success()
    );
    assert!(admin(&["add", "--id-number", &id]).status.success());
    let listed = String::from_utf8(admin(&["list"]).stdout).unwrap();
    assert!(
        listed.starts_with("2 entries") && listed.contains("fraud report 17"),
        "{listed}"
    );
    assert!(
        !listed.contains(&phone) && !listed.contains(&id),
        "the list shows numbers unmasked: {listed}"
    );

    let c = code(&app, &clock, &phone, "signup").await;
    let r = post(
        &app,
        "/v1/signup",
        json!({"phone": phone, "otp": c, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (403, "account_restricted".to_string()));

    let other = random_phone();
    let c = code(&app, &clock, &other, "signup").await;
    let r = post(
        &app,
        "/v1/signup",
        json!({"phone": other, "otp": c, "password": PASSWORD}),
        None,
    )
    .await;
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        &app,
        "/v1/me/identity",
        json!({"name": "赵六", "id_number": id}),
        Some(&token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "account_restricted".to_string()));

    assert!(admin(&["remove", "--id-number", &id]).status.success());
    let r = post(
        &app,
        "/v1/me/identity",
        json!({"name": "赵六", "id_number": id}),
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        admin(&["remove", "--id-number", &id]).status.code(),
        Some(2),
        "removing twice must say so"
    );
}

#[tokio::test]
async fn a_maintenance_window_answers_every_money_call_503_until_the_operator_ends_it() {
    let (app, clock) = spawn_app_with_clock().await;
    let (_, token, _) = verified(&app, &clock).await;
    let bin = env!("CARGO_BIN_EXE_qianbao");
    let mut storage = vec![
        "--data-dir".to_string(),
        app.dir.to_str().unwrap().to_string(),
    ];
    if let Some(db) = &app.database {
        storage.extend(["--database".to_string(), db.url.clone()]);
    }
    let admin = |args: &[&str]| {
        std::process::Command::new(bin)
            .arg("admin")
            .args(&storage)
            .arg("maintenance")
            .args(args)
            .output()
            .unwrap()
    };
    // The test clock runs ahead of the real one, so the window ends at a fixed far time.
    let started = admin(&[
        "start",
        "--until",
        "2030-01-01T00:00:00Z",
        "--message",
        "升级核心账务",
    ]);
    assert!(started.status.success(), "{started:?}");
    let status = String::from_utf8(admin(&["status"]).stdout).unwrap();
    assert!(status.contains("升级核心账务"), "{status}");

    let transfer = |key: &'static str| {
        app.client
            .post(format!("{}/v1/transfers", app.address))
            .bearer_auth(&token)
            .header("idempotency-key", key)
            .json(&json!({"to_phone": random_phone(), "amount": 100, "pin": "258147"}))
            .send()
    };
    let r = transfer("m-1").await.unwrap();
    let retry_after = r.headers().get("retry-after").cloned();
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (503, "maintenance"));
    assert!(p.detail.contains("升级核心账务"), "{}", p.detail);
    assert!(retry_after.is_some(), "503 maintenance sends Retry-After");

    assert!(admin(&["stop"]).status.success());
    let (status, p) = problem(transfer("m-2").await.unwrap()).await;
    assert_ne!(
        (status, p.code.as_str()),
        (503, "maintenance"),
        "money calls open again once the window ends"
    );
}
