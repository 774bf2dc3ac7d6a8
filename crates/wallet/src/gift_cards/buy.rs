//! A holder buying a shop's card from their wallet balance, for themselves or as a gift: the
//! price moves from the wallet to the card's own account in one entry. It is spending like a
//! payment — the PIN (checked by the caller), the day's spending limits and risk control judge
//! it — because the money leaves the wallet for good: the card pays only at that shop.

use super::records::{GiftCardKind, GiftCardOrigin, GiftCardRecord, GiftCardStatus};
use super::{LIFETIME_MS, card_account, new_number};
use crate::domain::Phone;
use crate::money::moves::{PayeeRef, Side, find_payee};
use crate::money::records::{
    Channel, Direction, MovementKind, MovementStatus, NotificationRecord, TimerKind, TimerRecord,
};
use crate::money::risk::{Ask, Asker, Origin, Payee, Subject};
use crate::money::{
    IdempotencyKey, Money, MoneyError, Render, Step, active_holder, apply, entry_id, leg, legs,
    limits, payee_may_receive, shown_name, wallet_account, yuan,
};
use crate::records::HolderRecord;
use crate::risk::CallKind;
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, Currency, Instruction, PositiveAmount};

/// What the buyer asks for.
#[derive(Clone, Debug)]
pub struct BuyRequest {
    /// The shop whose card it is.
    pub merchant_id: String,
    /// The card's value, paid from the wallet.
    pub amount: PositiveAmount,
    /// Gift or membership.
    pub kind: GiftCardKind,
    /// Another holder the card goes to, as a gift.
    pub to_phone: Option<Phone>,
}

/// A card bought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bought {
    /// The buyer's record of the purchase.
    pub movement_id: String,
    /// The card.
    pub card_id: String,
    /// Its barcode's digits.
    pub number: String,
    /// Its value.
    pub amount: Amount,
    /// Gift or membership.
    pub kind: GiftCardKind,
    /// When it expires (ms).
    pub expires_ms: i64,
    /// Whether it went to another holder.
    pub gift: bool,
}

impl Money {
    /// Buys a card of `request.merchant_id` from `holder`'s wallet (whose PIN the caller
    /// checked). Refused like a payment: `insufficient_balance`, `limit_exceeded`, risk.
    pub async fn buy_gift_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        request: BuyRequest,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Bought>,
    ) -> Result<Bought, MoneyError> {
        let ids = self.ctx.ids.clone();
        let asker = std::sync::Arc::new(Asker::new(origin, key, CallKind::Pay));
        let number = new_number(self.ctx.random())?;
        let now = self.now_ms();
        let (buyer_id, money) = (holder.id.clone(), self.clone());
        self.call(store, key, render, now, move |r| {
            let buyer = active_holder(r, &buyer_id)?;
            let merchant = r
                .merchant(&request.merchant_id)?
                .filter(|m| m.status == "active")
                .ok_or(MoneyError::MerchantUnavailable)?;
            if merchant.holder_id == buyer.id {
                return Err(MoneyError::InvalidPayee("yourself"));
            }
            let recipient = match &request.to_phone {
                None => buyer.clone(),
                Some(phone) => {
                    let to = find_payee(r, &PayeeRef::Phone(phone.clone()))?;
                    payee_may_receive(&to)?;
                    to
                }
            };
            let amount = request.amount.amount();
            let spent = r.spent_since(
                &buyer.id,
                limits::day_start_ms(now),
                crate::money::moves::SPENDING,
            )?;
            limits::check_spending(&money.levels.at(buyer.kyc_level), spent, request.amount)
                .map_err(MoneyError::LimitExceeded)?;
            let from = wallet_account(r, &buyer.wallet_id, Currency::CNY)?;
            if from.available() < amount {
                return Err(MoneyError::InsufficientBalance);
            }
            let (movement_id, card_id) = (ids.movement_id(), ids.movement_id());
            // Judged as a payment to the shop. A card cannot wait for a reviewer at a counter
            // any more than a payment can: a hold is a block here.
            money.screen(
                r,
                &asker,
                &Ask {
                    subject: Subject::Holder(&buyer),
                    payee: Payee::Merchant(&merchant.id),
                    amount,
                    movement_id: &movement_id,
                },
                now,
            )?;
            let expires_ms = now + LIFETIME_MS;
            r.insert_gift_card(&GiftCardRecord {
                id: card_id.clone(),
                merchant_id: merchant.id.clone(),
                holder_id: Some(recipient.id.clone()),
                kind: request.kind,
                number: number.clone(),
                code_digest: None,
                value: amount,
                status: GiftCardStatus::Active,
                origin: GiftCardOrigin::Sold,
                expires_ms,
                created_ms: now,
                redeemed_ms: Some(now),
            })?;
            let card = card_account(r, &card_id)?;
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&movement_id, Step::Move),
                    postings: legs([leg(&from, -amount), leg(&card, amount)]),
                },
            )?;
            let gift = recipient.id != buyer.id;
            let (zh, en) = request.kind.shown();
            let memo = if gift {
                format!("{zh} · 送给 {}", shown_name(r, &recipient)?)
            } else {
                zh.to_string()
            };
            r.insert_movement(
                &Side {
                    id: &movement_id,
                    owner_id: &buyer.id,
                    kind: MovementKind::GiftCard,
                    direction: Direction::Out,
                    channel: Channel::GiftCard,
                    amount,
                    fee: Amount::ZERO,
                    currency: Currency::CNY,
                    counterparty: &merchant.name,
                    peer_id: Some(&merchant.id),
                    status: MovementStatus::Succeeded,
                    memo: &memo,
                    entry: Some(entry_id(&movement_id, Step::Move)),
                    card_id: None,
                }
                .record(now),
            )?;
            r.insert_timer(&TimerRecord {
                id: ids.movement_id(),
                kind: TimerKind::GiftCardExpiry,
                subject: card_id.clone(),
                due_ms: expires_ms,
                attempts: 0,
                created_ms: now,
            })?;
            if gift {
                let from_name = shown_name(r, &buyer)?;
                r.insert_notification(&NotificationRecord {
                    id: 0,
                    holder_id: recipient.id.clone(),
                    kind: "gift_card".into(),
                    title: format!("收到{zh}"),
                    body: format!(
                        "{from_name} 送你一张{}的{zh}，{}",
                        merchant.name,
                        yuan(amount)
                    ),
                    title_en: format!("A {en} for you"),
                    body_en: format!(
                        "{from_name} gave you a {en} of {} at {}",
                        yuan(amount),
                        merchant.name
                    ),
                    movement_id: None,
                    created_ms: now,
                })?;
            }
            Ok(Bought {
                movement_id,
                card_id,
                number: number.clone(),
                amount,
                kind: request.kind,
                expires_ms,
                gift,
            })
        })
        .await
    }
}
