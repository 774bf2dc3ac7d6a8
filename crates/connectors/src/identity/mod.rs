//! Identity verifiers (name + ID number, face): the sandbox's rules, and an HTTP verifier.

mod http;
mod sandbox;

pub use http::{HttpIdentity, HttpIdentityConfig};
pub use sandbox::SandboxIdentity;
