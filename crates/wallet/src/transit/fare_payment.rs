//! Paying a ride's fare: one balanced entry from the holder's wallet to the operator's shop
//! account, the holder's `fare` movement and the shop's payment — or, when the balance cannot
//! pay, nothing moves and the ride is owed until the next top-up pays it first.

use super::records::{RideRecord, RideStatus};
use crate::money::merchant::merchant_account;
use crate::money::moves::Side;
use crate::money::records::{
    Channel, Direction, MerchantPaymentRecord, MerchantRecord, MoneyTx, MovementKind,
    MovementStatus,
};
use crate::money::{MoneyError, Step, apply, entry_id, leg, legs, wallet_account};
use crate::records::HolderRecord;
use qianbao_ledger::{Amount, Currency, Instruction};

/// What the holder's record says of a ride: `L1-01 → L1-05`, a `?` for a missing tap.
fn memo(ride: &RideRecord) -> String {
    format!(
        "{} → {}",
        ride.entry_station.as_deref().unwrap_or("?"),
        ride.exit_station.as_deref().unwrap_or("?")
    )
}

/// Pays `ride.charged` from the holder's wallet to the operator, under the ride's id, when the
/// available balance covers it; `false` (nothing written) when it does not.
///
/// Fares carry no shop fee and skip the spending limits and risk control: the ride was already
/// taken, so a refusal could not stop it — it could only turn the fare into a debt.
pub(crate) fn pay_fare(
    r: &mut dyn MoneyTx,
    ride: &RideRecord,
    holder: &HolderRecord,
    operator: &MerchantRecord,
    now: i64,
) -> Result<bool, MoneyError> {
    let amount = ride.charged;
    let currency = Currency::CNY;
    let from = wallet_account(r, &holder.wallet_id, currency)?;
    if !amount.is_positive() || from.available() < amount {
        return Ok(false);
    }
    let to = merchant_account(r, &operator.id, currency)?;
    let entry = entry_id(&ride.id, Step::Move);
    apply(
        r,
        &Instruction::Transfer {
            id: entry,
            postings: legs([leg(&from, -amount), leg(&to, amount)]),
        },
    )?;
    r.insert_movement(
        &Side {
            id: &ride.id,
            owner_id: &holder.id,
            kind: MovementKind::Fare,
            direction: Direction::Out,
            channel: Channel::Transit,
            amount,
            fee: Amount::ZERO,
            currency,
            counterparty: &operator.name,
            peer_id: Some(&operator.id),
            status: MovementStatus::Succeeded,
            memo: &memo(ride),
            entry: Some(entry),
            card_id: None,
        }
        .record(now),
    )?;
    r.insert_merchant_payment(&MerchantPaymentRecord {
        id: ride.id.clone(),
        merchant_id: operator.id.clone(),
        holder_id: holder.id.clone(),
        amount,
        fee: Amount::ZERO,
        currency,
        refunded: Amount::ZERO,
        fee_refunded: Amount::ZERO,
        order_id: None,
        channel: Channel::Transit,
        description: memo(ride),
        created_ms: now,
    })?;
    Ok(true)
}

/// Pays the holder's owed fares, oldest first, while the balance covers them: the top-up's hook,
/// run in the transaction that credits the wallet, so the money just arrived pays the debt
/// before anything else can spend it.
pub(crate) fn pay_owed_fares(
    r: &mut dyn MoneyTx,
    holder: &HolderRecord,
    now: i64,
) -> Result<(), MoneyError> {
    for ride in r.owed_rides(&holder.id)? {
        let Some(operator) = r.merchant(&ride.merchant_id)? else {
            return Err(MoneyError::Internal(
                "an owed fare's operator is gone".into(),
            ));
        };
        if !pay_fare(r, &ride, holder, &operator, now)? {
            // Oldest first: a younger, smaller debt does not jump the queue.
            break;
        }
        r.set_ride_paid(&ride.id, now)?;
    }
    Ok(())
}

/// The status a new ride takes once `pay_fare` answered `paid` for its charge.
pub(crate) fn status_after(charged: Amount, paid: bool) -> RideStatus {
    match (charged.is_positive(), paid) {
        (false, _) => RideStatus::Free,
        (true, true) => RideStatus::Paid,
        (true, false) => RideStatus::Owed,
    }
}
