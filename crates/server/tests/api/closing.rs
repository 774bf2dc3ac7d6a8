//! Closing a wallet (注销): only when nothing is left in it or on its way, with the payment password
//! and an SMS code of purpose `close`; every blocker named with what to do; sessions ended, login
//! refused, payments in refused, the records kept; the phone free for a new wallet only after the
//! cooling-off period; and a closing raced by incoming transfers never closing with money inside.

use crate::helpers::{
    TestApp, TestClock, call, post, problem, qianbao, random_phone, spawn_app_with_clock,
    spawn_app_without_risk_rules, stored_rows,
};
use crate::money_helpers::{
    Holder, Merchant, PASSWORD, PIN, WRONG_PIN, answer, assert_ledger_clean, bind_card,
    debit_card_with, funded, idem, ledger, merchant_balance, money, open_l1_holder,
    open_l2_holder_named, open_merchant, order, otp_for, pay, record_becomes, refused, signed_up,
    sms_to, transfer,
};
use qianbao_api_types::CloseBlocker;
use qianbao_ledger::{AccountKind, Currency};
use qianbao_wallet::AccountOwner;
use serde_json::{Value, json};
use std::time::Duration;

/// How long a test waits for a timer the clock made due.
const SETTLE: Duration = Duration::from_secs(10);

/// One day in seconds.
const DAY_S: i64 = 86_400;

/// An SMS code of purpose `close` for the holder's phone, asked for once the resend wait passed.
async fn close_code(app: &TestApp, clock: &TestClock, h: &Holder) -> String {
    code_of(app, clock, &h.phone, "close").await
}

/// An SMS code of `purpose` for `phone`, asked for once the resend wait passed.
async fn code_of(app: &TestApp, clock: &TestClock, phone: &str, purpose: &str) -> String {
    clock.advance_s(61);
    otp_for(app, phone, purpose).await
}

/// `POST /v1/me/close` as `h` with `body`.
async fn close_with(app: &TestApp, h: &Holder, body: Value) -> reqwest::Response {
    post(app, "/v1/me/close", body, Some(&h.token)).await
}

/// `POST /v1/me/close` as `h` with the payment password `pin` and the code `otp`.
async fn close(app: &TestApp, h: &Holder, pin: &str, otp: &str) -> reqwest::Response {
    close_with(app, h, json!({"pin": pin, "otp": otp})).await
}

/// The blockers of a 409 `close_blocked`; panics on any other answer.
async fn blockers(r: reqwest::Response) -> Vec<CloseBlocker> {
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (409, "close_blocked"), "{p:?}");
    p.blockers.expect("close_blocked lists its blockers")
}

/// (kind, amount) of each blocker, in order.
fn kinds(found: &[CloseBlocker]) -> Vec<(&str, Option<i64>)> {
    found.iter().map(|b| (b.kind.as_str(), b.amount)).collect()
}

/// Logs in as `phone` with `password` from the device `device_id` (or a new one).
async fn log_in(app: &TestApp, phone: &str, password: &str) -> reqwest::Response {
    post(
        app,
        "/v1/sessions",
        json!({"phone": phone, "password": password}),
        None,
    )
    .await
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

/// `qianbao verify` over the app's storage: (clean, what it printed).
fn verify(app: &TestApp) -> (bool, String) {
    let out = qianbao(app, &["verify"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The holder's id, from `GET /v1/me`.
async fn user_id(app: &TestApp, h: &Holder) -> String {
    let (status, me) = answer(call(app, "GET", "/v1/me", None, Some(&h.token)).await).await;
    assert_eq!(status, 200, "{me}");
    me["user_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_empty_wallet_closes_every_session_ends_and_login_is_refused_but_its_records_stay() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let h = funded(&app, "张三", 1_000).await;
    let friend = open_l1_holder(&app).await;
    assert_eq!(transfer(&app, &h, &friend, 1_000).await.status(), 201);
    let id = user_id(&app, &h).await;
    // A second session, on a new device confirmed with its SMS code.
    let r = log_in(&app, &h.phone, PASSWORD).await;
    assert_eq!(refused(r).await, (401, "step_up_required".into()));
    clock.advance_s(61);
    let login_code = otp_for(&app, &h.phone, "login").await;
    let r = post(
        &app,
        "/v1/sessions",
        json!({"phone": h.phone, "password": PASSWORD, "otp": login_code}),
        None,
    )
    .await;
    let (status, second) = answer(r).await;
    assert_eq!(status, 201, "{second}");
    let second_token = second["token"].as_str().unwrap().to_string();

    let code = close_code(&app, &clock, &h).await;
    let (status, body) = answer(close(&app, &h, PIN, &code).await).await;
    assert_eq!((status, body), (200, json!({"status": "closed"})));

    for token in [h.token.as_str(), second_token.as_str()] {
        let r = call(&app, "GET", "/v1/me", None, Some(token)).await;
        assert_eq!(refused(r).await, (401, "unauthorized".into()));
    }
    let r = log_in(&app, &h.phone, PASSWORD).await;
    assert_eq!(refused(r).await, (403, "account_closed".into()));
    let r = log_in(&app, &h.phone, "Wr0ng-Horse-Battery").await;
    assert_eq!(
        refused(r).await.1,
        "invalid_credentials",
        "a wrong password learns nothing of the closing"
    );
    // The owner is told by SMS, and the movements stay with the old holder.
    let texts: Vec<String> = sms_to(&app, &h.phone)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(texts[0].contains("已注销"), "{texts:?}");
    let kept = stored_rows(&app)
        .await
        .into_iter()
        .filter(|row| row.starts_with("movements\t") && row.contains(&id))
        .count();
    assert!(kept >= 2, "the top-up and the transfer are kept: {kept}");
    assert_eq!(ledger_balance(&app, &h.wallet_id).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
    let (clean, out) = verify(&app);
    assert!(clean, "{out}");
}

#[tokio::test]
async fn every_kind_of_blocker_is_named_with_its_amount_and_closing_goes_through_once_all_are_gone()
{
    let (app, clock) = spawn_app_without_risk_rules().await;
    let h = funded(&app, "张三", 10_000).await;
    let payer = funded(&app, "李四", 10_000).await;
    let shop = open_merchant(&app, &h, "张记面馆").await;
    assert_eq!(
        pay(&app, &payer, &shop.static_qr, Some(990)).await.status(),
        201
    );
    let (takings, _) = merchant_balance(&app, &shop).await;
    assert!(takings > 0);
    let open = order(&app, &shop, 1_800).await;
    assert_eq!(open["status"], "open");
    let slow_card = bind_card(&app, &h, &debit_card_with("0005"), false).await;
    // The code first: asking for it waits out the resend limit, which would make the timers due.
    let code = close_code(&app, &clock, &h).await;
    // A transfer arriving in two hours, a withdrawal on its way, a top-up the bank has not answered.
    let (status, scheduled) = answer(
        money(
            &app,
            "/v1/transfers",
            json!({"to_wallet_id": payer.wallet_id, "amount": 3_000, "pin": PIN, "delay": "2h"}),
            &h.token,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{scheduled}");
    let (status, withdrawal) = answer(
        money(
            &app,
            "/v1/me/withdrawals",
            json!({"card_id": h.card_id, "amount": 1_000, "pin": PIN}),
            &h.token,
        )
        .await,
    )
    .await;
    assert_eq!((status, &withdrawal["status"]), (201, &json!("pending")));
    let (status, topup) = answer(
        money(
            &app,
            "/v1/me/topups",
            json!({"card_id": slow_card, "amount": 700, "pin": PIN}),
            &h.token,
        )
        .await,
    )
    .await;
    assert_eq!((status, &topup["status"]), (201, &json!("pending")));

    let found = blockers(close(&app, &h, PIN, &code).await).await;
    assert_eq!(
        kinds(&found),
        [
            ("balance", Some(6_000)),
            ("scheduled_transfer", Some(3_000)),
            ("hold", Some(1_000)),
            ("pending_topup", Some(700)),
            ("merchant_balance", Some(takings)),
            ("open_order", Some(1_800)),
        ]
    );
    let said = |kind: &str| found.iter().find(|b| b.kind == kind).unwrap().clone();
    assert!(
        said("balance").detail.contains("¥60.00"),
        "{:?}",
        said("balance")
    );
    assert!(
        said("balance").detail_zh.contains("提现"),
        "{:?}",
        said("balance")
    );
    let transfer_said = said("scheduled_transfer");
    assert!(
        transfer_said.detail.contains("scheduled for") && transfer_said.detail.contains("cancel"),
        "{transfer_said:?}"
    );
    assert!(
        said("open_order").detail.contains("牛肉面"),
        "{:?}",
        said("open_order")
    );
    assert!(found.iter().all(|b| b.currency.as_deref() == Some("CNY")));

    // Each is dealt with: the transfer cancelled, the bank's answers come, the takings settled,
    // the order expires, the balance withdrawn.
    let cancel = format!("/v1/transfers/{}/cancel", scheduled["id"].as_str().unwrap());
    assert_eq!(
        money(&app, &cancel, json!({}), &h.token).await.status(),
        200
    );
    clock.advance_s(10);
    let id = withdrawal["id"].as_str().unwrap();
    record_becomes(&app, &h.token, id, "succeeded", SETTLE).await;
    let id = topup["id"].as_str().unwrap();
    record_becomes(&app, &h.token, id, "succeeded", SETTLE).await;
    let settle = money(&app, "/v1/merchant/settlements", json!({}), &shop.api_key).await;
    assert_eq!(settle.status(), 201);
    let found = blockers(close(&app, &h, PIN, &code).await).await;
    assert_eq!(
        kinds(&found),
        [
            ("balance", Some(9_700)),
            ("merchant_balance", Some(takings)),
            ("open_order", Some(1_800)),
        ],
        "the settlement on its way still blocks: {found:?}"
    );
    clock.advance_s(16 * 60);
    settled(&app, &shop).await;
    let (status, all) = answer(
        money(
            &app,
            "/v1/me/withdrawals",
            json!({"card_id": h.card_id, "amount": 9_700, "pin": PIN}),
            &h.token,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{all}");
    clock.advance_s(10);
    record_becomes(
        &app,
        &h.token,
        all["id"].as_str().unwrap(),
        "succeeded",
        SETTLE,
    )
    .await;

    let code = close_code(&app, &clock, &h).await;
    let (status, body) = answer(close(&app, &h, PIN, &code).await).await;
    assert_eq!((status, body), (200, json!({"status": "closed"})));
    // The shop closed with its owner's wallet.
    let r = call(
        &app,
        "GET",
        "/v1/merchant/balance",
        None,
        Some(&shop.api_key),
    )
    .await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        pay(&app, &payer, &shop.static_qr, Some(100)).await.status(),
        422,
        "a closed shop takes no payment"
    );
    assert_ledger_clean(&ledger(&app).await).await;
    let (clean, out) = verify(&app);
    assert!(clean, "{out}");
}

/// Waits until the shop's balance, held part included, is zero: its settlement was paid out.
async fn settled(app: &TestApp, shop: &Merchant) {
    let deadline = std::time::Instant::now() + SETTLE;
    while merchant_balance(app, shop).await != (0, 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the settlement was not paid out"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn wrong_payment_passwords_and_codes_count_as_everywhere_and_change_nothing() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l1_holder(&app).await;
    let code = close_code(&app, &clock, &h).await;
    let wrong_code = if code == "000000" { "111111" } else { "000000" };

    let (status, p) = problem(close(&app, &h, WRONG_PIN, &code).await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "pin_incorrect", Some(4))
    );
    let (status, p) = problem(close(&app, &h, PIN, wrong_code).await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (400, "otp_invalid", Some(4))
    );
    let (status, p) = problem(close_with(&app, &h, json!({"pin": PIN})).await).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (400, "otp_invalid", None)
    );
    // A code of another purpose is not a closing's.
    clock.advance_s(61);
    let step_up = otp_for(&app, &h.phone, "step_up").await;
    if step_up != code {
        let (status, p) = problem(close(&app, &h, PIN, &step_up).await).await;
        assert_eq!(
            (status, p.code.as_str(), p.attempts_left),
            (400, "otp_invalid", Some(3))
        );
    }
    let r = close_with(&app, &h, json!({"otp": code})).await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    let r = close_with(&app, &h, json!({"password": PASSWORD, "otp": code})).await;
    assert_eq!(
        refused(r).await,
        (422, "pin_required".into()),
        "a wallet with a payment password proves it with that"
    );
    let r = call(&app, "GET", "/v1/me", None, Some(&h.token)).await;
    assert_eq!(answer(r).await.1["status"], "active");

    // A code past its five minutes is expired; wrong payment passwords lock payments too.
    clock.advance_s(301);
    let r = close(&app, &h, PIN, &code).await;
    assert_eq!(refused(r).await, (400, "otp_expired".into()));
    for left in [4, 3, 2, 1] {
        let (status, p) = problem(close(&app, &h, WRONG_PIN, &code).await).await;
        assert_eq!((status, p.attempts_left), (401, Some(left)));
    }
    let (status, p) = problem(close(&app, &h, WRONG_PIN, &code).await).await;
    assert_eq!((status, p.code.as_str()), (423, "pin_locked"));
    assert!(p.retry_after.is_some_and(|s| s > 0));
    let code = close_code(&app, &clock, &h).await;
    let r = close(&app, &h, PIN, &code).await;
    assert_eq!(refused(r).await, (423, "pin_locked".into()));
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_phone": random_phone(), "amount": 1, "pin": PIN}),
        &h.token,
    )
    .await;
    assert_eq!(
        refused(r).await,
        (423, "pin_locked".into()),
        "one lock for both"
    );
}

#[tokio::test]
async fn a_wallet_without_a_payment_password_closes_with_the_login_password() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = signed_up(&app).await;
    let code = close_code(&app, &clock, &h).await;
    let r = close_with(
        &app,
        &h,
        json!({"password": "Wr0ng-Horse-Battery", "otp": code}),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p.code.as_str(), p.attempts_left),
        (401, "invalid_credentials", Some(4))
    );
    let r = close(&app, &h, PIN, &code).await;
    assert_eq!(refused(r).await, (403, "pin_not_set".into()));
    let r = close_with(&app, &h, json!({"password": PASSWORD, "otp": code})).await;
    assert_eq!(r.status(), 200);
    let r = log_in(&app, &h.phone, PASSWORD).await;
    assert_eq!(refused(r).await, (403, "account_closed".into()));
}

#[tokio::test]
async fn a_refused_closing_leaves_its_code_for_the_next_try() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let h = funded(&app, "张三", 100).await;
    let friend = open_l1_holder(&app).await;
    let code = close_code(&app, &clock, &h).await;
    let found = blockers(close(&app, &h, PIN, &code).await).await;
    assert_eq!(kinds(&found), [("balance", Some(100))]);
    assert!(found[0].detail.contains("¥1.00"), "{found:?}");
    assert!(found[0].detail_zh.contains("¥1.00"), "{found:?}");
    assert_eq!(transfer(&app, &h, &friend, 100).await.status(), 201);
    let (status, body) = answer(close(&app, &h, PIN, &code).await).await;
    assert_eq!((status, body), (200, json!({"status": "closed"})));
    let again = post(
        &app,
        "/v1/me/close",
        json!({"pin": PIN, "otp": code}),
        Some(&friend.token),
    )
    .await;
    assert_eq!(
        refused(again).await,
        (400, "otp_invalid".into()),
        "another holder's code is no code of theirs"
    );
}

#[tokio::test]
async fn a_frozen_wallet_is_not_closed() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l1_holder(&app).await;
    assert_eq!(
        post(&app, "/v1/me/freeze", json!({}), Some(&h.token))
            .await
            .status(),
        200
    );
    let code = close_code(&app, &clock, &h).await;
    let r = close(&app, &h, PIN, &code).await;
    assert_eq!(refused(r).await, (403, "account_frozen".into()));
    let r = call(&app, "GET", "/v1/me", None, Some(&h.token)).await;
    assert_eq!(answer(r).await.1["status"], "frozen");
}

#[tokio::test]
async fn money_sent_to_a_closed_wallet_is_refused_as_an_invalid_payee_by_every_way_in() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let h = funded(&app, "张三", 500).await;
    let friend = funded(&app, "李四", 10_000).await;
    let owner = open_l1_holder(&app).await;
    let shop = open_merchant(&app, &owner, "王记超市").await;
    let (status, paid) = answer(pay(&app, &h, &shop.static_qr, Some(500)).await).await;
    assert_eq!(status, 201, "{paid}");
    let receive = call(&app, "GET", "/v1/me/receive-code", None, Some(&h.token)).await;
    let receive: Value = receive.json().await.unwrap();
    let code = close_code(&app, &clock, &h).await;
    assert_eq!(close(&app, &h, PIN, &code).await.status(), 200);

    let by_wallet = transfer(&app, &friend, &h, 100).await;
    assert_eq!(refused(by_wallet).await, (422, "invalid_payee".into()));
    let by_phone = money(
        &app,
        "/v1/transfers",
        json!({"to_phone": h.phone, "amount": 100, "pin": PIN}),
        &friend.token,
    )
    .await;
    assert_eq!(refused(by_phone).await, (422, "invalid_payee".into()));
    let scanned = pay(
        &app,
        &friend,
        receive["payload"].as_str().unwrap(),
        Some(100),
    )
    .await;
    assert_eq!(refused(scanned).await, (422, "invalid_payee".into()));
    let refund = money(
        &app,
        "/v1/merchant/refunds",
        json!({"payment_id": paid["payment_id"], "amount": 500}),
        &shop.api_key,
    )
    .await;
    assert_eq!(refused(refund).await, (422, "invalid_payee".into()));
    let look_up = call(
        &app,
        "GET",
        &format!("/v1/payees?phone={}", h.phone.replace('+', "%2B")),
        None,
        Some(&friend.token),
    )
    .await;
    assert_eq!(look_up.status(), 404);
    let look_up = call(
        &app,
        "GET",
        &format!("/v1/payees?wallet_id={}", h.wallet_id),
        None,
        Some(&friend.token),
    )
    .await;
    assert_eq!(
        look_up.status(),
        404,
        "a closed wallet is no payee to confirm"
    );
    assert_eq!(ledger_balance(&app, &h.wallet_id).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_delayed_transfer_to_a_wallet_closed_meanwhile_goes_back_to_its_payer() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let payer = funded(&app, "李四", 5_000).await;
    let h = open_l1_holder(&app).await;
    let (status, scheduled) = answer(
        money(
            &app,
            "/v1/transfers",
            json!({"to_wallet_id": h.wallet_id, "amount": 2_000, "pin": PIN, "delay": "2h"}),
            &payer.token,
        )
        .await,
    )
    .await;
    assert_eq!((status, &scheduled["status"]), (201, &json!("scheduled")));
    // Money on its way in is the payer's until it arrives: it does not keep the wallet open.
    let code = close_code(&app, &clock, &h).await;
    assert_eq!(close(&app, &h, PIN, &code).await.status(), 200);
    clock.advance_s(2 * 3_600 + 10);
    let id = scheduled["id"].as_str().unwrap();
    record_becomes(&app, &payer.token, id, "failed", SETTLE).await;
    assert_eq!(
        crate::money_helpers::balance(&app, &payer.token).await,
        (5_000, 0)
    );
    assert_eq!(ledger_balance(&app, &h.wallet_id).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn the_phone_opens_a_new_wallet_only_after_the_cooling_off_and_the_old_records_stay_apart() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let h = funded(&app, "张三", 1_000).await;
    let friend = open_l1_holder(&app).await;
    assert_eq!(transfer(&app, &h, &friend, 1_000).await.status(), 201);
    let old_id = user_id(&app, &h).await;
    let code = close_code(&app, &clock, &h).await;
    assert_eq!(close(&app, &h, PIN, &code).await.status(), 200);

    // During the cooling-off the phone's owner (who has its code) is told when it ends.
    clock.advance_s(DAY_S);
    let signup = code_of(&app, &clock, &h.phone, "signup").await;
    let body = json!({"phone": h.phone, "otp": signup, "password": PASSWORD});
    let (status, p) = problem(post(&app, "/v1/signup", body, None).await).await;
    assert_eq!((status, p.code.as_str()), (409, "phone_cooling_off"));
    let wait = p.retry_after.expect("phone_cooling_off says how long");
    assert!(
        (28 * DAY_S..=29 * DAY_S).contains(&i64::try_from(wait).unwrap()),
        "{wait}"
    );
    // After it, the phone opens a new wallet; the person verifies it with the same ID number and
    // binds the card of the old one.
    clock.advance_s(29 * DAY_S);
    let signup = code_of(&app, &clock, &h.phone, "signup").await;
    let body = json!({"phone": h.phone, "otp": signup, "password": PASSWORD});
    let (status, made) = answer(post(&app, "/v1/signup", body, None).await).await;
    assert_eq!(status, 201, "{made}");
    assert_ne!(made["wallet_id"], json!(h.wallet_id));
    assert_ne!(made["user_id"], json!(old_id));
    let token = made["token"].as_str().unwrap();
    let r = post(
        &app,
        "/v1/me/identity",
        json!({"name": h.name, "id_number": h.id_number}),
        Some(token),
    )
    .await;
    assert_eq!(
        r.status(),
        200,
        "the ID number was freed with the old wallet"
    );
    let new_wallet = made["wallet_id"].as_str().unwrap();
    let r = call(&app, "GET", "/v1/me", None, Some(token)).await;
    let (status, me) = answer(r).await;
    assert_eq!(
        (status, me["phone"].as_str()),
        (200, Some(h.phone.as_str()))
    );
    assert_eq!(me["kyc_level"], 1);
    // Money reaches the new wallet by phone; the old one's records stay with the old holder.
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_phone": h.phone, "amount": 100, "pin": friend.pin}),
        &friend.token,
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(ledger_balance(&app, new_wallet).await, (100, 0));
    assert_eq!(ledger_balance(&app, &h.wallet_id).await, (0, 0));
    let rows = stored_rows(&app).await;
    assert!(
        rows.iter()
            .any(|row| row.starts_with("movements\t") && row.contains(&old_id)),
        "the old wallet's records are kept"
    );
    let (status, records) =
        answer(call(&app, "GET", "/v1/me/transactions", None, Some(token)).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        records["items"].as_array().map(Vec::len),
        Some(1),
        "the new wallet shows only its own: {records}"
    );
    let r = log_in(&app, &h.phone, PASSWORD).await;
    assert_eq!(
        refused(r).await,
        (401, "step_up_required".into()),
        "the phone logs in to the new wallet (from a new device), not the closed one"
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_second_wallet_of_a_person_binds_the_card_of_the_first_once_it_is_closed() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let h = open_l2_holder_named(&app, "张三").await;
    let number = debit_card_with("1234");
    let second_card = bind_card(&app, &h, &number, false).await;
    assert!(!second_card.is_empty());
    let code = close_code(&app, &clock, &h).await;
    assert_eq!(close(&app, &h, PIN, &code).await.status(), 200);
    clock.advance_s(31 * DAY_S);
    let mut again = signed_up(&app).await;
    let r = post(
        &app,
        "/v1/me/identity",
        json!({"name": h.name, "id_number": h.id_number}),
        Some(&again.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    again.name = h.name.clone();
    again.id_number = h.id_number.clone();
    let rebound = bind_card(&app, &again, &number, false).await;
    assert_ne!(
        rebound, second_card,
        "a new binding of the card the closing unbound"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_closing_raced_by_incoming_transfers_closes_empty_or_does_not_close() {
    let (app, clock) = spawn_app_without_risk_rules().await;
    let mut payers = Vec::new();
    for name in ["张三", "李四", "王五", "赵六"] {
        payers.push(funded(&app, name, 100_000).await);
    }
    let (mut closed, mut kept) = (0, 0);
    for _round in 0..6 {
        let target = open_l1_holder(&app).await;
        let code = close_code(&app, &clock, &target).await;
        let mut tasks = tokio::task::JoinSet::new();
        {
            let (client, url) = (app.client.clone(), format!("{}/v1/me/close", app.address));
            let (token, code) = (target.token.clone(), code.clone());
            tasks.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"pin": PIN, "otp": code}))
                    .send()
                    .await
                    .unwrap();
                (
                    "close",
                    r.status().as_u16(),
                    r.json::<Value>().await.unwrap(),
                )
            });
        }
        for payer in &payers {
            let (client, url) = (app.client.clone(), format!("{}/v1/transfers", app.address));
            let (token, to) = (payer.token.clone(), target.wallet_id.clone());
            tasks.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", idem())
                    .json(&json!({"to_wallet_id": to, "amount": 100, "pin": PIN}))
                    .send()
                    .await
                    .unwrap();
                (
                    "transfer",
                    r.status().as_u16(),
                    r.json::<Value>().await.unwrap(),
                )
            });
        }
        let (mut closing, mut arrived) = (None, 0);
        while let Some(done) = tasks.join_next().await {
            match done.unwrap() {
                ("close", status, body) => closing = Some((status, body)),
                (_, 201, _) => arrived += 1,
                (_, 422, body) => assert_eq!(body["code"], "invalid_payee", "{body}"),
                (_, status, body) => panic!("a transfer answered {status}: {body}"),
            }
        }
        let (status, body) = closing.unwrap();
        let (balance, held) = ledger_balance(&app, &target.wallet_id).await;
        assert_eq!(held, 0);
        match status {
            200 => {
                closed += 1;
                assert_eq!(
                    (arrived, balance),
                    (0, 0),
                    "closed with money inside: {body}"
                );
            }
            409 => {
                kept += 1;
                assert_eq!(body["code"], "close_blocked", "{body}");
                assert!(arrived > 0, "refused without a reason: {body}");
                assert_eq!(balance, 100 * arrived, "{body}");
                assert_eq!(body["blockers"][0]["kind"], "balance", "{body}");
            }
            other => panic!("the closing answered {other}: {body}"),
        }
    }
    eprintln!("closed {closed}, kept open {kept}");
    assert_ledger_clean(&ledger(&app).await).await;
    let (clean, out) = verify(&app);
    assert!(clean, "{out}");
}

#[tokio::test]
async fn an_open_red_packet_keeps_the_wallet_open_until_it_is_claimed_or_comes_back() {
    let (app, clock) = crate::helpers::spawn_app_with_clock().await;
    let h = crate::money_helpers::funded(&app, "令狐冲", 1_000).await;
    let (status, sent) = answer(
        money(
            &app,
            "/v1/red-packets",
            json!({"amount": 1_000, "shares": 2, "split": "even", "pin": PIN}),
            &h.token,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    let code = close_code(&app, &clock, &h).await;
    let found = blockers(close(&app, &h, PIN, &code).await).await;
    assert_eq!(kinds(&found), [("open_red_packet", Some(1_000))]);
    assert!(found[0].detail_zh.contains("红包"), "{:?}", found[0]);
}
