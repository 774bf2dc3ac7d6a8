//! Merchants' webhooks end to end: a payment and a refund through the API reach the merchant's
//! receiver signed with the secret `PUT /v1/merchant/webhook` returned, and an event the receiver
//! refused comes again, with the same delivery id, until it is taken.

use crate::helpers::{TestApp, call, latest_code, random_phone, spawn_app};
use crate::helpers::{card_number, id_number};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Corr3ct-Horse-Battery";
const PIN: &str = "258147";

/// One POST as the receiver got it.
#[derive(Clone, Debug)]
struct Hook {
    headers: HeaderMap,
    body: Bytes,
}

impl Hook {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// What the receiver shares with the test: the statuses still to answer (the last repeats) and
/// every request so far.
struct Script {
    statuses: VecDeque<u16>,
    received: Vec<Hook>,
}

/// A merchant's webhook endpoint on 127.0.0.1.
struct Endpoint {
    url: String,
    script: Arc<Mutex<Script>>,
}

impl Endpoint {
    /// Answers `statuses` in order, then the last one forever.
    async fn start(statuses: &[u16]) -> Endpoint {
        let script = Arc::new(Mutex::new(Script {
            statuses: statuses.iter().copied().collect(),
            received: Vec::new(),
        }));
        let router = Router::new().fallback(answer).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Endpoint {
            url: format!("http://127.0.0.1:{port}/hooks/qianbao"),
            script,
        }
    }

    fn received(&self) -> Vec<Hook> {
        self.script.lock().unwrap().received.clone()
    }

    /// The requests carrying `event`, waiting up to 20 s until there are at least `count`.
    async fn wait_for(&self, event: &str, count: usize) -> Vec<Hook> {
        let started = Instant::now();
        loop {
            let hooks: Vec<Hook> = self
                .received()
                .into_iter()
                .filter(|h| h.header("qianbao-event") == event)
                .collect();
            if hooks.len() >= count {
                return hooks;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{count} × {event} expected, got {}: {:?}",
                hooks.len(),
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Records the request and answers the next scripted status.
async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut script = script.lock().unwrap();
    script.received.push(Hook { headers, body });
    let status = if script.statuses.len() > 1 {
        script.statuses.pop_front()
    } else {
        script.statuses.front().copied()
    };
    StatusCode::from_u16(status.unwrap_or(200)).unwrap()
}

/// Sends `method path` with a JSON body, a bearer token and (for money calls) a fresh
/// Idempotency-Key; returns the status and the JSON answer.
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Value,
    token: &str,
    idempotent: bool,
) -> (u16, Value) {
    let url = format!("{}{path}", app.address);
    let mut request = match method {
        "PUT" => app.client.put(url),
        _ => app.client.post(url),
    }
    .bearer_auth(token)
    .json(&body);
    if idempotent {
        request = request.header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A holder signed up and verified (L1) as 张三 born on `birth`.
struct Holder {
    phone: String,
    token: String,
    id_number: String,
}

async fn verified(app: &TestApp, birth: &str) -> Holder {
    let phone = random_phone();
    let r = call(
        app,
        "POST",
        "/v1/otp",
        Some(json!({"phone": phone, "purpose": "signup"})),
        None,
    )
    .await;
    assert_eq!(r.status(), 202);
    let otp = latest_code(app, &phone).await;
    let r = call(
        app,
        "POST",
        "/v1/signup",
        Some(json!({"phone": phone, "otp": otp, "password": PASSWORD})),
        None,
    )
    .await;
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let seq = format!("{:03}", 100 + uuid::Uuid::new_v4().as_u128() % 800);
    let id_number = id_number(birth, &seq);
    let (status, body) = send(
        app,
        "POST",
        "/v1/me/identity",
        json!({"name": "张三", "id_number": id_number}),
        &token,
        false,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    Holder {
        phone,
        token,
        id_number,
    }
}

/// A holder at L2 with a bound card, a PIN and `topup` fen in the wallet; returns the token.
async fn payer(app: &TestApp, topup: i64) -> String {
    let h = verified(app, "19900307").await;
    let (status, pending) = send(
        app,
        "POST",
        "/v1/me/cards",
        json!({"card_number": card_number("622202", 19), "holder_name": "张三",
               "id_number": h.id_number, "reserved_phone": h.phone}),
        &h.token,
        false,
    )
    .await;
    assert_eq!(status, 202, "{pending}");
    let card_id = pending["card_id"].as_str().unwrap().to_owned();
    let otp = latest_code(app, &h.phone).await;
    let (status, card) = send(
        app,
        "POST",
        &format!("/v1/me/cards/{card_id}/confirm"),
        json!({"otp": otp}),
        &h.token,
        false,
    )
    .await;
    assert_eq!(status, 200, "{card}");
    let (status, body) = send(
        app,
        "PUT",
        "/v1/me/pin",
        json!({"pin": PIN}),
        &h.token,
        false,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = send(
        app,
        "POST",
        "/v1/me/topups",
        json!({"card_id": card_id, "amount": topup, "pin": PIN}),
        &h.token,
        true,
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("succeeded")),
        "{body}"
    );
    h.token
}

/// A merchant opened by an L1 holder (born on another day, so the two ID numbers never clash),
/// its webhook set to `url`; returns the API key and the signing secret.
async fn merchant(app: &TestApp, url: &str) -> (String, String) {
    let owner = verified(app, "19850612").await;
    let (status, opened) = send(
        app,
        "POST",
        "/v1/merchants",
        json!({"name": "兰州牛肉面", "category": "restaurant"}),
        &owner.token,
        false,
    )
    .await;
    assert_eq!(status, 201, "{opened}");
    let key = opened["api_key"].as_str().unwrap().to_owned();
    let (status, body) = send(
        app,
        "PUT",
        "/v1/merchant/webhook",
        json!({"url": url}),
        &key,
        false,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (key, secret)
}

/// Checks `hook` is signed with `secret` over its body exactly, within 5 minutes of now.
fn assert_signed(hook: &Hook, secret: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signature = hook.header("qianbao-signature");
    assert_eq!(
        qianbao_secrets::signature::verify(
            secret.as_bytes(),
            &signature,
            &hook.body,
            i64::try_from(now).unwrap(),
            300
        ),
        Ok(()),
        "{signature}"
    );
    assert_eq!(hook.header("content-type"), "application/json");
    assert!(
        hook.header("qianbao-delivery")
            .parse::<i64>()
            .is_ok_and(|id| id > 0),
        "{:?}",
        hook.header("qianbao-delivery")
    );
}

#[tokio::test]
async fn a_payment_and_a_refund_reach_the_merchant_signed_and_a_refused_event_comes_again() {
    let app = spawn_app().await;
    let endpoint = Endpoint::start(&[500, 200]).await;
    let (key, secret) = merchant(&app, &endpoint.url).await;
    let payer = payer(&app, 50_000).await;

    let (status, order) = send(
        &app,
        "POST",
        "/v1/merchant/orders",
        json!({"amount": 1800, "description": "一碗面"}),
        &key,
        false,
    )
    .await;
    assert_eq!(status, 201, "{order}");
    let (status, paid) = send(
        &app,
        "POST",
        "/v1/pay",
        json!({"payload": order["qr_payload"], "pin": PIN}),
        &payer,
        true,
    )
    .await;
    assert_eq!(status, 201, "{paid}");
    let payment_id = paid["payment_id"].as_str().unwrap().to_owned();

    // The receiver answers 500 first: the outbox offers the same event again after its backoff.
    let payments = endpoint.wait_for("payment.succeeded", 2).await;
    let (first, again) = (&payments[0], &payments[1]);
    assert_eq!(
        first.header("qianbao-delivery"),
        again.header("qianbao-delivery")
    );
    assert_eq!(first.body, again.body, "a retry must send the stored body");
    assert_signed(first, &secret);
    assert_signed(again, &secret);
    let event = again.json();
    assert_eq!(event["type"], "payment.succeeded");
    assert_eq!(event["data"]["payment_id"], payment_id.as_str());
    assert_eq!(event["data"]["order_id"], order["order_id"]);
    assert_eq!(event["data"]["amount"], 1800);

    let (status, refunded) = send(
        &app,
        "POST",
        "/v1/merchant/refunds",
        json!({"payment_id": payment_id, "amount": 800}),
        &key,
        true,
    )
    .await;
    assert_eq!(status, 201, "{refunded}");
    let refunds = endpoint.wait_for("refund.succeeded", 1).await;
    let refund = &refunds[0];
    assert_signed(refund, &secret);
    assert_ne!(
        refund.header("qianbao-delivery"),
        first.header("qianbao-delivery")
    );
    let event = refund.json();
    assert_eq!(event["type"], "refund.succeeded");
    assert_eq!(event["data"]["refund_id"], refunded["refund_id"]);
    assert_eq!(event["data"]["payment_id"], payment_id.as_str());
    assert_eq!(event["data"]["amount"], 800);

    // Taken once, an event is not offered again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let payments = endpoint.wait_for("payment.succeeded", 2).await;
    assert_eq!(payments.len(), 2, "a delivered event was sent again");
    assert_eq!(endpoint.wait_for("refund.succeeded", 1).await.len(), 1);
}

#[tokio::test]
async fn a_webhook_signed_with_an_old_secret_does_not_verify_after_it_is_replaced() {
    let app = spawn_app().await;
    let endpoint = Endpoint::start(&[200]).await;
    let (key, old_secret) = merchant(&app, &endpoint.url).await;
    let (status, body) = send(
        &app,
        "PUT",
        "/v1/merchant/webhook",
        json!({"url": endpoint.url}),
        &key,
        false,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert_ne!(secret, old_secret);
    let payer = payer(&app, 10_000).await;
    let (_, order) = send(
        &app,
        "POST",
        "/v1/merchant/orders",
        json!({"amount": 500, "description": "茶"}),
        &key,
        false,
    )
    .await;
    let (status, paid) = send(
        &app,
        "POST",
        "/v1/pay",
        json!({"payload": order["qr_payload"], "pin": PIN}),
        &payer,
        true,
    )
    .await;
    assert_eq!(status, 201, "{paid}");

    let hooks = endpoint.wait_for("payment.succeeded", 1).await;
    assert_signed(&hooks[0], &secret);
    let signature = hooks[0].header("qianbao-signature");
    assert!(
        qianbao_secrets::signature::verify(
            old_secret.as_bytes(),
            &signature,
            &hooks[0].body,
            0,
            i64::MAX
        )
        .is_err(),
        "the replaced secret still verifies"
    );
}

#[tokio::test]
async fn outside_the_sandbox_a_webhook_may_not_point_into_private_networks() {
    let dir = crate::helpers::temp_dir("webhook-private");
    let mut settings =
        qianbao_server::Settings::new(qianbao_store::Location::SqliteDir(dir.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.sandbox = true;
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.webhook_private_hosts = false;
    settings.policy = Some(policy);
    let app = crate::helpers::start(settings, dir).await;
    let owner = verified(&app, "19850612").await;
    let (status, opened) = send(
        &app,
        "POST",
        "/v1/merchants",
        json!({"name": "便利店", "category": "retail"}),
        &owner.token,
        false,
    )
    .await;
    assert_eq!(status, 201, "{opened}");
    let key = opened["api_key"].as_str().unwrap().to_owned();
    let mut refused = vec![
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8/hook",
        "http://localhost:8080/",
        "http://localhost.:8080/",
        "http://user@shop.example.com/",
    ];
    // Every spelling of 127.0.0.1 the outside attack of issue 14 got accepted (the WHATWG
    // parser the delivery client uses reads each as 127.0.0.1, or 0.0.0.0 for `0`), and IPv6
    // forms of loopback, private and link-local addresses.
    refused.extend([
        "http://2130706433:9/hook",
        "http://0x7f000001:9/hook",
        "http://0x7f.0.0.1:9/hook",
        "http://0177.0.0.1:9/hook",
        "http://127.1:9/hook",
        "http://127.0.0.1.:9/hook",
        "http://127.0.0.%31:9/hook",
        "http://0:9/hook",
        "http://[::1]:9/hook",
        "http://[::]:9/hook",
        "http://[::ffff:127.0.0.1]:9/hook",
        "http://[::ffff:7f00:1]:9/hook",
        "http://[::127.0.0.1]:9/hook",
        "http://[64:ff9b::127.0.0.1]:9/hook",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[2002:7f00:1::1]:9/hook",
        "http://[fd00::1]:9/hook",
        "http://[fe80::1]:9/hook",
    ]);
    let mut accepted = Vec::new();
    for url in refused {
        let (status, body) = send(
            &app,
            "PUT",
            "/v1/merchant/webhook",
            json!({"url": url}),
            &key,
            false,
        )
        .await;
        if (status, body["code"].as_str(), body["field"].as_str())
            != (422, Some("invalid_request"), Some("url"))
        {
            accepted.push(format!("{url}: {status} {body}"));
        }
    }
    assert_eq!(accepted, Vec::<String>::new(), "internal URLs were taken");
    let (status, body) = send(
        &app,
        "PUT",
        "/v1/merchant/webhook",
        json!({"url": "https://shop.example.com/hooks"}),
        &key,
        false,
    )
    .await;
    assert_eq!(status, 200, "a public URL is accepted: {body}");
}
