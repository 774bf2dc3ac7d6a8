//! The people a holder sent money to lately, for the transfer screen's quick picks: read from the
//! holder's own transfer records only, so another holder's payees can never show.

use super::records::{Direction, MovementFilter, MovementKind, MovementRecord, MovementStatus};
use super::{Money, MoneyError, shown_name};
use crate::records::{HolderRecord, HolderStatus};
use crate::storage::RecordStore;

/// How many transfer records are read to find the recent payees (newest first).
const RECORDS_READ: i64 = 200;

/// One recent payee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentPayee {
    /// Their phone (E.164), which the transfer screen fills in when picked.
    pub phone: String,
    /// Their masked real name (`*三`), or masked phone before they were verified.
    pub masked_name: String,
    /// When this holder last sent them money (ms).
    pub last_ms: i64,
}

/// The distinct payees of `rows` (newest first), at most `limit`: outgoing transfers to another
/// holder that moved or may still move money (failed, cancelled and rejected ones are left out).
pub fn distinct_payees(rows: &[MovementRecord], limit: usize) -> Vec<(String, i64)> {
    let mut seen: Vec<(String, i64)> = Vec::new();
    for m in rows {
        if seen.len() >= limit {
            break;
        }
        let counts = m.kind == MovementKind::Transfer
            && m.direction == Direction::Out
            && !matches!(
                m.status,
                MovementStatus::Failed | MovementStatus::Cancelled | MovementStatus::Rejected
            );
        if let (true, Some(peer)) = (counts, &m.peer_id)
            && !seen.iter().any(|(p, _)| p == peer)
        {
            seen.push((peer.clone(), m.created_ms));
        }
    }
    seen
}

impl Money {
    /// The last `limit` distinct holders `holder` transferred to, newest first; closed wallets
    /// are left out (they can no longer be paid).
    pub async fn recent_payees(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        limit: usize,
    ) -> Result<Vec<RecentPayee>, MoneyError> {
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| {
                let rows = r.movements(
                    &holder_id,
                    &MovementFilter {
                        kind: Some(MovementKind::Transfer),
                        limit: RECORDS_READ,
                        ..MovementFilter::default()
                    },
                )?;
                let mut payees = Vec::new();
                for (peer, last_ms) in distinct_payees(&rows, limit) {
                    let Some(payee) = r.holder(&peer)? else {
                        continue;
                    };
                    if payee.status == HolderStatus::Closed || payee.id == holder_id {
                        continue;
                    }
                    payees.push(RecentPayee {
                        masked_name: shown_name(r, &payee)?,
                        phone: payee.phone,
                        last_ms,
                    });
                }
                Ok(payees)
            })
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::records::Channel;
    use qianbao_ledger::{Amount, Currency};

    fn row(peer: &str, direction: Direction, status: MovementStatus, at: i64) -> MovementRecord {
        MovementRecord {
            id: format!("m{at}"),
            owner_id: "me".into(),
            kind: MovementKind::Transfer,
            direction,
            channel: Channel::Transfer,
            amount: Amount::from_minor(100),
            fee: Amount::from_minor(0),
            currency: Currency::CNY,
            counterparty: "*三".into(),
            peer_id: Some(peer.into()),
            status,
            memo: String::new(),
            entry_id: None,
            card_id: None,
            created_ms: at,
            updated_ms: at,
        }
    }

    #[test]
    fn payees_are_distinct_outgoing_and_newest_first() {
        let rows = vec![
            row("b", Direction::Out, MovementStatus::Succeeded, 50),
            row("c", Direction::In, MovementStatus::Succeeded, 40),
            row("d", Direction::Out, MovementStatus::Failed, 30),
            row("b", Direction::Out, MovementStatus::Succeeded, 20),
            row("e", Direction::Out, MovementStatus::Scheduled, 10),
            row("f", Direction::Out, MovementStatus::Succeeded, 5),
        ];
        assert_eq!(
            distinct_payees(&rows, 2),
            vec![("b".to_string(), 50), ("e".to_string(), 10)]
        );
        assert_eq!(distinct_payees(&rows, 10).len(), 3);
    }
}
