//! Risk control over HTTP with the default rule set: a second factor from ¥5,000, bound to the one
//! payment it was asked for; more than ¥1,000 to a wallet opened less than a day ago held for a
//! reviewer, released or rejected with `qianbao admin risk`; the block list; and racing payments
//! around a velocity limit, which let exactly the limit through.

use crate::helpers::{
    TestApp, TestClock, call, code_for, problem, qianbao, spawn_app_with_clock,
    spawn_app_with_policy,
};
use crate::money_helpers::{
    Holder, answer, assert_ledger_clean, balance, funded, keyed, ledger, money,
    open_l1_holder_named, open_merchant, transfer,
};
use serde_json::{Value, json};
use std::sync::Arc;

const DAY_MS: i64 = 86_400_000;

/// `qianbao admin risk ARGS` against the app's storage: (success, stdout, stderr).
fn admin_risk(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = qianbao(app, &[&["admin", "risk"], args].concat());
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A payer with ¥20,000 and a payee whose wallet (and the payer's device) are more than a day
/// old, so only the rules under test can fire.
async fn aged_pair(app: &TestApp, clock: &Arc<TestClock>) -> (Holder, Holder) {
    let payer = funded(app, "张三", 2_000_000).await;
    let payee = open_l1_holder_named(app, "李四").await;
    clock.advance_s(DAY_MS / 1000 + 60);
    (payer, payee)
}

fn transfer_body(to: &Holder, amount: i64, pin: &str) -> Value {
    json!({"to_wallet_id": to.wallet_id, "amount": amount, "pin": pin})
}

#[tokio::test]
async fn five_thousand_yuan_needs_a_second_factor_bound_to_that_one_payment() {
    let (app, clock) = spawn_app_with_clock().await;
    let (payer, payee) = aged_pair(&app, &clock).await;
    let before = balance(&app, &payer.token).await;
    let body = transfer_body(&payee, 500_000, &payer.pin);
    let r = keyed(&app, "/v1/transfers", body.clone(), &payer.token, "big-1").await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (401, "step_up_required"));
    assert_eq!(p.methods, Some(vec!["sms".to_string()]));
    assert_eq!(p.reason.as_deref(), Some("large_payment"));
    assert!(
        p.detail_zh
            .as_deref()
            .is_some_and(|t| t.contains("身份验证"))
    );
    assert!(
        !p.detail.contains("5000") && !p.detail.contains("5,000"),
        "no threshold: {}",
        p.detail
    );
    assert_eq!(balance(&app, &payer.token).await, before, "nothing moved");

    // The same key with another amount is another request: refused, even with a right code.
    let otp = code_for(&app, &payer.phone, "step_up").await;
    let mut other = transfer_body(&payee, 600_000, &payer.pin);
    other["second_factor"] = json!({"otp": otp});
    let r = keyed(&app, "/v1/transfers", other, &payer.token, "big-1").await;
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p.code.as_str()),
        (422, "idempotency_conflict"),
        "{p:?}"
    );
    assert_eq!(balance(&app, &payer.token).await, before);

    // A wrong code is refused and may be corrected under the same key.
    let mut wrong = body.clone();
    wrong["second_factor"] = json!({"otp": "000000"});
    let r = keyed(&app, "/v1/transfers", wrong, &payer.token, "big-1").await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (400, "otp_invalid"));

    // The same call, same key, with the code: it goes through, once.
    let mut proven = body.clone();
    proven["second_factor"] = json!({"otp": otp});
    let r = keyed(&app, "/v1/transfers", proven.clone(), &payer.token, "big-1").await;
    let (status, done) = answer(r).await;
    assert_eq!(
        (status, done["status"].as_str()),
        (201, Some("succeeded")),
        "{done}"
    );
    assert_eq!(balance(&app, &payer.token).await.0, before.0 - 500_000);
    let again = keyed(&app, "/v1/transfers", proven, &payer.token, "big-1").await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(balance(&app, &payer.token).await.0, before.0 - 500_000);

    // The code is used up: it cannot confirm another payment.
    let mut replayed = transfer_body(&payee, 500_000, &payer.pin);
    replayed["second_factor"] = json!({"otp": otp});
    let r = keyed(&app, "/v1/transfers", replayed, &payer.token, "big-2").await;
    assert_ne!(r.status().as_u16() / 100, 2);
    assert_eq!(balance(&app, &payer.token).await.0, before.0 - 500_000);
    // Just below the line needs nothing.
    assert_eq!(transfer(&app, &payer, &payee, 499_999).await.status(), 201);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn more_than_a_thousand_to_a_day_old_wallet_is_held_for_a_reviewer() {
    let (app, _clock) = spawn_app_with_clock().await;
    let payer = funded(&app, "张三", 500_000).await;
    let payee = open_l1_holder_named(&app, "李四").await;
    let late = open_l1_holder_named(&app, "王五").await;
    // ¥1,000 exactly is not more than ¥1,000.
    assert_eq!(transfer(&app, &payer, &payee, 100_000).await.status(), 201);
    let (status, held) = answer(transfer(&app, &payer, &payee, 100_001).await).await;
    assert_eq!(
        (status, held["status"].as_str()),
        (202, Some("held_for_review")),
        "{held}"
    );
    let (available, on_hold) = balance(&app, &payer.token).await;
    assert_eq!((available, on_hold), (500_000 - 100_000 - 100_001, 100_001));
    assert_eq!(
        balance(&app, &payee.token).await,
        (100_000, 0),
        "not arrived"
    );
    let second = answer(transfer(&app, &payer, &late, 150_000).await).await.1;

    let (ok, queue, _) = admin_risk(&app, &["queue", "--json"]);
    assert!(ok);
    let lines: Vec<Value> = queue
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{queue}");
    assert_eq!(lines[0]["id"], held["id"]);
    assert_eq!(lines[0]["reason"], "new_payee_wallet");
    assert_eq!(lines[0]["trace"]["fired"][0]["rule"], "new_wallet_payee");
    assert!(
        lines[0]["trace"]["fired"][0]["threshold"]
            .as_i64()
            .is_some()
    );

    let id = held["id"].as_str().unwrap();
    let (ok, out, _) = admin_risk(&app, &["release", id]);
    assert!(ok, "{out}");
    assert_eq!(balance(&app, &payee.token).await, (200_001, 0), "arrived");
    assert_eq!(balance(&app, &payer.token).await.1, 150_000);
    // Deciding twice changes nothing.
    let (ok, _, err) = admin_risk(&app, &["release", id]);
    assert!(!ok && err.contains("already"), "{err}");
    let (ok, _, _) = admin_risk(&app, &["reject", id]);
    assert!(!ok);
    assert_eq!(balance(&app, &payee.token).await, (200_001, 0));

    let other = second["id"].as_str().unwrap();
    assert!(admin_risk(&app, &["reject", other]).0);
    assert_eq!(
        balance(&app, &payer.token).await,
        (500_000 - 200_001, 0),
        "the rejected hold is back"
    );
    assert_eq!(balance(&app, &late.token).await, (0, 0));
    assert!(!admin_risk(&app, &["reject", other]).0);
    assert!(!admin_risk(&app, &["release", "no-such-payment"]).0);
    // The holder was told both times.
    let inbox = call(
        &app,
        "GET",
        "/v1/me/notifications",
        None,
        Some(&payer.token),
    )
    .await;
    let inbox = inbox.text().await.unwrap();
    for kind in ["payment_held", "payment_released", "payment_rejected"] {
        assert!(inbox.contains(kind), "{kind}: {inbox}");
    }
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn blocked_wallets_phones_and_merchants_get_risk_blocked_until_unblocked() {
    let (app, clock) = spawn_app_with_clock().await;
    let (payer, payee) = aged_pair(&app, &clock).await;
    let owner = funded(&app, "赵六", 0).await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;
    assert!(
        admin_risk(
            &app,
            &["block", "--wallet", &payer.wallet_id, "--note", "case 9"]
        )
        .0
    );
    let (_, listed, _) = admin_risk(&app, &["blocks"]);
    assert!(listed.contains(&payer.wallet_id) && listed.contains("case 9"));
    let before = balance(&app, &payer.token).await;
    let (status, p) = problem(transfer(&app, &payer, &payee, 100).await).await;
    assert_eq!((status, p.code.as_str()), (403, "risk_blocked"));
    assert_eq!(p.reason.as_deref(), Some("blocked"));
    let pay = json!({"payload": shop.static_qr, "amount": 100, "pin": payer.pin});
    let (status, p) = problem(money(&app, "/v1/pay", pay.clone(), &payer.token).await).await;
    assert_eq!((status, p.code.as_str()), (403, "risk_blocked"), "{p:?}");
    assert_eq!(balance(&app, &payer.token).await, before);
    assert!(admin_risk(&app, &["unblock", "--wallet", &payer.wallet_id]).0);
    assert!(!admin_risk(&app, &["unblock", "--wallet", &payer.wallet_id]).0);
    assert_eq!(transfer(&app, &payer, &payee, 100).await.status(), 201);
    // Paying a blocked wallet is refused too.
    assert!(admin_risk(&app, &["block", "--wallet", &payee.wallet_id]).0);
    let (status, p) = problem(transfer(&app, &payer, &payee, 100).await).await;
    assert_eq!((status, p.code.as_str()), (403, "risk_blocked"));
    assert!(admin_risk(&app, &["unblock", "--wallet", &payee.wallet_id]).0);

    assert!(admin_risk(&app, &["block", "--phone", &payer.phone]).0);
    assert_eq!(
        problem(transfer(&app, &payer, &payee, 100).await).await.0,
        403
    );
    assert!(admin_risk(&app, &["unblock", "--phone", &payer.phone]).0);

    assert!(admin_risk(&app, &["block", "--merchant", &shop.id]).0);
    assert_eq!(
        problem(money(&app, "/v1/pay", pay.clone(), &payer.token).await)
            .await
            .0,
        403
    );
    assert!(admin_risk(&app, &["unblock", "--merchant", &shop.id]).0);
    assert_eq!(
        money(&app, "/v1/pay", pay, &payer.token).await.status(),
        201
    );
    assert!(!admin_risk(&app, &["block"]).0, "a target is required");
    assert_ledger_clean(&ledger(&app).await).await;
}

/// At most five payments an hour per holder, else blocked: 50 at once let exactly 5 through.
async fn velocity_race(app: &TestApp, clock: &Arc<TestClock>) {
    let (payer, payee) = aged_pair(app, clock).await;
    let before = balance(app, &payer.token).await.0;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (client, url) = (app.client.clone(), format!("{}/v1/transfers", app.address));
        let body = transfer_body(&payee, 100, &payer.pin);
        let token = payer.token.clone();
        tasks.spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", crate::money_helpers::idem())
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let mut statuses = Vec::new();
    while let Some(done) = tasks.join_next().await {
        statuses.push(done.unwrap());
    }
    let through = statuses.iter().filter(|s| **s == 201).count();
    let blocked = statuses.iter().filter(|s| **s == 403).count();
    assert_eq!((through, blocked), (5, 45), "{statuses:?}");
    assert_eq!(balance(app, &payer.token).await.0, before - 500);
    assert_ledger_clean(&ledger(app).await).await;
}

/// The policy of the velocity race.
fn five_an_hour() -> qianbao_server::policy::Policy {
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.risk = Arc::new(
        qianbao_wallet::risk::RuleSet::parse(
            r#"{"rules": [{"id": "five_an_hour", "kind": "velocity", "outcome": "block",
                "params": {"scope": "holder", "window_s": 3600, "max_count": 5}}]}"#,
        )
        .unwrap(),
    );
    policy
}

#[tokio::test]
async fn racing_payments_around_a_velocity_limit_let_exactly_the_limit_through() {
    let (app, clock) = spawn_app_with_policy(Some(five_an_hour())).await;
    velocity_race(&app, &clock).await;
}

#[tokio::test]
async fn a_rule_file_with_a_bad_rule_refuses_the_start_and_names_the_line() {
    let dir = crate::helpers::temp_dir("bad-rules");
    for (doc, line, words) in [
        (
            "{\n \"risk\": {\"rules\": [\n  {\"id\": \"a\", \"kind\": \"moon_phase\", \"outcome\": \"block\"}\n ]}\n}",
            3,
            "moon_phase",
        ),
        (
            "{\n \"risk\": {\"rules\": [\n  {\"id\": \"a\", \"kind\": \"block_list\", \"outcome\": \"block\"},\n  {\"id\": \"a\", \"kind\": \"block_list\", \"outcome\": \"block\"}\n ]}\n}",
            4,
            "duplicate",
        ),
        (
            "{\n \"risk\": {\"rules\": [\n  {\"id\": \"v\", \"kind\": \"velocity\", \"outcome\": \"block\", \"params\": {\"scope\": \"holder\", \"window_s\": -1, \"max_count\": 3}}\n ]}\n}",
            3,
            "window_s",
        ),
    ] {
        let file = dir.join("policy.json");
        std::fs::write(&file, doc).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_qianbao"))
            .args([
                "serve",
                "--sandbox",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(&dir)
            .arg("--policy")
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("line {line}")) && err.contains(words),
            "{err}"
        );
    }
}

#[tokio::test]
async fn replay_reports_what_a_candidate_rule_set_would_change() {
    let (app, clock) = spawn_app_with_clock().await;
    let (payer, payee) = aged_pair(&app, &clock).await;
    for amount in [100, 200_000, 300_000] {
        let (status, body) = answer(transfer(&app, &payer, &payee, amount).await).await;
        assert_eq!(status, 201, "{body}");
    }
    let candidate = app.dir.join("candidate.json");
    std::fs::write(
        &candidate,
        r#"{"rules": [{"id": "cap", "kind": "amount_at_least", "outcome": "block",
            "params": {"min_amount": 150000}}]}"#,
    )
    .unwrap();
    let out = qianbao(
        &app,
        &[
            "risk",
            "replay",
            "--rules",
            candidate.to_str().unwrap(),
            "--since",
            "3650d",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    // The top-up and three transfers were judged; two transfers would now be blocked.
    assert_eq!(summary["changed"], 2, "{summary}");
    assert_eq!(summary["holders_affected"], 1);
    assert_eq!(summary["outcomes_new"]["block"], 2);
    assert_eq!(summary["sample"][0]["rules"][0], "cap");
    assert!(summary["judged"].as_u64().unwrap() >= 4);
}

/// Runs one SQL statement on the app's storage (as someone with the database could).
async fn tamper(app: &TestApp, sql: &str) {
    match &app.database {
        None => {
            let conn = rusqlite::Connection::open(app.dir.join("qianbao.db")).unwrap();
            conn.execute(sql, []).unwrap();
        }
        Some(db) => {
            let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.execute(sql, &[]).await.unwrap();
        }
    }
}

/// `qianbao verify` over the app's storage: (clean, stdout).
fn verify(app: &TestApp) -> (bool, String) {
    let out = qianbao(app, &["verify"]);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn verify_judges_every_stored_decision_again_and_finds_one_changed() {
    let (app, clock) = spawn_app_with_clock().await;
    let (payer, payee) = aged_pair(&app, &clock).await;
    assert_eq!(transfer(&app, &payer, &payee, 100).await.status(), 201);
    let refused = keyed(
        &app,
        "/v1/transfers",
        transfer_body(&payee, 600_000, &payer.pin),
        &payer.token,
        "k",
    )
    .await;
    assert_eq!(refused.status(), 401);
    let (clean, out) = verify(&app);
    assert!(clean, "{out}");
    assert!(out.contains("risk decisions: "), "{out}");
    assert!(!out.contains("risk decisions: 0"), "{out}");
    // A refusal rewritten into an allowance is found.
    tamper(
        &app,
        "UPDATE risk_decisions SET verdict = 'allow' WHERE verdict = 'step_up'",
    )
    .await;
    let (clean, out) = verify(&app);
    assert!(
        !clean && out.contains("stored allow but its features give step_up"),
        "{out}"
    );
}

/// A policy of just `rules` (a JSON list).
fn only(rules: &str) -> qianbao_server::policy::Policy {
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.risk = Arc::new(
        qianbao_wallet::risk::RuleSet::parse(&format!(r#"{{"rules": {rules}}}"#)).unwrap(),
    );
    policy
}

/// Logs `h` in on `device`: a new device for them, so with the SMS code of purpose `login`.
async fn on_device(app: &TestApp, h: &Holder, device: &str) -> String {
    let login =
        json!({"phone": h.phone, "password": crate::money_helpers::PASSWORD, "device_id": device});
    let r = call(app, "POST", "/v1/sessions", Some(login.clone()), None).await;
    assert_eq!(problem(r).await.1.code, "step_up_required");
    let mut with_code = login;
    with_code["otp"] = json!(code_for(app, &h.phone, "login").await);
    let (status, body) =
        answer(call(app, "POST", "/v1/sessions", Some(with_code), None).await).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn one_device_paying_for_many_wallets_is_counted_as_one() {
    let (app, clock) = spawn_app_with_policy(Some(only(
        r#"[{"id": "one_per_device", "kind": "velocity", "outcome": "block",
             "params": {"scope": "device", "window_s": 3600, "max_count": 1}}]"#,
    )))
    .await;
    let (mut first, payee) = aged_pair(&app, &clock).await;
    let mut second = funded(&app, "王五", 10_000).await;
    clock.advance_s(120);
    first.token = on_device(&app, &first, "shared-phone").await;
    second.token = on_device(&app, &second, "shared-phone").await;
    assert_eq!(transfer(&app, &first, &payee, 100).await.status(), 201);
    let (status, p) = problem(transfer(&app, &second, &payee, 100).await).await;
    assert_eq!((status, p.code.as_str()), (403, "risk_blocked"));
    assert_eq!(p.reason.as_deref(), Some("unusual_frequency"));
}

#[tokio::test]
async fn many_payers_into_one_young_wallet_are_held_as_a_mule_pattern() {
    let (app, _clock) = spawn_app_with_policy(Some(only(
        r#"[{"id": "mule", "kind": "fan_in", "outcome": "hold",
             "params": {"window_s": 3600, "payers": 3, "payee_age_s": 604800, "min_amount": 50000}}]"#,
    )))
    .await;
    let mule = open_l1_holder_named(&app, "李四").await;
    let mut statuses = Vec::new();
    for name in ["甲", "乙", "丙"] {
        let payer = funded(&app, name, 100_000).await;
        // A small payment is no part of the pattern.
        assert_eq!(transfer(&app, &payer, &mule, 100).await.status(), 201);
        let (status, body) = answer(transfer(&app, &payer, &mule, 60_000).await).await;
        statuses.push((status, body["status"].as_str().unwrap().to_string()));
    }
    assert_eq!(
        statuses,
        [
            (201, "succeeded".to_string()),
            (201, "succeeded".to_string()),
            (202, "held_for_review".to_string())
        ]
    );
}

#[tokio::test]
async fn a_snooze_exempts_one_holder_from_one_rule_and_is_traced() {
    let (app, clock) = spawn_app_with_clock().await;
    let (payer, payee) = aged_pair(&app, &clock).await;
    assert_eq!(transfer(&app, &payer, &payee, 100).await.status(), 201);
    let (ok, _, err) = admin_risk(
        &app,
        &[
            "snooze",
            "--wallet",
            &payer.wallet_id,
            "--rule",
            "large_payment",
            "--until",
            "2030-01-01T00:00:00Z",
            "--reason",
            "called the holder, case 21",
        ],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = admin_risk(
        &app,
        &[
            "snooze",
            "--wallet",
            &payer.wallet_id,
            "--rule",
            "no_such_rule",
            "--until",
            "1d",
            "--reason",
            "x",
        ],
    );
    assert!(!ok && err.contains("no rule"), "{err}");
    assert_eq!(transfer(&app, &payer, &payee, 500_000).await.status(), 201);
    // Another holder is still asked.
    let other = funded(&app, "王五", 600_000).await;
    clock.advance_s(86_460);
    assert_eq!(transfer(&app, &other, &payee, 100).await.status(), 201);
    assert_eq!(
        problem(transfer(&app, &other, &payee, 500_000).await)
            .await
            .0,
        401
    );
}
