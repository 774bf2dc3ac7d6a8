//! Saved billers (常用缴费户号): a holder keeps a biller and account under a nickname, and may
//! switch auto-pay on for it with a day of the month and a cap. Switching auto-pay on is the
//! holder's standing consent: the bills it pays need no PIN (see `autopay`).

use super::account::BillAccount;
use super::autopay::{AUTOPAY_DAY_MAX, autopay_timer_id, next_autopay_ms};
use super::records::SavedBillerRecord;
use crate::domain::display_text::display_text;
use crate::money::records::{TimerKind, TimerRecord};
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, PositiveAmount};

/// The most billers one holder may save: a household's bills, not a list to grow for ever.
pub const SAVED_BILLERS_MAX: usize = 20;
/// The longest nickname, in characters.
const NICKNAME_CHARS_MAX: usize = 20;

/// Auto-pay's settings: the day of the month it looks for a bill, and the most it pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Autopay {
    day: i64,
    cap: PositiveAmount,
}

impl Autopay {
    /// Auto-pay on `day` (1–28: every month has it) up to `cap`; `None` for another day.
    pub fn new(day: i64, cap: PositiveAmount) -> Option<Autopay> {
        (1..=AUTOPAY_DAY_MAX)
            .contains(&day)
            .then_some(Autopay { day, cap })
    }
}

impl Money {
    /// The holder's saved billers, oldest first.
    pub async fn saved_billers(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<Vec<SavedBillerRecord>, MoneyError> {
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| r.saved_billers(&holder_id))
            .await?)
    }

    /// Saves `account` at `biller_id` under `nickname` (the biller's name when empty). Saving
    /// the same biller and account again answers the one saved. `invalid_request` for an
    /// unknown biller (`biller_id`), a bad nickname or a full list (`saved_billers`).
    pub async fn save_biller(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        biller_id: &str,
        account: &BillAccount,
        nickname: &str,
    ) -> Result<SavedBillerRecord, MoneyError> {
        let ids = self.ctx.ids.clone();
        let nickname = display_text(nickname, NICKNAME_CHARS_MAX, false)
            .map_err(|_| MoneyError::InvalidField("nickname"))?;
        let biller = self.biller(biller_id).await.map_err(|e| match e {
            MoneyError::BillNotFound => MoneyError::InvalidField("biller_id"),
            other => other,
        })?;
        let now = self.now_ms();
        let saved = SavedBillerRecord {
            id: ids.movement_id(),
            holder_id: holder.id.clone(),
            biller_id: biller.id,
            account: account.as_str().to_string(),
            nickname: if nickname.is_empty() {
                biller.name
            } else {
                nickname
            },
            autopay_day: None,
            autopay_cap: None,
            created_ms: now,
            updated_ms: now,
        };
        self.run(store, move |r| {
            let mine = r.saved_billers(&saved.holder_id)?;
            if let Some(same) = mine
                .iter()
                .find(|s| s.biller_id == saved.biller_id && s.account == saved.account)
            {
                return Ok(same.clone());
            }
            if mine.len() >= SAVED_BILLERS_MAX {
                return Err(MoneyError::InvalidField("saved_billers"));
            }
            r.insert_saved_biller(&saved)?;
            Ok(saved.clone())
        })
        .await
    }

    /// Switches auto-pay of the holder's saved biller `id` on (`Some`) or off (`None`), and
    /// arms or drops its timer with it; another's is `not_found`.
    pub async fn set_autopay(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
        autopay: Option<Autopay>,
    ) -> Result<SavedBillerRecord, MoneyError> {
        let (holder_id, id, now) = (holder.id.clone(), id.to_string(), self.now_ms());
        self.run(store, move |r| {
            let mut saved = r
                .saved_biller(&id)?
                .filter(|s| s.holder_id == holder_id)
                .ok_or(MoneyError::NotFound)?;
            let timer = autopay_timer_id(&saved.id);
            if r.timer(&timer)?.is_some() {
                r.delete_timer(&timer)?;
            }
            saved.autopay_day = autopay.map(|a| a.day);
            saved.autopay_cap = autopay.map(|a| Amount::from(a.cap));
            saved.updated_ms = now;
            r.update_saved_biller(&saved)?;
            if let Some(autopay) = autopay {
                r.insert_timer(&TimerRecord {
                    id: timer,
                    kind: TimerKind::BillAutopay,
                    subject: saved.id.clone(),
                    due_ms: next_autopay_ms(autopay.day, now),
                    attempts: 0,
                    created_ms: now,
                })?;
            }
            Ok(saved)
        })
        .await
    }

    /// Forgets the holder's saved biller `id`, auto-pay and all; another's is `not_found`.
    pub async fn forget_biller(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
    ) -> Result<(), MoneyError> {
        let (holder_id, id) = (holder.id.clone(), id.to_string());
        self.run(store, move |r| {
            r.saved_biller(&id)?
                .filter(|s| s.holder_id == holder_id)
                .ok_or(MoneyError::NotFound)?;
            let timer = autopay_timer_id(&id);
            if r.timer(&timer)?.is_some() {
                r.delete_timer(&timer)?;
            }
            r.delete_saved_biller(&id)?;
            Ok(())
        })
        .await
    }
}
