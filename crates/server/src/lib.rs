//! qianbao's HTTP server: the routers, the one error type mapped to problem+json, the middleware
//! stack, the OpenAPI document, and the subcommands of the `qianbao` binary.

pub mod cli;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod telemetry;

pub use error::ApiError;
pub use startup::{Application, Settings, StartError};
