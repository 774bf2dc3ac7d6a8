//! SMS gateways: the sandbox that takes everything, and an HTTP provider for production.

mod http;
mod sandbox;

pub use http::{HttpSms, HttpSmsConfig};
pub use sandbox::SandboxSms;
