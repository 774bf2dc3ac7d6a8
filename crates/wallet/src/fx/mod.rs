//! Several currencies (外币): mid-market rates, quotes at a spread, and conversions between a
//! holder's own accounts. The arithmetic is pure ([`rate`], [`pricing`], [`rates`]); the calls
//! that store quotes and move money sit beside it.

pub mod convert;
pub mod legs;
pub mod policy;
pub mod pricing;
pub mod quotes;
pub mod rate;
pub mod rates;
pub mod records;

pub use convert::{Converted, major};
pub use legs::{FxDesk, exchange_legs};
pub use policy::FxPolicy;
pub use pricing::{Fixed, Price, PriceError, price};
pub use quotes::{QuoteAsk, main_currency_of, operator_rate, rates_in_force, set_rates};
pub use rate::{Rate, RateError};
pub use rates::{MidRate, Pair, PairError, RateLookup, resolve};
pub use records::{FxQuoteRecord, FxRecords, QuotePurpose};
