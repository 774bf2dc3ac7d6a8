//! The routers, one module per resource.

pub mod kyc;
pub mod merchant;
pub mod money;
pub mod opening;
pub mod ops;
pub mod qr;
pub mod quote;
pub mod security;
