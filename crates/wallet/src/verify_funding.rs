//! The part of `qianbao verify` that checks the funding invariant
//! ([`recon::funding`](crate::recon::funding)): per currency, the operator's funding account holds
//! what holders and merchants may spend, what is in flight and the operator's own — no more, no
//! less. A break is one line of the report naming the currency and every sum.

use crate::StoreError;
use crate::recon::daily::positions;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;

/// Adds a problem to `report` for each currency whose funding account is off.
pub async fn verify_funding(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    for p in positions(store).await? {
        if !p.holds() {
            report.problem(format!("funding invariant broken: {p}"));
        }
    }
    Ok(())
}

/// Adds a problem to `report` unless the yuan accounts of `kind`, summed over every owner, hold
/// exactly what `owed` reads from the records; `says` words the problem from (held, owed). The
/// check an account kind that mirrors rows (escrow, campaign funds) gets in `qianbao verify`.
pub(crate) async fn kind_holds_what_records_owe(
    store: &impl RecordStore,
    report: &mut VerifyReport,
    kind: qianbao_ledger::AccountKind,
    owed: fn(&mut dyn crate::money::records::MoneyTx) -> Result<qianbao_ledger::Amount, StoreError>,
    says: fn(qianbao_ledger::Amount, qianbao_ledger::Amount) -> String,
) -> Result<(), StoreError> {
    // Points accounts hold points; every other kind checked here holds yuan.
    let unit = match kind {
        qianbao_ledger::AccountKind::Points | qianbao_ledger::AccountKind::PointsIssued => {
            qianbao_ledger::Currency::POINTS
        }
        _ => qianbao_ledger::Currency::CNY,
    };
    let (held, owed) = store
        .transact_read(move |r| {
            let held = r
                .account_totals()?
                .into_iter()
                .filter(|t| t.kind == kind && t.currency == unit)
                .fold(qianbao_ledger::Amount::ZERO, |sum, t| sum + t.balance);
            Ok((held, owed(r)?))
        })
        .await?;
    if held != owed {
        report.problem(says(held, owed));
    }
    Ok(())
}
