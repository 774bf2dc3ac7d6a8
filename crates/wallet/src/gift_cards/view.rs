//! What holders and shops see of cards: each card with what its account holds, read in one
//! transaction so a card and its balance agree.

use super::records::GiftCardRecord;
use super::{LISTED_MAX, card_account};
use crate::money::records::MerchantRecord;
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::Amount;

/// A card as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardView {
    /// The card.
    pub card: GiftCardRecord,
    /// Its shop's name.
    pub merchant_name: String,
    /// What it holds now (its ledger account).
    pub balance: Amount,
}

impl Money {
    /// The holder's cards, soonest to expire first (at most 100).
    pub async fn cards_in_wallet(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<Vec<CardView>, MoneyError> {
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| {
                let mut out = Vec::new();
                for card in r.gift_cards_of_holder(&holder_id, LISTED_MAX)? {
                    let merchant_name = r
                        .merchant(&card.merchant_id)?
                        .map(|m| m.name)
                        .unwrap_or_default();
                    let balance = card_account(r, &card.id)?.balance;
                    out.push(CardView {
                        card,
                        merchant_name,
                        balance,
                    });
                }
                Ok(out)
            })
            .await?)
    }

    /// One of the holder's cards: another's, or none, is `gift_card_not_found`.
    pub async fn card_in_wallet(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        card_id: &str,
    ) -> Result<CardView, MoneyError> {
        self.cards_in_wallet(store, holder)
            .await?
            .into_iter()
            .find(|c| c.card.id == card_id)
            .ok_or(MoneyError::GiftCardNotFound)
    }

    /// The shop's cards, newest first (at most 100).
    pub async fn gift_cards_issued(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
    ) -> Result<Vec<CardView>, MoneyError> {
        let (merchant_id, name) = (merchant.id.clone(), merchant.name.clone());
        Ok(store
            .transact_read(move |r| {
                let mut out = Vec::new();
                for card in r.gift_cards_of_merchant(&merchant_id, LISTED_MAX)? {
                    let balance = card_account(r, &card.id)?.balance;
                    out.push(CardView {
                        card,
                        merchant_name: name.clone(),
                        balance,
                    });
                }
                Ok(out)
            })
            .await?)
    }
}
