//! Bank connectors (card binding): the stateless sandbox bank, and a bank's HTTP API.

mod http;
mod sandbox;

pub use http::{HttpBank, HttpBankConfig};
pub use sandbox::SandboxBank;
