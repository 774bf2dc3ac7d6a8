//! Transit's rows: ride tokens, fare tables, taps and rides.

use super::SqlRecords;
use super::merchants::{MERCHANT_COLUMNS, merchant_from};
use crate::portable::Row;
use qianbao_ledger::Amount;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::MerchantRecord;
use qianbao_wallet::transit::TransitRecords;
use qianbao_wallet::transit::fares::{FareKind, FareTable};
use qianbao_wallet::transit::pairing::TapDirection;
use qianbao_wallet::transit::records::{
    RideRecord, RideStatus, RideTokenRecord, RideTokenStatus, TapRecord,
};

const TOKEN_COLUMNS: &str =
    "token, holder_id, merchant_id, status, last_counter, created_ms, revoked_ms";
const TAP_COLUMNS: &str = "id, merchant_id, token, counter, direction, station, at_ms, ride_id";
const RIDE_COLUMNS: &str = "id, merchant_id, holder_id, entry_station, entry_ms, exit_station, \
     exit_ms, day_ms, fare, charged, status, created_ms, paid_ms";

fn token_from(row: &Row) -> Result<RideTokenRecord, StoreError> {
    Ok(RideTokenRecord {
        token: row.text(0)?,
        holder_id: row.text(1)?,
        merchant_id: row.text(2)?,
        status: row.named(3, RideTokenStatus::parse)?,
        last_counter: row.int(4)?,
        created_ms: row.int(5)?,
        revoked_ms: row.opt_int(6)?,
    })
}

fn tap_from(row: &Row) -> Result<TapRecord, StoreError> {
    Ok(TapRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        token: row.text(2)?,
        counter: row.int(3)?,
        direction: row.named(4, TapDirection::parse)?,
        station: row.text(5)?,
        at_ms: row.int(6)?,
        ride_id: row.opt_text(7)?,
    })
}

fn ride_from(row: &Row) -> Result<RideRecord, StoreError> {
    Ok(RideRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        holder_id: row.text(2)?,
        entry_station: row.opt_text(3)?,
        entry_ms: row.opt_int(4)?,
        exit_station: row.opt_text(5)?,
        exit_ms: row.opt_int(6)?,
        day_ms: row.int(7)?,
        fare: row.amount(8)?,
        charged: row.amount(9)?,
        status: row.named(10, RideStatus::parse)?,
        created_ms: row.int(11)?,
        paid_ms: row.opt_int(12)?,
    })
}

impl TransitRecords for SqlRecords<'_> {
    fn active_ride_token(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
    ) -> Result<Option<RideTokenRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {TOKEN_COLUMNS} FROM transit_ride_tokens
                     WHERE holder_id = $1 AND merchant_id = $2 AND status = 'active'"
                ),
                &[holder_id.into(), merchant_id.into()],
            )?
            .map(|row| token_from(&row))
            .transpose()
    }

    fn ride_token(&mut self, token: &str) -> Result<Option<RideTokenRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {TOKEN_COLUMNS} FROM transit_ride_tokens WHERE token = $1"),
                &[token.into()],
            )?
            .map(|row| token_from(&row))
            .transpose()
    }

    fn insert_ride_token(&mut self, t: &RideTokenRecord) -> Result<(), StoreError> {
        self.insert(
            "transit_ride_tokens",
            TOKEN_COLUMNS,
            &[
                t.token.as_str().into(),
                t.holder_id.as_str().into(),
                t.merchant_id.as_str().into(),
                t.status.as_str().into(),
                t.last_counter.into(),
                t.created_ms.into(),
                t.revoked_ms.into(),
            ],
        )
    }

    fn set_ride_counter(&mut self, token: &str, counter: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE transit_ride_tokens SET last_counter = $2 WHERE token = $1",
            &[token.into(), counter.into()],
        )
    }

    fn revoke_ride_tokens(&mut self, holder_id: &str, at_ms: i64) -> Result<u64, StoreError> {
        self.0.execute(
            "UPDATE transit_ride_tokens SET status = 'revoked', revoked_ms = $2
             WHERE holder_id = $1 AND status = 'active'",
            &[holder_id.into(), at_ms.into()],
        )
    }

    fn refused_ride_tokens(
        &mut self,
        merchant_id: &str,
        limit: i64,
    ) -> Result<Vec<RideTokenRecord>, StoreError> {
        let columns: Vec<String> = TOKEN_COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect();
        self.0
            .query(
                &format!(
                    "SELECT {} FROM transit_ride_tokens t JOIN holders h ON h.id = t.holder_id
                     WHERE t.merchant_id = $1 AND (t.status = 'revoked' OR h.status <> 'active')
                     ORDER BY t.revoked_ms DESC, t.token LIMIT $2",
                    columns.join(", ")
                ),
                &[merchant_id.into(), limit.into()],
            )?
            .iter()
            .map(token_from)
            .collect()
    }

    fn fare_table(&mut self, merchant_id: &str) -> Result<Option<FareTable>, StoreError> {
        let Some(row) = self.0.query_opt(
            "SELECT kind, stations, flat_fare, base_fare, base_stations, step_stations, step_fare,
                    max_fare, daily_cap
             FROM transit_fare_tables WHERE merchant_id = $1",
            &[merchant_id.into()],
        )?
        else {
            return Ok(None);
        };
        let stations = FareTable::parse_stations(&row.text(1)?).ok_or_else(|| {
            StoreError::Corrupt(format!("the fare table of {merchant_id} has a bad station"))
        })?;
        Ok(Some(FareTable {
            kind: row.named(0, FareKind::parse)?,
            stations,
            flat_fare: row.amount(2)?,
            base_fare: row.amount(3)?,
            base_stations: row.int(4)?,
            step_stations: row.int(5)?,
            step_fare: row.amount(6)?,
            max_fare: row.amount(7)?,
            daily_cap: row.amount(8)?,
        }))
    }

    fn put_fare_table(
        &mut self,
        merchant_id: &str,
        t: &FareTable,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO transit_fare_tables (merchant_id, kind, stations, flat_fare, base_fare,
                 base_stations, step_stations, step_fare, max_fare, daily_cap, set_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (merchant_id) DO UPDATE SET kind = excluded.kind,
                 stations = excluded.stations, flat_fare = excluded.flat_fare,
                 base_fare = excluded.base_fare, base_stations = excluded.base_stations,
                 step_stations = excluded.step_stations, step_fare = excluded.step_fare,
                 max_fare = excluded.max_fare, daily_cap = excluded.daily_cap,
                 set_ms = excluded.set_ms",
            &[
                merchant_id.into(),
                t.kind.as_str().into(),
                t.stations_text().into(),
                t.flat_fare.into(),
                t.base_fare.into(),
                t.base_stations.into(),
                t.step_stations.into(),
                t.step_fare.into(),
                t.max_fare.into(),
                t.daily_cap.into(),
                at_ms.into(),
            ],
        )
    }

    fn stale_tap_tokens(&mut self, before_ms: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        self.0
            .query(
                "SELECT DISTINCT token FROM transit_taps
                 WHERE ride_id IS NULL AND at_ms < $1 ORDER BY token LIMIT $2",
                &[before_ms.into(), limit.into()],
            )?
            .iter()
            .map(|row| row.text(0))
            .collect()
    }

    fn insert_tap(&mut self, t: &TapRecord) -> Result<bool, StoreError> {
        let placeholders: Vec<String> = (1..=8).map(|i| format!("${i}")).collect();
        let kept = self.0.execute(
            &format!(
                "INSERT INTO transit_taps ({TAP_COLUMNS}) VALUES ({})
                 ON CONFLICT (token, counter, direction) DO NOTHING",
                placeholders.join(", ")
            ),
            &[
                t.id.as_str().into(),
                t.merchant_id.as_str().into(),
                t.token.as_str().into(),
                t.counter.into(),
                t.direction.as_str().into(),
                t.station.as_str().into(),
                t.at_ms.into(),
                t.ride_id.as_deref().into(),
            ],
        )?;
        Ok(kept == 1)
    }

    fn open_taps(&mut self, token: &str) -> Result<Vec<TapRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {TAP_COLUMNS} FROM transit_taps
                     WHERE token = $1 AND ride_id IS NULL ORDER BY at_ms, counter, id"
                ),
                &[token.into()],
            )?
            .iter()
            .map(tap_from)
            .collect()
    }

    fn set_tap_ride(&mut self, tap_id: &str, ride_id: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE transit_taps SET ride_id = $2 WHERE id = $1",
            &[tap_id.into(), ride_id.into()],
        )
    }

    fn insert_ride(&mut self, r: &RideRecord) -> Result<(), StoreError> {
        self.insert(
            "transit_rides",
            RIDE_COLUMNS,
            &[
                r.id.as_str().into(),
                r.merchant_id.as_str().into(),
                r.holder_id.as_str().into(),
                r.entry_station.as_deref().into(),
                r.entry_ms.into(),
                r.exit_station.as_deref().into(),
                r.exit_ms.into(),
                r.day_ms.into(),
                r.fare.into(),
                r.charged.into(),
                r.status.as_str().into(),
                r.created_ms.into(),
                r.paid_ms.into(),
            ],
        )
    }

    fn charged_on_day(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
        day_ms: i64,
    ) -> Result<Amount, StoreError> {
        let row = self.0.query_opt(
            "SELECT CAST(COALESCE(SUM(charged), 0) AS BIGINT) FROM transit_rides
             WHERE holder_id = $1 AND merchant_id = $2 AND day_ms = $3",
            &[holder_id.into(), merchant_id.into(), day_ms.into()],
        )?;
        row.map_or(Ok(Amount::ZERO), |row| row.amount(0))
    }

    fn owed_rides(&mut self, holder_id: &str) -> Result<Vec<RideRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {RIDE_COLUMNS} FROM transit_rides
                     WHERE holder_id = $1 AND status = 'owed' ORDER BY created_ms, id"
                ),
                &[holder_id.into()],
            )?
            .iter()
            .map(ride_from)
            .collect()
    }

    fn set_ride_paid(&mut self, ride_id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE transit_rides SET status = 'paid', paid_ms = $2 WHERE id = $1",
            &[ride_id.into(), at_ms.into()],
        )
    }

    fn rides(&mut self, holder_id: &str, limit: i64) -> Result<Vec<RideRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {RIDE_COLUMNS} FROM transit_rides
                     WHERE holder_id = $1 ORDER BY created_ms DESC, id DESC LIMIT $2"
                ),
                &[holder_id.into(), limit.into()],
            )?
            .iter()
            .map(ride_from)
            .collect()
    }

    fn transit_operators(&mut self, limit: i64) -> Result<Vec<MerchantRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {MERCHANT_COLUMNS} FROM merchants
                     WHERE category = 'transit' AND status = 'active'
                     ORDER BY created_ms, id LIMIT $1"
                ),
                &[limit.into()],
            )?
            .iter()
            .map(merchant_from)
            .collect()
    }
}
