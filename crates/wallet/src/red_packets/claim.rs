//! Claiming a share: the next share in the fixed split moves from the escrow to the claimant in
//! one entry. Money transactions exclude each other and the store refuses a second claim of one
//! share or by one holder, so of any number of racing claims exactly as many succeed as there
//! are shares, and nobody gets two.

use super::records::{RedPacketClaim, RedPacketRecord, RedPacketStatus};
use crate::money::moves::Side;
use crate::money::records::{Channel, Direction, MoneyTx, MovementKind, MovementStatus};
use crate::money::{
    Money, MoneyError, Step, apply, entry_id, leg, legs, limits, operator_account,
    receiving_holder, shown_name, wallet_account,
};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction, PositiveAmount};

/// Why `claimant` may not claim `packet` now, if they may not: another's one-to-one packet is
/// not theirs to see (`not_found`); the sender of a one-to-one packet may not take it back
/// (`invalid_payee`); a holder gets one share (`already_claimed`, asked first, so a claimant
/// who was lucky hears that rather than that the packet is empty); then `red_packet_expired`
/// and `red_packet_empty`.
pub(crate) fn refusal(
    packet: &RedPacketRecord,
    claimant_id: &str,
    claimed_before: bool,
    now_ms: i64,
) -> Option<MoneyError> {
    if let Some(recipient) = &packet.recipient_id
        && recipient != claimant_id
    {
        return Some(if packet.sender_id == claimant_id {
            MoneyError::InvalidPayee("yourself")
        } else {
            MoneyError::NotFound
        });
    }
    if claimed_before {
        return Some(MoneyError::AlreadyClaimed);
    }
    if packet.status == RedPacketStatus::Expired || now_ms >= packet.expires_ms {
        return Some(MoneyError::RedPacketExpired);
    }
    if packet.status == RedPacketStatus::Finished || packet.next_share().is_none() {
        return Some(MoneyError::RedPacketEmpty);
    }
    None
}

impl Money {
    /// Claims the next share of packet `id` for `holder`; answers the share.
    pub async fn claim_red_packet(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
    ) -> Result<Amount, MoneyError> {
        let (holder_id, id) = (holder.id.clone(), id.to_string());
        let now = self.now_ms();
        let money = self.clone();
        self.run(store, move |r| money.claim_in(r, &holder_id, &id, now))
            .await
    }

    fn claim_in(
        &self,
        r: &mut dyn MoneyTx,
        holder_id: &str,
        id: &str,
        now: i64,
    ) -> Result<Amount, MoneyError> {
        let ids = self.ctx.ids.clone();
        let claimant = receiving_holder(r, holder_id)?;
        let mut packet = r.red_packet(id)?.ok_or(MoneyError::NotFound)?;
        let claims = r.red_packet_claims(id)?;
        let claimed_before = claims.iter().any(|c| c.holder_id == claimant.id);
        if let Some(refused) = refusal(&packet, &claimant.id, claimed_before, now) {
            return Err(refused);
        }
        let share = packet.next_share().ok_or(MoneyError::RedPacketEmpty)?;
        let positive = PositiveAmount::new(share.minor()).ok_or(MoneyError::AmountInvalid)?;
        let to = wallet_account(r, &claimant.wallet_id, Currency::CNY)?;
        limits::check_receiving(&self.levels.at(claimant.kyc_level), to.balance, positive)
            .map_err(MoneyError::LimitExceeded)?;
        let escrow = operator_account(r, AccountKind::RedPacketEscrow, Currency::CNY)?;
        let movement_id = ids.movement_id();
        apply(
            r,
            &Instruction::Transfer {
                id: entry_id(&movement_id, Step::Move),
                postings: legs([leg(&escrow, -share), leg(&to, share)]),
            },
        )?;
        let sender = r.holder(&packet.sender_id)?.ok_or(MoneyError::NotFound)?;
        let sender_name = shown_name(r, &sender)?;
        r.insert_movement(
            &Side {
                id: &movement_id,
                owner_id: &claimant.id,
                kind: MovementKind::RedPacket,
                direction: Direction::In,
                channel: Channel::RedPacket,
                amount: share,
                fee: Amount::ZERO,
                currency: Currency::CNY,
                counterparty: &sender_name,
                peer_id: Some(&sender.id),
                status: MovementStatus::Succeeded,
                memo: &packet.memo,
                entry: Some(entry_id(&movement_id, Step::Move)),
                card_id: None,
            }
            .record(now),
        )?;
        r.insert_red_packet_claim(&RedPacketClaim {
            packet_id: packet.id.clone(),
            index: packet.claimed_count,
            holder_id: claimant.id.clone(),
            amount: share,
            movement_id,
            claimed_ms: now,
        })?;
        packet.claimed_count += 1;
        packet.claimed_amount += share;
        if packet.next_share().is_none() {
            packet.status = RedPacketStatus::Finished;
        }
        r.update_red_packet(&packet)?;
        Ok(share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::red_packets::{Commitment, Split};

    fn packet(recipient: Option<&str>, shares: &[i64], claimed: u32) -> RedPacketRecord {
        let shares: Vec<Amount> = shares.iter().map(|v| Amount::from_minor(*v)).collect();
        RedPacketRecord {
            id: "p".into(),
            sender_id: "sender".into(),
            recipient_id: recipient.map(str::to_string),
            split: Split::Even,
            amount: shares.iter().fold(Amount::ZERO, |a, b| a + *b),
            claimed_amount: shares[..claimed as usize]
                .iter()
                .fold(Amount::ZERO, |a, b| a + *b),
            shares,
            salt: "s".into(),
            commitment: Commitment("c".into()),
            memo: String::new(),
            status: RedPacketStatus::Open,
            claimed_count: claimed,
            movement_id: "m".into(),
            created_ms: 0,
            expires_ms: 1_000,
        }
    }

    fn code(e: Option<MoneyError>) -> Option<&'static str> {
        e.map(|e| e.code())
    }

    #[test]
    fn a_one_to_one_packet_is_only_its_recipients() {
        let p = packet(Some("bob"), &[100], 0);
        assert_eq!(code(refusal(&p, "bob", false, 0)), None);
        assert_eq!(code(refusal(&p, "sender", false, 0)), Some("invalid_payee"));
        assert_eq!(code(refusal(&p, "eve", false, 0)), Some("not_found"));
    }

    #[test]
    fn a_second_claim_hears_already_claimed_even_when_the_packet_is_empty() {
        let p = packet(None, &[50, 50], 2);
        assert_eq!(code(refusal(&p, "a", true, 0)), Some("already_claimed"));
        assert_eq!(code(refusal(&p, "c", false, 0)), Some("red_packet_empty"));
    }

    #[test]
    fn a_packet_past_its_time_is_expired_before_its_timer_runs() {
        let p = packet(None, &[50, 50], 1);
        assert_eq!(code(refusal(&p, "c", false, 999)), None);
        assert_eq!(
            code(refusal(&p, "c", false, 1_000)),
            Some("red_packet_expired")
        );
    }
}
