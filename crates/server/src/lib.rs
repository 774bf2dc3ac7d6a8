//! qianbao's HTTP server: the routers, the one error type mapped to problem+json, the middleware
//! stack, the OpenAPI document, and the subcommands of the `qianbao` binary.

pub mod auth;
pub mod bench;
pub mod cli;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod policy;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod web;
mod webhooks;

pub use error::ApiError;
pub use startup::{Application, Settings, StartError};

/// A time in ms since the epoch as RFC 3339 UTC (what the API returns for every time).
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
