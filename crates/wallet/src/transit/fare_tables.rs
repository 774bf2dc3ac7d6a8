//! An operator setting its own fare table: checked whole before it replaces the one in force, so
//! a gate's station is always one the table can price, and no fare can pass the maximum or the
//! day's cap be below a single fare.

use super::fares::{FareKind, FareTable, Station};
use super::riding::transit_operator;
use crate::money::records::MerchantRecord;
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;
use qianbao_ledger::Amount;
use std::collections::BTreeSet;

/// The most stations one table may list.
pub const STATIONS_MAX: usize = 500;

/// The most any one fare or cap may be (¥1,000): a table is a bus or metro's, not a train's.
const FARE_MAX: i64 = 100_000;

/// Why a fare table is refused: names the field at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fare table: {0}")]
pub struct FareTableInvalid(pub &'static str);

/// Checks `table`: 1 to [`STATIONS_MAX`] stations with distinct codes of 1–16 printable ASCII
/// characters (no tab: the stored form separates by tabs) and names of 1–40 characters; fares
/// and the cap between 0 and ¥1,000; at least one station per step; the maximum at least the
/// base fare (metro) or the flat fare (bus); and a cap of at least one maximum fare.
pub fn check(table: &FareTable) -> Result<(), FareTableInvalid> {
    let bad = |field| Err(FareTableInvalid(field));
    if table.stations.is_empty() || table.stations.len() > STATIONS_MAX {
        return bad("stations");
    }
    let mut codes = BTreeSet::new();
    for Station {
        code, name, line, ..
    } in &table.stations
    {
        let printable = |s: &str| s.bytes().all(|b| (0x21..0x7f).contains(&b));
        if code.is_empty() || code.len() > 16 || !printable(code) || !codes.insert(code) {
            return bad("stations.code");
        }
        let fits = |s: &str, max: usize| {
            !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
        };
        if !fits(name, 40) || !fits(line, 16) {
            return bad("stations.name");
        }
    }
    let in_range = |a: Amount| (0..=FARE_MAX).contains(&a.minor());
    for (field, amount) in [
        ("flat_fare", table.flat_fare),
        ("base_fare", table.base_fare),
        ("step_fare", table.step_fare),
        ("max_fare", table.max_fare),
        ("daily_cap", table.daily_cap),
    ] {
        if !in_range(amount) {
            return bad(field);
        }
    }
    if table.base_stations < 0 || table.step_stations < 1 {
        return bad("step_stations");
    }
    let least_max = match table.kind {
        FareKind::Bus => table.flat_fare,
        FareKind::Metro => table.base_fare,
    };
    if table.max_fare < least_max {
        return bad("max_fare");
    }
    if table.daily_cap < table.max_fare {
        return bad("daily_cap");
    }
    Ok(())
}

impl Money {
    /// The fare table the transit operator `operator` charges by: its own, or the sandbox's.
    pub async fn fare_table(
        &self,
        store: &impl RecordStore,
        operator: &MerchantRecord,
    ) -> Result<FareTable, MoneyError> {
        if operator.category != super::riding::TRANSIT_CATEGORY {
            return Err(MoneyError::NotFound);
        }
        let id = operator.id.clone();
        Ok(store
            .transact_read(move |r| Ok(r.fare_table(&id)?.unwrap_or_else(FareTable::sandbox)))
            .await?)
    }

    /// Replaces the transit operator `operator`'s fare table with `table` (checked first); rides
    /// already charged keep their fares.
    pub async fn set_fare_table(
        &self,
        store: &impl RecordStore,
        operator: &MerchantRecord,
        table: FareTable,
    ) -> Result<(), MoneyError> {
        check(&table).map_err(|e| MoneyError::InvalidField(e.0))?;
        let (id, now) = (operator.id.clone(), self.now_ms());
        self.run(store, move |r| {
            transit_operator(r, &id)?;
            r.put_fare_table(&id, &table, now)?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_table_passes_its_own_checks() {
        assert_eq!(check(&FareTable::sandbox()), Ok(()));
    }

    /// A change that spoils a table.
    type Bend = fn(&mut FareTable);

    #[test]
    fn a_table_that_could_not_price_its_rides_is_refused_by_field() {
        let cases: [(&str, Bend); 8] = [
            ("stations", |t| t.stations.clear()),
            ("stations.code", |t| {
                let first = t.stations[0].clone();
                t.stations.push(first);
            }),
            ("stations.code", |t| t.stations[0].code = "L1\t01".into()),
            ("stations.name", |t| t.stations[0].name = String::new()),
            ("max_fare", |t| t.max_fare = Amount::from_minor(100)),
            ("daily_cap", |t| t.daily_cap = Amount::from_minor(400)),
            ("step_stations", |t| t.step_stations = 0),
            ("step_fare", |t| t.step_fare = Amount::from_minor(-1)),
        ];
        for (field, bend) in cases {
            let mut table = FareTable::sandbox();
            bend(&mut table);
            assert_eq!(check(&table), Err(FareTableInvalid(field)), "{field}");
        }
    }
}
