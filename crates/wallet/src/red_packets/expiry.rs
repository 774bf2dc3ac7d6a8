//! A packet's time running out: its durable timer sends what nobody claimed back to the sender,
//! once — the packet's status is checked and changed in the same money transaction as the entry,
//! so two nodes running the same timer return the money once.

use super::records::RedPacketStatus;
use crate::money::moves::Side;
use crate::money::records::{
    Channel, Direction, MovementKind, MovementStatus, NotificationRecord, TimerRecord,
};
use crate::money::{
    Money, MoneyError, Step, apply, entry_id, leg, legs, operator_account, wallet_account, yuan,
};
use crate::storage::RecordStore;
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction};

impl Money {
    /// Returns what is left of the timer's packet to its sender, or does nothing if every share
    /// was claimed; answers whether the timer is done (it is not, if it came early).
    pub(crate) async fn expire_red_packet(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<bool, MoneyError> {
        let ids = self.ctx.ids.clone();
        let (timer_id, packet_id) = (timer.id.clone(), timer.subject.clone());
        let now = self.now_ms();
        self.run(store, move |r| {
            let Some(mut packet) = r.red_packet(&packet_id)? else {
                r.delete_timer(&timer_id)?;
                return Ok(true);
            };
            if packet.status == RedPacketStatus::Open && now < packet.expires_ms {
                // A clock that went back: the timer is due again at the packet's own time.
                r.reschedule_timer(&timer_id, packet.expires_ms, 0)?;
                return Ok(false);
            }
            r.delete_timer(&timer_id)?;
            if packet.status != RedPacketStatus::Open {
                return Ok(true);
            }
            let left = packet.unclaimed();
            packet.status = RedPacketStatus::Expired;
            r.update_red_packet(&packet)?;
            if left <= Amount::ZERO {
                return Ok(true);
            }
            let sender = r.holder(&packet.sender_id)?.ok_or(MoneyError::NotFound)?;
            let escrow = operator_account(r, AccountKind::RedPacketEscrow, Currency::CNY)?;
            let to = wallet_account(r, &sender.wallet_id, Currency::CNY)?;
            let id = ids.movement_id();
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&id, Step::Move),
                    postings: legs([leg(&escrow, -left), leg(&to, left)]),
                },
            )?;
            r.insert_movement(
                &Side {
                    id: &id,
                    owner_id: &sender.id,
                    kind: MovementKind::RedPacket,
                    direction: Direction::In,
                    channel: Channel::RedPacket,
                    amount: left,
                    fee: Amount::ZERO,
                    currency: Currency::CNY,
                    counterparty: "红包退回",
                    peer_id: None,
                    status: MovementStatus::Succeeded,
                    memo: &packet.memo,
                    entry: Some(entry_id(&id, Step::Move)),
                    card_id: None,
                }
                .record(now),
            )?;
            r.insert_notification(&NotificationRecord {
                id: 0,
                holder_id: sender.id.clone(),
                kind: "red_packet_returned".into(),
                title: "红包退回".into(),
                body: format!("红包 24 小时未领完，{} 已退回余额", yuan(left)),
                title_en: "Red packet returned".into(),
                body_en: format!("{} nobody claimed came back to your balance", yuan(left)),
                movement_id: Some(id.clone()),
                created_ms: now,
            })?;
            Ok(true)
        })
        .await
    }
}
