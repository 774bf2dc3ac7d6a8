//! Bank cards: binding with the four elements and the bank's code, the default card, and unbinding (never while money is on its way to or from the card).

use super::{Kyc, KycError, secrets};
use crate::domain::{CardExpiry, CardNumber, CardType, Cvv, IdNumber, Phone};
use crate::money::records::{MovementKind, MovementRecord};
use crate::records::{CardRecord, CardStatus, HolderRecord};
use crate::storage::RecordStore;
use crate::{CardCheck, CardCheckOutcome, CardConfirmOutcome, ConnectorError};
use qianbao_secrets::field::{blind_index, seal};

/// Wrong binding codes after which a binding is abandoned and must start again.
const CARD_CODE_TRIES_MAX: i64 = 5;

/// A card binding request as the holder typed it.
#[derive(Clone)]
pub struct CardRequest {
    /// The card number.
    pub card_number: String,
    /// The name on the card.
    pub holder_name: String,
    /// The cardholder's ID number.
    pub id_number: String,
    /// The phone registered with the bank.
    pub reserved_phone: String,
    /// `MM/YY`, credit cards only.
    pub expiry: Option<String>,
    /// Credit cards only; passed to the bank and nowhere else.
    pub cvv: Option<String>,
}

impl Kyc {
    /// Starts binding a card in the holder's own name: the bank checks it and texts a code to the
    /// reserved phone.
    pub async fn bind_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        request: CardRequest,
    ) -> Result<CardRecord, KycError> {
        let ids = self.ctx.ids.clone();
        let identity = self.identity_of(store, &holder.id).await?;
        let number = CardNumber::parse(&request.card_number)
            .map_err(|_| KycError::CardInvalid("card_number"))?;
        let issuer = crate::domain::bin::lookup(number.bin6()).ok_or(KycError::CardUnsupported)?;
        let (expiry, cvv) = match issuer.card_type {
            CardType::Credit => (
                Some(
                    request
                        .expiry
                        .as_deref()
                        .and_then(|e| CardExpiry::parse_on(e, self.today()))
                        .ok_or(KycError::CardInvalid("expiry"))?,
                ),
                Some(
                    request
                        .cvv
                        .as_deref()
                        .and_then(Cvv::parse)
                        .ok_or(KycError::CardInvalid("cvv"))?,
                ),
            ),
            // A debit card needs neither; whatever was sent is dropped, never forwarded or kept.
            CardType::Debit => (None, None),
        };
        let reserved = Phone::parse(&request.reserved_phone).map_err(|_| KycError::PhoneInvalid)?;
        let (name, id_number) = self.opened_identity(&identity)?;
        let same_id = IdNumber::parse_on(&request.id_number, self.today())
            .is_ok_and(|id| id.expose() == id_number);
        if request.holder_name.trim() != name || !same_id {
            return Err(KycError::CardHolderMismatch);
        }
        let number_blind = blind_index(self.keys(), "card", number.expose());
        {
            let (blind, holder_id) = (number_blind.clone(), holder.id.clone());
            let bound = store.transact(move |r| r.active_card(&blind)).await?;
            if let Some(card) = bound {
                return Err(if card.holder_id == holder_id {
                    KycError::CardAlreadyBound
                } else {
                    // Someone else's card cannot be in this holder's name.
                    KycError::CardHolderMismatch
                });
            }
        }
        let check = CardCheck {
            card_number: number.expose().to_string(),
            holder_name: name,
            id_number,
            reserved_phone: reserved.as_e164().to_string(),
            expiry,
            cvv,
        };
        let outcome = self.bank.check_card(&check).await;
        drop(check);
        let (bank_reference, sandbox_code) = match outcome {
            Ok(CardCheckOutcome::CodeSent {
                bank_reference,
                sandbox_code,
            }) => (bank_reference, sandbox_code),
            Ok(CardCheckOutcome::HolderMismatch) => return Err(KycError::CardHolderMismatch),
            Ok(CardCheckOutcome::Rejected) => return Err(KycError::BankRejected),
            Ok(CardCheckOutcome::Inactive) => return Err(KycError::CardInactive),
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::BankUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        };
        let now = self.clock().now_ms();
        let card = CardRecord {
            id: ids.record_id(),
            holder_id: holder.id.clone(),
            number_sealed: seal(
                self.keys(),
                self.ctx.random(),
                number.expose().as_bytes(),
                format!("card:{}", holder.id).as_bytes(),
            )
            .map_err(secrets)?,
            number_blind,
            bin: number.bin6().to_string(),
            last4: number.last4().to_string(),
            bank_name: issuer.issuer_zh.to_string(),
            card_type: issuer.card_type,
            reserved_phone: reserved.as_e164().to_string(),
            bank_reference,
            token_sealed: None,
            status: CardStatus::PendingOtp,
            is_default: false,
            confirm_tries: 0,
            created_ms: now,
        };
        let keep = self.opening.policy.keep_codes_in_outbox;
        let stored = card.clone();
        store
            .transact(move |r| {
                r.insert_card(&stored)?;
                // The sandbox bank cannot text; its code goes out through our outbox instead.
                if let Some(code) = &sandbox_code {
                    let text = format!(
                        "【{}】您正在绑定尾号{}的银行卡，验证码 {code}。如非本人操作请忽略。",
                        stored.bank_name, stored.last4
                    );
                    r.queue_sms(
                        &stored.reserved_phone,
                        &text,
                        keep.then_some(code.as_str()),
                        now,
                    )?;
                }
                Ok(())
            })
            .await?;
        Ok(card)
    }

    /// Finishes binding with the bank's code: the first bound card in the holder's own name
    /// makes them L2 and is the default.
    pub async fn confirm_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        card_id: &str,
        code: &str,
    ) -> Result<CardRecord, KycError> {
        let (holder_id, id) = (holder.id.clone(), card_id.to_string());
        let card = store
            .transact(move |r| r.card(&holder_id, &id))
            .await?
            .filter(|c| c.status == CardStatus::PendingOtp)
            .ok_or(KycError::NotFound)?;
        let outcome = self
            .bank
            .confirm_card(&card.bank_reference, code.trim())
            .await;
        let token = match outcome {
            Ok(CardConfirmOutcome::Bound { card_token }) => Some(card_token),
            Ok(CardConfirmOutcome::WrongCode) => None,
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::BankUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        };
        let token_sealed = token
            .map(|t| {
                seal(
                    self.keys(),
                    self.ctx.random(),
                    t.as_bytes(),
                    format!("card-token:{}", card.id).as_bytes(),
                )
            })
            .transpose()
            .map_err(secrets)?;
        let holder_id = holder.id.clone();
        let card_id = card.id.clone();
        store
            .transact(move |r| {
                let Some(mut card) = r
                    .card(&holder_id, &card_id)?
                    .filter(|c| c.status == CardStatus::PendingOtp)
                else {
                    return Ok(Err(KycError::NotFound));
                };
                let Some(sealed) = &token_sealed else {
                    card.confirm_tries += 1;
                    let left = CARD_CODE_TRIES_MAX - card.confirm_tries;
                    if left <= 0 {
                        card.status = CardStatus::Failed;
                    }
                    r.update_card(&card)?;
                    return Ok(Err(KycError::OtpInvalid {
                        attempts_left: u32::try_from(left.max(0)).ok(),
                    }));
                };
                if r.active_card(&card.number_blind)?.is_some() {
                    return Ok(Err(KycError::CardAlreadyBound));
                }
                let first = !r
                    .cards_of(&holder_id)?
                    .iter()
                    .any(|c| c.status == CardStatus::Active);
                card.status = CardStatus::Active;
                card.token_sealed = Some(sealed.clone());
                card.is_default = first;
                r.update_card(&card)?;
                if let Some(h) = r.holder(&holder_id)?
                    && h.kyc_level < 2
                {
                    r.set_kyc_level(&holder_id, 2)?;
                }
                Ok(Ok(card))
            })
            .await?
    }

    /// The holder's cards, bound or being bound, oldest first.
    pub async fn cards(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<Vec<CardRecord>, KycError> {
        let holder_id = holder_id.to_string();
        Ok(store.transact(move |r| r.cards_of(&holder_id)).await?)
    }

    /// Makes a bound card the default.
    pub async fn set_default_card(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        card_id: &str,
    ) -> Result<CardRecord, KycError> {
        let (holder_id, card_id) = (holder_id.to_string(), card_id.to_string());
        store
            .transact(move |r| {
                let cards = r.cards_of(&holder_id)?;
                if !cards
                    .iter()
                    .any(|c| c.id == card_id && c.status == CardStatus::Active)
                {
                    return Ok(Err(KycError::NotFound));
                }
                let mut chosen = None;
                for mut card in cards.into_iter().filter(|c| c.status == CardStatus::Active) {
                    let is_default = card.id == card_id;
                    if card.is_default != is_default {
                        card.is_default = is_default;
                        r.update_card(&card)?;
                    }
                    if is_default {
                        chosen = Some(card);
                    }
                }
                Ok(chosen.ok_or(KycError::NotFound))
            })
            .await?
    }

    /// Unbinds a card after the payment password; the next bound card becomes the default.
    pub async fn unbind_card(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        card_id: &str,
        pin: &str,
    ) -> Result<(), KycError> {
        {
            let (h, c) = (holder_id.to_string(), card_id.to_string());
            let card = store.transact(move |r| r.card(&h, &c)).await?;
            if card.is_none_or(|c| c.status != CardStatus::Active) {
                return Err(KycError::NotFound);
            }
        }
        self.check_pin(store, holder_id, pin).await?;
        let (holder_id, card_id) = (holder_id.to_string(), card_id.to_string());
        store
            .transact_money(move |r| {
                let Some(mut card) = r
                    .card(&holder_id, &card_id)?
                    .filter(|c| c.status == CardStatus::Active)
                else {
                    return Ok(Err(KycError::NotFound));
                };
                let waiting = r.waiting_on_card(&card.id)?;
                if !waiting.is_empty() {
                    return Ok(Err(KycError::CardInUse(waiting_text(&waiting))));
                }
                let was_default = card.is_default;
                card.status = CardStatus::Unbound;
                card.is_default = false;
                card.token_sealed = None;
                r.update_card(&card)?;
                if was_default
                    && let Some(mut next) = r
                        .cards_of(&holder_id)?
                        .into_iter()
                        .find(|c| c.status == CardStatus::Active)
                {
                    next.is_default = true;
                    r.update_card(&next)?;
                }
                Ok(Ok(()))
            })
            .await?
    }
}

/// What waits on a card, for the holder: "a withdrawal of ¥30.00 and a settlement of ¥12.00".
fn waiting_text(waiting: &[MovementRecord]) -> String {
    let items: Vec<String> = waiting
        .iter()
        .map(|m| {
            let what = match m.kind {
                MovementKind::Withdrawal => "a withdrawal",
                MovementKind::Settlement => "a settlement",
                MovementKind::Topup => "a top-up",
                _ => "a payment",
            };
            format!("{what} of {}", crate::domain::yuan::yuan(m.amount))
        })
        .collect();
    items.join(" and ")
}
