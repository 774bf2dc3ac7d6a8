//! Bank connectors (card binding, top-ups and withdrawals): the sandbox bank — stateless binding,
//! money in per-process books — and a bank's HTTP API.

mod http;
mod sandbox;

pub use http::{HttpBank, HttpBankConfig};
pub use sandbox::SandboxBank;
