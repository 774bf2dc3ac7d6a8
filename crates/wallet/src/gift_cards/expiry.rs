//! A card's expiry: its durable timer moves what the card still holds to the shop's takings
//! (breakage is the shop's: it was paid for the card), once — the card's status changes in the
//! same money transaction as the entry, and an expired card is left alone.

use super::card_account;
use super::records::GiftCardStatus;
use crate::money::merchant::merchant_account;
use crate::money::records::TimerRecord;
use crate::money::{Money, MoneyError, Step, apply, entry_id, leg, legs};
use crate::storage::RecordStore;
use qianbao_ledger::{Currency, Instruction};

impl Money {
    /// Expires the timer's card; answers whether the timer is done (not if it came early).
    pub(crate) async fn expire_gift_card(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<bool, MoneyError> {
        let (timer_id, id, now) = (timer.id.clone(), timer.subject.clone(), self.now_ms());
        self.run(store, move |r| {
            let Some(card) = r.gift_card(&id)? else {
                r.delete_timer(&timer_id)?;
                return Ok(true);
            };
            if card.status != GiftCardStatus::Expired && now < card.expires_ms {
                // A clock that went back: due again at the card's own expiry.
                r.reschedule_timer(&timer_id, card.expires_ms, 0)?;
                return Ok(false);
            }
            r.delete_timer(&timer_id)?;
            if !r.expire_gift_card(&card.id)? {
                return Ok(true);
            }
            let account = card_account(r, &card.id)?;
            let left = account.balance;
            if left.is_positive() {
                let takings = merchant_account(r, &card.merchant_id, Currency::CNY)?;
                apply(
                    r,
                    &Instruction::Transfer {
                        id: entry_id(&card.id, Step::Void),
                        postings: legs([leg(&account, -left), leg(&takings, left)]),
                    },
                )?;
            }
            Ok(true)
        })
        .await
    }
}
