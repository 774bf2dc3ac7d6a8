//! Sending a red packet: the whole amount leaves the sender's wallet for the red-packet escrow in
//! one entry, the split is fixed and committed to, and a durable timer is set to send back what
//! nobody claims.

use super::fairness::commit;
use super::records::{RedPacketRecord, RedPacketStatus};
use super::split::{Split, split};
use crate::Randomness;
use crate::domain::Phone;
use crate::money::moves::{PayeeRef, Side, find_payee};
use crate::money::records::{
    Channel, Direction, MovementKind, MovementStatus, NotificationRecord, TimerKind, TimerRecord,
};
use crate::money::risk::{Ask, Asker, Origin, Payee, Subject};
use crate::money::{
    IdempotencyKey, Money, MoneyError, Render, Step, active_holder, apply, entry_id, leg, legs,
    limits, operator_account, payee_may_receive, shown_name, wallet_account, yuan,
};
use crate::records::HolderRecord;
use crate::risk::CallKind;
use crate::storage::RecordStore;
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction, PositiveAmount};

/// What the sender asks for.
#[derive(Clone, Debug)]
pub struct SendRequest {
    /// The whole packet.
    pub amount: PositiveAmount,
    /// How many shares (1 for a one-to-one packet).
    pub shares: u32,
    /// How a group packet is divided.
    pub split: Split,
    /// The one holder it is for; `None` for a group packet anyone with its link may claim.
    pub to_phone: Option<Phone>,
    /// The greeting.
    pub memo: String,
}

/// A packet sent, as its reply shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The packet's id.
    pub id: String,
    /// `sha256(salt + ":" + shares)`, to check the split by once it is revealed.
    pub commitment: String,
    /// When what is left goes back (ms).
    pub expires_ms: i64,
}

/// How risk control names the payee of every red packet: the escrow, not the claimants, who are
/// not known when it is sent.
const RISK_PAYEE: &str = "red_packet";

/// The greeting when the sender writes none.
pub const DEFAULT_MEMO: &str = "恭喜发财，大吉大利";

/// The salt of a commitment: 16 random bytes in hex, so the shares cannot be guessed from it.
fn new_salt(random: &dyn Randomness) -> Result<String, MoneyError> {
    let bytes = qianbao_secrets::token::new_secret_bytes::<16>(random)
        .map_err(|e| MoneyError::Internal(e.to_string()))?;
    Ok(crate::domain::hex_lower(bytes.as_slice()))
}

/// A uniform draw in `0..n` from `random` (the bias of the modulo is below 2⁻⁴⁰ for any share a
/// packet can have).
fn draw(random: &dyn Randomness, n: u64) -> u64 {
    let bytes = qianbao_secrets::token::new_secret_bytes::<8>(random)
        .map(|b| u64::from_le_bytes(*b))
        .unwrap_or(0);
    bytes % n.max(1)
}

impl Money {
    /// Checks a packet against the operator's limits: a one-to-one packet has one share and at
    /// most `one_to_one_max`; a group packet 1 to `group_shares_max` shares of at least one fen
    /// each, and at most `group_max`.
    pub fn check_red_packet(
        &self,
        amount: PositiveAmount,
        shares: u32,
        one_to_one: bool,
    ) -> Result<(), MoneyError> {
        let policy = &self.policy.red_packets;
        if one_to_one {
            if shares != 1 {
                return Err(MoneyError::InvalidField("shares"));
            }
            if amount.amount() > policy.one_to_one_max {
                return Err(MoneyError::AmountInvalid);
            }
            return Ok(());
        }
        if shares == 0 || shares > policy.group_shares_max {
            return Err(MoneyError::InvalidField("shares"));
        }
        if amount.amount() > policy.group_max {
            return Err(MoneyError::AmountInvalid);
        }
        if i64::from(shares) > amount.minor() {
            return Err(MoneyError::InvalidField("shares"));
        }
        Ok(())
    }

    /// Sends a red packet from `holder` (whose PIN the caller checked): the limits, the day's
    /// spending and the balance are checked, the whole amount goes to escrow, and a one-to-one
    /// packet's recipient finds it in their inbox.
    pub async fn send_red_packet(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        request: SendRequest,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Sent>,
    ) -> Result<Sent, MoneyError> {
        let ids = self.ctx.ids.clone();
        let asker = Asker::new(origin, key, CallKind::Pay);
        self.check_red_packet(request.amount, request.shares, request.to_phone.is_some())?;
        let how = if request.to_phone.is_some() {
            Split::Even
        } else {
            request.split
        };
        // Fixed before the transaction, so a retried transaction commits to the same split.
        let shares = split(request.amount, request.shares, how, |n| {
            draw(self.ctx.random(), n)
        })
        .map_err(|_| MoneyError::InvalidField("shares"))?;
        let salt = new_salt(self.ctx.random())?;
        let commitment = commit(&salt, &shares);
        let now = self.now_ms();
        let (sender_id, money) = (holder.id.clone(), self.clone());
        let asker = std::sync::Arc::new(asker);
        self.call(store, key, render, now, move |r| {
            let sender = active_holder(r, &sender_id)?;
            let recipient = match &request.to_phone {
                None => None,
                Some(phone) => {
                    let to = find_payee(r, &PayeeRef::Phone(phone.clone()))?;
                    if to.id == sender.id {
                        return Err(MoneyError::InvalidPayee("yourself"));
                    }
                    payee_may_receive(&to)?;
                    Some(to)
                }
            };
            let amount = request.amount.amount();
            let spent = r.spent_since(
                &sender.id,
                limits::day_start_ms(now),
                crate::money::moves::SPENDING,
            )?;
            limits::check_spending(&money.levels.at(sender.kyc_level), spent, request.amount)
                .map_err(MoneyError::LimitExceeded)?;
            let from = wallet_account(r, &sender.wallet_id, Currency::CNY)?;
            if from.available() < amount {
                return Err(MoneyError::InsufficientBalance);
            }
            let (id, movement_id) = (ids.movement_id(), ids.movement_id());
            // Judged as a payment out of the wallet (velocity, new device, block lists, …). A
            // packet cannot wait for a reviewer while its claimants wait: a hold is a block here.
            money.screen(
                r,
                &asker,
                &Ask {
                    subject: Subject::Holder(&sender),
                    payee: Payee::Merchant(RISK_PAYEE),
                    amount,
                    movement_id: &movement_id,
                },
                now,
            )?;
            let escrow = operator_account(r, AccountKind::RedPacketEscrow, Currency::CNY)?;
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&movement_id, Step::Move),
                    postings: legs([leg(&from, -amount), leg(&escrow, amount)]),
                },
            )?;
            let shown_to = match &recipient {
                Some(to) => shown_name(r, to)?,
                None => format!("红包 {} 个", request.shares),
            };
            let memo = if request.memo.is_empty() {
                DEFAULT_MEMO.to_string()
            } else {
                request.memo.clone()
            };
            r.insert_movement(
                &Side {
                    id: &movement_id,
                    owner_id: &sender.id,
                    kind: MovementKind::RedPacket,
                    direction: Direction::Out,
                    channel: Channel::RedPacket,
                    amount,
                    fee: Amount::ZERO,
                    currency: Currency::CNY,
                    counterparty: &shown_to,
                    peer_id: recipient.as_ref().map(|h| h.id.as_str()),
                    status: MovementStatus::Succeeded,
                    memo: &memo,
                    entry: Some(entry_id(&movement_id, Step::Move)),
                    card_id: None,
                }
                .record(now),
            )?;
            let expires_ms = now + money.policy.red_packets.ttl_ms;
            r.insert_red_packet(&RedPacketRecord {
                id: id.clone(),
                sender_id: sender.id.clone(),
                recipient_id: recipient.as_ref().map(|h| h.id.clone()),
                split: how,
                amount,
                shares: shares.clone(),
                salt: salt.clone(),
                commitment: commitment.clone(),
                memo: memo.clone(),
                status: RedPacketStatus::Open,
                claimed_count: 0,
                claimed_amount: Amount::ZERO,
                movement_id: movement_id.clone(),
                created_ms: now,
                expires_ms,
            })?;
            r.insert_timer(&TimerRecord {
                id: ids.movement_id(),
                kind: TimerKind::RedPacketExpiry,
                subject: id.clone(),
                due_ms: expires_ms,
                attempts: 0,
                created_ms: now,
            })?;
            if let Some(to) = &recipient {
                let from_name = shown_name(r, &sender)?;
                r.insert_notification(&NotificationRecord {
                    id: 0,
                    holder_id: to.id.clone(),
                    kind: "red_packet".into(),
                    title: "收到红包".into(),
                    body: format!("{from_name} 给你发了一个红包：{memo}"),
                    title_en: "A red packet for you".into(),
                    body_en: format!("{from_name} sent you a red packet of {}", yuan(amount)),
                    movement_id: Some(id.clone()),
                    created_ms: now,
                })?;
            }
            Ok(Sent {
                id,
                commitment: commitment.0.clone(),
                expires_ms,
            })
        })
        .await
    }
}
