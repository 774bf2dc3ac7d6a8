//! A closing's sweep: the whole balance of a wallet paid out to one of its holder's cards, as a
//! withdrawal like any other (held at once, sent to the bank by the payout timer, posted on the
//! bank's confirmation), but with no fee and no risk screening: a second member of staff's
//! approval of the `close_account` command is its control, and a holder leaving should not pay
//! to take their own money out.

use super::records::{Channel, Direction, MoneyTx, MovementKind, MovementStatus};
use super::records::{TimerKind, TimerRecord};
use super::{
    Alert, Money, MoneyError, Step, apply, entry_id, leg, legs, operator_account, wallet_account,
    yuan,
};
use crate::records::{CardRecord, HolderRecord};
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction};

/// How the sweep's card is shown in records and notices.
pub fn card_shown(card: &CardRecord) -> String {
    format!("{} ****{}", card.bank_name, card.last4)
}

impl Money {
    /// Withdraws `amount` of `currency` (the wallet's whole available balance) to `card`, inside
    /// the caller's money transaction: the movement's id. The holder is told in their inbox.
    pub(crate) fn sweep_in(
        &self,
        r: &mut dyn MoneyTx,
        holder: &HolderRecord,
        card: &CardRecord,
        amount: Amount,
        currency: Currency,
        now: i64,
    ) -> Result<String, MoneyError> {
        let ids = self.ctx.ids.clone();
        let wallet = wallet_account(r, &holder.wallet_id, currency)?;
        let clearing = operator_account(r, AccountKind::BankClearing, currency)?;
        if !amount.is_positive() || wallet.available() < amount {
            return Err(MoneyError::InsufficientBalance);
        }
        let id = ids.movement_id();
        let shown = card_shown(card);
        apply(
            r,
            &Instruction::Hold {
                id: entry_id(&id, Step::Move),
                postings: legs([leg(&wallet, -amount), leg(&clearing, amount)]),
            },
        )?;
        r.insert_movement(
            &super::moves::Side {
                id: &id,
                owner_id: &holder.id,
                kind: MovementKind::Withdrawal,
                direction: Direction::Out,
                channel: Channel::Card,
                amount,
                fee: Amount::ZERO,
                currency,
                counterparty: &shown,
                peer_id: None,
                status: MovementStatus::Pending,
                memo: "注销余额转出 (closing sweep)",
                entry: Some(entry_id(&id, Step::Move)),
                card_id: Some(&card.id),
            }
            .record(now),
        )?;
        r.insert_timer(&TimerRecord {
            id: ids.movement_id(),
            kind: TimerKind::WithdrawalPayout,
            subject: id.clone(),
            due_ms: now + self.policy.withdrawal_delay_ms,
            attempts: 0,
            created_ms: now,
        })?;
        self.alert(
            r,
            Alert {
                holder,
                kind: "withdrawal",
                title: "注销余额转出".into(),
                body: format!("{} 正在转出到{}，不收手续费", yuan(amount), shown),
                title_en: "Closing balance on its way".into(),
                body_en: format!("{} on its way to {}, no fee", yuan(amount), shown),
                movement_id: &id,
                amount,
            },
        )?;
        Ok(id)
    }
}
