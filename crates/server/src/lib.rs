//! qianbao's HTTP server: the routers, the one error type mapped to problem+json, the middleware
//! stack, the OpenAPI document, and the subcommands of the `qianbao` binary.

pub mod auth;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
// `qianbao admin campaign …`.
pub mod cli_campaign;
pub mod cli_proof;
pub mod cli_risk;
// `qianbao admin recon …`.
pub mod cli_recon;
pub mod cli_staff;
// `qianbao transit validate`.
pub mod cli_transit;
mod connectors;
pub mod cookies;
pub mod error;
pub mod extract;
pub mod live_policy;
pub mod middleware;
pub mod openapi;
pub mod policy;
pub mod router;
pub mod routes;
pub mod serve;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod timestamp;
pub mod web;
pub mod workers;

pub use error::ApiError;
pub use settings::Settings;
pub use startup::{Application, Parts, StartError};
