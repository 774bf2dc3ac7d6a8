//! The rows of red packets: each packet as sent (its split fixed, its commitment shown, its salt
//! kept until the reveal) and each share claimed.

use super::fairness::Commitment;
use super::split::Split;
use crate::StoreError;
use qianbao_ledger::Amount;

crate::named! {
    /// Where a packet stands.
    pub enum RedPacketStatus {
        /// Shares are left to claim, and it has not expired.
        Open = "open",
        /// Every share is claimed.
        Finished = "finished",
        /// Its time ran out; what nobody claimed went back to the sender.
        Expired = "expired",
    }
}

/// A red packet as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedPacketRecord {
    /// Its id (a UUID v7): whoever holds it may claim a group packet, so it is not guessable.
    pub id: String,
    /// Who sent it.
    pub sender_id: String,
    /// The one holder who may claim it (a one-to-one packet); `None` for a group packet.
    pub recipient_id: Option<String>,
    /// How it was split.
    pub split: Split,
    /// What was sent, in fen.
    pub amount: Amount,
    /// The shares in claim order, fixed when it was sent.
    pub shares: Vec<Amount>,
    /// The secret salt of the commitment, revealed with the shares.
    pub salt: String,
    /// `sha256(salt + ":" + shares)`, shown from the start.
    pub commitment: Commitment,
    /// The sender's greeting (恭喜发财，大吉大利).
    pub memo: String,
    /// Where it stands.
    pub status: RedPacketStatus,
    /// How many shares are claimed; the next claim takes the share at this index.
    pub claimed_count: u32,
    /// What the claimed shares add up to.
    pub claimed_amount: Amount,
    /// The sender's movement (the money out).
    pub movement_id: String,
    /// When it was sent (ms).
    pub created_ms: i64,
    /// When what is left goes back to the sender (ms).
    pub expires_ms: i64,
}

impl RedPacketRecord {
    /// The share the next claim takes, if any is left.
    pub fn next_share(&self) -> Option<Amount> {
        self.shares.get(self.claimed_count as usize).copied()
    }

    /// What nobody has claimed yet.
    pub fn unclaimed(&self) -> Amount {
        self.amount - self.claimed_amount
    }

    /// Whether the shares and salt may be shown: once nothing more can change.
    pub fn revealed(&self) -> bool {
        self.status != RedPacketStatus::Open
    }
}

/// One share claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedPacketClaim {
    /// The packet.
    pub packet_id: String,
    /// The share's place in the split (0 first).
    pub index: u32,
    /// Who claimed it.
    pub holder_id: String,
    /// The share.
    pub amount: Amount,
    /// The claimant's movement (the money in).
    pub movement_id: String,
    /// When (ms).
    pub claimed_ms: i64,
}

/// Red packets and their claims.
pub trait RedPacketRecords {
    /// Stores a packet just sent.
    fn insert_red_packet(&mut self, packet: &RedPacketRecord) -> Result<(), StoreError>;
    /// A packet by id.
    fn red_packet(&mut self, id: &str) -> Result<Option<RedPacketRecord>, StoreError>;
    /// Saves a packet's claimed count, claimed amount and status.
    fn update_red_packet(&mut self, packet: &RedPacketRecord) -> Result<(), StoreError>;
    /// Stores a claim; the store refuses a second claim of one share or by one holder.
    fn insert_red_packet_claim(&mut self, claim: &RedPacketClaim) -> Result<(), StoreError>;
    /// A packet's claims, in share order.
    fn red_packet_claims(&mut self, packet_id: &str) -> Result<Vec<RedPacketClaim>, StoreError>;
    /// The packets `holder_id` sent or claimed a share of, newest first.
    fn red_packets_of(
        &mut self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<RedPacketRecord>, StoreError>;
    /// What the open packets have not paid out yet, summed (what the escrow account must hold).
    fn red_packets_unclaimed_total(&mut self) -> Result<Amount, StoreError>;
}
