//! What a packet shows: to its sender and recipient (a one-to-one packet) or anyone holding its
//! link (a group packet), who got how much; the shares and salt only once nothing can change.

use super::records::{RedPacketClaim, RedPacketRecord, RedPacketRecords};
use crate::StoreError;
use crate::money::records::MoneyTx;
use crate::money::{Money, MoneyError, shown_name};
use crate::records::HolderRecord;
use crate::storage::RecordStore;

/// One claim as the packet's page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownClaim {
    /// The claim itself.
    pub claim: RedPacketClaim,
    /// The claimant as others see them (masked).
    pub name: String,
}

/// A packet as `viewer` may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketView {
    /// The packet (its salt and shares are only for showing once [`RedPacketRecord::revealed`]).
    pub packet: RedPacketRecord,
    /// The sender as others see them.
    pub sender_name: String,
    /// Who got how much, in share order.
    pub claims: Vec<ShownClaim>,
    /// Whether the viewer sent it.
    pub mine: bool,
}

/// Whether `viewer_id` may see `packet`: a one-to-one packet is its sender's and recipient's.
fn may_see(packet: &RedPacketRecord, viewer_id: &str) -> bool {
    match &packet.recipient_id {
        None => true,
        Some(recipient) => recipient == viewer_id || packet.sender_id == viewer_id,
    }
}

/// `packet` as `viewer_id` sees it: the sender's and claimants' shown names read with it.
fn view_of(
    r: &mut dyn MoneyTx,
    packet: RedPacketRecord,
    viewer_id: &str,
) -> Result<PacketView, StoreError> {
    let name_of = |r: &mut dyn MoneyTx, id: &str| -> Result<String, StoreError> {
        match r.holder(id)? {
            Some(h) => shown_name(r, &h),
            None => Ok("****".into()),
        }
    };
    let sender_name = name_of(r, &packet.sender_id)?;
    let mut claims = Vec::new();
    for claim in r.red_packet_claims(&packet.id)? {
        let name = name_of(r, &claim.holder_id)?;
        claims.push(ShownClaim { claim, name });
    }
    Ok(PacketView {
        mine: packet.sender_id == viewer_id,
        packet,
        sender_name,
        claims,
    })
}

impl Money {
    /// Packet `id` as `viewer` may see it, or `not_found`.
    pub async fn red_packet(
        &self,
        store: &impl RecordStore,
        viewer: &HolderRecord,
        id: &str,
    ) -> Result<PacketView, MoneyError> {
        let (viewer_id, id) = (viewer.id.clone(), id.to_string());
        store
            .transact_read(move |r| {
                r.red_packet(&id)?
                    .filter(|p| may_see(p, &viewer_id))
                    .map(|packet| view_of(r, packet, &viewer_id))
                    .transpose()
            })
            .await?
            .ok_or(MoneyError::NotFound)
    }

    /// The packets `holder` sent, was sent, or claimed from, newest first, as they see them: one
    /// read, not one per packet.
    pub async fn red_packets_of(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        limit: i64,
    ) -> Result<Vec<PacketView>, MoneyError> {
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| {
                RedPacketRecords::red_packets_of(r, &holder_id, limit)?
                    .into_iter()
                    .map(|packet| view_of(r, packet, &holder_id))
                    .collect()
            })
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::red_packets::{Commitment, RedPacketStatus, Split};
    use qianbao_ledger::Amount;

    #[test]
    fn a_one_to_one_packet_is_seen_by_its_two_holders_only() {
        let mut p = RedPacketRecord {
            id: "p".into(),
            sender_id: "a".into(),
            recipient_id: Some("b".into()),
            split: Split::Even,
            amount: Amount::from_minor(1),
            shares: vec![Amount::from_minor(1)],
            salt: String::new(),
            commitment: Commitment(String::new()),
            memo: String::new(),
            status: RedPacketStatus::Open,
            claimed_count: 0,
            claimed_amount: Amount::ZERO,
            movement_id: String::new(),
            created_ms: 0,
            expires_ms: 0,
        };
        assert!(may_see(&p, "a") && may_see(&p, "b") && !may_see(&p, "c"));
        p.recipient_id = None;
        assert!(may_see(&p, "c"));
    }
}
