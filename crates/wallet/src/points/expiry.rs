//! Points expiring: a worker pass finds lots whose year is up and takes what is left of each out
//! of its holder's points, in one money transaction per lot that reads the lot again, so two
//! nodes racing expire it once. The yuan behind the points go back to the shop that funded them.

use super::records::{PointsEvent, PointsHistoryRecord};
use super::{holder_points, issued, pts, reserve, worth};
use crate::money::merchant::merchant_account;
use crate::money::{Money, MoneyError, Step, apply, entry_id, leg, legs};
use crate::storage::RecordStore;
use qianbao_ledger::{Currency, Instruction};

/// Lots expired in one pass at most; the next pass takes the rest.
const PASS_SIZE_MAX: i64 = 200;

impl Money {
    /// Expires the points whose time is up; answers how many lots it looked at.
    pub async fn expire_points(&self, store: &impl RecordStore) -> Result<usize, MoneyError> {
        let ids = self.ctx.ids.clone();
        let now = self.now_ms();
        let due = store
            .transact_read(move |r| r.expired_points_lots(now, PASS_SIZE_MAX))
            .await?;
        let count = due.len();
        for lot in due {
            let now = self.now_ms();
            let ids = ids.clone();
            self.run(store, move |r| {
                let Some(lot) = r
                    .points_lots_of(&lot.holder_id)?
                    .into_iter()
                    .find(|l| l.id == lot.id)
                else {
                    return Ok(());
                };
                if lot.remaining == 0 || lot.expires_ms > now {
                    return Ok(());
                }
                let holder = r.holder(&lot.holder_id)?.ok_or(MoneyError::NotFound)?;
                let left = lot.remaining;
                r.set_lot_remaining(&lot.id, 0)?;
                let id = ids.movement_id();
                r.insert_points_history(&PointsHistoryRecord {
                    id: id.clone(),
                    holder_id: lot.holder_id.clone(),
                    kind: PointsEvent::Expired,
                    points: -left,
                    payment_id: None,
                    memo: String::new(),
                    created_ms: now,
                })?;
                let postings = legs([
                    leg(&holder_points(r, &holder.wallet_id)?, -pts(left)),
                    leg(&issued(r)?, pts(left)),
                    leg(&reserve(r)?, -worth(left)),
                    leg(
                        &merchant_account(r, &lot.merchant_id, Currency::CNY)?,
                        worth(left),
                    ),
                ]);
                apply(
                    r,
                    &Instruction::Transfer {
                        id: entry_id(&id, Step::Move),
                        postings,
                    },
                )
            })
            .await?;
        }
        Ok(count)
    }
}
