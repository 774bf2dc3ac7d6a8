//! A manual adjustment: a balanced ledger entry between a holder's wallet and the operator's
//! adjustments account, with a movement in the holder's records — never an edited balance. It
//! runs inside the transaction of the four-eyes approval that asked for it, so the approval, the
//! entry and the audit line commit together. The ledger refuses one that would take the wallet
//! below zero.

use super::MoneyError;
use super::entries::{Step, apply, entry_id, leg, legs, operator_account, wallet_account};
use super::moves::Side;
use super::records::{Channel, Direction, MoneyTx, MovementKind, MovementStatus};
use crate::records::HolderRecord;
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction};

/// What the holder's records name the other side of an adjustment.
pub const COUNTERPARTY: &str = "运营方调账 (operator adjustment)";

/// Posts `amount` (signed: positive credits the wallet) to `holder`'s wallet against the
/// operator's adjustments account, as movement `movement_id` with `memo`. Applying the same
/// movement again finds its first entry, so a retried approval cannot post twice.
pub fn post_adjustment(
    r: &mut dyn MoneyTx,
    movement_id: &str,
    holder: &HolderRecord,
    amount: Amount,
    currency: Currency,
    memo: &str,
    now_ms: i64,
) -> Result<(), MoneyError> {
    if amount == Amount::ZERO {
        return Err(MoneyError::Internal("an adjustment of nothing".into()));
    }
    let wallet = wallet_account(r, &holder.wallet_id, currency)?;
    let adjustments = operator_account(r, AccountKind::Adjustments, currency)?;
    apply(
        r,
        &Instruction::Transfer {
            id: entry_id(movement_id, Step::Move),
            postings: legs([leg(&wallet, amount), leg(&adjustments, -amount)]),
        },
    )?;
    let (direction, size) = if amount.is_positive() {
        (Direction::In, amount)
    } else {
        (Direction::Out, -amount)
    };
    r.insert_movement(
        &Side {
            id: movement_id,
            owner_id: &holder.id,
            kind: MovementKind::Adjustment,
            direction,
            channel: Channel::Transfer,
            amount: size,
            fee: Amount::ZERO,
            currency,
            counterparty: COUNTERPARTY,
            peer_id: None,
            status: MovementStatus::Succeeded,
            memo,
            entry: Some(entry_id(movement_id, Step::Move)),
            card_id: None,
        }
        .record(now_ms),
    )?;
    Ok(())
}

/// Posts `amount` (signed: positive credits the balance) to merchant `merchant_id`'s balance
/// against the operator's adjustments account, as entry `movement_id`. A merchant keeps no
/// movement records of its own (its payments and refunds are its records), so the ledger entry
/// and the command that asked for it are the trace. The ledger refuses one that would take the
/// balance below zero.
pub fn post_merchant_adjustment(
    r: &mut dyn MoneyTx,
    movement_id: &str,
    merchant_id: &str,
    amount: Amount,
    currency: Currency,
) -> Result<(), MoneyError> {
    if amount == Amount::ZERO {
        return Err(MoneyError::Internal("an adjustment of nothing".into()));
    }
    let balance = super::merchant::merchant_account(r, merchant_id, currency)?;
    let adjustments = operator_account(r, AccountKind::Adjustments, currency)?;
    apply(
        r,
        &Instruction::Transfer {
            id: entry_id(movement_id, Step::Move),
            postings: legs([leg(&balance, amount), leg(&adjustments, -amount)]),
        },
    )?;
    Ok(())
}
