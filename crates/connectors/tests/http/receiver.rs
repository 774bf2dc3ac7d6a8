//! A scripted HTTP receiver: an axum router on 127.0.0.1:0 that records every request and answers
//! from a script, the last reply repeating forever.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The body, sent as `application/json` whatever it is.
    pub body: String,
    /// How long to wait before answering.
    pub delay: Duration,
    /// A `Location` header, for redirects.
    pub location: Option<String>,
}

impl Reply {
    /// Answers `status` with `body` at once.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.to_owned(),
            delay: Duration::ZERO,
            location: None,
        }
    }

    /// The same answer after `delay`.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// The same answer with a `Location` header.
    pub fn to(mut self, location: &str) -> Reply {
        self.location = Some(location.to_owned());
        self
    }
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    /// Path only, e.g. `/v1/cards/check`.
    pub path: String,
    /// Every header.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
}

impl Received {
    /// The body parsed as JSON (`Null` if it is not JSON, which every test would notice).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A header's value as text, or "" when absent.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
}

/// What the handler shares with the test.
struct Script {
    replies: VecDeque<Reply>,
    received: Vec<Received>,
}

/// A running receiver.
pub struct Receiver {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    /// Starts a receiver answering with `replies` in order, repeating the last one.
    pub async fn start(replies: Vec<Reply>) -> Receiver {
        assert!(!replies.is_empty(), "a receiver needs at least one reply");
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            received: Vec::new(),
        }));
        let router = Router::new().fallback(answer).with_state(script.clone());
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(e) => panic!("cannot bind a local port: {e}"),
        };
        let port = match listener.local_addr() {
            Ok(addr) => addr.port(),
            Err(e) => panic!("no local address: {e}"),
        };
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Receiver {
            base_url: format!("http://127.0.0.1:{port}"),
            script,
        }
    }

    /// `base_url` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Every request received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        match self.script.lock() {
            Ok(script) => script.received.clone(),
            Err(poisoned) => poisoned.into_inner().received.clone(),
        }
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.received().len()
    }
}

/// Records the request, then gives the next scripted reply.
async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = {
        let mut script = match script.lock() {
            Ok(script) => script,
            Err(poisoned) => poisoned.into_inner(),
        };
        script.received.push(Received {
            path: uri.path().to_owned(),
            headers,
            body,
        });
        if script.replies.len() > 1 {
            script.replies.pop_front()
        } else {
            script.replies.front().cloned()
        }
    };
    let Some(reply) = reply else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        reply.body,
    )
        .into_response();
    if let Some(location) = reply.location
        && let Ok(value) = location.parse()
    {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A URL on 127.0.0.1 where nothing listens: bound, then released.
pub async fn unreachable_url() -> String {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => panic!("cannot bind a local port: {e}"),
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => panic!("no local address: {e}"),
    };
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
