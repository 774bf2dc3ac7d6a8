//! One call as the bench sends it: a method, a URL, maybe a bearer token, an `Idempotency-Key`
//! and a JSON body; the answer as its status and JSON body, which the bench reads untyped so
//! that a surprising answer is still counted and shown rather than failing to parse.

use serde_json::Value;

/// The client's view of one call.
pub(super) async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    key: Option<String>,
    body: Option<Value>,
) -> Result<(u16, Value), String> {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}

/// The body of an answer of `status`; any other answer is an error naming the step and showing
/// what came instead.
pub(super) fn expect(step: &str, got: (u16, Value), status: u16) -> Result<Value, String> {
    if got.0 == status {
        Ok(got.1)
    } else {
        Err(format!("{step}: {} {}", got.0, got.1))
    }
}
