//! The server's API tests: each starts the real application on a free port and talks HTTP to it,
//! or runs the real `qianbao` binary. One test binary, so the build links once.
#![allow(clippy::unwrap_used)]

mod binary;
mod connectors;
mod helpers;
mod kyc;
mod layers;
mod opening;
mod ops;
mod security;
