//! The rows of currencies: the mid rates in force (and every one ever set), and the quotes given.

use super::rate::Rate;
use super::rates::MidRate;
use crate::StoreError;
use qianbao_ledger::{Amount, Currency};

crate::named! {
    /// What a quote may pay for.
    pub enum QuotePurpose {
        /// A conversion between the holder's own accounts.
        Conversion = "conversion",
        /// Paying an order a merchant priced in another currency (`subject`: the order's id).
        Order = "order",
        /// A transfer to a payee who holds another currency (`subject`: their wallet id).
        Transfer = "transfer",
    }
}

/// A quote as given: what the holder would sell and buy, at which rate, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FxQuoteRecord {
    /// Its id (a UUID v7), which the holder sends back to use it.
    pub id: String,
    /// Whose it is: nobody else may use it.
    pub holder_id: String,
    /// What it may pay for.
    pub purpose: QuotePurpose,
    /// The order or payee it is for, when not a plain conversion.
    pub subject: Option<String>,
    /// The currency the holder gives.
    pub sell_currency: Currency,
    /// The currency the holder gets.
    pub buy_currency: Currency,
    /// What leaves the holder's account.
    pub sell: Amount,
    /// What arrives.
    pub buy: Amount,
    /// The spread, in the sell currency.
    pub fee: Amount,
    /// The mid rate it was priced at (buy per sell).
    pub rate: Rate,
    /// When it was given (ms).
    pub created_ms: i64,
    /// When it stops being usable (ms).
    pub expires_ms: i64,
    /// The movement that used it, once used.
    pub used_by: Option<String>,
}

/// The rates and quotes.
pub trait FxRecords {
    /// Every mid rate in force, one per pair.
    fn mid_rates(&mut self) -> Result<Vec<MidRate>, StoreError>;
    /// Sets a pair's mid rate (replacing the one in force) and keeps it in the history.
    fn put_mid_rate(&mut self, rate: &MidRate) -> Result<(), StoreError>;
    /// Stores a quote just given.
    fn insert_fx_quote(&mut self, quote: &FxQuoteRecord) -> Result<(), StoreError>;
    /// A quote by id.
    fn fx_quote(&mut self, id: &str) -> Result<Option<FxQuoteRecord>, StoreError>;
    /// Marks a quote used by `movement_id`; `false` when it was already used (the row is
    /// unchanged then), so of two calls racing for one quote exactly one gets `true`.
    fn use_fx_quote(&mut self, id: &str, movement_id: &str, at_ms: i64)
    -> Result<bool, StoreError>;
    /// The currency the holder receives in when a payer sends one they do not hold; `None` is
    /// the default, CNY.
    fn main_currency(&mut self, holder_id: &str) -> Result<Option<Currency>, StoreError>;
    /// Sets the holder's main currency.
    fn set_main_currency(
        &mut self,
        holder_id: &str,
        currency: Currency,
        at_ms: i64,
    ) -> Result<(), StoreError>;
}
