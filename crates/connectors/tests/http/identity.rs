//! `HttpIdentity` against a local receiver.

use crate::receiver::{Receiver, Reply, unreachable_url};
use base64::Engine;
use qianbao_connectors::{ApiKey, HttpIdentity, HttpIdentityConfig};
use qianbao_wallet::{ConnectorError, FaceVerdict, IdentityVerdict, IdentityVerifier};
use std::time::{Duration, Instant};

const ID_NUMBER: &str = "110101199001010019";
const NAME: &str = "张三";

fn config(base_url: String, retries: u32) -> HttpIdentityConfig {
    HttpIdentityConfig {
        base_url,
        api_key: ApiKey::new("id-key-456"),
        timeout: Duration::from_secs(5),
        retries,
        backoff: Duration::from_millis(10),
    }
}

fn verifier(config: HttpIdentityConfig) -> HttpIdentity {
    match HttpIdentity::new(config) {
        Ok(verifier) => verifier,
        Err(e) => panic!("config refused: {e}"),
    }
}

#[tokio::test]
async fn a_name_check_posts_name_and_id_number_with_the_bearer_key() {
    let receiver = Receiver::start(vec![Reply::json(200, r#"{"result":"match"}"#)]).await;

    let verdict = verifier(config(receiver.base_url.clone(), 0))
        .verify_name(NAME, ID_NUMBER)
        .await;

    assert_eq!(verdict.ok(), Some(IdentityVerdict::Match));
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/identity/verify");
    assert_eq!(received[0].header("authorization"), "Bearer id-key-456");
    assert_eq!(received[0].header("content-type"), "application/json");
    assert_eq!(
        received[0].json(),
        serde_json::json!({"name": NAME, "id_number": ID_NUMBER})
    );
}

#[tokio::test]
async fn name_answers_map_to_verdicts() {
    for (answer, expected) in [
        (r#"{"result":"match"}"#, IdentityVerdict::Match),
        (r#"{"result":"mismatch"}"#, IdentityVerdict::Mismatch),
        (r#"{"result":"needs_review"}"#, IdentityVerdict::NeedsReview),
        (
            r#"{"result":"mismatch","extra":"ignored"}"#,
            IdentityVerdict::Mismatch,
        ),
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let verdict = verifier(config(receiver.base_url.clone(), 0))
            .verify_name(NAME, ID_NUMBER)
            .await;
        assert_eq!(verdict.ok(), Some(expected), "{answer}");
    }
}

#[tokio::test]
async fn a_face_check_posts_the_id_number_and_the_selfie_in_base64() {
    let selfie: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    for (answer, expected) in [
        (r#"{"result":"match"}"#, FaceVerdict::Match),
        (r#"{"result":"mismatch"}"#, FaceVerdict::Mismatch),
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let verdict = verifier(config(receiver.base_url.clone(), 0))
            .verify_face(ID_NUMBER, &selfie)
            .await;
        assert_eq!(verdict.ok(), Some(expected), "{answer}");
        let received = receiver.received();
        assert_eq!(received[0].path, "/v1/identity/face");
        let body = received[0].json();
        assert_eq!(body["id_number"], ID_NUMBER);
        let sent = body["selfie_base64"].as_str().unwrap_or("");
        let decoded = base64::engine::general_purpose::STANDARD.decode(sent);
        assert_eq!(decoded.ok(), Some(selfie.clone()));
    }
}

#[tokio::test]
async fn a_face_check_has_no_review_so_needs_review_there_is_a_protocol_error() {
    let receiver = Receiver::start(vec![Reply::json(200, r#"{"result":"needs_review"}"#)]).await;
    let verdict = verifier(config(receiver.base_url.clone(), 0))
        .verify_face(ID_NUMBER, b"selfie")
        .await;
    assert!(
        matches!(verdict, Err(ConnectorError::Protocol(_))),
        "{verdict:?}"
    );
}

#[tokio::test]
async fn the_base_url_path_is_kept_below_the_host() {
    let receiver = Receiver::start(vec![Reply::json(200, r#"{"result":"match"}"#)]).await;
    let verdict = verifier(config(receiver.url("/gateway/"), 0))
        .verify_name(NAME, ID_NUMBER)
        .await;
    assert!(verdict.is_ok(), "{verdict:?}");
    assert_eq!(receiver.received()[0].path, "/gateway/v1/identity/verify");
}

#[tokio::test]
async fn a_429_or_5xx_answer_is_retried_and_then_succeeds() {
    let receiver = Receiver::start(vec![
        Reply::json(429, ""),
        Reply::json(500, ""),
        Reply::json(503, ""),
        Reply::json(200, r#"{"result":"mismatch"}"#),
    ])
    .await;
    let verdict = verifier(config(receiver.base_url.clone(), 3))
        .verify_name(NAME, ID_NUMBER)
        .await;
    assert_eq!(verdict.ok(), Some(IdentityVerdict::Mismatch));
    assert_eq!(receiver.count(), 4);
}

#[tokio::test]
async fn a_5xx_answer_forever_is_unavailable_after_retries_plus_one_attempts() {
    let receiver = Receiver::start(vec![Reply::json(500, "")]).await;
    let verdict = verifier(config(receiver.base_url.clone(), 2))
        .verify_face(ID_NUMBER, b"selfie")
        .await;
    assert!(
        matches!(verdict, Err(ConnectorError::Unavailable(_))),
        "{verdict:?}"
    );
    assert_eq!(receiver.count(), 3);
}

#[tokio::test]
async fn a_4xx_answer_is_a_protocol_error_without_a_retry() {
    for status in [400, 401, 403, 404, 422] {
        let receiver = Receiver::start(vec![Reply::json(status, "{}")]).await;
        let verdict = verifier(config(receiver.base_url.clone(), 3))
            .verify_name(NAME, ID_NUMBER)
            .await;
        assert!(
            matches!(verdict, Err(ConnectorError::Protocol(_))),
            "{status}: {verdict:?}"
        );
        assert_eq!(receiver.count(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_slow_verifier_times_out_and_is_unavailable() {
    let receiver = Receiver::start(vec![
        Reply::json(200, r#"{"result":"match"}"#).after(Duration::from_secs(3)),
    ])
    .await;
    let mut slow = config(receiver.base_url.clone(), 1);
    slow.timeout = Duration::from_millis(200);
    let started = Instant::now();

    let verdict = verifier(slow).verify_name(NAME, ID_NUMBER).await;

    assert!(
        matches!(verdict, Err(ConnectorError::Unavailable(_))),
        "{verdict:?}"
    );
    assert_eq!(receiver.count(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_verifier_is_unavailable() {
    let verdict = verifier(config(unreachable_url().await, 1))
        .verify_name(NAME, ID_NUMBER)
        .await;
    assert!(
        matches!(verdict, Err(ConnectorError::Unavailable(_))),
        "{verdict:?}"
    );
}

#[tokio::test]
async fn a_malformed_answer_is_a_protocol_error_without_a_retry() {
    for answer in [
        "",
        "not json",
        "{}",
        r#"{"result":"maybe"}"#,
        r#"{"result":1}"#,
        r#"{"result":"MATCH"}"#,
        r#"["match"]"#,
    ] {
        let receiver = Receiver::start(vec![Reply::json(200, answer)]).await;
        let verdict = verifier(config(receiver.base_url.clone(), 3))
            .verify_name(NAME, ID_NUMBER)
            .await;
        assert!(
            matches!(verdict, Err(ConnectorError::Protocol(_))),
            "{answer}: {verdict:?}"
        );
        assert_eq!(receiver.count(), 1, "{answer}");
    }
}

#[tokio::test]
async fn an_answer_larger_than_64_kib_is_a_protocol_error() {
    let huge = format!(r#"{{"result":"match","pad":"{}"}}"#, "x".repeat(70 * 1024));
    let receiver = Receiver::start(vec![Reply::json(200, &huge)]).await;
    let verdict = verifier(config(receiver.base_url.clone(), 0))
        .verify_name(NAME, ID_NUMBER)
        .await;
    assert!(
        matches!(verdict, Err(ConnectorError::Protocol(_))),
        "{verdict:?}"
    );
}

#[tokio::test]
async fn errors_never_quote_the_answer_or_the_request() {
    // A verifier that echoes the request back in an unexpected shape.
    let echo = format!(r#"{{"result":"{ID_NUMBER} {NAME}"}}"#);
    for reply in [
        Reply::json(200, &echo),
        Reply::json(500, &echo),
        Reply::json(400, &echo),
    ] {
        let receiver = Receiver::start(vec![reply]).await;
        let verdict = verifier(config(receiver.base_url.clone(), 0))
            .verify_name(NAME, ID_NUMBER)
            .await;
        let text = verdict.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!text.is_empty());
        assert!(!text.contains(ID_NUMBER) && !text.contains(NAME), "{text}");
    }
}

#[cfg(not(feature = "tls"))]
#[test]
fn an_https_base_url_is_refused_at_construction_when_tls_is_not_built() {
    let err = HttpIdentity::new(config("https://verify.example.com".to_owned(), 0));
    assert!(
        matches!(
            err,
            Err(qianbao_connectors::ConfigError::TlsNotBuilt { field: "base_url" })
        ),
        "{err:?}"
    );
}

#[test]
fn the_config_prints_without_its_key() {
    let printed = format!("{:?}", config("http://127.0.0.1:1".to_owned(), 0));
    assert!(!printed.contains("id-key-456"), "{printed}");
}
