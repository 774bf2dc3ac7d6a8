//! Bill payment over HTTP (生活缴费) against the sandbox billers: the list, look-ups and each
//! test account's answer, paying with the PIN (the balance down by exactly the bill, the record
//! and its receipt), a bill paid once whatever the keys and however they race, the lost
//! confirmation reconciled once by the timer, the refusal after the money left refunded, saved
//! billers and auto-pay under and over its cap — and the ledger clean after each.

use crate::helpers::{TestApp, TestClock, call, problem, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, SETTLE, answer, assert_ledger_clean, available, funded, inbox, keyed, ledger, record,
    record_becomes, records,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// An ordinary sandbox account: a bill of ¥20.00–¥299.99 for last month.
const ORDINARY: &str = "62010012345";

async fn lookup(app: &TestApp, h: &Holder, biller: &str, account: &str) -> reqwest::Response {
    call(
        app,
        "GET",
        &format!("/v1/bills/lookup?biller={biller}&account={account}"),
        None,
        Some(&h.token),
    )
    .await
}

/// The bill due on `account` at 兰州's water company, which must be found.
async fn bill(app: &TestApp, h: &Holder, account: &str) -> Value {
    let (status, body) = answer(lookup(app, h, "lz-water", account).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `h` pays `bill_id` with their PIN under `key`.
async fn pay(app: &TestApp, h: &Holder, bill_id: &str, key: &str) -> reqwest::Response {
    keyed(
        app,
        &format!("/v1/bills/{bill_id}/pay"),
        json!({"pin": h.pin}),
        &h.token,
        key,
    )
    .await
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn holder(app: &TestApp) -> Holder {
    funded(app, "缴费人", 100_000).await
}

#[tokio::test]
async fn the_billers_cover_water_electricity_gas_and_phone_in_several_cities() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let (status, body) = answer(call(&app, "GET", "/v1/billers", None, Some(&h.token)).await).await;
    assert_eq!(status, 200, "{body}");
    let billers = body["billers"].as_array().unwrap();
    for kind in ["water", "electricity", "gas", "phone"] {
        assert!(billers.iter().any(|b| b["kind"] == kind), "{kind}: {body}");
    }
    assert!(billers.iter().any(|b| b["city"] == "兰州"), "{body}");
    let anonymous = call(&app, "GET", "/v1/billers", None, None).await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_bill_paid_with_the_pin_takes_exactly_its_amount_and_shows_in_the_records() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let before = available(&app, &h.token).await;
    let b = bill(&app, &h, ORDINARY).await;
    let amount = b["amount"].as_i64().unwrap();
    assert!(amount > 0, "{b}");
    assert_eq!(b["account"], "****2345");
    assert!(b["masked_name"].as_str().unwrap().contains('*'), "{b}");
    assert!(!b["period"].as_str().unwrap().is_empty(), "{b}");

    let (status, paid) = answer(pay(&app, &h, b["bill_id"].as_str().unwrap(), &key()).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["status"], "succeeded", "{paid}");
    assert_eq!(paid["amount"], amount);
    assert_eq!(available(&app, &h.token).await, before - amount);

    let id = paid["id"].as_str().unwrap();
    let m = record(&app, &h.token, id).await;
    assert_eq!(m["type"], "bill", "{m}");
    assert_eq!(m["direction"], "out");
    assert_eq!(m["amount"], amount);
    assert!(
        m["counterparty"].as_str().unwrap().contains("****2345"),
        "{m}"
    );
    assert_eq!(m["memo"], b["period"]);
    assert!(
        records(&app, &h.token, "")
            .await
            .iter()
            .any(|r| r["id"] == id)
    );

    let r = call(
        &app,
        "GET",
        &format!("/v1/me/bills/{id}"),
        None,
        Some(&h.token),
    )
    .await;
    let (status, receipt) = answer(r).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["status"], "paid");
    assert_eq!(receipt["biller"], "lz-water");
    assert_eq!(receipt["account"], "****2345");
    assert_eq!(receipt["period"], b["period"]);
    assert!(
        receipt["receipt"].as_str().unwrap().starts_with("SBX"),
        "{receipt}"
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn each_test_account_gives_its_answer_and_nothing_moves() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let before = available(&app, &h.token).await;
    for (account, status, code) in [
        ("00000000", 404, "bill_not_found"),
        ("11111111", 409, "bill_already_paid"),
        ("22222222", 503, "biller_unavailable"),
    ] {
        let r = lookup(&app, &h, "lz-water", account).await;
        let retry_after = r.headers().get("retry-after").is_some();
        let (got, p) = problem(r).await;
        assert_eq!((got, p.code.as_str()), (status, code), "{account}");
        if status == 503 {
            assert!(retry_after, "a 503 says when to retry");
        }
    }
    let (status, p) = problem(lookup(&app, &h, "no-such-biller", ORDINARY).await).await;
    assert_eq!((status, p.code.as_str()), (404, "bill_not_found"));
    let (status, p) = problem(lookup(&app, &h, "lz-water", "12ab").await).await;
    assert_eq!((status, p.code.as_str()), (422, "invalid_request"));

    let changing = bill(&app, &h, "33333333").await;
    let r = pay(&app, &h, changing["bill_id"].as_str().unwrap(), &key()).await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (409, "bill_amount_changed"));
    assert_eq!(available(&app, &h.token).await, before);
    assert!(
        records(&app, &h.token, "")
            .await
            .iter()
            .all(|r| r["type"] != "bill")
    );
}

#[tokio::test]
async fn a_bill_paid_twice_under_two_keys_is_refused_and_one_key_replays_its_reply() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let b = bill(&app, &h, ORDINARY).await;
    let bill_id = b["bill_id"].as_str().unwrap();
    let first_key = key();
    let first = pay(&app, &h, bill_id, &first_key).await;
    let (status, first) = (first.status().as_u16(), first.text().await.unwrap());
    assert_eq!(status, 201, "{first}");
    let after = available(&app, &h.token).await;

    let again = pay(&app, &h, bill_id, &first_key).await;
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.text().await.unwrap(),
        first,
        "the same key answers the same"
    );

    let (status, p) = problem(pay(&app, &h, bill_id, &key()).await).await;
    assert_eq!((status, p.code.as_str()), (409, "bill_already_paid"));
    // A fresh look-up of the paid bill says so too.
    let (status, p) = problem(lookup(&app, &h, "lz-water", ORDINARY).await).await;
    assert_eq!((status, p.code.as_str()), (409, "bill_already_paid"));
    assert_eq!(available(&app, &h.token).await, after);
}

#[tokio::test]
async fn two_payments_of_one_bill_racing_under_different_keys_pay_it_once() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let before = available(&app, &h.token).await;
    let b = bill(&app, &h, ORDINARY).await;
    let bill_id = b["bill_id"].as_str().unwrap();
    let (k1, k2) = (key(), key());
    let (one, two) = tokio::join!(pay(&app, &h, bill_id, &k1), pay(&app, &h, bill_id, &k2));
    let mut statuses = [one.status().as_u16(), two.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(
        available(&app, &h.token).await,
        before - b["amount"].as_i64().unwrap()
    );
    let bills = records(&app, &h.token, "").await;
    assert_eq!(bills.iter().filter(|r| r["type"] == "bill").count(), 1);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_lost_confirmation_is_pending_then_reconciled_once_by_the_timer() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let before = available(&app, &h.token).await;
    let b = bill(&app, &h, "44444444").await;
    let amount = b["amount"].as_i64().unwrap();
    let (status, paid) = answer(pay(&app, &h, b["bill_id"].as_str().unwrap(), &key()).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["status"], "pending", "{paid}");
    // The money has left: the biller may have it.
    assert_eq!(available(&app, &h.token).await, before - amount);

    clock.advance_s(60);
    let id = paid["id"].as_str().unwrap();
    record_becomes(&app, &h.token, id, "succeeded", SETTLE).await;
    // Passes after the first change nothing.
    clock.advance_s(600);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(available(&app, &h.token).await, before - amount);
    let r = call(
        &app,
        "GET",
        &format!("/v1/me/bills/{id}"),
        None,
        Some(&h.token),
    )
    .await;
    let (_, receipt) = answer(r).await;
    assert_eq!(receipt["status"], "paid", "{receipt}");
    let paid_notices = inbox(&app, &h.token)
        .await
        .into_iter()
        .filter(|n| n["kind"] == "bill")
        .count();
    assert_eq!(paid_notices, 1);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_refusal_after_the_money_left_gives_it_back_and_tells_the_holder() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let before = available(&app, &h.token).await;
    let b = bill(&app, &h, "55555555").await;
    let (status, paid) = answer(pay(&app, &h, b["bill_id"].as_str().unwrap(), &key()).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["status"], "failed", "{paid}");
    assert_eq!(available(&app, &h.token).await, before);
    let m = record(&app, &h.token, paid["id"].as_str().unwrap()).await;
    assert_eq!(m["status"], "failed");
    assert!(
        inbox(&app, &h.token)
            .await
            .iter()
            .any(|n| n["kind"] == "bill_failed")
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_wrong_pin_or_anothers_bill_pays_nothing() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let other = funded(&app, "别人", 0).await;
    let before = available(&app, &h.token).await;
    let b = bill(&app, &h, ORDINARY).await;
    let bill_id = b["bill_id"].as_str().unwrap();
    let wrong = if h.pin == "135790" {
        "246801"
    } else {
        "135790"
    };
    let r = keyed(
        &app,
        &format!("/v1/bills/{bill_id}/pay"),
        json!({"pin": wrong}),
        &h.token,
        &key(),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (401, "pin_incorrect"));
    let (status, p) = problem(pay(&app, &other, bill_id, &key()).await).await;
    assert_eq!((status, p.code.as_str()), (404, "bill_not_found"));
    let (status, p) = problem(pay(&app, &h, "no-such-bill", &key()).await).await;
    assert_eq!((status, p.code.as_str()), (404, "bill_not_found"));
    assert_eq!(available(&app, &h.token).await, before);
    let r = call(&app, "GET", "/v1/me/bills/nope", None, Some(&h.token)).await;
    assert_eq!(r.status(), 404);
}

/// Saves `account` at 兰州's water company with auto-pay on `day` up to `cap`.
async fn autopay(app: &TestApp, h: &Holder, account: &str, day: i64, cap: i64) -> Value {
    let r = call(
        app,
        "POST",
        "/v1/me/billers",
        Some(json!({"biller_id": "lz-water", "account": account, "nickname": "家里水费"})),
        Some(&h.token),
    )
    .await;
    let (status, saved) = answer(r).await;
    assert_eq!(status, 201, "{saved}");
    let r = app
        .client
        .put(format!(
            "{}/v1/me/billers/{}/autopay",
            app.address,
            saved["id"].as_str().unwrap()
        ))
        .bearer_auth(&h.token)
        .json(&json!({"day": day, "cap": cap}))
        .send()
        .await
        .unwrap();
    let (status, saved) = answer(r).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["autopay"]["day"], day);
    saved
}

/// Moves the test clock (2027-01-15 16:00 China time) past 09:00 on the 16th.
fn to_the_16th(clock: &Arc<TestClock>) {
    clock.advance_s(17 * 3600 + 60);
}

#[tokio::test]
async fn saved_billers_are_listed_kept_once_and_forgotten() {
    let (app, _clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let saved = autopay(&app, &h, ORDINARY, 16, 50_000).await;
    let again = call(
        &app,
        "POST",
        "/v1/me/billers",
        Some(json!({"biller_id": "lz-water", "account": ORDINARY})),
        Some(&h.token),
    )
    .await;
    let (_, again) = answer(again).await;
    assert_eq!(again["id"], saved["id"]);
    let (_, list) = answer(call(&app, "GET", "/v1/me/billers", None, Some(&h.token)).await).await;
    assert_eq!(list["billers"].as_array().unwrap().len(), 1);
    assert_eq!(list["billers"][0]["nickname"], "家里水费");

    let bad = call(
        &app,
        "POST",
        "/v1/me/billers",
        Some(json!({"biller_id": "nowhere", "account": ORDINARY})),
        Some(&h.token),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let other = funded(&app, "别人", 0).await;
    let path = format!("/v1/me/billers/{}", saved["id"].as_str().unwrap());
    let theirs = call(&app, "DELETE", &path, None, Some(&other.token)).await;
    assert_eq!(theirs.status(), 404);
    let gone = call(&app, "DELETE", &path, None, Some(&h.token)).await;
    assert_eq!(gone.status(), 204);
    let (_, list) = answer(call(&app, "GET", "/v1/me/billers", None, Some(&h.token)).await).await;
    assert!(list["billers"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn auto_pay_pays_a_bill_under_its_cap_on_its_day_without_the_pin() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let before = available(&app, &h.token).await;
    autopay(&app, &h, ORDINARY, 16, 50_000).await;
    to_the_16th(&clock);
    let deadline = std::time::Instant::now() + SETTLE;
    let paid = loop {
        let found = records(&app, &h.token, "")
            .await
            .into_iter()
            .find(|r| r["type"] == "bill" && r["status"] == "succeeded");
        if let Some(found) = found {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "auto-pay paid nothing"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let amount = paid["amount"].as_i64().unwrap();
    assert_eq!(available(&app, &h.token).await, before - amount);
    let id = paid["id"].as_str().unwrap();
    let r = call(
        &app,
        "GET",
        &format!("/v1/me/bills/{id}"),
        None,
        Some(&h.token),
    )
    .await;
    let (_, receipt) = answer(r).await;
    assert_eq!(receipt["autopay"], true, "{receipt}");
    // Next month's run is armed, not this month's again.
    clock.advance_s(3600);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let bills = records(&app, &h.token, "").await;
    assert_eq!(bills.iter().filter(|r| r["type"] == "bill").count(), 1);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn auto_pay_leaves_a_bill_over_its_cap_and_sends_a_notice() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = holder(&app).await;
    let before = available(&app, &h.token).await;
    autopay(&app, &h, "66666666", 16, 10_000).await;
    to_the_16th(&clock);
    let deadline = std::time::Instant::now() + SETTLE;
    loop {
        let notices = inbox(&app, &h.token).await;
        if notices.iter().any(|n| n["kind"] == "bill_autopay") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no notice: {notices:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(available(&app, &h.token).await, before);
    assert!(
        records(&app, &h.token, "")
            .await
            .iter()
            .all(|r| r["type"] != "bill")
    );
}
