//! Billers (缴费机构): water, electricity, gas and phone companies reached through one bill
//! network — a sandbox with test accounts that produce every answer, and an HTTP connector for
//! production.

mod http;
mod sandbox;

pub use http::{HttpBillers, HttpBillersConfig};
pub use sandbox::SandboxBillers;
