//! The production layer stack around test-only routes, over real HTTP: bad bodies, oversized
//! bodies, slow handlers and panicking handlers all answer problem+json with their codes.

use axum::Router;
use axum::routing::{get, post};
use qianbao_api_types::Problem;
use qianbao_server::extract::ApiJson;
use qianbao_server::{Settings, startup::with_layers};
use qianbao_store::Location;
use std::time::Duration;

#[derive(serde::Deserialize)]
struct Body {
    amount: i64,
}

async fn echo(ApiJson(body): ApiJson<Body>) -> String {
    body.amount.to_string()
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "too late"
}

async fn panics() -> &'static str {
    panic!("a bug in a handler")
}

/// Serves the test routes behind the real layers with a 1 KiB body limit and a 200 ms time limit.
async fn serve() -> String {
    let mut settings = Settings::new(Location::SqliteDir("unused".into()));
    settings.body_limit_bytes = 1024;
    settings.request_timeout = Duration::from_millis(200);
    let routes = Router::new()
        .route("/echo", post(echo))
        .route("/slow", get(slow))
        .route("/panic", get(panics));
    let app = with_layers(routes, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

async fn problem(response: reqwest::Response) -> (u16, String, Problem) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, content_type, response.json().await.unwrap())
}

fn post_body(address: &str, content_type: Option<&str>, body: Vec<u8>) -> reqwest::RequestBuilder {
    let request = reqwest::Client::new()
        .post(format!("{address}/echo"))
        .body(body);
    match content_type {
        Some(ct) => request.header("content-type", ct),
        None => request,
    }
}

#[tokio::test]
async fn a_good_json_body_reaches_the_handler() {
    let address = serve().await;
    let r = post_body(
        &address,
        Some("application/json"),
        br#"{"amount": 1250}"#.to_vec(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "1250");
}

#[tokio::test]
async fn malformed_json_is_a_400_problem_with_code_malformed_json() {
    let address = serve().await;
    let r = post_body(
        &address,
        Some("application/json"),
        b"{\"amount\": ".to_vec(),
    )
    .send()
    .await
    .unwrap();
    let (status, content_type, p) = problem(r).await;
    assert_eq!(
        (status, content_type.as_str(), p.code.as_str()),
        (400, "application/problem+json", "malformed_json")
    );
}

#[tokio::test]
async fn a_body_without_json_content_type_is_a_415_problem() {
    let address = serve().await;
    let r = post_body(&address, Some("text/plain"), br#"{"amount": 1}"#.to_vec())
        .send()
        .await
        .unwrap();
    let (status, _, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (415, "unsupported_media_type"));
    let r = post_body(&address, None, br#"{"amount": 1}"#.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.2.code, "unsupported_media_type");
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_422_problem_naming_the_field() {
    let address = serve().await;
    for body in [
        &br#"{"amount": "12.50"}"#[..],
        br#"{"amount": 1.5}"#,
        br#"{}"#,
        br#"{"amount": 99999999999999999999}"#,
    ] {
        let r = post_body(&address, Some("application/json"), body.to_vec())
            .send()
            .await
            .unwrap();
        let (status, _, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "invalid_request"),
            "{}",
            String::from_utf8_lossy(body)
        );
        assert!(p.detail.contains("amount"), "{}", p.detail);
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem_with_code_payload_too_large() {
    let address = serve().await;
    let big = format!("{{\"amount\": 1, \"pad\": \"{}\"}}", "x".repeat(10_000));
    let r = post_body(&address, Some("application/json"), big.into_bytes())
        .send()
        .await
        .unwrap();
    let (status, content_type, p) = problem(r).await;
    assert_eq!(
        (status, content_type.as_str(), p.code.as_str()),
        (413, "application/problem+json", "payload_too_large")
    );
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_a_503_problem_with_code_timeout_and_retry_after() {
    let address = serve().await;
    let r = reqwest::get(format!("{address}/slow")).await.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    let (status, _, p) = problem(r).await;
    assert_eq!(
        (status, p.code.as_str(), p.retry_after),
        (503, "timeout", Some(1))
    );
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_problem_and_the_server_keeps_serving() {
    let address = serve().await;
    let r = reqwest::get(format!("{address}/panic")).await.unwrap();
    let (status, _, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (500, "internal"));
    assert!(
        !p.detail.contains("a bug in a handler"),
        "the cause leaked to the client"
    );
    let r = post_body(
        &address,
        Some("application/json"),
        br#"{"amount": 7}"#.to_vec(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
}
