//! URL inputs of `qianbao proof verify`: one `GET` each, with a timeout, a cap on the body, no
//! redirects followed (a bearer token is never carried to a host the user did not name) and
//! any answer but 2xx refused naming its status and problem `code`. Built on `reqwest`, the
//! server crate's one HTTP client, present with the default `bench` feature.

use super::Failure::{self, Unusable};

/// How long one fetch may take, connecting and reading included.
#[cfg(feature = "bench")]
pub(super) const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The largest body read: a statement of 1,000 lines with proofs is well under 8 MiB.
#[cfg(feature = "bench")]
pub(super) const BODY_BYTES_MAX: usize = 16 * 1024 * 1024;

/// The body of `GET url` as text.
#[cfg(feature = "bench")]
pub(super) async fn text(url: &str, token: Option<&str>) -> Result<String, Failure> {
    #[cfg(not(feature = "tls"))]
    if url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        return Err(Unusable(format!(
            "{url}: this qianbao was built without TLS, so it fetches http:// URLs only (build \
             with `--features tls`, or fetch it with curl and pass the file)"
        )));
    }
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Unusable(format!("{url}: cannot make an HTTP client: {}", chain(&e))))?;
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| Unusable(format!("{url}: {}", chain(&e))))?;
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|n| n > BODY_BYTES_MAX as u64)
    {
        return Err(too_large(url));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Unusable(format!("{url}: reading the answer: {}", chain(&e))))?
    {
        if body.len() + chunk.len() > BODY_BYTES_MAX {
            return Err(too_large(url));
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        return Err(Unusable(refusal(url, status, &body)));
    }
    String::from_utf8(body).map_err(|_| Unusable(format!("{url}: the answer is not UTF-8 text")))
}

/// Without the HTTP client, a URL cannot be read.
#[cfg(not(feature = "bench"))]
pub(super) async fn text(url: &str, _token: Option<&str>) -> Result<String, Failure> {
    Err(Unusable(format!(
        "{url}: this qianbao was built without its HTTP client (the `bench` feature), so it \
         reads files only: fetch it with curl and pass the file"
    )))
}

#[cfg(feature = "bench")]
fn too_large(url: &str) -> Failure {
    Unusable(format!(
        "{url}: the answer is larger than {} MiB",
        BODY_BYTES_MAX / 1024 / 1024
    ))
}

/// What a non-2xx answer says: its status, and the problem's `code` and `detail` when the body
/// is a problem document.
#[cfg(feature = "bench")]
fn refusal(url: &str, status: reqwest::StatusCode, body: &[u8]) -> String {
    let problem: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        problem
            .as_ref()
            .and_then(|p| p.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let mut out = format!("{url}: the server answered {status}");
    match (field("code"), field("detail")) {
        (Some(code), Some(detail)) => out.push_str(&format!(" ({code}: {detail})")),
        (Some(code), None) => out.push_str(&format!(" ({code})")),
        _ => {}
    }
    if status.is_redirection() {
        out.push_str(" — redirects are not followed; pass the address it names");
    }
    out
}

/// An error with its causes ("error sending request: connection refused").
#[cfg(feature = "bench")]
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}
