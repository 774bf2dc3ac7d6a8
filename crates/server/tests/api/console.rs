//! The operator console's API: staff set up from a one-time link with a password and a mandatory
//! TOTP, signed in with all three, refused without a staff session or the permission (and the
//! refusal audited), locked after wrong tries until another admin unlocks them; holder search and
//! 360 audited; the audit chain followed by `qianbao verify`.

use crate::console_helpers::{
    PASSWORD, add_staff, admin, app, audit, decide, first_admin, holder_id_of, now_s, phone,
    propose, refused, set_up, sign_in,
};
use crate::helpers::{call, post, problem, qianbao};
use crate::money_helpers::{Holder, open_l1_holder, open_merchant};
use qianbao_wallet::domain::totp::code_at;
use serde_json::{Value, json};

#[tokio::test]
async fn the_first_admin_is_set_up_from_a_one_time_link_and_signs_in_with_a_totp_code() {
    let (app, clock) = app().await;
    let phone = phone();
    let (ok, out, err) = admin(
        &app,
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
    let token = added["setup_token"].as_str().unwrap().to_string();

    // A weak password is refused and the link still works.
    let r = post(
        &app,
        "/v1/console/setup",
        json!({"token": token, "password": "12345678"}),
        None,
    )
    .await;
    assert_eq!(problem(r).await.1.code, "password_weak");
    // A pending account cannot sign in.
    let r = post(
        &app,
        "/v1/console/sessions",
        json!({"phone": phone, "password": PASSWORD, "totp": "000000"}),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (401, "invalid_credentials".to_string()));
    let id = added["staff"]["id"].as_str().unwrap().to_string();
    let staff = set_up(&app, &clock, &token, &phone, &id).await;

    // The link is spent.
    let r = post(
        &app,
        "/v1/console/setup",
        json!({"token": token, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(problem(r).await.1.code, "setup_invalid");

    // No TOTP code, or a wrong one: refused, without saying which factor was wrong.
    for totp in ["", "123456"] {
        let r = post(
            &app,
            "/v1/console/sessions",
            json!({"phone": phone, "password": PASSWORD, "totp": totp}),
            None,
        )
        .await;
        assert_eq!(problem(r).await.1.code, "invalid_credentials");
    }
    let session = sign_in(&app, &clock, &staff).await;
    let r = call(&app, "GET", "/v1/console/me", None, Some(&session)).await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["staff"]["role"], "admin");
    assert!(!me["staff"]["phone"].as_str().unwrap().contains(&phone[6..]));
    let permissions: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(permissions.contains(&"staff.manage") && permissions.contains(&"audit.manage"));

    // The command line lists them.
    let (ok, out, _) = admin(&app, &["staff", "list"]);
    assert!(ok);
    assert!(out.contains(&staff.id) && out.contains("\"active\""));

    // An idle session ends.
    clock.advance_s(16 * 60);
    let r = call(&app, "GET", "/v1/console/me", None, Some(&session)).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn holder_tokens_merchant_keys_and_missing_permissions_are_refused_and_the_refusal_is_audited()
 {
    let (app, clock) = app().await;
    let admin_staff = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin_staff).await;
    let holder: Holder = open_l1_holder(&app).await;
    let merchant = open_merchant(&app, &holder, "小店").await;

    for credential in [
        None,
        Some(holder.token.as_str()),
        Some(merchant.api_key.as_str()),
    ] {
        for (method, path) in [("GET", "/v1/console/me"), ("GET", "/v1/console/audit")] {
            let r = call(&app, method, path, None, credential).await;
            assert_eq!(r.status(), 401, "{path} with {credential:?}");
            assert_eq!(problem(r).await.1.code, "unauthorized");
        }
    }

    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let support_token = sign_in(&app, &clock, &support).await;
    // Support looks holders up, but neither reads the audit log nor adds staff.
    let r = call(&app, "GET", "/v1/console/audit", None, Some(&support_token)).await;
    assert_eq!(refused(r).await, (403, "permission_denied".to_string()));
    let r = post(
        &app,
        "/v1/console/staff",
        json!({"phone": phone(), "name": "x", "role": "admin"}),
        Some(&support_token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "permission_denied");
    let r = post(
        &app,
        "/v1/console/holders/search",
        json!({"phone": holder.phone}),
        Some(&support_token),
    )
    .await;
    assert_eq!(r.status(), 200);

    // Both refusals are in the log, as the support member's, marked denied.
    let denied = audit(
        &app,
        &admin_token,
        &format!("actor=staff:{}&action=permission_denied", support.id),
    )
    .await;
    assert_eq!(denied.len(), 2, "{denied:?}");
    assert!(denied.iter().all(|l| l["outcome"] == "denied"));

    // A custom role grants exactly what it names.
    let r = post(
        &app,
        "/v1/console/roles",
        json!({"name": "auditor", "permissions": ["audit.view"]}),
        Some(&admin_token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = post(
        &app,
        "/v1/console/roles",
        json!({"name": "admin", "permissions": ["audit.view"]}),
        Some(&admin_token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "validation_failed");
    let r = post(
        &app,
        "/v1/console/roles",
        json!({"name": "odd", "permissions": ["audit.approve"]}),
        Some(&admin_token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "role_invalid");
    let auditor = add_staff(&app, &clock, &admin_token, "auditor").await;
    let auditor_token = sign_in(&app, &clock, &auditor).await;
    assert_eq!(
        call(&app, "GET", "/v1/console/audit", None, Some(&auditor_token))
            .await
            .status(),
        200
    );
    let r = post(
        &app,
        "/v1/console/holders/search",
        json!({"phone": holder.phone}),
        Some(&auditor_token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "permission_denied");
}

#[tokio::test]
async fn five_wrong_tries_lock_a_staff_account_until_another_admin_unlocks_it() {
    let (app, clock) = app().await;
    let first = first_admin(&app, &clock).await;
    let first_token = sign_in(&app, &clock, &first).await;
    let second = add_staff(&app, &clock, &first_token, "admin").await;

    for i in 0..5 {
        let r = post(
            &app,
            "/v1/console/sessions",
            json!({"phone": second.phone, "password": "not-the-password", "totp": "000000"}),
            None,
        )
        .await;
        let (status, p) = problem(r).await;
        if i < 4 {
            assert_eq!((status, p.code.as_str()), (401, "invalid_credentials"));
            // No count of tries left: it would tell a guesser the phone has an account.
            assert_eq!(p.attempts_left, None);
        } else {
            assert_eq!((status, p.code.as_str()), (423, "login_locked"));
        }
    }
    // Now even the right password and code are refused.
    clock.advance_s(30);
    let code = code_at(&second.secret, now_s(&clock), 6);
    let r = post(
        &app,
        "/v1/console/sessions",
        json!({"phone": second.phone, "password": PASSWORD, "totp": code}),
        None,
    )
    .await;
    assert_eq!(problem(r).await.1.code, "login_locked");

    // Nobody unlocks themselves; another admin does.
    let r = post(
        &app,
        &format!("/v1/console/staff/{}/unlock", first.id),
        json!({"reason": "self"}),
        Some(&first_token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "not_allowed_on_self");
    let r = post(
        &app,
        &format!("/v1/console/staff/{}/unlock", second.id),
        json!({"reason": "called the desk, identity checked"}),
        Some(&first_token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    sign_in(&app, &clock, &second).await;

    let lines = audit(&app, &first_token, &format!("entity=staff:{}", second.id)).await;
    let unlock = lines
        .iter()
        .find(|l| l["action"] == "staff.unlock")
        .expect("the unlock is audited");
    assert_eq!(unlock["actor"], format!("staff:{}", first.id));
    assert!(
        unlock["before"]
            .as_str()
            .unwrap()
            .contains("\"locked\":true")
    );
    assert!(
        unlock["after"]
            .as_str()
            .unwrap()
            .contains("\"locked\":false")
    );
    assert_eq!(unlock["reason"], "called the desk, identity checked");
}

#[tokio::test]
async fn holders_are_found_by_phone_wallet_or_id_number_and_each_view_is_audited_and_verified() {
    let (app, clock) = app().await;
    let staff = first_admin(&app, &clock).await;
    let token = sign_in(&app, &clock, &staff).await;
    let holder = open_l1_holder(&app).await;
    let other = open_l1_holder(&app).await;

    for query in [
        json!({"phone": holder.phone}),
        json!({"wallet_id": holder.wallet_id}),
        json!({"id_number": holder.id_number}),
    ] {
        let r = post(
            &app,
            "/v1/console/holders/search",
            query.clone(),
            Some(&token),
        )
        .await;
        assert_eq!(r.status(), 200, "{query}");
        let found: Vec<Value> = r.json().await.unwrap();
        assert_eq!(found.len(), 1, "{query}");
        assert_eq!(found[0]["wallet_id"], holder.wallet_id.as_str());
        assert_ne!(found[0]["wallet_id"], other.wallet_id.as_str());
    }
    let r = post(
        &app,
        "/v1/console/holders/search",
        json!({"phone": holder.phone, "wallet_id": holder.wallet_id}),
        Some(&token),
    )
    .await;
    assert_eq!(problem(r).await.1.code, "validation_failed");
    let r = post(
        &app,
        "/v1/console/holders/search",
        json!({"phone": "+8613900000000"}),
        Some(&token),
    )
    .await;
    assert_eq!(r.json::<Vec<Value>>().await.unwrap().len(), 0);

    let found: Vec<Value> = post(
        &app,
        "/v1/console/holders/search",
        json!({"phone": holder.phone}),
        Some(&token),
    )
    .await
    .json()
    .await
    .unwrap();
    let holder_id = found[0]["holder_id"].as_str().unwrap();
    let r = call(
        &app,
        "GET",
        &format!("/v1/console/holders/{holder_id}"),
        None,
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains(&holder.id_number), "no full ID number");
    assert!(!text.contains(&holder.phone[3..]), "no full phone");
    let profile: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(profile["holder"]["kyc_level"], 1);
    assert!(!profile["sessions"].as_array().unwrap().is_empty());
    let r = call(
        &app,
        "GET",
        "/v1/console/holders/nobody",
        None,
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 404);

    // Each search and the view are in the log; the ID number is not.
    let searches = audit(&app, &token, "action=holder.search").await;
    assert_eq!(searches.len(), 5);
    let all = serde_json::to_string(&searches).unwrap();
    assert!(!all.contains(&holder.id_number));
    let views = audit(&app, &token, &format!("entity=holder:{holder_id}")).await;
    assert_eq!(views.len(), 1);
    assert_eq!(views[0]["action"], "holder.view");

    let r = call(&app, "GET", "/v1/console/audit.csv", None, Some(&token)).await;
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("seq,at,actor,action,entity,"));
    assert!(csv.contains("holder.view"));

    // `qianbao verify` follows the chain.
    let out = qianbao(&app, &["verify"]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    let lines: i64 = report
        .lines()
        .find_map(|l| l.strip_prefix("audit lines:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The admin's add, set-up and sign-in, five searches and one view.
    assert_eq!(lines, 9, "{report}");
}

#[tokio::test]
async fn unfreezing_and_adjusting_need_a_second_staff_member_and_run_the_stored_payload() {
    let (app, clock) = app().await;
    let maker = first_admin(&app, &clock).await;
    let maker_token = sign_in(&app, &clock, &maker).await;
    let checker = add_staff(&app, &clock, &maker_token, "admin").await;
    let support = add_staff(&app, &clock, &maker_token, "support").await;
    let holder = crate::money_helpers::funded(&app, "张三", 10_000).await;
    let holder_id = holder_id_of(&app, &maker_token, &holder).await;
    let checker_token = sign_in(&app, &clock, &checker).await;
    let support_token = sign_in(&app, &clock, &support).await;

    // A direct freeze; its undoing waits for four eyes.
    let r = post(
        &app,
        &format!("/v1/console/holders/{holder_id}/freeze"),
        json!({"reason": "reported stolen phone"}),
        Some(&maker_token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let me: Value = call(&app, "GET", "/v1/me", None, Some(&holder.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["status"], "frozen");

    let unfreeze = json!({"kind": "unfreeze", "holder_id": holder_id});
    let (status, pending) =
        propose(&app, &maker_token, unfreeze.clone(), "holder called back").await;
    assert_eq!(status, 201, "{pending}");
    assert_eq!(pending["status"], "pending");
    let (status, body) = propose(&app, &maker_token, unfreeze.clone(), "again").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("command_pending"))
    );
    let id = pending["id"].as_str().unwrap();
    // The pending state shows on the holder.
    let profile: Value = call(
        &app,
        "GET",
        &format!("/v1/console/holders/{holder_id}"),
        None,
        Some(&checker_token),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(profile["pending_commands"][0]["id"], id);

    // The maker cannot approve it, admin or not; a refusal is audited.
    let r = decide(&app, &maker_token, id, "approve").await;
    assert_eq!(refused(r).await, (403, "own_command".to_string()));
    let me: Value = call(&app, "GET", "/v1/me", None, Some(&holder.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["status"], "frozen", "nothing ran");
    // Support manages holders, so may check an unfreeze.
    let r = decide(&app, &support_token, id, "approve").await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let me: Value = call(&app, "GET", "/v1/me", None, Some(&holder.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["status"], "active");
    let r = decide(&app, &checker_token, id, "approve").await;
    assert_eq!(refused(r).await, (409, "command_decided".to_string()));

    // Support may not propose money corrections.
    let credit =
        json!({"kind": "adjustment", "holder_id": holder_id, "amount": 1_230, "currency": "CNY"});
    let (status, body) = propose(&app, &support_token, credit.clone(), "goodwill").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied"))
    );
    for bad in [
        json!({"kind": "adjustment", "holder_id": holder_id, "amount": 0, "currency": "CNY"}),
        json!({"kind": "adjustment", "holder_id": holder_id, "amount": 5, "currency": "USD"}),
        json!({"kind": "adjustment", "holder_id": holder_id, "amount": 5, "currency": "CNY", "extra": 1}),
        json!({"kind": "teleport", "holder_id": holder_id}),
    ] {
        let (status, body) = propose(&app, &maker_token, bad.clone(), "x").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("validation_failed")),
            "{bad}"
        );
    }
    let (status, body) = propose(&app, &maker_token, credit.clone(), "").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed"))
    );

    // A credit: a balanced entry against the operator's adjustments account, in the records.
    let (before, _) = crate::money_helpers::balance(&app, &holder.token).await;
    let (_, credit_cmd) = propose(&app, &maker_token, credit, "refund of a double charge").await;
    let r = decide(
        &app,
        &checker_token,
        credit_cmd["id"].as_str().unwrap(),
        "approve",
    )
    .await;
    let decided: Value = r.json().await.unwrap();
    assert_eq!(decided["status"], "done", "{decided}");
    assert_eq!(decided["checker"], checker.id.as_str());
    let (after, _) = crate::money_helpers::balance(&app, &holder.token).await;
    assert_eq!(after, before + 1_230);
    let records: Value = call(
        &app,
        "GET",
        "/v1/me/transactions",
        None,
        Some(&holder.token),
    )
    .await
    .json()
    .await
    .unwrap();
    let text = records.to_string();
    assert!(text.contains("\"adjustment\""), "{records}");

    // A debit the balance cannot bear is refused by the ledger: the command fails, nothing moves.
    let debit = json!({"kind": "adjustment", "holder_id": holder_id, "amount": -(after + 1), "currency": "CNY"});
    let (_, debit_cmd) = propose(&app, &maker_token, debit, "clawback").await;
    let r = decide(
        &app,
        &checker_token,
        debit_cmd["id"].as_str().unwrap(),
        "approve",
    )
    .await;
    let decided: Value = r.json().await.unwrap();
    assert_eq!(decided["status"], "failed", "{decided}");
    assert!(decided["outcome"].as_str().unwrap().contains("ledger"));
    assert_eq!(
        crate::money_helpers::balance(&app, &holder.token).await.0,
        after
    );

    // A rejected command never runs.
    let role = json!({"kind": "role_change", "staff_id": support.id, "role": "finance"});
    let (_, role_cmd) = propose(&app, &checker_token, role, "moves to finance").await;
    let r = decide(
        &app,
        &maker_token,
        role_cmd["id"].as_str().unwrap(),
        "reject",
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "rejected");
    let r = decide(
        &app,
        &maker_token,
        role_cmd["id"].as_str().unwrap(),
        "approve",
    )
    .await;
    assert_eq!(refused(r).await.1, "command_decided");
    // Nobody proposes their own role.
    let (status, body) = propose(
        &app,
        &maker_token,
        json!({"kind": "role_change", "staff_id": maker.id, "role": "support"}),
        "x",
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("not_allowed_on_self"))
    );

    // An undecided command expires.
    let late =
        json!({"kind": "adjustment", "holder_id": holder_id, "amount": 1, "currency": "CNY"});
    let (_, late_cmd) = propose(&app, &maker_token, late, "small").await;
    clock.advance_s(25 * 3600);
    let checker_token = sign_in(&app, &clock, &checker).await;
    let r = decide(
        &app,
        &checker_token,
        late_cmd["id"].as_str().unwrap(),
        "approve",
    )
    .await;
    assert_eq!(refused(r).await, (409, "command_expired".to_string()));
    let listed: Vec<Value> = call(
        &app,
        "GET",
        "/v1/console/commands?status=expired",
        None,
        Some(&checker_token),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(listed.len(), 1);

    // Every step is in the chain, and the ledger and chain verify.
    let lines = audit(&app, &checker_token, &format!("entity=holder:{holder_id}")).await;
    let actions: Vec<&str> = lines
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    for wanted in [
        "holder.freeze",
        "command.propose.unfreeze",
        "command.approve.unfreeze",
        "command.propose.adjustment",
        "command.approve.adjustment",
    ] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l["outcome"] == "refused" && l["action"] == "command.approve.unfreeze")
    );
    let out = qianbao(&app, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn a_held_payment_is_taken_by_one_reviewer_decided_with_a_label_and_replay_scores_the_labels()
{
    use crate::money_helpers::{answer, balance, funded, open_l1_holder_named, transfer};
    let (app, clock) = app().await;
    let admin_staff = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin_staff).await;
    let first = add_staff(&app, &clock, &admin_token, "risk").await;
    let second = add_staff(&app, &clock, &admin_token, "risk").await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let payer = funded(&app, "张三", 500_000).await;
    let payee = open_l1_holder_named(&app, "李四").await;
    // Over ¥1,000 to a wallet opened today: both held.
    let (status, a) = answer(transfer(&app, &payer, &payee, 100_001).await).await;
    assert_eq!(status, 202, "{a}");
    let (_, b) = answer(transfer(&app, &payer, &payee, 120_000).await).await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let first_token = sign_in(&app, &clock, &first).await;
    let second_token = sign_in(&app, &clock, &second).await;
    let support_token = sign_in(&app, &clock, &support).await;

    // The payer's profile shows both decisions: held, with the reason the payer was given.
    let payer_id = holder_id_of(&app, &admin_token, &payer).await;
    let profile: Value = call(
        &app,
        "GET",
        &format!("/v1/console/holders/{payer_id}"),
        None,
        Some(&support_token),
    )
    .await
    .json()
    .await
    .unwrap();
    let decisions = profile["risk_decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2, "{profile}");
    assert!(
        decisions
            .iter()
            .all(|d| d["verdict"] == "hold" && d["reason"] == "new_payee_wallet"),
        "{decisions:?}"
    );

    // Support may skim the queue but not take a case.
    let r = call(
        &app,
        "GET",
        "/v1/console/queues/risk",
        None,
        Some(&support_token),
    )
    .await;
    let queue: Vec<Value> = r.json().await.unwrap();
    assert_eq!(queue.len(), 2);
    assert_eq!(queue[0]["movement_id"], a);
    assert_eq!(queue[0]["reason"], "new_payee_wallet");
    assert_eq!(queue[0]["trace"]["fired"][0]["rule"], "new_wallet_payee");
    let r = post(
        &app,
        "/v1/console/queues/risk/next",
        json!({}),
        Some(&support_token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "permission_denied".to_string()));

    // Next gives each reviewer a different case; nobody takes or decides another's.
    let took: Value = post(
        &app,
        "/v1/console/queues/risk/next",
        json!({}),
        Some(&first_token),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(took["movement_id"], a);
    assert_eq!(took["locked_by"], first.id.as_str());
    let took: Value = post(
        &app,
        "/v1/console/queues/risk/next",
        json!({}),
        Some(&second_token),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(took["movement_id"], b);
    let r = post(
        &app,
        "/v1/console/queues/risk/next",
        json!({}),
        Some(&support_token.clone()),
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = post(
        &app,
        &format!("/v1/console/queues/risk/{a}/take"),
        json!({}),
        Some(&second_token),
    )
    .await;
    assert_eq!(refused(r).await, (409, "case_locked".to_string()));
    let r = post(
        &app,
        &format!("/v1/console/queues/risk/{a}/release"),
        json!({"label": "false_positive"}),
        Some(&second_token),
    )
    .await;
    assert_eq!(refused(r).await, (409, "case_locked".to_string()));
    assert_eq!(balance(&app, &payee.token).await.0, 0, "nothing moved");
    let skim: Vec<Value> = call(
        &app,
        "GET",
        "/v1/console/queues/risk",
        None,
        Some(&admin_token),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(skim[0]["locked_by"], first.id.as_str());
    assert_eq!(skim[1]["locked_by"], second.id.as_str());

    let r = post(
        &app,
        &format!("/v1/console/queues/risk/{a}/reject"),
        json!({"label": "teleport"}),
        Some(&first_token),
    )
    .await;
    assert_eq!(refused(r).await.1, "validation_failed");
    let r = post(
        &app,
        &format!("/v1/console/queues/risk/{a}/reject"),
        json!({"label": "confirmed_fraud", "reason": "payee is a known mule"}),
        Some(&first_token),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "rejected");
    let r = post(
        &app,
        &format!("/v1/console/queues/risk/{b}/release"),
        json!({"label": "false_positive", "reason": "rent to a new landlord"}),
        Some(&second_token),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "succeeded");
    assert_eq!(balance(&app, &payee.token).await.0, 120_000);
    assert_eq!(balance(&app, &payer.token).await, (500_000 - 120_000, 0));
    // A decided case is gone from the queue.
    let r = post(
        &app,
        &format!("/v1/console/queues/risk/{a}/take"),
        json!({}),
        Some(&first_token),
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post(
        &app,
        "/v1/console/queues/risk/next",
        json!({}),
        Some(&first_token),
    )
    .await;
    assert_eq!(r.status(), 204);

    let lines = audit(&app, &admin_token, &format!("entity=movement:{a}")).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["action"], "risk.reject");
    assert_eq!(lines[0]["actor"], format!("staff:{}", first.id));
    assert!(
        lines[0]["after"]
            .as_str()
            .unwrap()
            .contains("confirmed_fraud")
    );

    // Replay scores a rule set against the labels: the rules in force stopped both, one rightly.
    let candidate = app.dir.join("candidate.json");
    std::fs::write(
        &candidate,
        r#"{"rules": [{"id": "big", "kind": "amount_at_least", "outcome": "hold",
            "params": {"min_amount": 110000}}]}"#,
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    let labels = &summary["labels"];
    assert_eq!(labels["labelled"], 2, "{summary}");
    assert_eq!(
        (
            labels["stopped_then"].as_u64(),
            labels["right_then"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(labels["precision_then_permille"], 500);
    // The candidate holds only the ¥1,200 one, the false positive.
    assert_eq!(
        (labels["stopped_now"].as_u64(), labels["right_now"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(labels["precision_now_permille"], 0);

    // A refused call shows in the payer's profile too, newest first.
    let out = qianbao(
        &app,
        &["admin", "risk", "block", "--wallet", &payer.wallet_id],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, body) = answer(transfer(&app, &payer, &payee, 100).await).await;
    assert_eq!(status, 403, "{body}");
    let profile: Value = call(
        &app,
        "GET",
        &format!("/v1/console/holders/{payer_id}"),
        None,
        Some(&admin_token),
    )
    .await
    .json()
    .await
    .unwrap();
    let newest = &profile["risk_decisions"][0];
    assert_eq!(
        (newest["verdict"].as_str(), newest["movement_id"].as_str()),
        (Some("block"), None),
        "{profile}"
    );
}
