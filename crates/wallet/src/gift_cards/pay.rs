//! Paying a shop from the payer's cards of that shop before their wallet balance, and giving a
//! refunded card part back to its card.

use super::card_account;
use super::records::GiftCardStatus;
use crate::money::MoneyError;
use crate::money::records::MoneyTx;
use crate::rewards::parts::{PaidPart, PartSource};
use qianbao_ledger::{Account, Amount};

/// Cards one payment takes from at most: each is a leg of the payment's one entry, and an entry
/// has room for few (`POSTINGS_MAX`) beside the payer, the shop, the fee, points and a coupon.
const CARDS_PER_PAYMENT_MAX: usize = 4;

/// The parts the payer's usable cards of `merchant_id` pay of `pays`, soonest-expiring first,
/// never more than each holds nor more than `pays` in all.
pub(crate) fn card_parts(
    r: &mut dyn MoneyTx,
    holder_id: &str,
    merchant_id: &str,
    pays: Amount,
    now: i64,
) -> Result<Vec<PaidPart>, MoneyError> {
    let mut left = pays;
    let mut parts = Vec::new();
    if !left.is_positive() {
        return Ok(parts);
    }
    for card in r.usable_gift_cards(holder_id, merchant_id, now)? {
        if !left.is_positive() || parts.len() == CARDS_PER_PAYMENT_MAX {
            break;
        }
        // The balance read here is the one the entry is checked against in this transaction:
        // the ledger refuses a leg that would take the card below zero.
        let account = card_account(r, &card.id)?;
        let take = account.available().min(left);
        if !take.is_positive() {
            continue;
        }
        left -= take;
        parts.push(PaidPart {
            source: PartSource::GiftCard,
            source_id: card.id,
            account,
            amount: take,
            beside: vec![],
        });
    }
    debug_assert!(
        parts.iter().fold(Amount::ZERO, |s, p| s + p.amount) <= pays,
        "cards paid more than the price"
    );
    Ok(parts)
}

/// The card account a refunded part goes back to, or `None` when the card can no longer be used
/// (expired): the part then goes to the payer's wallet.
pub(crate) fn card_back(
    r: &mut dyn MoneyTx,
    card_id: &str,
    now: i64,
) -> Result<Option<Account>, MoneyError> {
    let Some(card) = r.gift_card(card_id)? else {
        return Ok(None);
    };
    if card.status != GiftCardStatus::Active || card.expires_ms <= now {
        return Ok(None);
    }
    Ok(Some(card_account(r, &card.id)?))
}
