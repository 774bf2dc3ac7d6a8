//! Rate feeds (汇率源): mid-market rates for the currencies the platform holds — a sandbox that
//! makes them up deterministically, and an HTTP feed for production.

mod http;
mod sandbox;

pub use http::{HttpRateFeed, HttpRateFeedConfig};
pub use sandbox::SandboxRateFeed;
