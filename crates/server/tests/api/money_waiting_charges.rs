//! Payment-code charges that wait for the payer (issue 18, WeChat's `USERPAYING`): above the
//! password-free limit the till's charge answers 202 `awaiting_payer` and nothing moves; only the
//! payer sees it, and confirms it with their PIN (paid once, under the charge's id), declines it,
//! or lets it lapse after 60 s. The till reads the outcome at `GET /v1/merchant/payments/{id}`.
//! The behaviour before (`pin` on the till, or `pin_required`) stays for integrators asking for it.

use crate::helpers::{TestApp, TestClock, call, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, Merchant, PIN, WRONG_PIN, answer, available, charge, charge_without_waiting, idem,
    keyed, merchant_balance, money, open_l1_holder_named, open_l2_holder_named, open_merchant,
    payment_code, refused, topup,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// Above the password-free limit (¥500).
const ABOVE: i64 = 60_000;

/// A shop (owned by 王老板), a payer (张三, ¥2,000) and a bystander (李四, L2).
async fn shop_payer_and_bystander() -> (TestApp, Arc<TestClock>, Merchant, Holder, Holder) {
    let (app, clock) = spawn_app_with_clock().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let payer = open_l2_holder_named(&app, "张三").await;
    topup(&app, &payer, 200_000).await;
    let other = open_l2_holder_named(&app, "李四").await;
    (app, clock, m, payer, other)
}

/// Charges `ABOVE` to the payer's fresh code; asserts the 202 and returns its body.
async fn waiting_charge(app: &TestApp, m: &Merchant, payer: &Holder) -> Value {
    let code = payment_code(app, payer).await;
    let (status, body) = answer(charge(app, m, &code, ABOVE, None).await).await;
    assert_eq!(status, 202, "{body}");
    body
}

/// What the merchant reads of its payment `id`.
async fn merchant_view(app: &TestApp, m: &Merchant, id: &str) -> (u16, Value) {
    let path = format!("/v1/merchant/payments/{id}");
    answer(call(app, "GET", &path, None, Some(&m.api_key)).await).await
}

/// The holder's waiting charges.
async fn pending(app: &TestApp, h: &Holder) -> Vec<Value> {
    let r = call(app, "GET", "/v1/me/pending-charges", None, Some(&h.token)).await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Confirms `id` with `pin` under `key`.
async fn confirm(app: &TestApp, h: &Holder, id: &str, pin: &str, key: &str) -> reqwest::Response {
    let path = format!("/v1/me/pending-charges/{id}/confirm");
    keyed(app, &path, json!({ "pin": pin }), &h.token, key).await
}

/// Declines `id`.
async fn decline(app: &TestApp, h: &Holder, id: &str) -> reqwest::Response {
    let path = format!("/v1/me/pending-charges/{id}/decline");
    call(app, "POST", &path, None, Some(&h.token)).await
}

#[tokio::test]
async fn a_charge_above_the_limit_waits_for_the_payer_and_only_they_see_it() {
    let (app, _clock, m, payer, other) = shop_payer_and_bystander().await;
    let body = waiting_charge(&app, &m, &payer).await;
    assert_eq!(body["status"], "awaiting_payer");
    assert_eq!(body["amount"], ABOVE);
    assert!(
        body["expires_at"].as_str().unwrap().ends_with('Z'),
        "{body}"
    );
    let id = body["payment_id"].as_str().unwrap();
    assert_eq!(
        available(&app, &payer.token).await,
        200_000,
        "nothing moved"
    );
    assert_eq!(merchant_balance(&app, &m).await, (0, 0));
    let (status, view) = merchant_view(&app, &m, id).await;
    assert_eq!((status, &view["status"]), (200, &json!("awaiting_payer")));
    assert_eq!(view["amount"], ABOVE);

    let mine = pending(&app, &payer).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(
        (
            &mine[0]["payment_id"],
            &mine[0]["merchant_name"],
            &mine[0]["amount"],
            &mine[0]["currency"]
        ),
        (
            &json!(id),
            &json!("兰州牛肉面"),
            &json!(ABOVE),
            &json!("CNY")
        )
    );
    assert_eq!(mine[0]["expires_at"], body["expires_at"]);
    assert!(
        pending(&app, &other).await.is_empty(),
        "only its payer sees it"
    );

    // Announced in the inbox, which the live stream carries.
    let r = call(
        &app,
        "GET",
        "/v1/me/notifications",
        None,
        Some(&payer.token),
    )
    .await;
    let (_, inbox) = answer(r).await;
    let announced = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "pending_charge")
        .cloned()
        .unwrap_or_else(|| panic!("no pending_charge notification: {inbox}"));
    assert_eq!(announced["transaction_id"], json!(id));

    // Another holder's charge is no charge of theirs; another merchant's payment neither.
    let r = confirm(&app, &other, id, PIN, &idem()).await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    assert_eq!(
        refused(decline(&app, &other, id).await).await,
        (404, "not_found".into())
    );
    let owner2 = open_l1_holder_named(&app, "赵老板").await;
    let m2 = open_merchant(&app, &owner2, "赵记包子").await;
    assert_eq!(merchant_view(&app, &m2, id).await.0, 404);
    assert_eq!(merchant_view(&app, &m, "no-such-payment").await.0, 404);
    assert_eq!(available(&app, &payer.token).await, 200_000);
}

#[tokio::test]
async fn confirming_with_the_pin_pays_once_under_the_charge_id() {
    let (app, _clock, m, payer, _other) = shop_payer_and_bystander().await;
    let id = waiting_charge(&app, &m, &payer).await["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = confirm(&app, &payer, &id, WRONG_PIN, &idem()).await;
    assert_eq!(refused(r).await, (401, "pin_incorrect".into()));
    assert_eq!(available(&app, &payer.token).await, 200_000);

    let key = idem();
    let (status, first) = answer(confirm(&app, &payer, &id, PIN, &key).await).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (&first["payment_id"], &first["status"], &first["amount"]),
        (&json!(id), &json!("succeeded"), &json!(ABOVE))
    );
    let (status, again) = answer(confirm(&app, &payer, &id, PIN, &key).await).await;
    assert_eq!(
        (status, &again),
        (201, &first),
        "a retry gets the same answer"
    );
    let r = confirm(&app, &payer, &id, PIN, &idem()).await;
    assert_eq!(refused(r).await, (409, "charge_not_awaiting".into()));
    let r = decline(&app, &payer, &id).await;
    assert_eq!(refused(r).await, (409, "charge_not_awaiting".into()));

    assert_eq!(
        available(&app, &payer.token).await,
        200_000 - ABOVE,
        "paid once"
    );
    let (status, view) = merchant_view(&app, &m, &id).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&view["status"], &view["channel"], &view["amount"]),
        (&json!("succeeded"), &json!("payment_code"), &json!(ABOVE))
    );
    let fee = view["fee"].as_i64().unwrap();
    assert_eq!(merchant_balance(&app, &m).await, (ABOVE - fee, 0));
    assert!(pending(&app, &payer).await.is_empty());
    // The till's id is the payment's: it refunds by it.
    let r = money(
        &app,
        "/v1/merchant/refunds",
        json!({"payment_id": id, "amount": 1_000}),
        &m.api_key,
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(available(&app, &payer.token).await, 200_000 - ABOVE + 1_000);
}

#[tokio::test]
async fn declining_moves_nothing_and_the_merchant_sees_declined() {
    let (app, _clock, m, payer, _other) = shop_payer_and_bystander().await;
    let id = waiting_charge(&app, &m, &payer).await["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(decline(&app, &payer, &id).await.status(), 204);
    assert_eq!(
        decline(&app, &payer, &id).await.status(),
        204,
        "again: no change"
    );
    let (status, view) = merchant_view(&app, &m, &id).await;
    assert_eq!((status, &view["status"]), (200, &json!("declined")));
    let r = confirm(&app, &payer, &id, PIN, &idem()).await;
    assert_eq!(refused(r).await, (409, "charge_not_awaiting".into()));
    assert!(pending(&app, &payer).await.is_empty());
    assert_eq!(available(&app, &payer.token).await, 200_000);
    assert_eq!(merchant_balance(&app, &m).await, (0, 0));
}

#[tokio::test]
async fn a_charge_lapses_after_60_seconds_and_a_late_pin_is_refused() {
    let (app, clock, m, payer, _other) = shop_payer_and_bystander().await;
    let id = waiting_charge(&app, &m, &payer).await["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    clock.advance_s(59);
    assert_eq!(
        pending(&app, &payer).await.len(),
        1,
        "still waiting at 59 s"
    );
    clock.advance_s(2);
    assert!(pending(&app, &payer).await.is_empty());
    let (status, view) = merchant_view(&app, &m, &id).await;
    assert_eq!((status, &view["status"]), (200, &json!("expired")));
    let r = confirm(&app, &payer, &id, PIN, &idem()).await;
    assert_eq!(refused(r).await, (410, "charge_expired".into()));
    let r = decline(&app, &payer, &id).await;
    assert_eq!(refused(r).await, (410, "charge_expired".into()));
    // The lapse timer records it; the answer stays the same.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(merchant_view(&app, &m, &id).await.1["status"], "expired");
    let r = confirm(&app, &payer, &id, PIN, &idem()).await;
    assert_eq!(refused(r).await, (410, "charge_expired".into()));
    assert_eq!(available(&app, &payer.token).await, 200_000);
    assert_eq!(merchant_balance(&app, &m).await, (0, 0));
}

#[tokio::test]
async fn the_old_ways_stay_for_integrators_who_ask_for_them() {
    let (app, _clock, m, payer, _other) = shop_payer_and_bystander().await;
    // `"await_payer": false` without the PIN: refused as before, the code left usable.
    let code = payment_code(&app, &payer).await;
    let r = charge_without_waiting(&app, &m, &code, ABOVE).await;
    assert_eq!(refused(r).await, (422, "pin_required".into()));
    // The PIN typed on the till: paid at once.
    let (status, body) = answer(charge(&app, &m, &code, ABOVE, Some(PIN)).await).await;
    assert_eq!(
        (status, &body["status"]),
        (201, &json!("succeeded")),
        "{body}"
    );
    assert!(body.get("expires_at").is_none(), "{body}");
    // Below the limit nothing waits.
    let code = payment_code(&app, &payer).await;
    let (status, body) = answer(charge(&app, &m, &code, 1_000, None).await).await;
    assert_eq!(
        (status, &body["status"]),
        (201, &json!("succeeded")),
        "{body}"
    );
    let (status, view) = merchant_view(&app, &m, body["payment_id"].as_str().unwrap()).await;
    assert_eq!((status, &view["status"]), (200, &json!("succeeded")));
    assert_eq!(available(&app, &payer.token).await, 200_000 - ABOVE - 1_000);
    assert!(pending(&app, &payer).await.is_empty());
}

#[tokio::test]
async fn a_waiting_charge_uses_its_code_up_and_a_retry_waits_once() {
    let (app, _clock, m, payer, _other) = shop_payer_and_bystander().await;
    let code = payment_code(&app, &payer).await;
    let key = idem();
    let body = json!({"payment_code": code, "amount": ABOVE});
    let (status, first) =
        answer(keyed(&app, "/v1/merchant/charges", body.clone(), &m.api_key, &key).await).await;
    assert_eq!(status, 202, "{first}");
    let (status, again) =
        answer(keyed(&app, "/v1/merchant/charges", body, &m.api_key, &key).await).await;
    assert_eq!((status, &again), (202, &first), "the same key waits once");
    assert_eq!(pending(&app, &payer).await.len(), 1);
    let r = charge(&app, &m, &code, ABOVE, None).await;
    assert_eq!(refused(r).await, (422, "payment_code_invalid".into()));
    let r = charge(&app, &m, &code, 100, None).await;
    assert_eq!(refused(r).await, (422, "payment_code_invalid".into()));
}

#[tokio::test]
async fn confirm_and_decline_check_their_input() {
    let (app, _clock, m, payer, _other) = shop_payer_and_bystander().await;
    let id = waiting_charge(&app, &m, &payer).await["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/me/pending-charges/{id}/confirm");
    // No key, no PIN, an unknown id, no session.
    let r = call(
        &app,
        "POST",
        &path,
        Some(json!({ "pin": PIN })),
        Some(&payer.token),
    )
    .await;
    assert_eq!(refused(r).await, (400, "idempotency_key_required".into()));
    let r = keyed(&app, &path, json!({}), &payer.token, &idem()).await;
    assert_eq!(r.status(), 422);
    let r = confirm(&app, &payer, "nope", PIN, &idem()).await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    let r = call(&app, "POST", &path, Some(json!({ "pin": PIN })), None).await;
    assert_eq!(r.status(), 401);
    let r = call(&app, "GET", "/v1/me/pending-charges", None, None).await;
    assert_eq!(r.status(), 401);
    assert_eq!(available(&app, &payer.token).await, 200_000);
    assert_eq!(pending(&app, &payer).await.len(), 1);
}

#[tokio::test]
async fn two_confirmations_at_once_pay_once() {
    let (app, _clock, m, payer, _other) = shop_payer_and_bystander().await;
    let id = waiting_charge(&app, &m, &payer).await["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (key_a, key_b) = (idem(), idem());
    let (a, b) = tokio::join!(
        confirm(&app, &payer, &id, PIN, &key_a),
        confirm(&app, &payer, &id, PIN, &key_b)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "one pays, the other is told");
    assert_eq!(available(&app, &payer.token).await, 200_000 - ABOVE);
}

/// Every webhook event the receiver got, by `type`, in order.
type Received = Arc<std::sync::Mutex<Vec<Value>>>;

/// A merchant's webhook receiver on 127.0.0.1; answers 200 to everything.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let keep = got.clone();
    let router = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let keep = keep.clone();
        async move {
            if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                keep.lock().unwrap().push(v);
            }
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://127.0.0.1:{port}/hooks"), got)
}

/// The `data` of the first event of `kind` about `id`, waiting up to 20 s for it.
async fn event_about(got: &Received, kind: &str, id: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let found = got
            .lock()
            .unwrap()
            .iter()
            .find(|e| e["type"] == kind && e["data"]["payment_id"] == id)
            .map(|e| e["data"].clone());
        if let Some(data) = found {
            return data;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no {kind} for {id}: {:?}",
            got.lock().unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_merchants_webhook_hears_the_wait_and_each_outcome() {
    let (app, clock, m, payer, _other) = shop_payer_and_bystander().await;
    let (url, got) = receiver().await;
    let r = app
        .client
        .put(format!("{}/v1/merchant/webhook", app.address))
        .bearer_auth(&m.api_key)
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id_of = |v: Value| v["payment_id"].as_str().unwrap().to_string();

    let paid = id_of(waiting_charge(&app, &m, &payer).await);
    let waiting = event_about(&got, "payment.awaiting_payer", &paid).await;
    assert_eq!(waiting["amount"], ABOVE);
    assert_eq!(
        confirm(&app, &payer, &paid, PIN, &idem()).await.status(),
        201
    );
    let done = event_about(&got, "payment.succeeded", &paid).await;
    assert_eq!(done["channel"], "payment_code");

    let declined = id_of(waiting_charge(&app, &m, &payer).await);
    assert_eq!(decline(&app, &payer, &declined).await.status(), 204);
    event_about(&got, "payment.declined", &declined).await;

    // The lapse is recorded by its timer, which tells the webhook.
    let lapsed = id_of(waiting_charge(&app, &m, &payer).await);
    clock.advance_s(61);
    event_about(&got, "payment.expired", &lapsed).await;
    assert_eq!(
        merchant_view(&app, &m, &lapsed).await.1["status"],
        "expired"
    );
    assert_eq!(available(&app, &payer.token).await, 200_000 - ABOVE);
}

#[tokio::test]
async fn a_confirmation_the_balance_cannot_cover_moves_nothing_and_the_charge_still_waits() {
    let (app, _clock, m, _payer, _other) = shop_payer_and_bystander().await;
    let payer = open_l2_holder_named(&app, "王五").await;
    topup(&app, &payer, 40_000).await;
    let id = waiting_charge(&app, &m, &payer).await["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = confirm(&app, &payer, &id, PIN, &idem()).await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    assert_eq!(available(&app, &payer.token).await, 40_000);
    let (status, view) = merchant_view(&app, &m, &id).await;
    assert_eq!((status, &view["status"]), (200, &json!("awaiting_payer")));
    // Topped up in time, the payer pays it.
    topup(&app, &payer, 20_000).await;
    let (status, body) = answer(confirm(&app, &payer, &id, PIN, &idem()).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(available(&app, &payer.token).await, 0);
    assert_eq!(merchant_view(&app, &m, &id).await.1["status"], "succeeded");
}

#[tokio::test]
async fn risk_control_judges_a_confirmation_as_any_payment() {
    let (app, _clock, m, payer, _other) = shop_payer_and_bystander().await;
    let code = payment_code(&app, &payer).await;
    let (status, body) = answer(charge(&app, &m, &code, 200_000, None).await).await;
    assert_eq!(status, 202, "{body}");
    let id = body["payment_id"].as_str().unwrap();
    // A large payment from a device the payer has not paid from before asks a second factor.
    let r = confirm(&app, &payer, id, PIN, &idem()).await;
    assert_eq!(refused(r).await, (401, "step_up_required".into()));
    assert_eq!(available(&app, &payer.token).await, 200_000);
    assert_eq!(
        merchant_view(&app, &m, id).await.1["status"],
        "awaiting_payer"
    );
}
