//! The routers, one module per resource.

pub mod ops;
