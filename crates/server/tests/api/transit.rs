//! Transit ride codes over HTTP (docs/transit.md): the code's shape and rotation, the public key,
//! taps charged by the fare table (distance, missing exit, daily cap), bad lines refused one by
//! one, the same batch charged once, owed fares paid first by the next top-up, a freeze's
//! revocation on the gates' list, other merchants refused — and the code checked offline by the
//! `qianbao transit validate` binary with no server running.

use crate::helpers::{TestApp, TestClock, call, spawn_app_at, spawn_app_with_clock};
use crate::money_helpers::Merchant;
use crate::money_helpers::{
    Holder, PASSWORD, answer, assert_ledger_clean, available, funded, ledger, merchant_balance,
    open_l1_holder, open_merchant, refused, topup,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// A transit operator, opened by a holder as a merchant of category `transit`.
async fn operator(app: &TestApp) -> Merchant {
    let owner = open_l1_holder(app).await;
    let r = call(
        app,
        "POST",
        "/v1/merchants",
        Some(json!({"name": "兰州轨道交通", "category": "transit"})),
        Some(&owner.token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    Merchant {
        id: body["merchant_id"].as_str().unwrap().into(),
        api_key: body["api_key"].as_str().unwrap().into(),
        static_qr: body["static_qr_payload"].as_str().unwrap().into(),
    }
}

async fn ride_code(app: &TestApp, h: &Holder, op: &str) -> (u16, Value) {
    let r = call(
        app,
        "GET",
        &format!("/v1/me/ride-code?operator={op}"),
        None,
        Some(&h.token),
    )
    .await;
    answer(r).await
}

async fn code(app: &TestApp, h: &Holder, op: &Merchant) -> String {
    let (status, body) = ride_code(app, h, &op.id).await;
    assert_eq!(status, 200, "{body}");
    body["payload"].as_str().unwrap().to_string()
}

use crate::helpers::rfc3339_of as at;

fn now(clock: &Arc<TestClock>) -> i64 {
    qianbao_wallet::Clock::now_ms(clock.as_ref())
}

fn tap(payload: &str, station: &str, direction: &str, at_ms: i64) -> Value {
    json!({"payload": payload, "station": station, "direction": direction, "at": at(at_ms)})
}

async fn upload(app: &TestApp, key: &str, taps: &[Value]) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/v1/transit/taps", app.address))
        .bearer_auth(key)
        .json(&json!({"taps": taps}))
        .send()
        .await
        .unwrap();
    answer(r).await
}

/// One ride in at `from` and out at `to`, each with a fresh code, a minute apart.
async fn ride(
    app: &TestApp,
    clock: &Arc<TestClock>,
    h: &Holder,
    op: &Merchant,
    from: &str,
    to: &str,
) -> Value {
    let entry = code(app, h, op).await;
    let t0 = now(clock);
    clock.advance_s(60);
    let exit = code(app, h, op).await;
    let t1 = now(clock);
    let (status, body) = upload(
        app,
        &op.api_key,
        &[tap(&entry, from, "in", t0), tap(&exit, to, "out", t1)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"accepted": 2, "rejected": []}));
    body
}

async fn rides(app: &TestApp, h: &Holder) -> Value {
    answer(call(app, "GET", "/v1/me/rides", None, Some(&h.token)).await)
        .await
        .1
}

#[tokio::test]
async fn a_ride_code_is_signed_rotates_every_minute_and_checks_with_the_public_key() {
    let (app, clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    let rider = funded(&app, "张三", 5_000).await;
    let (status, first) = ride_code(&app, &rider, &op.id).await;
    assert_eq!(status, 200, "{first}");
    let payload = first["payload"].as_str().unwrap();
    assert!(
        payload.starts_with("QBR1.") && payload.len() == 135,
        "{payload}"
    );
    assert!(
        first["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || first["qr_svg"].as_str().unwrap().contains("<svg")
    );
    let expires = time::OffsetDateTime::parse(
        first["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires.unix_timestamp() * 1000, now(&clock) + 60_000);
    clock.advance_s(60);
    let (_, second) = ride_code(&app, &rider, &op.id).await;
    assert_ne!(second["payload"], first["payload"]);

    let key: Value = app
        .get("/v1/transit/public-key")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(key["algorithm"], "Ed25519");
    let bytes: [u8; 32] = (0..32)
        .map(|i| {
            u8::from_str_radix(&key["public_key"].as_str().unwrap()[i * 2..i * 2 + 2], 16).unwrap()
        })
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let key = qianbao_secrets::ride_signing::RidePublicKey::from_bytes(&bytes).unwrap();
    use qianbao_wallet::transit::validator::{RevocationList, SeenCounters, Verdict, judge};
    let verdict = judge(
        &key,
        &RevocationList::default(),
        &SeenCounters::default(),
        now(&clock) / 1000,
        second["payload"].as_str().unwrap(),
    );
    let Verdict::Good(good) = verdict else {
        panic!("{verdict:?}")
    };
    // The token is not the wallet id, and is the same for both codes; the counter grew.
    assert!(!rider.wallet_id.contains(&good.token.to_hex()));
    assert_eq!(good.counter, 2);

    // Unknown operators and shops that are not transit operators have no ride code.
    let (status, _) = ride_code(&app, &rider, "no-such-operator").await;
    assert_eq!(status, 404);
    let shop = open_merchant(&app, &open_l1_holder(&app).await, "面馆").await;
    let (status, _) = ride_code(&app, &rider, &shop.id).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_app_lists_active_transit_operators_and_no_other_shop() {
    let (app, _clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    let rider = funded(&app, "周八", 0).await;
    let shop = open_merchant(&app, &rider, "兰州牛肉面").await;
    let r = app.get("/v1/transit/operators").await;
    assert_eq!(r.status(), 401, "a holder's list: signed in only");
    let (status, list) = answer(
        call(
            &app,
            "GET",
            "/v1/transit/operators",
            None,
            Some(&rider.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list, json!([{"id": op.id, "name": "兰州轨道交通"}]));
    assert!(
        !list.to_string().contains(&shop.id),
        "a restaurant is no operator"
    );
}

#[tokio::test]
async fn taps_are_charged_by_distance_the_maximum_without_an_exit_and_the_day_is_capped() {
    let (app, clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    let rider = funded(&app, "李四", 5_000).await;
    // L1-01 → L1-06: five stations, ¥3.
    ride(&app, &clock, &rider, &op, "L1-01", "L1-06").await;
    assert_eq!(available(&app, &rider.token).await, 4_700);
    assert_eq!(merchant_balance(&app, &op).await.0, 300);
    let list = rides(&app, &rider).await;
    assert_eq!(list["rides"][0]["charged"], 300);
    assert_eq!(list["rides"][0]["status"], "paid");

    // An entry whose exit never comes: charged the maximum (¥5) once it is 3 hours old.
    let lost = code(&app, &rider, &op).await;
    let t = now(&clock);
    let (_, body) = upload(&app, &op.api_key, &[tap(&lost, "L1-02", "in", t)]).await;
    assert_eq!(body["accepted"], 1);
    assert_eq!(available(&app, &rider.token).await, 4_700, "still open");
    clock.advance_s(3 * 3600 + 60);
    let next = code(&app, &rider, &op).await;
    let (_, body) = upload(&app, &op.api_key, &[tap(&next, "L1-01", "in", now(&clock))]).await;
    assert_eq!(body["accepted"], 1);
    assert_eq!(available(&app, &rider.token).await, 4_200);
    clock.advance_s(60);
    let out = code(&app, &rider, &op).await;
    let (_, body) = upload(&app, &op.api_key, &[tap(&out, "L1-14", "out", now(&clock))]).await;
    assert_eq!(body["accepted"], 1);
    // L1-01 → L1-14 is the maximum, ¥5, but the day's cap (¥12) leaves ¥4 of it.
    assert_eq!(available(&app, &rider.token).await, 3_800);
    let list = rides(&app, &rider).await;
    assert_eq!(list["rides"][0]["fare"], 500);
    assert_eq!(list["rides"][0]["charged"], 400);
    // Once the cap is reached, rides that day are free.
    ride(&app, &clock, &rider, &op, "L1-01", "L1-14").await;
    assert_eq!(available(&app, &rider.token).await, 3_800);
    assert_eq!(rides(&app, &rider).await["rides"][0]["status"], "free");
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn bad_lines_are_refused_one_by_one_and_the_same_batch_twice_charges_once() {
    let (app, clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    let rider = funded(&app, "王五", 5_000).await;
    let entry = code(&app, &rider, &op).await;
    let t0 = now(&clock);
    clock.advance_s(60);
    let exit = code(&app, &rider, &op).await;
    let t1 = now(&clock);
    let mut bent = entry.clone().into_bytes();
    let i = bent.len() - 2;
    bent[i] = if bent[i] == b'A' { b'B' } else { b'A' };
    let bent = String::from_utf8(bent).unwrap();
    let batch = [
        tap(&entry, "L1-01", "in", t0),
        tap(&entry, "L9-99", "in", t0),
        tap(&exit, "L1-05", "out", t1 + 3_600_000),
        tap(&bent, "L1-01", "in", t0),
        tap("not a code", "L1-01", "in", t0),
        tap(&exit, "L1-05", "sideways", t1),
        tap(&exit, "L1-05", "out", t1),
    ];
    let (status, body) = upload(&app, &op.api_key, &batch).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"accepted": 2, "rejected": [
            {"index": 1, "reason": "unknown_station"},
            {"index": 2, "reason": "future_time"},
            {"index": 3, "reason": "bad_signature"},
            {"index": 4, "reason": "malformed"},
            {"index": 5, "reason": "direction_invalid"},
        ]})
    );
    assert_eq!(available(&app, &rider.token).await, 4_800);
    // The same batch again: the same answer, nothing charged twice.
    let (_, again) = upload(&app, &op.api_key, &batch).await;
    assert_eq!(again, body);
    assert_eq!(available(&app, &rider.token).await, 4_800);
    assert_eq!(
        rides(&app, &rider).await["rides"].as_array().unwrap().len(),
        1
    );

    // Another operator's key cannot upload this operator's taps; a shop's key is no gate's.
    let other = operator(&app).await;
    let (_, body) = upload(&app, &other.api_key, &[tap(&entry, "L1-01", "in", t0)]).await;
    assert_eq!(body["rejected"][0]["reason"], "other_operator");
    let shop = open_merchant(&app, &open_l1_holder(&app).await, "面馆").await;
    let (status, _) = upload(&app, &shop.api_key, &[]).await;
    assert_eq!(status, 404);
    let r = call(
        &app,
        "GET",
        "/v1/transit/revoked",
        None,
        Some(&shop.api_key),
    )
    .await;
    assert_eq!(r.status(), 404);
    let (status, _) = upload(&app, "sk_nonsense", &[]).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_fare_the_balance_cannot_pay_is_owed_stops_the_code_and_the_next_top_up_pays_it_first() {
    let (app, clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    let rider = funded(&app, "赵六", 100).await;
    ride(&app, &clock, &rider, &op, "L1-01", "L1-06").await;
    assert_eq!(available(&app, &rider.token).await, 100, "nothing moved");
    let list = rides(&app, &rider).await;
    assert_eq!(list["owed"], 300);
    assert_eq!(list["rides"][0]["status"], "owed");
    let (status, code_of) = refused(
        call(
            &app,
            "GET",
            &format!("/v1/me/ride-code?operator={}", op.id),
            None,
            Some(&rider.token),
        )
        .await,
    )
    .await;
    assert_eq!((status, code_of.as_str()), (409, "fare_owed"));
    topup(&app, &rider, 1_000).await;
    assert_eq!(available(&app, &rider.token).await, 800);
    assert_eq!(merchant_balance(&app, &op).await.0, 300);
    assert_eq!(rides(&app, &rider).await["owed"], 0);
    let (status, _) = ride_code(&app, &rider, &op.id).await;
    assert_eq!(status, 200);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_freeze_revokes_the_ride_tokens_and_the_gates_list_carries_them() {
    let (app, clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    let rider = funded(&app, "孙七", 5_000).await;
    let before = code(&app, &rider, &op).await;
    let t0 = now(&clock);
    let list: Value =
        answer(call(&app, "GET", "/v1/transit/revoked", None, Some(&op.api_key)).await)
            .await
            .1;
    assert_eq!(list["revoked"], json!([]));
    let r = call(
        &app,
        "POST",
        "/v1/freeze",
        Some(json!({"phone": rider.phone, "password": PASSWORD})),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    let (status, frozen) = refused(
        call(
            &app,
            "GET",
            &format!("/v1/me/ride-code?operator={}", op.id),
            None,
            Some(&rider.token),
        )
        .await,
    )
    .await;
    assert_eq!((status, frozen.as_str()), (403, "account_frozen"));
    let list: Value =
        answer(call(&app, "GET", "/v1/transit/revoked", None, Some(&op.api_key)).await)
            .await
            .1;
    assert_eq!(list["revoked"].as_array().unwrap().len(), 1, "{list}");
    assert!(list["version"].as_i64().unwrap() > 0);
    // A tap after the freeze is refused; one from before it is still a ride.
    clock.advance_s(1);
    let (_, body) = upload(
        &app,
        &op.api_key,
        &[tap(&before, "L1-01", "in", now(&clock))],
    )
    .await;
    assert_eq!(body["rejected"][0]["reason"], "revoked");
    let (_, body) = upload(
        &app,
        &op.api_key,
        &[tap(&before, "L1-01", "in", t0 - 1_000)],
    )
    .await;
    assert_eq!(body["accepted"], 1, "{body}");
}

/// Runs the real binary: `qianbao transit validate …`.
fn validate(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qianbao"))
        .arg("transit")
        .arg("validate")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

#[tokio::test]
async fn the_validator_checks_a_code_offline_with_no_server_running() {
    let system_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let (app, _clock) = spawn_app_at(system_ms, None).await;
    let op = operator(&app).await;
    let rider = funded(&app, "周八", 1_000).await;
    let payload = code(&app, &rider, &op).await;
    let later = code(&app, &rider, &op).await;
    let key = app
        .get("/v1/transit/public-key")
        .await
        .text()
        .await
        .unwrap();
    let revoked = answer(call(&app, "GET", "/v1/transit/revoked", None, Some(&op.api_key)).await)
        .await
        .1;
    let dir = crate::helpers::temp_dir("transit-gate");
    std::fs::create_dir_all(&dir).unwrap();
    let (key_file, list_file, seen_file) = (
        dir.join("key.json"),
        dir.join("revoked.json"),
        dir.join("seen"),
    );
    std::fs::write(&key_file, key).unwrap();
    std::fs::write(&list_file, revoked.to_string()).unwrap();
    // The server stops: the gate is in a tunnel.
    drop(app);
    let (k, l, s) = (
        key_file.to_str().unwrap(),
        list_file.to_str().unwrap(),
        seen_file.to_str().unwrap(),
    );

    let (status, token) = validate(&["--public-key", k, "--revoked", l, "--seen", s, &payload]);
    assert_eq!(status, 0, "{token}");
    assert_eq!(token.len(), 32);
    // Shown again at this gate: a copy.
    assert_eq!(
        validate(&["--public-key", k, "--revoked", l, "--seen", s, &payload]),
        (1, "replayed".into())
    );
    assert_eq!(
        validate(&["--public-key", k, "--revoked", l, "--seen", s, &later]),
        (0, token.clone())
    );
    let mut bent = payload.clone().into_bytes();
    let i = bent.len() - 2;
    bent[i] = if bent[i] == b'A' { b'B' } else { b'A' };
    let bent = String::from_utf8(bent).unwrap();
    assert_eq!(
        validate(&["--public-key", k, "--revoked", l, &bent]),
        (1, "bad_signature".into())
    );
    let an_hour_on = (system_ms / 1000 + 3600).to_string();
    assert_eq!(
        validate(&[
            "--public-key",
            k,
            "--revoked",
            l,
            "--now",
            &an_hour_on,
            &payload
        ]),
        (1, "expired".into())
    );
    assert_eq!(
        validate(&["--public-key", k, "--revoked", l, "QBR1.garbage"]),
        (1, "malformed".into())
    );
    let listed = json!({"operator": op.id, "version": 1, "generated_at": "2030-01-01T00:00:00Z", "revoked": [token]});
    std::fs::write(&list_file, listed.to_string()).unwrap();
    assert_eq!(
        validate(&["--public-key", k, "--revoked", l, &payload]),
        (1, "revoked".into())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

async fn fare_table_call(app: &TestApp, key: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}/v1/merchant/transit/fare-table", app.address);
    let request = match &body {
        Some(body) => app.client.put(url).json(body),
        None => app.client.get(url),
    };
    answer(request.bearer_auth(key).send().await.unwrap()).await
}

/// A bus line of three stops at a flat ¥1, ¥3 a day at most.
fn bus_table() -> Value {
    json!({
        "kind": "bus",
        "stations": [
            {"code": "B1-01", "name": "西站", "line": "1路", "index": 1},
            {"code": "B1-02", "name": "西关", "line": "1路", "index": 2},
            {"code": "B1-03", "name": "东岗", "line": "1路", "index": 3},
        ],
        "flat_fare": 100, "base_fare": 0, "base_stations": 0, "step_stations": 1,
        "step_fare": 0, "max_fare": 100, "daily_cap": 300,
    })
}

#[tokio::test]
async fn an_operator_sets_its_own_fare_table_and_a_bus_fare_is_paid_on_boarding() {
    let (app, clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    // Until it sets one, the sandbox's metro table is in force.
    let (status, table) = fare_table_call(&app, &op.api_key, None).await;
    assert_eq!(
        (status, table["kind"].as_str()),
        (200, Some("metro")),
        "{table}"
    );
    // A table that could not price its rides is refused by field, and changes nothing.
    for (field, bend) in [
        ("stations", json!({"stations": []})),
        ("max_fare", json!({"max_fare": 50})),
        ("daily_cap", json!({"daily_cap": 99})),
        ("kind", json!({"kind": "ferry"})),
    ] {
        let mut bad = bus_table();
        for (k, v) in bend.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = fare_table_call(&app, &op.api_key, Some(bad)).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(body["field"], field, "{body}");
    }
    let mut repeated = bus_table();
    repeated["stations"][1]["code"] = json!("B1-01");
    assert_eq!(
        fare_table_call(&app, &op.api_key, Some(repeated)).await.0,
        422
    );
    assert_eq!(
        fare_table_call(&app, &op.api_key, None).await.1["kind"],
        "metro"
    );
    let (status, set) = fare_table_call(&app, &op.api_key, Some(bus_table())).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(fare_table_call(&app, &op.api_key, None).await.1, set);

    // A shop that is not a transit operator has no fare table.
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "小卖部").await;
    assert_eq!(fare_table_call(&app, &shop.api_key, None).await.0, 404);
    assert_eq!(
        fare_table_call(&app, &shop.api_key, Some(bus_table()))
            .await
            .0,
        404
    );

    // On the bus: each boarding is charged ¥1 at once; an exit tap is refused as such; the
    // fourth boarding of the day is free under the ¥3 cap.
    let rider = funded(&app, "李四", 1_000).await;
    let mut lines = Vec::new();
    for stop in ["B1-01", "B1-02", "B1-03", "B1-01"] {
        lines.push(tap(&code(&app, &rider, &op).await, stop, "in", now(&clock)));
        clock.advance_s(60);
    }
    let exit = code(&app, &rider, &op).await;
    lines.push(tap(&exit, "B1-03", "out", now(&clock)));
    let (status, body) = upload(&app, &op.api_key, &lines).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 4, "{body}");
    assert_eq!(
        body["rejected"],
        json!([{"index": 4, "reason": "bus_exit"}])
    );
    assert_eq!(available(&app, &rider.token).await, 1_000 - 300);
    let list = rides(&app, &rider).await;
    let charged: Vec<i64> = list["rides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["charged"].as_i64().unwrap())
        .collect();
    assert_eq!(charged.iter().sum::<i64>(), 300, "{list}");
    assert_eq!(charged.len(), 4, "{list}");
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn an_entry_whose_exit_never_comes_is_charged_the_maximum_once_the_window_passes() {
    let (app, clock) = spawn_app_with_clock().await;
    let op = operator(&app).await;
    let rider = funded(&app, "王五", 2_000).await;
    let entry = code(&app, &rider, &op).await;
    let (status, body) = upload(
        &app,
        &op.api_key,
        &[tap(&entry, "L1-01", "in", now(&clock))],
    )
    .await;
    assert_eq!(
        (status, body["accepted"].as_i64()),
        (200, Some(1)),
        "{body}"
    );
    // Within the window the entry waits for its exit: nothing is charged.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(available(&app, &rider.token).await, 2_000);
    // Three hours on, with no upload from this holder, the pass charges the sandbox maximum ¥5.
    clock.advance_s(3 * 3600 + 1);
    let started = std::time::Instant::now();
    while available(&app, &rider.token).await != 1_500 {
        assert!(
            started.elapsed() < crate::money_helpers::SETTLE,
            "the lone entry was charged the maximum"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(available(&app, &rider.token).await, 1_500, "once");
    let list = rides(&app, &rider).await;
    assert_eq!(list["rides"][0]["entry_station"], "L1-01", "{list}");
    assert!(list["rides"][0]["exit_station"].is_null(), "{list}");
    assert_eq!(list["rides"][0]["charged"], 500);
    assert_ledger_clean(&ledger(&app).await).await;
}
