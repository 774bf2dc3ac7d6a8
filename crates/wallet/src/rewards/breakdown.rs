//! What a shop's payment was made of, as the shop reads it back for its till's receipt: the
//! price, what a coupon and points took off it, and what the payer's gift cards of the shop paid.
//! Read from the payment's own rows (the coupon used on it, its parts), so a receipt drawn long
//! after the payment says what the payment's entry moved.

use super::parts::PartSource;
use crate::money::records::MerchantRecord;
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;
use qianbao_ledger::Amount;

/// The parts of one payment's price beside what the payer's wallet paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriceBreakdown {
    /// What a coupon and points took off the price (points one fen each).
    pub discount: Amount,
    /// What the payer's gift or membership cards of the shop paid.
    pub gift_card: Amount,
}

impl Money {
    /// The breakdown of payment `payment_id` of `merchant`'s; `NotFound` when it is not a
    /// payment the merchant received (another shop's, or a charge still waiting for its payer).
    pub async fn payment_breakdown(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        payment_id: &str,
    ) -> Result<PriceBreakdown, MoneyError> {
        let (merchant_id, payment_id) = (merchant.id.clone(), payment_id.to_string());
        store
            .transact_read(move |r| {
                if r.merchant_payment(&payment_id)?
                    .filter(|p| p.merchant_id == merchant_id)
                    .is_none()
                {
                    return Ok(None);
                }
                let mut out = PriceBreakdown {
                    discount: r
                        .coupon_for_payment(&payment_id)?
                        .and_then(|c| c.discount)
                        .unwrap_or(Amount::ZERO),
                    gift_card: Amount::ZERO,
                };
                for part in r.payment_parts(&payment_id)? {
                    match part.source {
                        PartSource::Points => out.discount += part.amount,
                        PartSource::GiftCard => out.gift_card += part.amount,
                    }
                }
                Ok(Some(out))
            })
            .await?
            .ok_or(MoneyError::NotFound)
    }
}
