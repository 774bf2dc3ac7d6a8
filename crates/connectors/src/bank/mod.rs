//! Bank connectors (card binding, top-ups, withdrawals and settlements, daily statements): the
//! sandbox bank — stateless binding, money in per-process books, what moved kept for its
//! statements — and a bank's HTTP API.

mod http;
mod sandbox;
mod sandbox_books;

pub use http::{HttpBank, HttpBankConfig};
pub use sandbox::SandboxBank;
