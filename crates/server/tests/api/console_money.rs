//! The console's holder actions and money corrections: restricting a wallet (it receives but
//! does not pay), ending its sessions, resetting its login lock; refunds on a merchant's behalf,
//! at once up to the threshold and four-eyes above it, never beyond the payment; and a bank
//! statement uploaded from the console whose break is resolved by a four-eyes adjustment with
//! its case, or accepted with a note — with `qianbao verify` still passing.

use crate::console_helpers::{
    add_staff, app, decide, first_admin, holder_id_of, propose, refused, sign_in,
};
use crate::helpers::{TestApp, call, get, post, qianbao};
use crate::money_helpers::{
    PASSWORD, answer, available, funded, inbox, merchant_balance, open_merchant, order, otp_for,
    pay, transfer,
};
use qianbao_wallet::domain::ChinaDay;
use qianbao_wallet::recon::statement::day_text;
use serde_json::{Value, json};

/// `POST path` with a reason, by `token`: the status and the body. Each call its own
/// `Idempotency-Key` (an immediate refund needs one; other calls ignore it).
async fn act(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    act_keyed(app, token, path, body, &uuid::Uuid::new_v4().to_string()).await
}

/// [`act`] with the `Idempotency-Key` `key`.
async fn act_keyed(app: &TestApp, token: &str, path: &str, body: Value, key: &str) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn reason() -> Value {
    json!({"reason": "customer called support"})
}

#[tokio::test]
async fn a_restricted_wallet_receives_but_does_not_pay_and_sessions_and_login_locks_are_undone() {
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let finance = add_staff(&app, &clock, &admin_token, "finance").await;
    let support_token = sign_in(&app, &clock, &support).await;
    let finance_token = sign_in(&app, &clock, &finance).await;
    let alice = funded(&app, "张三", 20_000).await;
    let bob = funded(&app, "李四", 20_000).await;
    let alice_id = holder_id_of(&app, &admin_token, &alice).await;
    let base = format!("/v1/console/holders/{alice_id}");

    // Finance does not manage holders; nobody restricts without a reason or an unknown holder.
    let (status, body) = act(&app, &finance_token, &format!("{base}/restrict"), reason()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied"))
    );
    let (status, body) = act(&app, &support_token, &format!("{base}/restrict"), json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed"))
    );
    for verb in ["restrict", "unrestrict", "sessions/end", "login-lock/reset"] {
        let (status, _) = act(
            &app,
            &support_token,
            &format!("/v1/console/holders/no-such-holder/{verb}"),
            reason(),
        )
        .await;
        assert_eq!(status, 404, "{verb}");
    }

    let (status, body) = act(&app, &support_token, &format!("{base}/restrict"), reason()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "restricted");
    let (status, _) = act(&app, &support_token, &format!("{base}/restrict"), reason()).await;
    assert_eq!(status, 422, "restricted already");
    // Still signed in; may not pay or withdraw; still receives.
    assert_eq!(get(&app, "/v1/me", &alice.token).await.status(), 200);
    let (status, body) = answer(transfer(&app, &alice, &bob, 1_000).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("account_restricted")),
        "{body}"
    );
    let r = crate::money_helpers::money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": alice.card_id, "amount": 1_000, "pin": alice.pin}),
        &alice.token,
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("account_restricted")),
        "{body}"
    );
    let before = available(&app, &alice.token).await;
    let (status, body) = answer(transfer(&app, &bob, &alice, 1_500).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(available(&app, &alice.token).await, before + 1_500);

    // Lifted: she pays again.
    let (status, body) = act(
        &app,
        &support_token,
        &format!("{base}/unrestrict"),
        reason(),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("active")),
        "{body}"
    );
    let (status, body) = answer(transfer(&app, &alice, &bob, 1_000).await).await;
    assert_eq!(status, 201, "{body}");

    // Ending her sessions makes her token 401.
    let (status, body) = act(
        &app,
        &support_token,
        &format!("{base}/sessions/end"),
        reason(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["sessions_ended"].as_i64().unwrap() >= 1, "{body}");
    assert_eq!(get(&app, "/v1/me", &alice.token).await.status(), 401);

    // A holder locked by wrong passwords signs in once the lock is reset.
    let phone = crate::helpers::random_phone();
    let code = otp_for(&app, &phone, "signup").await;
    let r = post(
        &app,
        "/v1/signup",
        json!({"phone": phone, "otp": code, "password": PASSWORD}),
        None,
    )
    .await;
    let (status, made) = answer(r).await;
    assert_eq!(status, 201, "{made}");
    let device = made["device_id"].as_str().unwrap().to_string();
    let login = |password: &'static str| {
        let (app, phone, device) = (&app, phone.clone(), device.clone());
        async move {
            let r = post(
                app,
                "/v1/sessions",
                json!({"phone": phone, "password": password, "device_id": device}),
                None,
            )
            .await;
            r.status().as_u16()
        }
    };
    for _ in 0..5 {
        login("Wrong-Horse-Battery-1").await;
    }
    assert_eq!(login(PASSWORD).await, 423, "locked");
    let found: Vec<Value> = post(
        &app,
        "/v1/console/holders/search",
        json!({"phone": phone}),
        Some(&support_token),
    )
    .await
    .json()
    .await
    .unwrap();
    let locked_id = found[0]["holder_id"].as_str().unwrap();
    let (status, body) = act(
        &app,
        &support_token,
        &format!("/v1/console/holders/{locked_id}/login-lock/reset"),
        reason(),
    )
    .await;
    assert_eq!(
        (status, body["login_locked"].as_bool()),
        (200, Some(false)),
        "{body}"
    );
    assert_eq!(login(PASSWORD).await, 201);

    // Every action is in the audit log with its reason.
    let lines: Vec<Value> = call(
        &app,
        "GET",
        "/v1/console/audit?limit=200",
        None,
        Some(&admin_token),
    )
    .await
    .json()
    .await
    .unwrap();
    let text = serde_json::to_string(&lines).unwrap();
    for action in [
        "holder.restrict",
        "holder.unrestrict",
        "holder.sessions_end",
        "holder.login_lock_reset",
    ] {
        assert!(text.contains(action), "{action}");
    }
}

#[tokio::test]
async fn a_refund_on_behalf_runs_at_once_below_the_threshold_and_needs_a_second_person_above_it() {
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let maker = add_staff(&app, &clock, &admin_token, "finance").await;
    let checker = add_staff(&app, &clock, &admin_token, "finance").await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let maker_token = sign_in(&app, &clock, &maker).await;
    let checker_token = sign_in(&app, &clock, &checker).await;
    let support_token = sign_in(&app, &clock, &support).await;
    let payer = funded(&app, "张三", 150_000).await;
    let owner = funded(&app, "王老板", 0).await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;
    let o = order(&app, &shop, 100_000).await;
    let (status, paid) =
        answer(pay(&app, &payer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{paid}");
    let payments: Value = call(
        &app,
        "GET",
        "/v1/merchant/payments",
        None,
        Some(&shop.api_key),
    )
    .await
    .json()
    .await
    .unwrap();
    let payment_id = payments["items"][0]["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/console/payments/{payment_id}/refund");
    let refund = |amount: i64| json!({"amount": amount, "reason": "菜品问题"});

    // Support may not; an unknown payment is 404; a bad amount or no reason is 422.
    let (status, body) = act(&app, &support_token, &path, refund(1_000)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied"))
    );
    let (status, _) = act(
        &app,
        &maker_token,
        "/v1/console/payments/no-such-payment/refund",
        refund(1_000),
    )
    .await;
    assert_eq!(status, 404);
    for bad in [refund(0), refund(-5), json!({"amount": 1_000})] {
        let (status, body) = act(&app, &maker_token, &path, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }

    // At most the threshold (50000 fen): at once, and once however often it is retried; without
    // an Idempotency-Key it is refused.
    let before = available(&app, &payer.token).await;
    let r = post(&app, &path, refund(10_000), Some(&maker_token)).await;
    assert_eq!(r.status(), 400);
    let key = uuid::Uuid::new_v4().to_string();
    let (status, body) = act_keyed(&app, &maker_token, &path, refund(10_000), &key).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["amount"].as_i64(), body["status"].as_str()),
        (Some(10_000), Some("succeeded"))
    );
    let (status, again) = act_keyed(&app, &maker_token, &path, refund(10_000), &key).await;
    assert_eq!(
        (status, &again),
        (201, &body),
        "the retry gets the first answer"
    );
    let (status, reused) = act_keyed(&app, &maker_token, &path, refund(9_000), &key).await;
    assert_eq!(
        (status, reused["code"].as_str()),
        (422, Some("idempotency_conflict")),
        "{reused}"
    );
    assert_eq!(available(&app, &payer.token).await, before + 10_000);

    // Above it: a pending refund command, which its maker cannot approve.
    let (status, command) = act(&app, &maker_token, &path, refund(60_000)).await;
    assert_eq!(status, 202, "{command}");
    assert_eq!(command["status"], "pending");
    assert_eq!(
        command["command"],
        json!({"kind": "refund", "payment_id": payment_id, "amount": 60_000})
    );
    let id = command["id"].as_str().unwrap();
    let (status, body) = act(&app, &maker_token, &path, refund(60_000)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("command_pending"))
    );
    let r = decide(&app, &maker_token, id, "approve").await;
    assert_eq!(refused(r).await, (403, "own_command".to_string()));
    assert_eq!(
        available(&app, &payer.token).await,
        before + 10_000,
        "nothing ran"
    );
    let r = decide(&app, &checker_token, id, "approve").await;
    let (status, done) = answer(r).await;
    assert_eq!(
        (status, done["status"].as_str()),
        (200, Some("done")),
        "{done}"
    );
    assert_eq!(available(&app, &payer.token).await, before + 70_000);

    // 30000 left: more is refused, at once or as a command.
    for amount in [30_001, 60_000] {
        let (status, body) = act(&app, &maker_token, &path, refund(amount)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("refund_exceeds_payment")),
            "{amount}: {body}"
        );
    }
    let (status, body) = act(&app, &checker_token, &path, refund(30_000)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(available(&app, &payer.token).await, before + 100_000);

    // A merchant's balance is adjusted by four eyes; one the balance cannot bear fails whole.
    let (left, _) = merchant_balance(&app, &shop).await;
    let (status, debit) = propose(
        &app,
        &maker_token,
        json!({"kind": "adjustment", "merchant_id": shop.id, "amount": -(left + 1), "currency": "CNY"}),
        "fee correction",
    )
    .await;
    assert_eq!(status, 201, "{debit}");
    let (_, failed) = answer(
        decide(
            &app,
            &checker_token,
            debit["id"].as_str().unwrap(),
            "approve",
        )
        .await,
    )
    .await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(merchant_balance(&app, &shop).await.0, left);
    let (status, credit) = propose(
        &app,
        &maker_token,
        json!({"kind": "adjustment", "merchant_id": shop.id, "amount": 300, "currency": "CNY"}),
        "fee correction",
    )
    .await;
    assert_eq!(status, 201, "{credit}");
    let (_, done) = answer(
        decide(
            &app,
            &checker_token,
            credit["id"].as_str().unwrap(),
            "approve",
        )
        .await,
    )
    .await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(merchant_balance(&app, &shop).await.0, left + 300);
    for bad in [
        json!({"kind": "adjustment", "amount": 1, "currency": "CNY"}),
        json!({"kind": "adjustment", "merchant_id": shop.id, "holder_id": "x", "amount": 1, "currency": "CNY"}),
    ] {
        let (status, _) = propose(&app, &maker_token, bad.clone(), "x").await;
        assert_eq!(status, 422, "{bad}");
    }
    let (status, _) = propose(
        &app,
        &maker_token,
        json!({"kind": "adjustment", "merchant_id": "no-such-shop", "amount": 1, "currency": "CNY"}),
        "x",
    )
    .await;
    assert_eq!(status, 404);

    let out = qianbao(&app, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `POST /v1/console/recon/imports` with `csv` as the body.
async fn upload(app: &TestApp, token: &str, csv: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/v1/console/recon/imports", app.address))
        .header("content-type", "text/csv")
        .bearer_auth(token)
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn cases(app: &TestApp, token: &str, status: &str) -> Vec<Value> {
    let (code, body) = answer(
        call(
            app,
            "GET",
            &format!("/v1/console/recon/cases?status={status}"),
            None,
            Some(token),
        )
        .await,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_statement_uploaded_in_the_console_opens_cases_resolved_by_a_four_eyes_adjustment_or_a_note()
 {
    let (app, clock) = app().await;
    let day = ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock));
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let maker = add_staff(&app, &clock, &admin_token, "finance").await;
    let checker = add_staff(&app, &clock, &admin_token, "finance").await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let maker_token = sign_in(&app, &clock, &maker).await;
    let checker_token = sign_in(&app, &clock, &checker).await;
    let support_token = sign_in(&app, &clock, &support).await;
    let holder = funded(&app, "张三", 30_000).await;
    let holder_id = holder_id_of(&app, &admin_token, &holder).await;
    if ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock)) != day {
        eprintln!("skipped: the traffic ran across midnight in China");
        return;
    }
    let day = day_text(day);
    let out = qianbao(&app, &["admin", "recon", "statement", "--day", &day]);
    assert!(out.status.success());
    let clean = String::from_utf8(out.stdout).unwrap();
    // Two top-ups at the bank that we never saw: two breaks.
    let csv = format!(
        "{clean}{day},sbx_stranger_1,topup,500,CNY,not-ours-1\n{day},sbx_stranger_2,topup,700,CNY,not-ours-2\n"
    );

    // Support may neither upload nor list; a bad line refuses the whole file, naming it.
    let (status, body) = upload(&app, &support_token, &csv).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied"))
    );
    let r = call(
        &app,
        "GET",
        "/v1/console/recon/cases",
        None,
        Some(&support_token),
    )
    .await;
    assert_eq!(r.status(), 403);
    let bad = format!("{clean}{day},sbx_bad,topup,12.50,CNY,x\n");
    let (status, body) = upload(&app, &maker_token, &bad).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("statement_invalid")),
        "{body}"
    );
    assert_eq!(
        body["line"].as_u64(),
        Some(clean.lines().count() as u64 + 1),
        "{body}"
    );
    assert!(
        cases(&app, &maker_token, "all").await.is_empty(),
        "nothing imported"
    );

    let (status, first) = upload(&app, &maker_token, &csv).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (
            first["missing_here"].as_i64(),
            first["missing_at_bank"].as_i64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(
        first["matched"].as_i64(),
        Some(clean.lines().count() as i64 - 1)
    );
    assert_eq!(first["cases"].as_array().unwrap().len(), 2);
    let (status, again) = upload(&app, &maker_token, &csv).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&again["import_id"], &again["replayed"]),
        (&first["import_id"], &json!(true))
    );
    assert_eq!(again["cases"], first["cases"]);
    let open = cases(&app, &maker_token, "open").await;
    assert_eq!(open.len(), 2);
    let small = open.iter().find(|c| c["bank_amount"] == 500).unwrap();
    let large = open.iter().find(|c| c["bank_amount"] == 700).unwrap();
    assert_eq!(
        (small["kind"].as_str(), small["reference"].as_str()),
        (Some("missing_here"), Some("sbx_stranger_1"))
    );
    let small_id = small["case_id"].as_str().unwrap();

    // The 500 is credited to the holder by a four-eyes adjustment that resolves its case.
    let before = available(&app, &holder.token).await;
    let (status, cmd) = propose(
        &app,
        &maker_token,
        json!({"kind": "adjustment", "holder_id": holder_id, "amount": 500, "currency": "CNY", "case_id": small_id}),
        "bank top-up we missed",
    )
    .await;
    assert_eq!(status, 201, "{cmd}");
    let (status, _) = propose(
        &app,
        &maker_token,
        json!({"kind": "adjustment", "merchant_id": "m", "amount": 1, "currency": "CNY", "case_id": "no-such-case"}),
        "x",
    )
    .await;
    assert_eq!(status, 404);
    let id = cmd["id"].as_str().unwrap();
    let r = decide(&app, &maker_token, id, "approve").await;
    assert_eq!(refused(r).await, (403, "own_command".to_string()));
    let (status, done) = answer(decide(&app, &checker_token, id, "approve").await).await;
    assert_eq!(
        (status, done["status"].as_str()),
        (200, Some("done")),
        "{done}"
    );
    assert_eq!(available(&app, &holder.token).await, before + 500);
    let adjusted = cases(&app, &maker_token, "adjusted").await;
    assert_eq!(adjusted.len(), 1);
    assert_eq!(
        (&adjusted[0]["case_id"], &adjusted[0]["adjustment_id"]),
        (&json!(small_id), &json!(id))
    );
    let alerts = inbox(&app, &holder.token).await;
    assert!(
        alerts.iter().any(|a| a["kind"] == "adjustment"),
        "{alerts:?}"
    );

    // The 700 is accepted with a note; once only, with a note, and only a case that exists.
    let large_id = large["case_id"].as_str().unwrap();
    let accept = |id: &str| format!("/v1/console/recon/cases/{id}/accept");
    let (status, _) = act(
        &app,
        &support_token,
        &accept(large_id),
        json!({"note": "x"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = act(&app, &maker_token, &accept(large_id), json!({"note": "  "})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed")),
        "{body}"
    );
    let (status, body) = act(
        &app,
        &maker_token,
        &accept(large_id),
        json!({"note": "bank test entry, reversed"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["note"].as_str()),
        (Some("accepted"), Some("bank test entry, reversed"))
    );
    let (status, body) = act(
        &app,
        &maker_token,
        &accept(large_id),
        json!({"note": "again"}),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("case_decided")));
    let (status, _) = act(
        &app,
        &maker_token,
        &accept("no-such-case"),
        json!({"note": "x"}),
    )
    .await;
    assert_eq!(status, 404);
    // A case resolved already cannot be adjusted.
    let (status, _) = propose(
        &app,
        &maker_token,
        json!({"kind": "adjustment", "holder_id": holder_id, "amount": 700, "currency": "CNY", "case_id": large_id}),
        "x",
    )
    .await;
    assert_eq!(status, 409);
    assert!(cases(&app, &maker_token, "open").await.is_empty());
    assert_eq!(cases(&app, &maker_token, "resolved").await.len(), 2);
    let r = call(
        &app,
        "GET",
        "/v1/console/recon/cases?status=nonsense",
        None,
        Some(&maker_token),
    )
    .await;
    assert_eq!(r.status(), 422);
    let (status, list) = answer(
        call(
            &app,
            "GET",
            "/v1/console/recon/alerts",
            None,
            Some(&maker_token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert!(
        list.as_array().unwrap().is_empty(),
        "the books balance: {list}"
    );

    let out = qianbao(&app, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
