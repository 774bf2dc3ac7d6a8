//! Points (积分, `docs/rewards.md`): earned per yuan paid at shops running a points campaign, and
//! redeemed as a discount at any shop, one point for one fen. Points are the ledger's own unit
//! (`PTS`, whole points): a holder's points account against the operator's points-issued account,
//! so the unit sums to zero; beside them, the points reserve holds one fen in yuan for every
//! point outstanding, moved there from the campaign's budget when the points are earned. Each
//! earned batch is a lot that expires a year on, its yuan back to the shop that funded it.

pub mod earn;
pub mod expiry;
pub mod records;
pub mod redeem;
pub mod refund;
pub mod view;

pub use records::{PointsEarnedRecord, PointsEvent, PointsHistoryRecord, PointsLot, PointsRecords};
pub use view::PointsView;

use crate::AccountOwner;
use crate::StoreError;
use crate::money::operator_account;
use crate::money::records::MoneyTx;
use qianbao_ledger::{Account, AccountKind, Amount, Currency};

/// How long earned (or refunded) points last: a year, as the articles' wallets keep them.
pub const LIFETIME_MS: i64 = 365 * 86_400_000;

/// Points as an amount in the points unit.
pub(crate) fn pts(points: i64) -> Amount {
    Amount::from_minor(points)
}

/// Points' worth in yuan: one fen a point.
pub(crate) fn worth(points: i64) -> Amount {
    Amount::from_minor(points)
}

/// A holder's points account.
pub(crate) fn holder_points(r: &mut dyn MoneyTx, wallet_id: &str) -> Result<Account, StoreError> {
    r.account(
        &AccountOwner::Wallet(wallet_id.to_string()),
        AccountKind::Points,
        Currency::POINTS,
    )
}

/// The operator's points-issued account.
pub(crate) fn issued(r: &mut dyn MoneyTx) -> Result<Account, StoreError> {
    operator_account(r, AccountKind::PointsIssued, Currency::POINTS)
}

/// The yuan behind outstanding points.
pub(crate) fn reserve(r: &mut dyn MoneyTx) -> Result<Account, StoreError> {
    operator_account(r, AccountKind::PointsReserve, Currency::CNY)
}
