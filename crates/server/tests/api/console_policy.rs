//! Policy changes from the console: a four-eyes `policy_change` command, checked by the policy
//! file's rules when proposed, in force for new money calls the moment a second staff member
//! approves it, kept as a version, and still in force after a restart on the same storage.

use crate::console_helpers::{add_staff, first_admin, sign_in};
use crate::helpers::{TestApp, TestClock, call, post, problem, spawn_app_at};
use crate::money_helpers::{assert_limit_exceeded, funded, open_l1_holder_named, transfer};
use serde_json::{Value, json};
use std::sync::Arc;

/// The sandbox's policy without risk rules (the limits are what is tested), on a clock at the
/// system's time (the `qianbao` binary that adds the first admin keeps the system clock).
fn quiet_policy() -> qianbao_server::policy::Policy {
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.risk = Arc::new(qianbao_wallet::risk::RuleSet::empty());
    policy
}

async fn app() -> (TestApp, Arc<TestClock>) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    spawn_app_at(i64::try_from(now).unwrap(), Some(quiet_policy())).await
}

/// The default levels with L1's per-payment limit set to `per_payment`.
fn levels_with_l1_per_payment(per_payment: i64) -> Value {
    json!([
        {"balance_cap": 1_000_000, "per_payment": 200_000, "per_day": 500_000},
        {"balance_cap": 2_000_000, "per_payment": per_payment, "per_day": 1_000_000},
        {"balance_cap": 50_000_000, "per_payment": 5_000_000, "per_day": 10_000_000},
        {"balance_cap": null, "per_payment": null, "per_day": null}
    ])
}

async fn propose(app: &TestApp, token: &str, policy: Value) -> reqwest::Response {
    post(
        app,
        "/v1/console/commands",
        json!({"command": {"kind": "policy_change", "policy": policy}, "reason": "监管要求下调 L1 单笔限额"}),
        Some(token),
    )
    .await
}

async fn read(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let r = call(app, "GET", path, None, Some(token)).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_approved_limit_change_is_in_force_at_once_and_after_a_restart_but_not_while_pending() {
    let (mut app, clock) = app().await;
    let maker = first_admin(&app, &clock).await;
    let maker_token = sign_in(&app, &clock, &maker).await;
    let checker = add_staff(&app, &clock, &maker_token, "admin").await;
    let checker_token = sign_in(&app, &clock, &checker).await;
    let risk = add_staff(&app, &clock, &maker_token, "risk").await;
    let risk_token = sign_in(&app, &clock, &risk).await;

    let rich = funded(&app, "张三", 2_000_000).await;
    let payer = open_l1_holder_named(&app, "李四").await;
    let payee = open_l1_holder_named(&app, "王五").await;
    assert_eq!(transfer(&app, &rich, &payer, 1_000_000).await.status(), 201);

    // The policy in force, in the file's shape.
    let (status, policy) = read(&app, "/v1/console/policy", &maker_token).await;
    assert_eq!(status, 200, "{policy}");
    assert_eq!(policy["levels"][1]["per_payment"], 500_000);
    assert_eq!(policy["fees"]["withdrawal_bps"], 10);
    assert_eq!(policy["risk"]["rules"], json!([]));
    assert!(policy["password_free_payment"].is_i64());

    // The risk role neither reads nor changes the policy; each refusal is 403.
    let (status, _) = read(&app, "/v1/console/policy", &risk_token).await;
    assert_eq!(status, 403);
    let (status, _) = read(&app, "/v1/console/policy/versions", &risk_token).await;
    assert_eq!(status, 403);
    let r = propose(
        &app,
        &risk_token,
        json!({"levels": levels_with_l1_per_payment(100_000)}),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (403, "permission_denied"));

    // What the file's rules refuse is refused on proposal, with what is wrong.
    for bad in [
        json!({"levels": "low"}),
        json!({"fees": {"withdrawal_bps": -1}}),
        json!({"fees": {"no_such_fee": 1}}),
        json!({"otp_ttl_s": 60}),
        json!({"no_such_key": 1}),
        json!({}),
        json!([1, 2]),
    ] {
        let r = propose(&app, &maker_token, bad.clone()).await;
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "validation_failed"),
            "{bad}"
        );
        assert!(!p.detail.is_empty());
    }

    let r = propose(
        &app,
        &maker_token,
        json!({"levels": levels_with_l1_per_payment(100_000)}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let command: Value = r.json().await.unwrap();
    assert_eq!(command["entity"], "policy");
    assert_eq!(command["status"], "pending");
    let id = command["id"].as_str().unwrap().to_string();

    // One policy change waits at a time.
    let r = propose(
        &app,
        &checker_token,
        json!({"fees": {"withdrawal_bps": 20}}),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "command_pending");

    // Pending is not in force.
    assert_eq!(transfer(&app, &payer, &payee, 150_000).await.status(), 201);

    // The maker cannot approve it, admin or not.
    let r = post(
        &app,
        &format!("/v1/console/commands/{id}/approve"),
        json!({}),
        Some(&maker_token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "own_command");
    let r = post(
        &app,
        &format!("/v1/console/commands/{id}/approve"),
        json!({}),
        Some(&risk_token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "permission_denied");

    let r = post(
        &app,
        &format!("/v1/console/commands/{id}/approve"),
        json!({}),
        Some(&checker_token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["status"], "done", "{done}");

    // In force for the next money call.
    assert_limit_exceeded(
        transfer(&app, &payer, &payee, 150_000).await,
        "per_payment",
        100_000,
    )
    .await;
    assert_eq!(transfer(&app, &payer, &payee, 100_000).await.status(), 201);
    let (_, policy) = read(&app, "/v1/console/policy", &checker_token).await;
    assert_eq!(policy["levels"][1]["per_payment"], 100_000);

    let (status, versions) = read(&app, "/v1/console/policy/versions", &maker_token).await;
    assert_eq!(status, 200);
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["command_id"], id.as_str());
    assert_eq!(versions[0]["maker"], maker.id.as_str());
    assert_eq!(versions[0]["checker"], checker.id.as_str());
    assert_eq!(versions[0]["changes"]["levels"][1]["per_payment"], 100_000);
    assert_eq!(versions[0]["document"]["levels"][1]["per_payment"], 100_000);
    assert_eq!(versions[0]["document"]["fees"]["withdrawal_bps"], 10);

    // A restart over the same storage, the file unchanged: the stored version is laid over it.
    app.restart(clock.clone(), Some(quiet_policy())).await;
    assert_limit_exceeded(
        transfer(&app, &payer, &payee, 150_000).await,
        "per_payment",
        100_000,
    )
    .await;
    let maker_token = sign_in(&app, &clock, &maker).await;
    let (_, policy) = read(&app, "/v1/console/policy", &maker_token).await;
    assert_eq!(policy["levels"][1]["per_payment"], 100_000);

    // A second change builds on the first.
    let r = propose(&app, &maker_token, json!({"fees": {"withdrawal_bps": 20}})).await;
    assert_eq!(r.status(), 201);
    let id: String = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .into();
    let checker_token = sign_in(&app, &clock, &checker).await;
    let r = post(
        &app,
        &format!("/v1/console/commands/{id}/approve"),
        json!({}),
        Some(&checker_token),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "done");
    let (_, versions) = read(&app, "/v1/console/policy/versions", &maker_token).await;
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["document"]["fees"]["withdrawal_bps"], 20);
    assert_eq!(versions[0]["document"]["levels"][1]["per_payment"], 100_000);
}
