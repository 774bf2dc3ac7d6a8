//! Quotes: the fee a top-up or withdrawal would cost, shown before the holder confirms. The same
//! schedule and the same lifetime total are used as by the call itself.

use super::{Money, MoneyError};
use crate::domain::CardType;
use crate::records::{CardStatus, HolderRecord};
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, PositiveAmount};

/// What a movement would cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    /// What would move.
    pub amount: PositiveAmount,
    /// The fee on top.
    pub fee: Amount,
}

impl Money {
    /// The fee of topping up `amount` from the holder's card `card_id` (credit cards pay one).
    pub async fn quote_top_up(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        card_id: &str,
        amount: PositiveAmount,
    ) -> Result<Quote, MoneyError> {
        let (holder_id, card_id) = (holder.id.clone(), card_id.to_string());
        let card = store
            .transact_read(move |r| r.card(&holder_id, &card_id))
            .await?
            .filter(|c| c.status == CardStatus::Active)
            .ok_or(MoneyError::NotFound)?;
        Ok(Quote {
            amount,
            fee: self.fees.topup(amount, card.card_type == CardType::Credit),
        })
    }

    /// The fee of withdrawing `amount` now, given what the holder has withdrawn before.
    pub async fn quote_withdrawal(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        amount: PositiveAmount,
    ) -> Result<Quote, MoneyError> {
        let holder_id = holder.id.clone();
        let before = store
            .transact_read(move |r| r.withdrawn_total(&holder_id))
            .await?;
        Ok(Quote {
            amount,
            fee: self.fees.withdrawal(amount, before),
        })
    }
}
