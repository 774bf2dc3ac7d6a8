//! SMS gateways.

mod sandbox;

pub use sandbox::SandboxSms;
