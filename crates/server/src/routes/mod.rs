//! The routers, one module per resource.

pub mod opening;
pub mod ops;
