//! The production layer stack around test-only routes, over real HTTP: bad bodies, oversized
//! bodies, slow handlers and panicking handlers all answer problem+json with their codes.

use axum::Router;
use axum::routing::{get, post};
use qianbao_api_types::Problem;
use qianbao_server::extract::ApiJson;
use qianbao_server::{Settings, router::with_layers};
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

/// The application over a fresh SQLite folder, with the given header-read and idle timeouts.
async fn app_with_timeouts(header_read: Duration, idle: Duration) -> crate::helpers::TestApp {
    let dir = crate::helpers::temp_dir("timeouts");
    let mut settings = Settings::new(Location::SqliteDir(dir.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.sandbox = true;
    settings.header_read_timeout = header_read;
    settings.idle_timeout = idle;
    crate::helpers::start(settings, dir).await
}

/// A raw connection to the application, for clients no HTTP library would be.
async fn connect(app: &crate::helpers::TestApp) -> tokio::net::TcpStream {
    let address = app.address.trim_start_matches("http://");
    tokio::net::TcpStream::connect(address).await.unwrap()
}

/// How long until the server closes `stream` (end of stream or reset), if within `limit`; the
/// server must send nothing meanwhile.
async fn closed_within(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    limit: Duration,
) -> Option<Duration> {
    use tokio::io::AsyncReadExt;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 1024];
    match tokio::time::timeout(limit, stream.read(&mut buf)).await {
        Err(_) => None,
        Ok(Ok(0) | Err(_)) => Some(started.elapsed()),
        Ok(Ok(n)) => panic!(
            "the server sent {:?} instead of closing",
            String::from_utf8_lossy(&buf[..n])
        ),
    }
}

/// Sends `GET path` on a kept-alive connection and reads the whole response; its status line.
async fn get_raw(stream: &mut tokio::net::TcpStream, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the connection closed mid-response");
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .expect("a content-length");
            if response.len() >= end + 4 + length {
                return text.lines().next().unwrap().to_string();
            }
        }
    }
}

const HEADER_READ: Duration = Duration::from_millis(300);
const LIMIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    let app = app_with_timeouts(HEADER_READ, Duration::from_secs(60)).await;
    let mut silent = connect(&app).await;
    let waited = closed_within(&mut silent, LIMIT)
        .await
        .expect("a silent connection stayed open");
    assert!(
        waited >= Duration::from_millis(250),
        "closed after {waited:?}"
    );
    // Normal requests are not affected.
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn half_a_request_line_is_closed_after_the_header_read_timeout() {
    use tokio::io::AsyncWriteExt;
    let app = app_with_timeouts(HEADER_READ, Duration::from_secs(60)).await;
    let mut half = connect(&app).await;
    half.write_all(b"GET /healthz HT").await.unwrap();
    let waited = closed_within(&mut half, LIMIT)
        .await
        .expect("a half-sent request line kept its connection open");
    assert!(
        waited >= Duration::from_millis(250),
        "closed after {waited:?}"
    );
}

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_are_cut_off_at_the_header_read_timeout() {
    use tokio::io::AsyncWriteExt;
    let app = app_with_timeouts(HEADER_READ, Duration::from_secs(60)).await;
    let (mut reader, mut writer) = connect(&app).await.into_split();
    // A byte every 50 ms: never quiet for the timeout, never done (a slowloris client).
    let trickle = tokio::spawn(async move {
        let endless = format!("GET /healthz HTTP/1.1\r\nX-Pad: {}", "a".repeat(1000));
        for byte in endless.bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let waited = closed_within(&mut reader, LIMIT)
        .await
        .expect("a client trickling its headers kept its connection open");
    assert!(waited < Duration::from_secs(2), "closed after {waited:?}");
    trickle.abort();
}

#[tokio::test]
async fn a_keep_alive_connection_is_kept_between_requests_until_the_idle_timeout() {
    let idle = Duration::from_millis(1500);
    let app = app_with_timeouts(HEADER_READ, idle).await;
    let mut stream = connect(&app).await;
    assert_eq!(get_raw(&mut stream, "/healthz").await, "HTTP/1.1 200 OK");
    // Idle for longer than the header-read timeout: the connection still serves.
    tokio::time::sleep(HEADER_READ * 2).await;
    assert_eq!(get_raw(&mut stream, "/healthz").await, "HTTP/1.1 200 OK");
    // Then left idle, it is closed after the idle timeout, not before.
    let waited = closed_within(&mut stream, LIMIT)
        .await
        .expect("an idle keep-alive connection stayed open");
    assert!(
        waited >= idle - Duration::from_millis(200),
        "closed after {waited:?}"
    );
}

#[tokio::test]
async fn a_request_slower_than_the_header_read_timeout_is_still_answered() {
    async fn unhurried() -> &'static str {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        "done"
    }
    let settings = Settings::new(Location::SqliteDir("unused".into()));
    let routes = Router::new().route("/unhurried", get(unhurried));
    let app = with_layers(routes, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let timeouts = qianbao_server::serve::ConnectionTimeouts {
        header_read: HEADER_READ,
        idle: HEADER_READ,
    };
    tokio::spawn(qianbao_server::serve::serve(
        listener,
        app,
        timeouts,
        std::future::pending(),
    ));
    let r = reqwest::get(format!("{address}/unhurried")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "done");
}
