//! Redeeming a card's code: the card comes into the holder's wallet. Codes are 16 random digits
//! kept only as keyed digests; wrong ones are counted per holder in the database, so nobody can
//! walk the code space from one wallet (or from several nodes at once).

use super::code_digest;
use super::records::{GiftCardRecord, GiftCardStatus};
use crate::money::{Money, MoneyError, active_holder};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use crate::throttle::Throttle;

/// Wrong codes a holder may send in an hour: enough for typing mistakes, nowhere near enough
/// to guess one of 10¹⁶.
pub const WRONG_CODES_PER_HOUR_MAX: i64 = 5;

fn wrong_code_throttle() -> Throttle {
    Throttle {
        scope: "wrong_gift_card_code",
        max: Some(WRONG_CODES_PER_HOUR_MAX),
        window_ms: 3_600_000,
    }
}

impl Money {
    /// Redeems `code` into `holder`'s wallet: `gift_card_not_found` for a code no card has,
    /// `gift_card_redeemed` once it was redeemed (by anyone), `gift_card_expired` after its
    /// expiry, `rate_limited` while the holder's wrong codes of the hour are at the limit.
    pub async fn redeem_gift_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        code: &str,
    ) -> Result<GiftCardRecord, MoneyError> {
        let throttle = wrong_code_throttle();
        let (holder_id, now) = (holder.id.clone(), self.now_ms());
        let subject = holder_id.clone();
        store
            .transact_read(move |r| throttle.check(r, &subject, now))
            .await?
            .map_err(|retry_after_s| MoneyError::RateLimited { retry_after_s })?;
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let valid = digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit());
        let digest = code_digest(self, &digits);
        let outcome = if valid {
            let holder_id = holder_id.clone();
            self.run(store, move |r| {
                let holder = active_holder(r, &holder_id)?;
                let card = r
                    .gift_card_by_code(&digest)?
                    .ok_or(MoneyError::GiftCardNotFound)?;
                if card.status == GiftCardStatus::Active || card.holder_id.is_some() {
                    return Err(MoneyError::GiftCardRedeemed);
                }
                if card.status == GiftCardStatus::Expired || card.expires_ms <= now {
                    return Err(MoneyError::GiftCardExpired);
                }
                // Conditional: of two holders racing with one code, one gets the card.
                if !r.redeem_gift_card(&card.id, &holder.id, now)? {
                    return Err(MoneyError::GiftCardRedeemed);
                }
                r.gift_card(&card.id)?.ok_or(MoneyError::GiftCardNotFound)
            })
            .await
        } else {
            Err(MoneyError::GiftCardNotFound)
        };
        if matches!(outcome, Err(MoneyError::GiftCardNotFound)) {
            store
                .transact(move |r| throttle.record(r, &holder_id, now))
                .await?;
        }
        outcome
    }
}
