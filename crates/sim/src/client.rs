//! Requests to the real router, in process: `tower::ServiceExt::oneshot` on the axum `Router`, so
//! every layer a request passes in production (request id, time limit, body limit, panics caught,
//! problem bodies) runs, and no socket is opened.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request};
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;

/// The largest reply body read: far above any the workload asks for.
const REPLY_BYTES_MAX: usize = 4 * 1024 * 1024;

/// One request as a simulated client sends it.
#[derive(Clone, Debug)]
pub struct Call {
    /// GET, POST or PUT.
    pub method: Method,
    /// The path with its query.
    pub path: String,
    /// The JSON body, if any.
    pub body: Option<Value>,
    /// A holder's session token or a merchant's API key.
    pub bearer: Option<String>,
    /// The `Idempotency-Key`, on money calls.
    pub key: Option<String>,
    /// The client's address, as the connection loop would give it.
    pub peer: SocketAddr,
}

impl Call {
    /// `method path` from `peer`, without body, credentials or key.
    pub fn new(method: Method, path: impl Into<String>, peer: SocketAddr) -> Call {
        Call {
            method,
            path: path.into(),
            body: None,
            bearer: None,
            key: None,
            peer,
        }
    }

    /// With this JSON body.
    pub fn json(mut self, body: Value) -> Call {
        self.body = Some(body);
        self
    }

    /// With this bearer credential.
    pub fn bearer(mut self, token: &str) -> Call {
        self.bearer = Some(token.to_string());
        self
    }

    /// With this `Idempotency-Key`.
    pub fn key(mut self, key: &str) -> Call {
        self.key = Some(key.to_string());
        self
    }
}

/// What came back.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body as JSON (`Null` when empty or not JSON).
    pub body: Value,
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The problem code of a refusal, or "" when there is none.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// The text field `name` of the body, or "".
    pub fn text(&self, name: &str) -> String {
        self.body[name].as_str().unwrap_or("").to_string()
    }

    /// The integer field `name` of the body, or 0.
    pub fn int(&self, name: &str) -> i64 {
        self.body[name].as_i64().unwrap_or(0)
    }

    /// The status and, for a refusal, its code: what the trace records of a reply.
    pub fn summary(&self) -> String {
        if self.ok() {
            self.status.to_string()
        } else {
            format!("{} {}", self.status, self.code())
        }
    }
}

/// Sends `call` through `router` and reads the whole reply.
pub async fn send(router: &Router, call: Call) -> Reply {
    let mut builder = Request::builder()
        .method(call.method)
        .uri(call.path)
        .header("accept", "application/json");
    if let Some(token) = &call.bearer {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    if let Some(key) = &call.key {
        builder = builder.header("idempotency-key", key.as_str());
    }
    let body = match &call.body {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let mut request = match builder.body(body) {
        Ok(request) => request,
        Err(e) => {
            return Reply {
                status: 0,
                body: Value::String(format!("cannot build the request: {e}")),
            };
        }
    };
    request.extensions_mut().insert(ConnectInfo(call.peer));
    // The router's error type is `Infallible`: every failure is a response.
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let body = match axum::body::to_bytes(response.into_body(), REPLY_BYTES_MAX).await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    Reply { status, body }
}
