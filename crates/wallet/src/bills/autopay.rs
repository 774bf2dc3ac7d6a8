//! Auto-pay (自动缴费): on the day of the month the holder chose, a timer per saved biller looks
//! the bill up and pays it if it is at most the holder's cap, else leaves it and tells the holder;
//! then it arms itself for the same day next month.
//!
//! No PIN is asked: nobody is there to type it. The holder gave their consent once, with their
//! session, when switching auto-pay on with its cap, and may switch it off at any time; the cap
//! bounds what that consent covers. Every other rule of a payment (status, balance, limits, risk)
//! applies as to a payment they made themselves.

use super::BillAccount;
use super::records::SavedBillerRecord;
use crate::domain::ChinaDay;
use crate::money::records::{MovementStatus, NotificationRecord, TimerRecord};
use crate::money::{Done, IdempotencyKey, Money, MoneyError, Origin, Render, yuan};
use crate::records::HolderStatus;
use crate::storage::RecordStore;
use qianbao_ledger::Amount;

/// The last day auto-pay may be set to: the 28th is in every month.
pub const AUTOPAY_DAY_MAX: i64 = 28;
/// The hour (China time) auto-pay runs on its day: a working hour, so a notice is read.
const AUTOPAY_HOUR: u8 = 9;

/// The auto-pay timer of the saved biller `saved_id`: one per saved biller.
pub(crate) fn autopay_timer_id(saved_id: &str) -> String {
    format!("bill_autopay:{saved_id}")
}

/// The first 09:00 (China time) on day `day` of a month strictly after `after_ms`.
pub fn next_autopay_ms(day: i64, after_ms: i64) -> i64 {
    let day = u8::try_from(day.clamp(1, AUTOPAY_DAY_MAX)).unwrap_or(1);
    let today = ChinaDay::of_ms(after_ms).date();
    let (mut year, mut month) = (today.year(), today.month());
    // At most two months ahead: this month's day may have passed, next month's has not.
    for _ in 0..2 {
        if let Ok(date) = time::Date::from_calendar_date(year, month, day) {
            let at = ChinaDay::of_date(date).start_ms() + i64::from(AUTOPAY_HOUR) * 3_600_000;
            if at > after_ms {
                return at;
            }
        }
        if month == time::Month::December {
            year += 1;
        }
        month = month.next();
    }
    // Unreachable for a day of 1–28; a month on is the safe answer.
    after_ms + 31 * 86_400_000
}

/// The stored reply of an auto-pay: nobody reads it, but the key must finish like any.
fn autopay_reply(done: Done) -> String {
    format!(
        "{{\"id\":\"{}\",\"status\":\"{}\",\"amount\":{}}}",
        done.id,
        done.status,
        done.amount.minor()
    )
}

impl Money {
    /// Runs the `bill_autopay` timer of the saved biller its subject names. Always re-arms for
    /// next month once this month's bill is dealt with; a biller not answering is an error, so
    /// the timer tries again soon.
    pub(crate) async fn autopay_bill(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<bool, MoneyError> {
        let saved_id = timer.subject.clone();
        let found = store
            .transact_read(move |r| {
                let Some(saved) = r.saved_biller(&saved_id)? else {
                    return Ok(None);
                };
                Ok(r.holder(&saved.holder_id)?.map(|h| (saved, h)))
            })
            .await?;
        let Some((saved, holder)) = found.filter(|(s, _)| s.autopay_day.is_some()) else {
            // Forgotten or switched off since: nothing to pay, ever.
            let id = timer.id.clone();
            self.run(store, move |r| Ok(r.delete_timer(&id)?)).await?;
            return Ok(true);
        };
        let (day, cap) = (
            saved.autopay_day.unwrap_or(1),
            saved.autopay_cap.unwrap_or(Amount::ZERO),
        );
        if holder.status == HolderStatus::Active {
            self.autopay_once(store, &saved, &holder, cap).await?;
        }
        let (id, due) = (timer.id.clone(), next_autopay_ms(day, self.now_ms()));
        self.run(store, move |r| Ok(r.reschedule_timer(&id, due, 0)?))
            .await?;
        Ok(true)
    }

    /// This month's look-up and payment, or the notice why not.
    async fn autopay_once(
        &self,
        store: &impl RecordStore,
        saved: &SavedBillerRecord,
        holder: &crate::records::HolderRecord,
        cap: Amount,
    ) -> Result<(), MoneyError> {
        let account = BillAccount::parse(&saved.account)
            .ok_or_else(|| MoneyError::Internal("a saved bill account does not parse".into()))?;
        let lookup = match self
            .look_up_bill(store, holder, &saved.biller_id, &account)
            .await
        {
            Ok(lookup) => lookup,
            // Nothing due this month (or paid by other means): nothing to do or say.
            Err(MoneyError::BillNotFound | MoneyError::BillAlreadyPaid) => return Ok(()),
            Err(e) => return Err(e),
        };
        if lookup.amount > cap {
            let (amount, cap) = (yuan(lookup.amount), yuan(cap));
            return self
                .notify(
                    store,
                    holder,
                    (
                        "自动缴费未执行".into(),
                        format!(
                            "{}（{}）{} 账单 {amount} 超过自动缴费上限 {cap}，请手动缴费",
                            saved.nickname, lookup.biller_name, lookup.period
                        ),
                    ),
                    (
                        "Auto-pay skipped".into(),
                        format!(
                            "The {} bill of {} ({}) is {amount}, above your auto-pay cap of \
                             {cap}; please pay it yourself",
                            lookup.period, saved.nickname, lookup.biller_name
                        ),
                    ),
                )
                .await;
        }
        let key = IdempotencyKey {
            caller: format!("holder:{}", holder.id),
            key: format!("autopay:{}:{}", saved.id, lookup.reference),
            digest: format!("autopay:{}", lookup.reference),
        };
        let render = Render {
            status: 201,
            body: autopay_reply,
            held: |_| false,
        };
        let paid = self
            .pay_bill(
                store,
                holder,
                &lookup.id,
                &Origin::merchant(),
                &key,
                render,
                true,
            )
            .await;
        match paid {
            Ok(done) if done.status != MovementStatus::Failed => Ok(()),
            // Paid before (a pass that crashed after paying): nothing more to do.
            Err(MoneyError::Replay(_) | MoneyError::BillAlreadyPaid) => Ok(()),
            Err(MoneyError::BillerUnavailable) => Err(MoneyError::BillerUnavailable),
            // Refused (the settle already told the holder), or a payment's own refusal: the
            // holder is told, and the bill is theirs to pay.
            Ok(_) => Ok(()),
            Err(e) => {
                let (amount, code) = (yuan(lookup.amount), e.code());
                self.notify(
                    store,
                    holder,
                    (
                        "自动缴费未成功".into(),
                        format!(
                            "{}（{}）{} 账单 {amount} 未能自动缴纳（{code}），请手动缴费",
                            saved.nickname, lookup.biller_name, lookup.period
                        ),
                    ),
                    (
                        "Auto-pay failed".into(),
                        format!(
                            "The {} bill of {} ({}), {amount}, could not be paid automatically \
                             ({code}); please pay it yourself",
                            lookup.period, saved.nickname, lookup.biller_name
                        ),
                    ),
                )
                .await
            }
        }
    }

    /// An inbox notice about auto-pay, in both languages, with no movement.
    async fn notify(
        &self,
        store: &impl RecordStore,
        holder: &crate::records::HolderRecord,
        (title, body): (String, String),
        (title_en, body_en): (String, String),
    ) -> Result<(), MoneyError> {
        let notice = NotificationRecord {
            id: 0,
            holder_id: holder.id.clone(),
            kind: "bill_autopay".into(),
            title,
            body,
            title_en,
            body_en,
            movement_id: None,
            created_ms: self.now_ms(),
        };
        self.run(store, move |r| Ok(r.insert_notification(&notice)?))
            .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// 2026-12-07 12:00 China time.
    const DEC_7_NOON: i64 = 1_796_616_000_000;

    fn china(ms: i64) -> String {
        let at = time::OffsetDateTime::from_unix_timestamp(ms / 1000)
            .unwrap()
            .to_offset(crate::domain::china_day::CHINA_OFFSET);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute()
        )
    }

    #[test]
    fn the_day_to_come_this_month_is_this_month() {
        assert_eq!(china(DEC_7_NOON), "2026-12-07 12:00");
        assert_eq!(china(next_autopay_ms(15, DEC_7_NOON)), "2026-12-15 09:00");
    }

    #[test]
    fn a_day_gone_by_is_next_month_across_the_year() {
        assert_eq!(china(next_autopay_ms(7, DEC_7_NOON)), "2027-01-07 09:00");
        assert_eq!(china(next_autopay_ms(1, DEC_7_NOON)), "2027-01-01 09:00");
    }

    #[test]
    fn the_moment_itself_is_not_after_itself() {
        let at = next_autopay_ms(28, DEC_7_NOON);
        assert_eq!(china(next_autopay_ms(28, at)), "2027-01-28 09:00");
    }
}
