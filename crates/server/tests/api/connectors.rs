//! The production SMS path end to end: a server without the sandbox, configured with an HTTP SMS
//! provider (a real local receiver here), delivers a sign-up code through the durable outbox and
//! drops the sent text; with no provider configured, the SMS waits in the outbox instead of being
//! marked sent.

use crate::helpers::{start, temp_dir};
use axum::Json;
use axum::extract::State;
use axum::routing::post;
use qianbao_server::Settings;
use qianbao_store::Location;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Starts a local SMS provider that records every message it is sent.
async fn provider() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/send",
            post(
                |State(seen): State<Arc<Mutex<Vec<Value>>>>, Json(body): Json<Value>| async move {
                    seen.lock().unwrap().push(body);
                    Json(json!({"id": "msg-1"}))
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn outbox(dir: &std::path::Path) -> Vec<(String, String, Option<String>, i64)> {
    let conn = rusqlite::Connection::open(dir.join("qianbao.db")).unwrap();
    let mut select = conn
        .prepare("SELECT status, text, code, attempts FROM sms_outbox ORDER BY id")
        .unwrap();
    select
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_configured_sms_provider_receives_the_code_and_the_sent_text_is_dropped() {
    let (url, seen) = provider().await;
    let dir = temp_dir("prod-sms");
    let mut settings = Settings::new(Location::SqliteDir(dir.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.connectors.sms = Some(qianbao_connectors::HttpSmsConfig {
        url,
        api_key: "provider-key".into(),
        sender: "钱包".into(),
        template: "{text}".into(),
        timeout: Duration::from_secs(2),
        retries: 1,
        backoff: Duration::from_millis(50),
    });
    let app = start(settings, dir.clone()).await;
    let r = app
        .client
        .post(format!("{}/v1/otp", app.address))
        .json(&json!({"phone": "+8613912340000", "purpose": "signup"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = seen
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("the provider got no SMS");
    assert_eq!(message["to"], "+8613912340000");
    assert_eq!(message["sender"], "钱包");
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("验证码"), "{text}");
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    assert_eq!(code.len(), 6);
    // Sent: the row no longer holds the text or the code, and the sandbox view does not exist.
    let deadline = Instant::now() + Duration::from_secs(5);
    while outbox(&dir)[0].0 != "sent" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, stored_text, stored_code, _) = outbox(&dir).remove(0);
    assert_eq!(status, "sent");
    assert!(
        !stored_text.contains(&code) && stored_code.is_none(),
        "{stored_text}"
    );
    assert_eq!(app.get("/v1/sandbox/sms").await.status(), 404);
}

#[tokio::test]
async fn without_a_provider_an_sms_waits_in_the_outbox_instead_of_being_marked_sent() {
    let dir = temp_dir("no-sms");
    let mut settings = Settings::new(Location::SqliteDir(dir.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    let app = start(settings, dir.clone()).await;
    let r = app
        .client
        .post(format!("{}/v1/otp", app.address))
        .json(&json!({"phone": "+8613912340001", "purpose": "signup"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let rows = outbox(&dir);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].0, "pending",
        "an SMS no gateway took was marked {}",
        rows[0].0
    );
    assert_eq!(rows[0].2, None, "a code was kept outside the sandbox");
    // Offered again after a growing wait (2 s, then 4 s), not on every 200 ms poll.
    assert!(
        (1..=2).contains(&rows[0].3),
        "offered {} times in 2.5 s",
        rows[0].3
    );
}
