//! Closing with the balance swept to a card: the holder asks (202 `pending_review`, one request
//! at a time), the request waits in the console's closing queue, and a four-eyes `close_account`
//! sweeps the whole balance as it is at the approval (a transfer in meanwhile included) to the
//! card as a fee-free withdrawal the sandbox bank pays out, and closes the wallet in the same
//! transaction; or staff reject it and the holder is told. `qianbao verify` still passes.

use crate::console_helpers::{
    add_staff, app, decide, first_admin, holder_id_of, propose, refused, sign_in,
};
use crate::helpers::{TestApp, TestClock, call, get, post, qianbao};
use crate::money_helpers::{
    Holder, PASSWORD, PIN, answer, fee_income, funded, inbox, ledger, otp_for, transfer,
};
use qianbao_ledger::{AccountKind, Currency};
use qianbao_wallet::AccountOwner;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// An SMS code of purpose `close`, asked for once the resend wait passed.
async fn close_code(app: &TestApp, clock: &TestClock, h: &Holder) -> String {
    clock.advance_s(61);
    otp_for(app, &h.phone, "close").await
}

/// `POST /v1/me/close` with a sweep to `card_id`: the status and body.
async fn ask(app: &TestApp, clock: &TestClock, h: &Holder, card_id: &str) -> (u16, Value) {
    let code = close_code(app, clock, h).await;
    answer(
        post(
            app,
            "/v1/me/close",
            json!({"pin": PIN, "otp": code, "sweep_to_card_id": card_id}),
            Some(&h.token),
        )
        .await,
    )
    .await
}

/// The closing queue as `token` sees it.
async fn queue(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = answer(get(app, "/v1/console/queues/closing", token).await).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// The holder's wallet balance in CNY as the ledger has it (balance, held): readable after the
/// holder's sessions ended.
async fn ledger_balance(app: &TestApp, wallet_id: &str) -> (i64, i64) {
    let store = ledger(app).await;
    let id = store
        .open_account(
            &AccountOwner::Wallet(wallet_id.to_string()),
            AccountKind::Wallet,
            Currency::CNY,
        )
        .await
        .unwrap();
    store
        .account(id)
        .await
        .unwrap()
        .map_or((0, 0), |a| (a.balance.minor(), a.held.minor()))
}

/// Waits until the ledger shows the wallet at `want` (the payout timer runs every 500 ms).
async fn balance_becomes(app: &TestApp, wallet_id: &str, want: (i64, i64)) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = ledger_balance(app, wallet_id).await;
        if now == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "balance {now:?}, wanted {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn verify_passes(app: &TestApp) {
    let out = qianbao(app, &["verify"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_balance_is_swept_to_the_card_by_four_eyes_and_the_wallet_closed() {
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let support_token = sign_in(&app, &clock, &support).await;
    let finance = add_staff(&app, &clock, &admin_token, "finance").await;
    let finance_token = sign_in(&app, &clock, &finance).await;
    let alice = funded(&app, "张三", 20_000).await;
    let bob = funded(&app, "李四", 20_000).await;
    let alice_id = holder_id_of(&app, &admin_token, &alice).await;
    let fees_before = fee_income(&ledger(&app).await).await;

    // Bad asks: not a card of hers; and no sweep at all keeps the old answer.
    let (status, body) = ask(&app, &clock, &alice, &bob.card_id).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("card_invalid")),
        "{body}"
    );
    let code = close_code(&app, &clock, &alice).await;
    let r = post(
        &app,
        "/v1/me/close",
        json!({"pin": PIN, "otp": code}),
        Some(&alice.token),
    )
    .await;
    assert_eq!(refused(r).await, (409, "close_blocked".into()));

    let (status, body) = ask(&app, &clock, &alice, &alice.card_id).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "pending_review");
    let request_id = body["request_id"].as_str().unwrap().to_string();
    let (status, body) = ask(&app, &clock, &alice, &alice.card_id).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("close_pending")),
        "{body}"
    );

    // The queue, seen by anyone with holders.view.
    let rows = queue(&app, &finance_token).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["request_id"], request_id.as_str());
    assert_eq!(row["holder_id"], alice_id.as_str());
    assert_eq!(row["balance"], 20_000);
    assert_eq!(row["currency"], "CNY");
    assert_eq!(row["card_id"], alice.card_id.as_str());
    assert!(
        row["card_masked"].as_str().unwrap().contains("****"),
        "{row}"
    );
    assert!(
        row["phone_masked"].as_str().unwrap().contains("****"),
        "{row}"
    );
    assert!(row["requested_at"].is_string());
    assert!(row["command_id"].is_null());

    // Proposing: holders.manage needed; a card not the request's, or an unknown holder, refused.
    let command = json!({"kind": "close_account", "holder_id": alice_id, "card_id": alice.card_id});
    let (status, body) = propose(&app, &finance_token, command.clone(), "holder asked").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied")),
        "{body}"
    );
    let other_card = json!({"kind": "close_account", "holder_id": alice_id, "card_id": "nope"});
    let (status, body) = propose(&app, &support_token, other_card, "holder asked").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed")),
        "{body}"
    );
    let nobody = json!({"kind": "close_account", "holder_id": "nobody", "card_id": "nope"});
    let (status, _) = propose(&app, &support_token, nobody, "holder asked").await;
    assert_eq!(status, 404);
    let (status, body) = propose(&app, &support_token, command.clone(), "holder asked").await;
    assert_eq!(status, 201, "{body}");
    let command_id = body["id"].as_str().unwrap().to_string();
    let (status, body) = propose(&app, &admin_token, command, "again").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("command_pending")),
        "{body}"
    );
    assert_eq!(
        queue(&app, &support_token).await[0]["command_id"],
        command_id.as_str()
    );

    // Money arrives after the request, before the approval: it is swept with the rest.
    assert_eq!(transfer(&app, &bob, &alice, 5_000).await.status(), 201);

    let r = decide(&app, &support_token, &command_id, "approve").await;
    assert_eq!(refused(r).await, (403, "own_command".into()));
    let r = decide(&app, &finance_token, &command_id, "approve").await;
    assert_eq!(refused(r).await.0, 403);
    let (status, body) = answer(decide(&app, &admin_token, &command_id, "approve").await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "done", "{body}");

    // Closed: the whole 25,000 held for the card, then paid out by the sandbox bank; no fee.
    assert_eq!(
        ledger_balance(&app, &alice.wallet_id).await,
        (25_000, 25_000)
    );
    clock.advance_s(5);
    balance_becomes(&app, &alice.wallet_id, (0, 0)).await;
    // The card kept its token for the payout only: unbound once it ended.
    let profile = answer(
        get(
            &app,
            &format!("/v1/console/holders/{alice_id}"),
            &admin_token,
        )
        .await,
    )
    .await
    .1;
    assert_eq!(profile["holder"]["status"], "closed", "{profile}");
    assert_eq!(profile["cards"], json!([]), "{profile}");
    let sweep = &profile["records"][0];
    assert_eq!(
        (&sweep["kind"], &sweep["amount"], &sweep["status"]),
        (&json!("withdrawal"), &json!(25_000), &json!("succeeded")),
        "{profile}"
    );
    assert_eq!(fee_income(&ledger(&app).await).await, fees_before);
    assert!(queue(&app, &admin_token).await.is_empty());
    let r = call(&app, "GET", "/v1/me", None, Some(&alice.token)).await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
    let r = post(
        &app,
        "/v1/sessions",
        json!({"phone": alice.phone, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(refused(r).await, (403, "account_closed".into()));
    let (status, body) = answer(transfer(&app, &bob, &alice, 1_000).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_payee")),
        "{body}"
    );

    // The request is done: rejecting it now is a conflict; an unknown one is not found.
    let path = format!("/v1/console/queues/closing/{request_id}/reject");
    let r = post(
        &app,
        &path,
        json!({"reason": "too late"}),
        Some(&admin_token),
    )
    .await;
    assert_eq!(refused(r).await, (409, "case_decided".into()));
    let r = post(
        &app,
        "/v1/console/queues/closing/nope/reject",
        json!({"reason": "x"}),
        Some(&admin_token),
    )
    .await;
    assert_eq!(refused(r).await.0, 404);
    verify_passes(&app);
}

#[tokio::test]
async fn a_rejected_request_tells_the_holder_and_a_hold_fails_the_approval() {
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let support_token = sign_in(&app, &clock, &support).await;
    let finance = add_staff(&app, &clock, &admin_token, "finance").await;
    let finance_token = sign_in(&app, &clock, &finance).await;
    let alice = funded(&app, "张三", 10_000).await;
    let alice_id = holder_id_of(&app, &admin_token, &alice).await;

    let (status, body) = ask(&app, &clock, &alice, &alice.card_id).await;
    assert_eq!(status, 202, "{body}");
    let request_id = body["request_id"].as_str().unwrap().to_string();
    let path = format!("/v1/console/queues/closing/{request_id}/reject");
    let r = post(
        &app,
        &path,
        json!({"reason": "call us"}),
        Some(&finance_token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "permission_denied".into()));
    let r = post(&app, &path, json!({"reason": " "}), Some(&support_token)).await;
    assert_eq!(refused(r).await, (422, "validation_failed".into()));
    let r = post(&app, &path, json!({}), Some(&support_token)).await;
    assert_eq!(r.status().as_u16(), 422);
    let (status, body) = answer(
        post(
            &app,
            &path,
            json!({"reason": "请先致电客服"}),
            Some(&support_token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "rejected");
    assert!(queue(&app, &admin_token).await.is_empty());
    let told = inbox(&app, &alice.token).await;
    assert!(
        told.iter().any(|n| n["kind"] == "closing"
            && n["body"]
                .as_str()
                .unwrap_or_default()
                .contains("请先致电客服")),
        "{told:?}"
    );
    assert_eq!(get(&app, "/v1/me", &alice.token).await.status(), 200);

    // A new request; then a withdrawal puts a hold on the wallet before the approval: the
    // command fails with the reason and nothing changes.
    let (status, body) = ask(&app, &clock, &alice, &alice.card_id).await;
    assert_eq!(status, 202, "{body}");
    let command = json!({"kind": "close_account", "holder_id": alice_id, "card_id": alice.card_id});
    let (status, body) = propose(&app, &support_token, command, "holder asked").await;
    assert_eq!(status, 201, "{body}");
    let command_id = body["id"].as_str().unwrap().to_string();
    let r = crate::money_helpers::money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": alice.card_id, "amount": 1_000, "pin": PIN}),
        &alice.token,
    )
    .await;
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    let (status, body) = answer(decide(&app, &admin_token, &command_id, "approve").await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "failed", "{body}");
    assert!(body["outcome"].as_str().unwrap().contains("hold"), "{body}");
    assert_eq!(get(&app, "/v1/me", &alice.token).await.status(), 200);
    assert_eq!(queue(&app, &admin_token).await.len(), 1);
    verify_passes(&app);
}

#[tokio::test]
async fn a_holder_who_spends_the_balance_and_closes_leaves_the_queue() {
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let alice = funded(&app, "张三", 1_000).await;
    let bob = funded(&app, "李四", 0).await;
    let (status, body) = ask(&app, &clock, &alice, &alice.card_id).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(queue(&app, &admin_token).await.len(), 1);
    assert_eq!(transfer(&app, &alice, &bob, 1_000).await.status(), 201);
    let code = close_code(&app, &clock, &alice).await;
    let r = post(
        &app,
        "/v1/me/close",
        json!({"pin": PIN, "otp": code}),
        Some(&alice.token),
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(queue(&app, &admin_token).await.is_empty());
    verify_passes(&app);
}
