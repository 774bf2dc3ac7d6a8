//! A shop issuing cards: each card's value moves from the shop's takings to the card's own
//! account, one entry per card, all in one money call under the shop's Idempotency-Key — so the
//! shop never promises money it spent. A card for a phone goes straight into that wallet; the
//! others get a redeem code, shown once and kept only as its keyed digest. Every card gets a
//! durable expiry timer.

use super::records::{GiftCardKind, GiftCardOrigin, GiftCardRecord, GiftCardStatus};
use super::{LIFETIME_MAX_MS, LIFETIME_MS, card_account, code_digest, new_code, new_number};
use crate::domain::Phone;
use crate::money::merchant::merchant_account;
use crate::money::moves::{PayeeRef, find_payee};
use crate::money::records::{MerchantRecord, NotificationRecord, TimerKind, TimerRecord};
use crate::money::{
    IdempotencyKey, Money, MoneyError, Render, Step, apply, entry_id, leg, legs, payee_may_receive,
    yuan,
};
use crate::storage::RecordStore;
use qianbao_ledger::{Currency, Instruction, PositiveAmount};

/// Cards one call issues at most.
pub const ISSUE_COUNT_MAX: u32 = 100;

/// What a shop asks for.
#[derive(Clone, Debug)]
pub struct IssueRequest {
    /// Each card's value.
    pub amount: PositiveAmount,
    /// How many cards, 1–100.
    pub count: u32,
    /// Gift or membership.
    pub kind: GiftCardKind,
    /// When they expire (ms); a year on when `None`.
    pub expires_ms: Option<i64>,
    /// The holder they go straight to, instead of redeem codes.
    pub to_phone: Option<Phone>,
}

/// One card issued, as the shop's reply shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCard {
    /// Its id.
    pub card_id: String,
    /// Its barcode's digits.
    pub number: String,
    /// Its redeem code; `None` for a card issued to a phone. Shown in the first answer only.
    pub code: Option<String>,
}

/// The cards issued by one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// The call's id (what its Idempotency-Key is stored with).
    pub id: String,
    /// Each card's value.
    pub amount: qianbao_ledger::Amount,
    /// Gift or membership.
    pub kind: GiftCardKind,
    /// When they expire (ms).
    pub expires_ms: i64,
    /// The cards, in order.
    pub cards: Vec<IssuedCard>,
}

impl Money {
    /// Checks an issue on its own: 1–100 cards, an expiry in the future and at most three years
    /// on. Answers when the cards expire.
    pub fn check_issue(&self, request: &IssueRequest) -> Result<i64, MoneyError> {
        if request.count == 0 || request.count > ISSUE_COUNT_MAX {
            return Err(MoneyError::InvalidField("count"));
        }
        let now = self.now_ms();
        let expires_ms = request.expires_ms.unwrap_or(now + LIFETIME_MS);
        if expires_ms <= now || expires_ms - now > LIFETIME_MAX_MS {
            return Err(MoneyError::InvalidField("expires_at"));
        }
        Ok(expires_ms)
    }

    /// Issues `merchant`'s cards: refused with `insufficient_balance` when its available takings
    /// cannot load them all. The codes are drawn before the transaction, so a retried
    /// transaction issues the same cards.
    pub async fn issue_gift_cards(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        request: IssueRequest,
        key: &IdempotencyKey,
        render: Render<Issued>,
    ) -> Result<Issued, MoneyError> {
        let ids = self.ctx.ids.clone();
        let expires_ms = self.check_issue(&request)?;
        let mut drawn = Vec::new();
        for _ in 0..request.count {
            let code = match request.to_phone {
                Some(_) => None,
                None => Some(new_code(self.ctx.random())?),
            };
            drawn.push((ids.movement_id(), new_number(self.ctx.random())?, code));
        }
        let digests: Vec<Option<String>> = drawn
            .iter()
            .map(|(_, _, code)| code.as_deref().map(|c| code_digest(self, c)))
            .collect();
        let (merchant_id, now) = (merchant.id.clone(), self.now_ms());
        let id = ids.movement_id();
        self.call(store, key, render, now, move |r| {
            let merchant = r
                .merchant(&merchant_id)?
                .filter(|m| m.status == "active")
                .ok_or(MoneyError::MerchantUnavailable)?;
            let holder = match &request.to_phone {
                None => None,
                Some(phone) => {
                    let to = find_payee(r, &PayeeRef::Phone(phone.clone()))?;
                    payee_may_receive(&to)?;
                    Some(to)
                }
            };
            let amount = request.amount.amount();
            let takings = merchant_account(r, &merchant.id, Currency::CNY)?;
            let total = qianbao_ledger::Amount::from_minor(
                amount
                    .minor()
                    .checked_mul(i64::from(request.count))
                    .ok_or(MoneyError::AmountInvalid)?,
            );
            if takings.available() < total {
                return Err(MoneyError::InsufficientBalance);
            }
            let mut cards = Vec::new();
            for ((card_id, number, code), digest) in drawn.iter().zip(&digests) {
                r.insert_gift_card(&GiftCardRecord {
                    id: card_id.clone(),
                    merchant_id: merchant.id.clone(),
                    holder_id: holder.as_ref().map(|h| h.id.clone()),
                    kind: request.kind,
                    number: number.clone(),
                    code_digest: digest.clone(),
                    value: amount,
                    status: if holder.is_some() {
                        GiftCardStatus::Active
                    } else {
                        GiftCardStatus::Unredeemed
                    },
                    origin: GiftCardOrigin::Issued,
                    expires_ms,
                    created_ms: now,
                    redeemed_ms: holder.as_ref().map(|_| now),
                })?;
                let card = card_account(r, card_id)?;
                // The takings read once above: each entry takes from the balance the last one
                // left, and the check above made sure all of them fit.
                let takings = merchant_account(r, &merchant.id, Currency::CNY)?;
                apply(
                    r,
                    &Instruction::Transfer {
                        id: entry_id(card_id, Step::Move),
                        postings: legs([leg(&takings, -amount), leg(&card, amount)]),
                    },
                )?;
                r.insert_timer(&TimerRecord {
                    id: ids.movement_id(),
                    kind: TimerKind::GiftCardExpiry,
                    subject: card_id.clone(),
                    due_ms: expires_ms,
                    attempts: 0,
                    created_ms: now,
                })?;
                cards.push(IssuedCard {
                    card_id: card_id.clone(),
                    number: number.clone(),
                    code: code.clone(),
                });
            }
            if let Some(to) = &holder {
                let (zh, en) = request.kind.shown();
                r.insert_notification(&NotificationRecord {
                    id: 0,
                    holder_id: to.id.clone(),
                    kind: "gift_card".into(),
                    title: format!("收到{zh}"),
                    body: format!(
                        "{} 给你发了 {} 张{zh}，每张 {}",
                        merchant.name,
                        request.count,
                        yuan(amount)
                    ),
                    title_en: format!("A {en} for you"),
                    body_en: format!(
                        "{} gave you {} {en}(s) of {} each",
                        merchant.name,
                        request.count,
                        yuan(amount)
                    ),
                    movement_id: None,
                    created_ms: now,
                })?;
            }
            Ok(Issued {
                id: id.clone(),
                amount,
                kind: request.kind,
                expires_ms,
                cards,
            })
        })
        .await
    }
}

impl GiftCardKind {
    /// The card's kind as people read it: Chinese, English.
    pub fn shown(self) -> (&'static str, &'static str) {
        match self {
            GiftCardKind::Gift => ("礼品卡", "gift card"),
            GiftCardKind::Membership => ("会员卡", "membership card"),
        }
    }
}
