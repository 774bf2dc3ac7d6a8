//! The operations endpoints and the answers for paths and methods that do not exist.

use crate::helpers::{TestDatabase, spawn_app, start, temp_dir};
use qianbao_api_types::Problem;
use qianbao_server::Settings;
use qianbao_store::Location;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok");
}

#[tokio::test]
async fn readyz_answers_ready_when_storage_answers() {
    let app = spawn_app().await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
}

#[tokio::test]
async fn readyz_works_on_postgres_too() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let mut settings = Settings::new(Location::Postgres(db.url.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    let app = start(settings, temp_dir("api-pg")).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_in_prometheus_text() {
    let app = spawn_app().await;
    app.get("/healthz").await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    assert!(
        text.contains(
            "qianbao_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_matches_the_committed_copy() {
    let app = spawn_app().await;
    let r = app.get("/openapi.json").await;
    assert_eq!(r.status(), 200);
    let served = r.text().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the document"
        );
    }
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(
        served == committed,
        "docs/openapi.json is out of date: run `cargo run -q --bin qianbao -- openapi > docs/openapi.json`"
    );
}

#[tokio::test]
async fn the_docs_page_and_its_script_are_served_with_a_strict_csp() {
    let app = spawn_app().await;
    let r = app.get("/docs").await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(html.contains("/docs/docs.js") && html.contains("/openapi.json"));
    let js = app.get("/docs/docs.js").await;
    assert_eq!(js.status(), 200);
    assert!(
        js.text()
            .await
            .unwrap()
            .contains("fetch(\"/openapi.json\")")
    );
}

#[tokio::test]
async fn an_unknown_path_is_a_404_problem_with_code_not_found() {
    let app = spawn_app().await;
    let r = app.get("/v1/no/such/thing").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Problem = r.json().await.unwrap();
    assert_eq!((p.status, p.code.as_str()), (404, "not_found"));
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_code_method_not_allowed() {
    let app = spawn_app().await;
    let r = app
        .client
        .delete(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Problem = r.json().await.unwrap();
    assert_eq!(p.code, "method_not_allowed");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_sane_client_id_is_kept() {
    let app = spawn_app().await;
    let made = app.get("/healthz").await;
    let id = made.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
    let kept = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "trace-abc-123");
    let replaced = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "x".repeat(500))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.headers()["x-request-id"].len(), 36);
}

#[tokio::test]
async fn readyz_answers_503_storage_unavailable_when_the_database_is_gone() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let mut settings = Settings::new(Location::Postgres(db.url.clone()));
    settings.listen = "127.0.0.1:0".parse().unwrap();
    let app = start(settings, temp_dir("api-pg-gone")).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let admin = std::process::Command::new("psql")
        .args([db.admin_url(), "-q", "-c"])
        .arg(format!("DROP DATABASE {} WITH (FORCE)", db.name()))
        .output()
        .unwrap();
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    let p: Problem = r.json().await.unwrap();
    assert_eq!(p.code, "storage_unavailable");
    assert!(
        !p.detail.contains(db.name()),
        "the internal cause leaked: {}",
        p.detail
    );
    // Liveness is about the process, not storage.
    assert_eq!(app.get("/healthz").await.status(), 200);
}
