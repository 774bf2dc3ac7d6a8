//! Sign-up, SMS codes, login, sessions and `/v1/me` over HTTP, each error code where API.md puts
//! it, on SQLite, with the core journey on PostgreSQL too.

use crate::helpers::{
    TestApp, TestDatabase, code_for, get, post, problem, random_phone, spawn_app,
    spawn_app_with_clock, start, temp_dir,
};
use qianbao_api_types::SignupResponse;
use qianbao_server::Settings;
use qianbao_store::Location;
use serde_json::{Value, json};

const PASSWORD: &str = "Corr3ct-Horse-Battery";

async fn sign_up(app: &TestApp, phone: &str) -> SignupResponse {
    let code = code_for(app, phone, "signup").await;
    let r = post(
        app,
        "/v1/signup",
        json!({"phone": phone, "otp": code, "password": PASSWORD, "device_name": "test phone"}),
        None,
    )
    .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn the_whole_opening_journey_works(app: &TestApp) {
    let phone = random_phone();
    let made = sign_up(app, &phone).await;
    assert_eq!(made.kyc_level, 0);
    assert!(made.token.len() >= 22, "a token of at least 128 bits");

    let me: Value = get(app, "/v1/me", &made.token).await.json().await.unwrap();
    assert_eq!(me["phone"], phone.as_str());
    assert_eq!(me["wallet_id"], made.wallet_id.as_str());
    assert_eq!(me["kyc_level"], 0);
    assert_eq!(me["status"], "active");
    assert_eq!(me["limits"]["per_payment"], 200_000);
    assert!(me["limits"]["next_level"].as_str().unwrap().contains("L1"));

    // The same device logs in again without a code.
    let r = post(
        app,
        "/v1/sessions",
        json!({"phone": phone, "password": PASSWORD, "device_id": made.device_id}),
        None,
    )
    .await;
    assert_eq!(r.status(), 201);
    let again: Value = r.json().await.unwrap();
    // One session per device: the sign-up session ended.
    assert_eq!(get(app, "/v1/me", &made.token).await.status(), 401);
    let token = again["token"].as_str().unwrap().to_string();
    let sessions: Value = get(app, "/v1/me/sessions", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sessions["items"].as_array().unwrap().len(), 1);
    assert_eq!(sessions["items"][0]["current"], true);

    let r = app
        .client
        .delete(format!("{}/v1/sessions/current", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, p) = problem(get(app, "/v1/me", &token).await).await;
    assert_eq!((status, p.code.as_str()), (401, "unauthorized"));
}

#[tokio::test]
async fn the_whole_opening_journey_works_on_sqlite() {
    the_whole_opening_journey_works(&spawn_app().await).await;
}

#[tokio::test]
async fn the_whole_opening_journey_works_on_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let dir = temp_dir("opening-pg");
    let mut settings = Settings::new(Location::Postgres(db.url.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.sandbox = true;
    settings.key_dir = dir.clone();
    the_whole_opening_journey_works(&start(settings, dir).await).await;
}

#[tokio::test]
async fn a_second_code_within_a_minute_is_otp_rate_limited_with_retry_after() {
    let (app, clock) = spawn_app_with_clock().await;
    let phone = random_phone();
    code_for(&app, &phone, "signup").await;
    clock.advance_s(20);
    let r = post(
        &app,
        "/v1/otp",
        json!({"phone": phone, "purpose": "signup"}),
        None,
    )
    .await;
    assert_eq!(r.headers()["retry-after"], "40");
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p.code.as_str(), p.retry_after),
        (429, "otp_rate_limited", Some(40))
    );
    clock.advance_s(40);
    assert_eq!(
        post(
            &app,
            "/v1/otp",
            json!({"phone": phone, "purpose": "signup"}),
            None
        )
        .await
        .status(),
        202
    );
}

#[tokio::test]
async fn the_eleventh_code_of_a_day_is_refused_until_the_first_is_a_day_old() {
    let (app, clock) = spawn_app_with_clock().await;
    let phone = random_phone();
    for _ in 0..10 {
        code_for(&app, &phone, "signup").await;
        clock.advance_s(61);
    }
    let (status, p) = problem(
        post(
            &app,
            "/v1/otp",
            json!({"phone": phone, "purpose": "signup"}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (429, "otp_rate_limited"));
    assert!(p.retry_after.unwrap() > 20 * 3600, "{:?}", p.retry_after);
}

#[tokio::test]
async fn a_bad_phone_or_purpose_is_refused_with_its_field() {
    let app = spawn_app().await;
    for phone in [
        "12345",
        "+86 238 1234 5678",
        "１３８abc",
        "'; DROP TABLE holders; --",
        "📱13812345678",
        "",
    ] {
        let (status, p) = problem(
            post(
                &app,
                "/v1/otp",
                json!({"phone": phone, "purpose": "signup"}),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, p.code.as_str(), p.field.as_deref()),
            (422, "phone_invalid", Some("phone")),
            "{phone}"
        );
    }
    let (status, p) = problem(
        post(
            &app,
            "/v1/otp",
            json!({"phone": random_phone(), "purpose": "hack"}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "purpose_invalid"));
}

#[tokio::test]
async fn a_wrong_code_counts_down_and_the_fifth_kills_the_code() {
    let app = spawn_app().await;
    let phone = random_phone();
    let code = code_for(&app, &phone, "signup").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let (status, p) = problem(
            post(
                &app,
                "/v1/signup",
                json!({"phone": phone, "otp": wrong, "password": PASSWORD}),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, p.code.as_str(), p.attempts_left),
            (400, "otp_invalid", Some(left))
        );
    }
    let (_, p) = problem(
        post(
            &app,
            "/v1/signup",
            json!({"phone": phone, "otp": code, "password": PASSWORD}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        p.code, "otp_invalid",
        "the right code still worked after five wrong ones"
    );
}

#[tokio::test]
async fn a_code_older_than_five_minutes_is_otp_expired() {
    let (app, clock) = spawn_app_with_clock().await;
    let phone = random_phone();
    let code = code_for(&app, &phone, "signup").await;
    clock.advance_s(301);
    let (status, p) = problem(
        post(
            &app,
            "/v1/signup",
            json!({"phone": phone, "otp": code, "password": PASSWORD}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (400, "otp_expired"));
}

#[tokio::test]
async fn a_weak_password_is_refused_and_leaves_the_code_usable() {
    let app = spawn_app().await;
    let phone = random_phone();
    let code = code_for(&app, &phone, "signup").await;
    let digits = phone.trim_start_matches("+86").to_string();
    for weak in [
        "short1!",
        "password123",
        &format!("my{digits}pw"),
        &"x".repeat(129),
    ] {
        let (status, p) = problem(
            post(
                &app,
                "/v1/signup",
                json!({"phone": phone, "otp": code, "password": weak}),
                None,
            )
            .await,
        )
        .await;
        assert_eq!((status, p.code.as_str()), (422, "password_weak"), "{weak}");
    }
    let r = post(
        &app,
        "/v1/signup",
        json!({"phone": phone, "otp": code, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_phone_with_a_wallet_is_phone_taken() {
    let (app, clock) = spawn_app_with_clock().await;
    let phone = random_phone();
    sign_up(&app, &phone).await;
    clock.advance_s(61);
    let code = code_for(&app, &phone, "signup").await;
    let (status, p) = problem(
        post(
            &app,
            "/v1/signup",
            json!({"phone": phone, "otp": code, "password": PASSWORD}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (409, "phone_taken"));
}

#[tokio::test]
async fn two_sign_ups_racing_for_one_phone_give_one_wallet_and_one_phone_taken() {
    let app = spawn_app().await;
    let phone = random_phone();
    let code = code_for(&app, &phone, "signup").await;
    let body = json!({"phone": phone, "otp": code, "password": PASSWORD});
    let (a, b) = tokio::join!(
        post(&app, "/v1/signup", body.clone(), None),
        post(&app, "/v1/signup", body, None)
    );
    let (winner, loser) = if a.status() == 201 { (a, b) } else { (b, a) };
    assert_eq!(winner.status(), 201);
    let (status, p) = problem(loser).await;
    assert_eq!((status, p.code.as_str()), (409, "phone_taken"));
}

#[tokio::test]
async fn one_address_asking_for_too_many_codes_is_otp_rate_limited_when_the_operator_limit_is_on() {
    let dir = temp_dir("ip-limit");
    let mut settings = Settings::new(Location::SqliteDir(dir.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.sandbox = true;
    let file: qianbao_server::policy::PolicyFile =
        serde_json::from_str(r#"{"otp_per_ip_hourly_max": 3}"#).unwrap();
    settings.policy = Some(
        qianbao_server::policy::Policy::defaults(true)
            .with(&file)
            .unwrap(),
    );
    let app = start(settings, dir).await;
    for _ in 0..3 {
        let r = post(
            &app,
            "/v1/otp",
            json!({"phone": random_phone(), "purpose": "signup"}),
            None,
        )
        .await;
        assert_eq!(r.status(), 202);
    }
    let r = post(
        &app,
        "/v1/otp",
        json!({"phone": random_phone(), "purpose": "signup"}),
        None,
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (429, "otp_rate_limited"));
    assert!(p.retry_after.unwrap() > 3500, "{:?}", p.retry_after);
}

#[tokio::test]
async fn a_body_that_is_not_utf_8_is_malformed_json_and_opens_nothing() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(format!("{}/v1/signup", app.address))
        .header("content-type", "application/json")
        .body(b"{\"phone\": \"\xff\xfe138\", \"otp\": \"1\", \"password\": \"x\"}".to_vec())
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (400, "malformed_json"));
}

#[tokio::test]
async fn a_new_device_needs_a_login_code_and_five_wrong_passwords_lock_login() {
    let (app, clock) = spawn_app_with_clock().await;
    let phone = random_phone();
    sign_up(&app, &phone).await;
    let (status, p) = problem(
        post(
            &app,
            "/v1/sessions",
            json!({"phone": phone, "password": PASSWORD, "device_id": "laptop-1"}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (401, "step_up_required"));
    clock.advance_s(61);
    let code = code_for(&app, &phone, "login").await;
    let r = post(
        &app,
        "/v1/sessions",
        json!({"phone": phone, "password": PASSWORD, "device_id": "laptop-1", "otp": code}),
        None,
    )
    .await;
    assert_eq!(r.status(), 201);

    for left in (1..5).rev() {
        let (status, p) = problem(
            post(
                &app,
                "/v1/sessions",
                json!({"phone": phone, "password": "Wrong-Password-1", "device_id": "laptop-1"}),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, p.code.as_str(), p.attempts_left),
            (401, "invalid_credentials", Some(left))
        );
    }
    let (status, p) = problem(
        post(
            &app,
            "/v1/sessions",
            json!({"phone": phone, "password": "Wrong-Password-1", "device_id": "laptop-1"}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (423, "login_locked"));
    let (status, p) = problem(
        post(
            &app,
            "/v1/sessions",
            json!({"phone": phone, "password": PASSWORD, "device_id": "laptop-1"}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str()),
        (423, "login_locked"),
        "the right password must not unlock"
    );
}

/// Counted down like a wallet's, so `attempts_left` does not tell which phones have wallets
/// (`hardening.rs` follows both to the lock).
#[tokio::test]
async fn an_unknown_phone_is_invalid_credentials_like_a_wrong_password() {
    let app = spawn_app().await;
    let (status, p) = problem(
        post(
            &app,
            "/v1/sessions",
            json!({"phone": random_phone(), "password": PASSWORD}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "invalid_credentials", Some(4))
    );
}

#[tokio::test]
async fn no_holder_can_end_another_holders_session() {
    let app = spawn_app().await;
    let alice = sign_up(&app, &random_phone()).await;
    let bob = sign_up(&app, &random_phone()).await;
    let r = app
        .client
        .delete(format!("{}/v1/me/sessions/{}", app.address, bob.session_id))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (404, "not_found"));
    assert_eq!(
        get(&app, "/v1/me", &bob.token).await.status(),
        200,
        "bob's session was ended by alice"
    );
    let r = app
        .client
        .delete(format!(
            "{}/v1/me/sessions/{}",
            app.address, alice.session_id
        ))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(get(&app, "/v1/me", &alice.token).await.status(), 401);
}

#[tokio::test]
async fn missing_or_forged_tokens_are_unauthorized() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/v1/me", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.1.code, "unauthorized");
    for forged in [
        "qb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "x",
        &"a".repeat(10_000),
    ] {
        let (status, p) = problem(get(&app, "/v1/me", forged).await).await;
        assert_eq!((status, p.code.as_str()), (401, "unauthorized"));
    }
}

#[tokio::test]
async fn the_sandbox_sms_view_is_absent_without_sandbox_mode() {
    let dir = temp_dir("no-sandbox");
    let mut settings = Settings::new(Location::SqliteDir(dir.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.key_dir = dir.clone();
    let app = start(settings, dir).await;
    assert_eq!(app.get("/v1/sandbox/sms").await.status(), 404);
}
