//! Gift and membership cards (礼品卡、会员卡, `docs/rewards.md`): stored value a shop owes whoever
//! holds the card, one ledger account per card, kept apart from any wallet balance and spent
//! only at that shop, before the wallet balance.
//!
//! A card comes into a wallet three ways: the shop issues it to a phone, a holder redeems the
//! code the shop handed out, or a holder buys it (for themselves or as a gift). Its money is put
//! in when it is made — from the shop's takings or the buyer's wallet — so a card never promises
//! money nobody paid. When it expires, what it still holds goes to the shop (breakage is the
//! shop's).

pub mod buy;
pub mod expiry;
pub mod give;
pub mod issue;
pub mod pay;
pub mod records;
pub mod redeem;
pub mod view;

pub use buy::{Bought, BuyRequest};
pub use issue::{IssueRequest, Issued, IssuedCard};
pub use records::{
    CardAccountProblem, GiftCardKind, GiftCardOrigin, GiftCardRecord, GiftCardRecords,
    GiftCardStatus,
};
pub use view::CardView;

use crate::AccountOwner;
use crate::StoreError;
use crate::money::records::MoneyTx;
use crate::money::{Money, MoneyError};
use qianbao_ledger::{Account, AccountKind, Currency};
use qianbao_secrets::field::blind_index;
use qianbao_secrets::token::new_numeric_code;

/// How long a card lasts when the shop does not say: a year.
pub const LIFETIME_MS: i64 = 365 * 86_400_000;

/// The longest a card may last: three years, as prepaid cards in China are usually kept.
pub const LIFETIME_MAX_MS: i64 = 3 * 366 * 86_400_000;

/// Cards listed at most in one view.
pub const LISTED_MAX: i64 = 100;

/// A card's own ledger account (owned by the card, so its money is never the holder's).
pub(crate) fn card_account(r: &mut dyn MoneyTx, card_id: &str) -> Result<Account, StoreError> {
    r.account(
        &AccountOwner::Wallet(card_id.to_string()),
        AccountKind::GiftCard,
        Currency::CNY,
    )
}

/// The digest a redeem code is kept as: keyed, so a stolen database does not give the codes
/// away by brute force over the 10¹⁶ of them.
pub(crate) fn code_digest(money: &Money, code: &str) -> String {
    blind_index(&money.ctx.keys, "gift-card-code", code)
}

/// A fresh redeem code: 16 random digits.
pub(crate) fn new_code(random: &dyn crate::Randomness) -> Result<String, MoneyError> {
    new_numeric_code(random, 16).map_err(|e| MoneyError::Internal(e.to_string()))
}

/// A fresh card number for the barcode: 19 digits starting 89, apart from payment codes (which
/// start 28) so a till cannot take one for the other.
pub(crate) fn new_number(random: &dyn crate::Randomness) -> Result<String, MoneyError> {
    Ok(format!(
        "89{}",
        new_numeric_code(random, 17).map_err(|e| MoneyError::Internal(e.to_string()))?
    ))
}
