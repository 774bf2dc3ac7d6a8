//! Several currencies (外币): mid-market rates, quotes at a spread, and conversions between a
//! holder's own accounts. The arithmetic is pure ([`rate`], [`pricing`], [`rates`]); the calls
//! that store quotes and move money sit beside it.

pub mod policy;
pub mod pricing;
pub mod rate;
pub mod rates;

pub use policy::FxPolicy;
pub use pricing::{Fixed, Price, PriceError, price};
pub use rate::{Rate, RateError};
pub use rates::{MidRate, Pair, PairError, RateLookup, resolve};
