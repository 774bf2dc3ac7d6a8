//! Staff for the console tests (the API's and the browser's): the first admin from the command
//! line, more staff added by an admin, each set up from their one-time link with a password and
//! a TOTP secret, and signed in with the code of a time step of their own.

use crate::helpers::{
    TestApp, TestClock, base32_decode, call, post, problem, qianbao, spawn_app_at,
};
use crate::money_helpers::Holder;
use qianbao_wallet::domain::totp::code_at;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub const PASSWORD: &str = "console-Pass-2026";

/// The application on a clock that starts at the system's time: the `qianbao` binary that adds
/// the first admin keeps the system clock, and its set-up link must be good on the server's.
pub async fn app() -> (TestApp, Arc<TestClock>) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    spawn_app_at(i64::try_from(now).unwrap(), None).await
}

/// Runs `qianbao admin <args>` on the app's storage: (success, stdout, stderr).
pub fn admin(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = qianbao(app, &[&["admin"], args].concat());
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A staff member, set up: their phone, TOTP secret and id.
pub struct Staff {
    pub id: String,
    pub phone: String,
    pub secret: Vec<u8>,
}

pub fn now_s(clock: &TestClock) -> i64 {
    clock.0.load(Ordering::SeqCst) / 1000
}

pub fn phone() -> String {
    format!("+86137{:08}", uuid::Uuid::new_v4().as_u128() % 100_000_000)
}

/// Sets up an account from its set-up token; the code confirming it is the current step's.
pub async fn set_up(app: &TestApp, clock: &TestClock, token: &str, phone: &str, id: &str) -> Staff {
    let r = post(
        app,
        "/v1/console/setup",
        json!({"token": token, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let body: Value = r.json().await.unwrap();
    let secret = base32_decode(body["secret"].as_str().unwrap());
    assert!(
        body["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let code = code_at(&secret, now_s(clock), 6);
    let r = post(
        app,
        "/v1/console/setup/confirm",
        json!({"token": token, "code": code}),
        None,
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "active");
    Staff {
        id: id.into(),
        phone: phone.into(),
        secret,
    }
}

/// The first admin, from the command line.
pub async fn first_admin(app: &TestApp, clock: &TestClock) -> Staff {
    let phone = phone();
    let (ok, out, err) = admin(
        app,
        &[
            "staff",
            "add",
            "--phone",
            &phone,
            "--name",
            "王管理",
            "--role",
            "admin",
        ],
    );
    assert!(ok, "{err}");
    let added: Value = serde_json::from_str(out.trim()).unwrap();
    let link = added["setup_link"].as_str().unwrap();
    let token = link.split_once("#setup=").unwrap().1;
    assert_eq!(added["setup_token"], token);
    set_up(
        app,
        clock,
        token,
        &phone,
        added["staff"]["id"].as_str().unwrap(),
    )
    .await
}

/// Signs `staff` in with the code of the next time step (each step's code works once), moving the
/// clock on so the next sign-in has a step of its own.
pub async fn sign_in(app: &TestApp, clock: &TestClock, staff: &Staff) -> String {
    clock.advance_s(30);
    let code = code_at(&staff.secret, now_s(clock), 6);
    let r = post(
        app,
        "/v1/console/sessions",
        json!({"phone": staff.phone, "password": PASSWORD, "totp": code}),
        None,
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cookie = r.headers().get_all("set-cookie").iter().any(|c| {
        c.to_str().unwrap().starts_with("qb_console=") && c.to_str().unwrap().contains("HttpOnly")
    });
    assert!(cookie, "the page gets the session as an HttpOnly cookie");
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .into()
}

/// An admin adds a staff member of `role` in the console; they set up.
pub async fn add_staff(app: &TestApp, clock: &TestClock, admin_token: &str, role: &str) -> Staff {
    let phone = phone();
    let r = post(
        app,
        "/v1/console/staff",
        json!({"phone": phone, "name": "李客服", "role": role}),
        Some(admin_token),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let added: Value = r.json().await.unwrap();
    assert!(
        added["setup_link"]
            .as_str()
            .unwrap()
            .contains("/console#setup=")
    );
    let token = added["setup_token"].as_str().unwrap().to_string();
    set_up(
        app,
        clock,
        &token,
        &phone,
        added["staff"]["id"].as_str().unwrap(),
    )
    .await
}

pub async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = call(
        app,
        "GET",
        &format!("/v1/console/audit?{query}"),
        None,
        Some(token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// The status and code of a refused call.
pub async fn refused(r: reqwest::Response) -> (u16, String) {
    let (status, p) = problem(r).await;
    (status, p.code)
}

/// Proposes `command` as `token`'s staff member: the answer's status and body.
pub async fn propose(app: &TestApp, token: &str, command: Value, reason: &str) -> (u16, Value) {
    let r = post(
        app,
        "/v1/console/commands",
        json!({"command": command, "reason": reason}),
        Some(token),
    )
    .await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

pub async fn decide(app: &TestApp, token: &str, id: &str, verb: &str) -> reqwest::Response {
    post(
        app,
        &format!("/v1/console/commands/{id}/{verb}"),
        json!({"reason": "checked"}),
        Some(token),
    )
    .await
}

pub async fn holder_id_of(app: &TestApp, token: &str, holder: &Holder) -> String {
    let found: Vec<Value> = post(
        app,
        "/v1/console/holders/search",
        json!({"wallet_id": holder.wallet_id}),
        Some(token),
    )
    .await
    .json()
    .await
    .unwrap();
    found[0]["holder_id"].as_str().unwrap().into()
}
