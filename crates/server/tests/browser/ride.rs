//! The ride code 乘车码 in the holder's app (issue 21, transit), walked in Chromium at a phone's
//! width: a funded holder who rode once opens 乘车码 from home, sees the first transit operator
//! chosen, its signed code as a QR picture (an `<img>` of a `data:` SVG, never markup) with a
//! countdown that ticks, a new code on "刷新乘车码" and again on coming back to the screen, the
//! operator chosen kept across visits, the ride in the list and as a `fare` record labelled 乘车.
//! A holder whose fare is owed sees the banner saying so with the top-up link and no QR; a frozen
//! holder is sent to the security centre.

use crate::convert::{choose, hidden, now_ms, signed_in};
use crate::helpers::{TestApp, call, spawn_app};
use crate::journeys::{PHONE, attribute, error_shown, shoot, show};
use crate::money_helpers::{Holder, Merchant, PASSWORD, answer, funded, open_l1_holder};
use crate::webdriver::{Driver, Window};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A transit operator named `name`: a merchant of category `transit`, as docs/transit.md opens one.
async fn operator(app: &TestApp, name: &str) -> Merchant {
    let owner = open_l1_holder(app).await;
    let (status, body) = answer(
        call(
            app,
            "POST",
            "/v1/merchants",
            Some(json!({"name": name, "category": "transit"})),
            Some(&owner.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    Merchant {
        id: body["merchant_id"].as_str().unwrap().into(),
        api_key: body["api_key"].as_str().unwrap().into(),
        static_qr: body["static_qr_payload"].as_str().unwrap().into(),
    }
}

/// A fresh ride code's payload for `h` at `op`, by the API.
async fn code(app: &TestApp, h: &Holder, op: &Merchant) -> String {
    let (status, body) = answer(
        call(
            app,
            "GET",
            &format!("/v1/me/ride-code?operator={}", op.id),
            None,
            Some(&h.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["payload"].as_str().unwrap().to_string()
}

/// `ms` as RFC 3339.
fn at(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// One ride from L1-01 to L1-06 (¥3.00 on the sandbox's line 1) as the gates upload it: in now, out
/// a second later (the test server runs on the real clock, and takes taps up to 30 s ahead).
async fn ride(app: &TestApp, h: &Holder, op: &Merchant) -> Value {
    let entry = code(app, h, op).await;
    let exit = code(app, h, op).await;
    let t0 = now_ms();
    let r = app
        .client
        .post(format!("{}/v1/transit/taps", app.address))
        .bearer_auth(&op.api_key)
        .json(&json!({"taps": [
            {"payload": entry, "station": "L1-01", "direction": "in", "at": at(t0)},
            {"payload": exit, "station": "L1-06", "direction": "out", "at": at(t0 + 1_000)},
        ]}))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"accepted": 2, "rejected": []}));
    body
}

/// The payload of the code shown, once one is shown that is not `before`.
async fn payload_other_than(w: &Window, before: &str) -> String {
    let started = Instant::now();
    loop {
        let now = attribute(w, "#ride-qr", "data-payload").await;
        if !now.is_empty() && now != before && !hidden(w, "#ride-qr").await {
            return now;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no new ride code; the page shows:\n{}",
            w.page_text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The seconds the countdown shows now.
async fn seconds_left(w: &Window) -> i64 {
    attribute(w, "#ride-expires", "data-seconds")
        .await
        .parse()
        .unwrap_or(-1)
}

#[tokio::test]
async fn a_holder_shows_a_ride_code_that_rotates_and_an_owed_fare_stops_it() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let metro = operator(&app, "兰州轨道交通").await;
    let bus = operator(&app, "兰州公交集团").await;
    let rider = funded(&app, "张三", 5_000).await;
    ride(&app, &rider, &metro).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &rider.token, "zh").await;
    assert!(w.text("#tile-ride").await.contains("乘车码"));
    w.click("#tile-ride").await;
    w.find("#screen-ride").await;
    w.wait_for_text("#screen-title", "乘车码").await;
    let first = payload_other_than(&w, "").await;
    assert!(first.starts_with("QBR1.") && first.len() == 135, "{first}");
    assert!(
        attribute(&w, "#ride-qr", "src")
            .await
            .starts_with("data:image/svg+xml;base64,"),
        "the QR is a picture of the server's SVG"
    );
    assert_eq!(
        w.value("#ride-operator").await,
        metro.id,
        "the first operator"
    );
    assert!(
        attribute(&w, "#ride-qr", "alt")
            .await
            .contains("兰州轨道交通")
    );
    assert!(hidden(&w, "#ride-owed").await);

    // The countdown ticks toward the refresh, 10 s before the code's 60 s are up.
    let shown = seconds_left(&w).await;
    assert!((40..=50).contains(&shown), "{shown}");
    w.wait_for_text("#ride-expires", "秒后自动刷新").await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let later = seconds_left(&w).await;
    assert!(later < shown && later >= shown - 3, "{shown} → {later}");

    // The ride taken before, in the list: stations in and out, the fare.
    let item = w.wait_for_text("#ride-list", "L1-01 → L1-06").await;
    assert!(item.contains("¥3.00"), "{item}");
    assert!(hidden(&w, "#ride-list-empty").await);
    crate::a11y::audit(&w, "#/ride").await;
    shoot(&w, "103-ride-code", "zh").await;

    // A new code on refresh, and again on coming back to the screen.
    w.click("#ride-refresh").await;
    let second = payload_other_than(&w, &first).await;
    show(&w, "home", "#home-balance").await;
    show(&w, "ride", "#ride-operator").await;
    let third = payload_other_than(&w, &second).await;
    assert_ne!(third, first);

    // Another operator: its own code, and still chosen on the next visit.
    choose(&w, "#ride-operator", &bus.id).await;
    payload_other_than(&w, &third).await;
    assert!(
        attribute(&w, "#ride-qr", "alt")
            .await
            .contains("兰州公交集团")
    );
    show(&w, "home", "#home-balance").await;
    show(&w, "ride", "#ride-operator").await;
    assert_eq!(w.value("#ride-operator").await, bus.id, "remembered");
    choose(&w, "#ride-operator", &metro.id).await;

    // The fare in records, as its own kind.
    show(&w, "records", "#records-list").await;
    let fare = w.wait_for_text("#records-list", "乘车").await;
    assert!(fare.contains("¥3.00"), "{fare}");
    assert!(w.find_now("#records-list [data-type=fare]").await.is_some());

    signed_in(&w, &base, &rider.token, "en").await;
    show(&w, "ride", "#ride-operator").await;
    payload_other_than(&w, "").await;
    w.wait_for_text("#ride-expires", "Refreshes in").await;
    w.wait_for_text("#ride-list", "L1-01 → L1-06").await;
    shoot(&w, "103-ride-code", "en").await;

    // A fare the empty wallet could not pay: the code stops, the banner says why and links to
    // top-up, which pays it first.
    let debtor = funded(&app, "李四", 0).await;
    ride(&app, &debtor, &metro).await;
    signed_in(&w, &base, &debtor.token, "zh").await;
    show(&w, "ride", "#ride-owed").await;
    let banner = w.wait_for_text("#ride-owed", "¥3.00").await;
    assert!(
        banner.contains("车费未支付") && banner.contains("去充值"),
        "{banner}"
    );
    assert_eq!(attribute(&w, "#ride-owed-link", "href").await, "#/topup");
    assert!(hidden(&w, "#ride-qr").await, "no code while a fare is owed");
    assert!(hidden(&w, "#ride-error").await, "the banner says it, once");
    w.wait_for_text("#ride-list", "待补缴").await;
    crate::a11y::audit(&w, "#/ride owed").await;
    shoot(&w, "104-ride-owed", "zh").await;
    w.click("#ride-owed-link").await;
    w.find("#screen-topup").await;

    // A frozen wallet: said, with the way to the security centre.
    let frozen = funded(&app, "王五", 0).await;
    let r = call(
        &app,
        "POST",
        "/v1/freeze",
        Some(json!({"phone": frozen.phone, "password": PASSWORD})),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    signed_in(&w, &base, &frozen.token, "zh").await;
    show(&w, "ride", "#ride-operator").await;
    let (code_of, _) = error_shown(&w, "#ride-error").await;
    assert_eq!(code_of, "account_frozen");
    assert_eq!(
        attribute(&w, "#ride-error-link", "href").await,
        "#/security"
    );
    assert!(hidden(&w, "#ride-qr").await);
    crate::a11y::audit(&w, "#/ride frozen").await;
    w.close().await;
}
