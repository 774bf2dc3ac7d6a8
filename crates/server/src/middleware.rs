//! The layers every request passes: request id, access log, metrics, timeout, panic catching, and
//! the handlers for unknown paths and wrong methods. All failures here are problem+json too.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qianbao_wallet::ids::Ids;
use std::any::Any;
use std::time::Duration;

/// The header carrying the request id, set if the client did not send one and echoed back.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id accepted from a client; a longer or non-printable one is replaced.
const REQUEST_ID_LEN_MAX: usize = 128;

/// Gives the request an id (the client's if sane, else a new UUIDv7 from `ids`), logs one line
/// when it ends with method, route, status and time (by the ids' clock), and echoes the id in
/// the response. Never logs the query, headers or body: they carry phone numbers,
/// tokens and card numbers.
pub async fn request_id_and_log(State(ids): State<Ids>, mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .filter(|v| {
            v.len() <= REQUEST_ID_LEN_MAX && v.as_bytes().iter().all(|b| b.is_ascii_graphic())
        })
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&ids.uuid_v7().to_string())
                .unwrap_or(HeaderValue::from_static("unknown"))
        });
    req.headers_mut().insert(REQUEST_ID.clone(), id.clone());
    let method = req.method().clone();
    let started = ids.clock().monotonic();
    let mut response = next.run(req).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or_else(|| "unmatched".to_string(), |r| r.0.clone());
    let elapsed = ids.clock().monotonic().saturating_sub(started);
    let status = response.status().as_u16();
    tracing::info!(
        request_id = id.to_str().unwrap_or(""),
        method = %method,
        route = %route,
        status,
        elapsed_ms = elapsed.as_millis() as u64,
        "request"
    );
    metrics::counter!(
        "qianbao_http_requests_total",
        "method" => method.to_string(),
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("qianbao_http_request_duration_seconds", "route" => route)
        .record(elapsed.as_secs_f64());
    response.headers_mut().insert(REQUEST_ID.clone(), id);
    response
}

/// The route template that answered (`/v1/me/cards/{card_id}`), carried out on the response so the
/// outer log and metrics layer can name routes without their ids.
#[derive(Clone, Debug)]
pub struct Route(pub String);

/// Marks the response with the matched route; applied with `route_layer`, where the route is known.
pub async fn remember_route(path: MatchedPath, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response
        .extensions_mut()
        .insert(Route(path.as_str().to_string()));
    response
}

/// Ends a request that takes longer than `limit` with 503 `timeout`. Work already handed to the
/// ledger writer still completes; the client retries with its Idempotency-Key to learn the result.
pub async fn time_limit(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "The request took too long. Retry with the same Idempotency-Key to learn its result.",
        )
        .retry_after(1)
        .into_response(),
    }
}

/// Turns axum's own plain 413 (body over the limit, found before any extractor ran) into
/// problem+json, keeping every other response as it is.
pub async fn problem_for_plain_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let is_problem = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem {
        return crate::extract::payload_too_large().into_response();
    }
    response
}

/// Headers every response carries: no MIME sniffing, no framing, no referrer leaving the site
/// (a page's URL can hold a payment code or a filter on records), and no powerful features.
pub async fn security_headers(req: Request, next: Next) -> Response {
    use axum::http::header;
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The answer for a path no route has.
pub async fn unknown_path() -> ApiError {
    ApiError::not_found()
}

/// The answer for a known path called with a method it does not take.
pub async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This path does not take that method.",
    )
}

/// The answer when a handler panics: a bug, logged, and a problem body for the client.
pub fn panicked(cause: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let cause = cause
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| cause.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".to_string());
    ApiError::internal(format!("handler panicked: {cause}")).into_response()
}
