//! What an outside attack on the running server found, each as the attack that found it: a payout
//! stuck for ever by unbinding its card, identity guesses during recovery, which phones have
//! wallets, piles of payment codes and random ones, a frozen owner's refunds, and names that pose
//! as others. Each test fails without its fix. They run on SQLite here and on PostgreSQL in
//! `api_postgres`.

use crate::helpers::{
    TestApp, TestClock, call, card_number, id_number, problem, random_phone, spawn_app,
    spawn_app_with_clock, spawn_app_with_policy,
};
use crate::money_helpers::{
    Holder, answer, available, balance, charge, inbox, keyed, ledger, money, open_l1_holder,
    open_l2_holder, open_merchant, order, otp_for, pay, payment_code, record_becomes, sms_to,
    topup,
};
use qianbao_server::policy::Policy;
use serde_json::{Value, json};
use std::time::Duration;

/// Asks for a code once the clock has moved past the 60 s resend limit, as a person would wait.
async fn code(app: &TestApp, clock: &TestClock, phone: &str, purpose: &str) -> String {
    clock.advance_s(61);
    otp_for(app, phone, purpose).await
}

/// Runs `sql` on the app's storage directly: the state an older version could leave behind.
async fn exec_sql(app: &TestApp, sql: &str) {
    match &app.database {
        None => {
            let conn = rusqlite::Connection::open(app.dir.join("qianbao.db")).unwrap();
            conn.execute_batch(sql).unwrap();
        }
        Some(db) => {
            let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.batch_execute(sql).await.unwrap();
        }
    }
}

/// The app with the sandbox's policy changed by `change`, and a clock the test moves.
async fn spawn_with_policy(
    change: impl FnOnce(&mut Policy),
) -> (TestApp, std::sync::Arc<TestClock>) {
    let mut policy = Policy::defaults(true);
    change(&mut policy);
    spawn_app_with_policy(Some(policy)).await
}

/// Withdraws `amount` to the holder's card; the payout waits for its timer.
async fn withdraw(app: &TestApp, h: &Holder, amount: i64) -> String {
    let r = money(
        app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": amount, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, body) = answer(r).await;
    assert!(status == 201 || status == 202, "{status} {body}");
    assert_eq!(body["status"], "pending", "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn unbind(app: &TestApp, h: &Holder) -> reqwest::Response {
    call(
        app,
        "POST",
        &format!("/v1/me/cards/{}/unbind", h.card_id),
        Some(json!({"pin": h.pin})),
        Some(&h.token),
    )
    .await
}

#[tokio::test]
async fn a_card_with_a_payout_on_its_way_cannot_be_unbound_until_it_arrives() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l2_holder(&app).await;
    topup(&app, &h, 10_000).await;
    let id = withdraw(&app, &h, 3_000).await;
    let (status, p) = problem(unbind(&app, &h).await).await;
    assert_eq!((status, p.code.as_str()), (409, "card_in_use"), "{p:?}");
    assert!(p.detail.contains("withdrawal of ¥30.00"), "{}", p.detail);
    clock.advance_s(10);
    record_becomes(&app, &h.token, &id, "succeeded", Duration::from_secs(20)).await;
    let r = unbind(&app, &h).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_payout_whose_card_is_gone_fails_and_its_hold_is_released() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l2_holder(&app).await;
    topup(&app, &h, 10_000).await;
    let id = withdraw(&app, &h, 3_000).await;
    assert_eq!(balance(&app, &h.token).await, (7_000, 3_000));
    // What unbinding did before it was refused: the card's token gone while the payout waited.
    exec_sql(
        &app,
        &format!(
            "UPDATE cards SET status = 'unbound', token_sealed = NULL WHERE id = '{}'",
            h.card_id
        ),
    )
    .await;
    clock.advance_s(10);
    record_becomes(&app, &h.token, &id, "failed", Duration::from_secs(20)).await;
    assert_eq!(balance(&app, &h.token).await, (10_000, 0));
    let told = inbox(&app, &h.token).await;
    assert!(
        told.iter()
            .any(|n| n["body"].as_str().unwrap_or("").contains("已解绑")),
        "{told:?}"
    );
    crate::money_helpers::assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn verify_reports_a_pending_hold_that_nothing_will_finish() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = open_l2_holder(&app).await;
    topup(&app, &h, 10_000).await;
    withdraw(&app, &h, 3_000).await;
    crate::money_helpers::assert_ledger_clean(&ledger(&app).await).await;
    exec_sql(&app, "DELETE FROM timers").await;
    let report = ledger(&app).await.verify().await.unwrap();
    assert!(!report.is_clean(), "{report}");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("no timer left to finish it")),
        "{report}"
    );
}

/// Sends a password reset for `h`'s phone with `otp` and `id`.
async fn reset_password(app: &TestApp, h: &Holder, otp: &str, id: &str) -> reqwest::Response {
    let body = json!({"phone": h.phone, "otp": otp, "id_number": id,
        "new_password": "An0ther-Good-One"});
    call(app, "POST", "/v1/password/reset", Some(body), None).await
}

#[tokio::test]
async fn wrong_id_numbers_use_up_the_reset_code_and_then_the_phone_s_allowance() {
    // An allowance above one code's tries, so that each limit shows on its own.
    let (app, clock) = spawn_with_policy(|p| p.opening.recovery_wrong_daily_max = 8).await;
    let h = open_l1_holder(&app).await;
    let c = code(&app, &clock, &h.phone, "reset_password").await;
    // The attacker knows the birth date and area, and walks the sequence.
    for (i, left) in [4, 3, 2, 1, 0].into_iter().enumerate() {
        let guess = id_number("19900307", &format!("{:03}", 500 + i));
        let (status, p) = problem(reset_password(&app, &h, &c, &guess).await).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "identity_mismatch"),
            "{p:?}"
        );
        assert_eq!(p.attempts_left, Some(left), "{p:?}");
    }
    // The code died with its fifth wrong answer: even the right ID number gets nothing from it.
    let r = reset_password(&app, &h, &c, &h.id_number).await;
    assert_eq!(problem(r).await.1.code, "otp_invalid");
    // A new code buys only what is left of the phone's day: three more guesses.
    let c = code(&app, &clock, &h.phone, "reset_password").await;
    for i in 0..3 {
        let guess = id_number("19900307", &format!("{:03}", 600 + i));
        let r = reset_password(&app, &h, &c, &guess).await;
        assert_eq!(problem(r).await.1.code, "identity_mismatch");
    }
    let r = reset_password(&app, &h, &c, &h.id_number).await;
    let retry = r.headers().get("retry-after").cloned();
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (429, "rate_limited"), "{p:?}");
    assert!(retry.is_some() && p.retry_after.unwrap_or(0) > 0, "{p:?}");
    // A day later the owner, with the right answer, gets in.
    clock.advance_s(24 * 3600);
    let c = code(&app, &clock, &h.phone, "reset_password").await;
    let r = reset_password(&app, &h, &c, &h.id_number).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_pin_reset_counts_wrong_card_and_id_numbers_against_its_code() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l2_holder(&app).await;
    let c = code(&app, &clock, &h.phone, "reset_pin").await;
    for left in [4, 3, 2, 1, 0] {
        let body = json!({"otp": c, "id_number": h.id_number,
            "card_number": card_number("622202", 19), "pin": "803571"});
        let r = call(&app, "POST", "/v1/me/pin/reset", Some(body), Some(&h.token)).await;
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "identity_mismatch"),
            "{p:?}"
        );
        assert_eq!(p.attempts_left, Some(left), "{p:?}");
    }
    let c = code(&app, &clock, &h.phone, "reset_pin").await;
    let body = json!({"otp": c, "id_number": h.id_number, "card_number": "x", "pin": "803571"});
    let r = call(&app, "POST", "/v1/me/pin/reset", Some(body), Some(&h.token)).await;
    assert_eq!(problem(r).await.1.code, "rate_limited");
}

#[tokio::test]
async fn unfreezing_soon_after_a_password_reset_waits_and_tells_the_owner() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l1_holder(&app).await;
    let r = call(
        &app,
        "POST",
        "/v1/me/freeze",
        Some(json!({})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    // The thief holds the phone: a reset code, and the ID number (guessed, or known).
    let c = code(&app, &clock, &h.phone, "reset_password").await;
    let new_password = "An0ther-Good-One";
    let body =
        json!({"phone": h.phone, "otp": c, "id_number": h.id_number, "new_password": new_password});
    let r = call(&app, "POST", "/v1/password/reset", Some(body), None).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let login = json!({"phone": h.phone, "password": new_password, "device_id": "thief"});
    let c = code(&app, &clock, &h.phone, "login").await;
    let mut with_code = login.clone();
    with_code["otp"] = json!(c);
    let (status, session) =
        answer(call(&app, "POST", "/v1/sessions", Some(with_code), None).await).await;
    assert_eq!(status, 201, "{session}");
    let token = session["token"].as_str().unwrap().to_string();
    let c = code(&app, &clock, &h.phone, "unfreeze").await;
    let unfreeze =
        |otp: &str| json!({"otp": otp, "id_number": h.id_number, "password": new_password});
    let r = call(
        &app,
        "POST",
        "/v1/me/unfreeze",
        Some(unfreeze(&c)),
        Some(&token),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p.code.as_str()),
        (403, "unfreeze_waiting"),
        "{p:?}"
    );
    assert!(p.retry_after.unwrap() > 23 * 3600, "{p:?}");
    let texted = sms_to(&app, &h.phone).await;
    assert!(
        texted[0]["text"].as_str().unwrap().contains("解冻"),
        "{texted:?}"
    );
    assert!(
        inbox(&app, &token)
            .await
            .iter()
            .any(|n| n["kind"] == "security")
    );
    let me: Value = call(&app, "GET", "/v1/me", None, Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["status"], "frozen");
    // Once the waiting period is over, the same proofs unfreeze it.
    clock.advance_s(24 * 3600);
    let c = code(&app, &clock, &h.phone, "unfreeze").await;
    let r = call(
        &app,
        "POST",
        "/v1/me/unfreeze",
        Some(unfreeze(&c)),
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// The answers to five wrong passwords for `phone` on `path`: (status, code, attempts_left).
async fn wrong_passwords(
    app: &TestApp,
    path: &str,
    phone: &str,
) -> Vec<(u16, String, Option<u32>)> {
    let mut seen = Vec::new();
    for _ in 0..5 {
        let body = json!({"phone": phone, "password": "Wrong-Password-9"});
        let (status, p) = problem(call(app, "POST", path, Some(body), None).await).await;
        seen.push((status, p.code, p.attempts_left));
    }
    seen
}

#[tokio::test]
async fn a_wrong_password_answers_the_same_whether_or_not_the_phone_has_a_wallet() {
    let app = spawn_app().await;
    for path in ["/v1/sessions", "/v1/freeze"] {
        let holder = crate::money_helpers::signed_up(&app).await;
        let nobody = random_phone();
        let with_wallet = wrong_passwords(&app, path, &holder.phone).await;
        let without = wrong_passwords(&app, path, &nobody).await;
        assert_eq!(with_wallet, without, "{path}");
        assert_eq!(
            with_wallet[0],
            (401, "invalid_credentials".into(), Some(4)),
            "{path}"
        );
        assert_eq!(with_wallet[4], (423, "login_locked".into(), None), "{path}");
    }
}

async fn look_up(app: &TestApp, h: &Holder, phone: &str) -> reqwest::Response {
    let path = format!("/v1/payees?phone={}", phone.replace('+', "%2B"));
    call(app, "GET", &path, None, Some(&h.token)).await
}

#[tokio::test]
async fn payee_look_ups_are_limited_per_holder_and_per_address() {
    let (app, _clock) = spawn_with_policy(|p| {
        p.money.payee_lookups_per_holder_hourly_max = Some(3);
        p.money.payee_lookups_per_ip_hourly_max = Some(5);
    })
    .await;
    let (a, b) = (open_l1_holder(&app).await, open_l1_holder(&app).await);
    for _ in 0..3 {
        assert_eq!(look_up(&app, &a, &b.phone).await.status(), 200);
    }
    let r = look_up(&app, &a, &b.phone).await;
    assert!(r.headers().get("retry-after").is_some());
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (429, "rate_limited"), "{p:?}");
    // Unknown phones count too: the limit is on asking, not on finding.
    assert_eq!(look_up(&app, &b, &random_phone()).await.status(), 404);
    assert_eq!(look_up(&app, &b, &a.phone).await.status(), 200);
    // The address has made its five; a third holder from it is refused at once.
    let c = open_l1_holder(&app).await;
    assert_eq!(
        problem(look_up(&app, &c, &a.phone).await).await.1.code,
        "rate_limited"
    );
}

#[tokio::test]
async fn a_new_payment_code_retires_the_older_one() {
    let app = spawn_app().await;
    let payer = open_l2_holder(&app).await;
    topup(&app, &payer, 10_000).await;
    let owner = open_l1_holder(&app).await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let first = payment_code(&app, &payer).await;
    let second = payment_code(&app, &payer).await;
    let (status, p) = problem(charge(&app, &shop, &first, 100, None).await).await;
    assert_eq!(
        (status, p.code.as_str()),
        (422, "payment_code_invalid"),
        "{p:?}"
    );
    assert_eq!(charge(&app, &shop, &second, 100, None).await.status(), 201);
    assert_eq!(available(&app, &payer.token).await, 9_900);
}

#[tokio::test]
async fn random_payment_codes_are_throttled_per_merchant() {
    // Codes that outlive the throttle's minute, so the same charge can be tried again after it.
    let (app, clock) = spawn_with_policy(|p| p.money.payment_code_ttl_ms = 600_000).await;
    let payer = open_l2_holder(&app).await;
    topup(&app, &payer, 10_000).await;
    let owner = open_l1_holder(&app).await;
    let (guesser, honest) = (
        open_merchant(&app, &owner, "猜码店").await,
        open_merchant(&app, &owner, "老实店").await,
    );
    for i in 0..10 {
        let guess = format!("28{:016}", 1_234_567 + i);
        let (status, p) = problem(charge(&app, &guesser, &guess, 100, None).await).await;
        assert_eq!((status, p.code.as_str()), (422, "payment_code_invalid"));
    }
    let live = payment_code(&app, &payer).await;
    // Even a live code is refused while the merchant is over its limit, and nothing moves.
    let body = json!({"payment_code": live, "amount": 100});
    let key = crate::money_helpers::idem();
    let r = keyed(
        &app,
        "/v1/merchant/charges",
        body.clone(),
        &guesser.api_key,
        &key,
    )
    .await;
    assert!(r.headers().get("retry-after").is_some());
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (429, "rate_limited"), "{p:?}");
    // So is asking with a PIN, which would tell whose code it is.
    let r = charge(&app, &guesser, &live, 100, Some(&payer.pin)).await;
    assert_eq!(problem(r).await.1.code, "rate_limited");
    assert_eq!(available(&app, &payer.token).await, 10_000);
    // The limit passes with its minute, and a 429 is not kept with the key: the same request
    // under the same key is then charged, not answered 429 again.
    clock.advance_s(61);
    let r = keyed(&app, "/v1/merchant/charges", body, &guesser.api_key, &key).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(available(&app, &payer.token).await, 9_900);
    let fresh = payment_code(&app, &payer).await;
    assert_eq!(charge(&app, &honest, &fresh, 100, None).await.status(), 201);
}

#[tokio::test]
async fn a_frozen_owner_s_shop_cannot_refund() {
    let app = spawn_app().await;
    let payer = open_l2_holder(&app).await;
    topup(&app, &payer, 10_000).await;
    let owner = open_l1_holder(&app).await;
    let shop = open_merchant(&app, &owner, "面馆").await;
    let o = order(&app, &shop, 2_000).await;
    let (status, paid) =
        answer(pay(&app, &payer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{paid}");
    let r = call(
        &app,
        "POST",
        "/v1/me/freeze",
        Some(json!({})),
        Some(&owner.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let refund = json!({"payment_id": paid["payment_id"], "amount": 2_000});
    let (status, p) =
        problem(money(&app, "/v1/merchant/refunds", refund, &shop.api_key).await).await;
    assert_eq!((status, p.code.as_str()), (403, "account_frozen"), "{p:?}");
    assert_eq!(available(&app, &payer.token).await, 8_000);
}

#[tokio::test]
async fn names_and_memos_that_hide_characters_are_refused_at_their_field() {
    let app = spawn_app().await;
    let owner = open_l2_holder(&app).await;
    topup(&app, &owner, 10_000).await;
    let friend = open_l1_holder(&app).await;
    let hidden = [
        "\u{202e}",
        "\u{2066}",
        "\u{2067}",
        "\u{2068}",
        "\u{2069}",
        "\u{061c}",
        "\u{200b}",
        "\u{200d}",
        "\u{feff}",
        "\u{e0041}",
    ];
    for c in hidden {
        let name = format!("银行{c}客服");
        let body = json!({"name": name, "category": "restaurant"});
        let (status, p) = problem(
            call(
                &app,
                "POST",
                "/v1/merchants",
                Some(body),
                Some(&owner.token),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, p.field.as_deref()),
            (422, Some("name")),
            "{c:?} {p:?}"
        );
        let memo = json!({"to_phone": friend.phone, "amount": 1, "pin": owner.pin, "memo": format!("饭钱{c}")});
        let (status, p) = problem(money(&app, "/v1/transfers", memo, &owner.token).await).await;
        assert_eq!(
            (status, p.field.as_deref()),
            (422, Some("memo")),
            "{c:?} {p:?}"
        );
    }
    let only_bom = json!({"name": "\u{feff}", "category": "restaurant"});
    let (status, p) = problem(
        call(
            &app,
            "POST",
            "/v1/merchants",
            Some(only_bom),
            Some(&owner.token),
        )
        .await,
    )
    .await;
    assert_eq!((status, p.field.as_deref()), (422, Some("name")));
    let shop = open_merchant(&app, &owner, "面馆").await;
    let body = json!({"amount": 100, "description": "牛肉面\u{202e}"});
    let (status, p) = problem(
        call(
            &app,
            "POST",
            "/v1/merchant/orders",
            Some(body),
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!((status, p.field.as_deref()), (422, Some("description")));
    let refund = json!({"payment_id": "x", "amount": 1, "reason": "退款\u{200b}"});
    let (status, p) =
        problem(money(&app, "/v1/merchant/refunds", refund, &shop.api_key).await).await;
    assert_eq!((status, p.field.as_deref()), (422, Some("reason")));
    // Nothing was moved by the refused transfers.
    assert_eq!(available(&app, &owner.token).await, 10_000);
}
