//! A holder passing one of their cards to another holder by phone: the card changes wallets, its
//! account and money stay where they are (the card owns its account, not the holder), so no
//! entry is made.

use super::records::GiftCardStatus;
use crate::domain::Phone;
use crate::money::moves::{PayeeRef, find_payee};
use crate::money::records::NotificationRecord;
use crate::money::{Money, MoneyError, active_holder, payee_may_receive, shown_name};
use crate::records::HolderRecord;
use crate::storage::RecordStore;

impl Money {
    /// Gives `holder`'s card `card_id` to the holder with `to_phone`. Another's card, or one
    /// not found, is `gift_card_not_found`; an expired one `gift_card_expired`.
    pub async fn give_gift_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        card_id: &str,
        to_phone: Phone,
    ) -> Result<(), MoneyError> {
        let (from_id, card_id, now) = (holder.id.clone(), card_id.to_string(), self.now_ms());
        self.run(store, move |r| {
            let from = active_holder(r, &from_id)?;
            let card = r
                .gift_card(&card_id)?
                .filter(|c| c.holder_id.as_deref() == Some(from.id.as_str()))
                .ok_or(MoneyError::GiftCardNotFound)?;
            if card.status != GiftCardStatus::Active || card.expires_ms <= now {
                return Err(MoneyError::GiftCardExpired);
            }
            let to = find_payee(r, &PayeeRef::Phone(to_phone.clone()))?;
            if to.id == from.id {
                return Err(MoneyError::InvalidPayee("yourself"));
            }
            payee_may_receive(&to)?;
            if !r.pass_gift_card(&card.id, &from.id, &to.id)? {
                return Err(MoneyError::GiftCardNotFound);
            }
            let shop = r
                .merchant(&card.merchant_id)?
                .map(|m| m.name)
                .unwrap_or_default();
            let from_name = shown_name(r, &from)?;
            let (zh, en) = card.kind.shown();
            r.insert_notification(&NotificationRecord {
                id: 0,
                holder_id: to.id.clone(),
                kind: "gift_card".into(),
                title: format!("收到{zh}"),
                body: format!("{from_name} 送你一张{shop}的{zh}"),
                title_en: format!("A {en} for you"),
                body_en: format!("{from_name} gave you a {en} of {shop}"),
                movement_id: None,
                created_ms: now,
            })?;
            Ok(())
        })
        .await
    }
}
