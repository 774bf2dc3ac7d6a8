//! Red packets' rows: the packets (their shares as the comma-separated text the commitment
//! hashes) and the claims.

use super::SqlRecords;
use super::movements::sum_of;
use crate::portable::Row;
use qianbao_ledger::Amount;
use qianbao_wallet::StoreError;
use qianbao_wallet::red_packets::{
    Commitment, RedPacketClaim, RedPacketRecord, RedPacketRecords, RedPacketStatus, Split,
};

const PACKET_COLUMNS: &str = "id, sender_id, recipient_id, split, amount, share_count, shares, \
     salt, commitment, memo, status, claimed_count, claimed_amount, movement_id, created_ms, \
     expires_ms";

const CLAIM_COLUMNS: &str = "packet_id, idx, holder_id, amount, movement_id, claimed_ms";

fn count(row: &Row, i: usize) -> Result<u32, StoreError> {
    u32::try_from(row.int(i)?).map_err(|_| StoreError::Corrupt(format!("red packet count {i}")))
}

fn shares_from(text: &str) -> Result<Vec<Amount>, StoreError> {
    text.split(',')
        .map(|s| {
            s.parse::<i64>()
                .map(Amount::from_minor)
                .map_err(|_| StoreError::Corrupt(format!("red packet share {s:?}")))
        })
        .collect()
}

fn shares_text(shares: &[Amount]) -> String {
    let parts: Vec<String> = shares.iter().map(|s| s.minor().to_string()).collect();
    parts.join(",")
}

fn packet_from(row: &Row) -> Result<RedPacketRecord, StoreError> {
    let shares = shares_from(&row.text(6)?)?;
    if shares.len() != count(row, 5)? as usize {
        return Err(StoreError::Corrupt(
            "red packet shares and count differ".into(),
        ));
    }
    Ok(RedPacketRecord {
        id: row.text(0)?,
        sender_id: row.text(1)?,
        recipient_id: row.opt_text(2)?,
        split: row.named(3, Split::parse)?,
        amount: row.amount(4)?,
        shares,
        salt: row.text(7)?,
        commitment: Commitment(row.text(8)?),
        memo: row.text(9)?,
        status: row.named(10, RedPacketStatus::parse)?,
        claimed_count: count(row, 11)?,
        claimed_amount: row.amount(12)?,
        movement_id: row.text(13)?,
        created_ms: row.int(14)?,
        expires_ms: row.int(15)?,
    })
}

fn claim_from(row: &Row) -> Result<RedPacketClaim, StoreError> {
    Ok(RedPacketClaim {
        packet_id: row.text(0)?,
        index: count(row, 1)?,
        holder_id: row.text(2)?,
        amount: row.amount(3)?,
        movement_id: row.text(4)?,
        claimed_ms: row.int(5)?,
    })
}

impl RedPacketRecords for SqlRecords<'_> {
    fn insert_red_packet(&mut self, p: &RedPacketRecord) -> Result<(), StoreError> {
        self.insert(
            "red_packets",
            PACKET_COLUMNS,
            &[
                p.id.as_str().into(),
                p.sender_id.as_str().into(),
                p.recipient_id.as_deref().into(),
                p.split.as_str().into(),
                p.amount.into(),
                i64::try_from(p.shares.len()).unwrap_or(i64::MAX).into(),
                shares_text(&p.shares).into(),
                p.salt.as_str().into(),
                p.commitment.0.as_str().into(),
                p.memo.as_str().into(),
                p.status.as_str().into(),
                i64::from(p.claimed_count).into(),
                p.claimed_amount.into(),
                p.movement_id.as_str().into(),
                p.created_ms.into(),
                p.expires_ms.into(),
            ],
        )
    }

    fn red_packet(&mut self, id: &str) -> Result<Option<RedPacketRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {PACKET_COLUMNS} FROM red_packets WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| packet_from(&row))
            .transpose()
    }

    fn update_red_packet(&mut self, p: &RedPacketRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE red_packets SET claimed_count = $2, claimed_amount = $3, status = $4
             WHERE id = $1",
            &[
                p.id.as_str().into(),
                i64::from(p.claimed_count).into(),
                p.claimed_amount.into(),
                p.status.as_str().into(),
            ],
        )
    }

    fn insert_red_packet_claim(&mut self, c: &RedPacketClaim) -> Result<(), StoreError> {
        self.insert(
            "red_packet_claims",
            CLAIM_COLUMNS,
            &[
                c.packet_id.as_str().into(),
                i64::from(c.index).into(),
                c.holder_id.as_str().into(),
                c.amount.into(),
                c.movement_id.as_str().into(),
                c.claimed_ms.into(),
            ],
        )
    }

    fn red_packet_claims(&mut self, packet_id: &str) -> Result<Vec<RedPacketClaim>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {CLAIM_COLUMNS} FROM red_packet_claims WHERE packet_id = $1
                     ORDER BY idx"
                ),
                &[packet_id.into()],
            )?
            .iter()
            .map(claim_from)
            .collect()
    }

    fn red_packets_of(
        &mut self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<RedPacketRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {PACKET_COLUMNS} FROM red_packets
                     WHERE sender_id = $1 OR recipient_id = $1
                        OR id IN (SELECT packet_id FROM red_packet_claims WHERE holder_id = $1)
                     ORDER BY created_ms DESC, id DESC LIMIT $2"
                ),
                &[holder_id.into(), limit.into()],
            )?
            .iter()
            .map(packet_from)
            .collect()
    }

    fn red_packets_unclaimed_total(&mut self) -> Result<Amount, StoreError> {
        let row = self.0.query_one(
            "SELECT CAST(coalesce(sum(amount - claimed_amount), 0) AS BIGINT) FROM red_packets
             WHERE status = 'open'",
            &[],
        )?;
        sum_of(&row)
    }
}
