//! A gate's upload of taps: each line judged on its own (a bad one is refused with its reason,
//! the good ones are kept), each tap kept once, the touched tokens' taps paired into rides, and
//! each new ride's fare charged under the day's cap — or owed. One money transaction for the
//! whole batch, so the same batch sent twice finds its taps kept and charges nothing more.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::fare_payment::{pay_fare, status_after};
use super::fares::{FareKind, FareTable, Trip, under_cap};
use super::pairing::{PairedRide, Tap, TapDirection, pair};
use super::records::{RideRecord, RideTokenStatus, TapRecord};
use super::riding::transit_operator;
use super::validator::{CLOCK_SKEW_S, RevocationList, SeenCounters, Verdict, judge};
use crate::money::limits::day_start_ms;
use crate::money::records::{MerchantRecord, MoneyTx};
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;
use qianbao_secrets::ride_signing::RidePublicKey;

/// Most lines in one upload: a gate sends a day's taps in several batches.
pub const TAPS_PER_BATCH_MAX: usize = 1000;

crate::named! {
    /// Why a line of an upload was refused.
    pub enum TapRefusal {
        /// Not a ride code.
        Malformed = "malformed",
        /// Not signed by the platform's key.
        BadSignature = "bad_signature",
        /// The code was not fresh at the tap's time.
        Expired = "expired",
        /// The token was revoked before the tap.
        Revoked = "revoked",
        /// No such token.
        UnknownToken = "unknown_token",
        /// Another operator's token.
        OtherOperator = "other_operator",
        /// A station not in the operator's fare table.
        UnknownStation = "unknown_station",
        /// A time in the future (beyond the clock skew).
        FutureTime = "future_time",
        /// A time that is not RFC 3339.
        TimeInvalid = "time_invalid",
        /// Neither `in` nor `out`.
        DirectionInvalid = "direction_invalid",
        /// An exit tap at a bus operator, whose fare is paid on boarding (上车刷码).
        BusExit = "bus_exit",
    }
}

impl TapRefusal {
    /// The refusal for a code the validator did not take.
    fn of(verdict: Verdict) -> TapRefusal {
        match verdict {
            Verdict::BadSignature => TapRefusal::BadSignature,
            Verdict::Expired => TapRefusal::Expired,
            Verdict::Revoked => TapRefusal::Revoked,
            // Neither can come from the upload's check (no list, no counters): a copy at two
            // gates is one tap, kept once.
            Verdict::Good(_) | Verdict::Replayed | Verdict::Malformed => TapRefusal::Malformed,
        }
    }
}

/// One line of an upload, as the gate sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapLine {
    /// The ride code the gate read.
    pub payload: String,
    /// The station's code.
    pub station: String,
    /// `in` or `out`, as sent.
    pub direction: String,
    /// When the gate read it (ms).
    pub at_ms: i64,
}

/// What became of an upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapsOutcome {
    /// Lines kept (a tap kept before counts: sending it again is not an error).
    pub accepted: usize,
    /// Lines refused: their index in the batch and why.
    pub rejected: Vec<(usize, TapRefusal)>,
}

/// A line that passed the checks needing no records.
#[derive(Clone, Debug)]
struct Judged {
    index: usize,
    token: String,
    counter: i64,
    direction: TapDirection,
    station: String,
    at_ms: i64,
}

/// The checks a line passes before any record is read: its direction, its time (not in the
/// future beyond the skew) and its code (well-formed, signed by us, fresh at the tap's time).
fn judge_line(
    key: &RidePublicKey,
    index: usize,
    line: &TapLine,
    now: i64,
) -> Result<Judged, TapRefusal> {
    let direction = TapDirection::parse(&line.direction).ok_or(TapRefusal::DirectionInvalid)?;
    if line.at_ms > now.saturating_add(CLOCK_SKEW_S * 1000) {
        return Err(TapRefusal::FutureTime);
    }
    // Revocation and replays are judged against the records, with the tap's own time.
    let verdict = judge(
        key,
        &RevocationList::default(),
        &SeenCounters::default(),
        line.at_ms.div_euclid(1000),
        &line.payload,
    );
    let Verdict::Good(good) = verdict else {
        return Err(TapRefusal::of(verdict));
    };
    Ok(Judged {
        index,
        token: good.token.to_hex(),
        counter: i64::try_from(good.counter).map_err(|_| TapRefusal::Malformed)?,
        direction,
        station: line.station.clone(),
        at_ms: line.at_ms,
    })
}

/// Every line through [`judge_line`]: the good ones, and the refused ones with their reasons.
fn judge_lines(
    key: &RidePublicKey,
    lines: &[TapLine],
    now: i64,
) -> (Vec<Judged>, Vec<(usize, TapRefusal)>) {
    let mut rejected = Vec::new();
    let mut judged = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        match judge_line(key, index, line, now) {
            Ok(good) => judged.push(good),
            Err(reason) => rejected.push((index, reason)),
        }
    }
    (judged, rejected)
}

impl Money {
    /// Takes a gate's batch of taps for the operator `operator` (the caller's merchant).
    pub async fn upload_taps(
        &self,
        store: &impl RecordStore,
        operator: &MerchantRecord,
        lines: &[TapLine],
    ) -> Result<TapsOutcome, MoneyError> {
        let ids = self.ctx.ids.clone();
        if lines.len() > TAPS_PER_BATCH_MAX {
            return Err(MoneyError::InvalidField("taps"));
        }
        let now = self.now_ms();
        let (judged, mut rejected) = judge_lines(&self.ride_public_key(), lines, now);
        let judged = Arc::new(judged);
        let operator_id = operator.id.clone();
        let refused = self
            .run(store, move |r| {
                keep_and_charge(r, &ids, &operator_id, &judged, now)
            })
            .await?;
        rejected.extend(refused);
        rejected.sort_unstable_by_key(|(index, _)| *index);
        Ok(TapsOutcome {
            accepted: lines.len() - rejected.len(),
            rejected,
        })
    }
}

/// Inside the money transaction: the checks against the records, the taps kept, the rides made
/// and charged. Returns the lines refused here.
fn keep_and_charge(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    operator_id: &str,
    lines: &[Judged],
    now: i64,
) -> Result<Vec<(usize, TapRefusal)>, MoneyError> {
    let operator = transit_operator(r, operator_id)?;
    let table = r
        .fare_table(&operator.id)?
        .unwrap_or_else(FareTable::sandbox);
    let mut refused = Vec::new();
    let mut touched = BTreeSet::new();
    for line in lines {
        if table.station(&line.station).is_none() {
            refused.push((line.index, TapRefusal::UnknownStation));
            continue;
        }
        if table.kind == FareKind::Bus && line.direction == TapDirection::Out {
            refused.push((line.index, TapRefusal::BusExit));
            continue;
        }
        let Some(token) = r.ride_token(&line.token)? else {
            refused.push((line.index, TapRefusal::UnknownToken));
            continue;
        };
        if token.merchant_id != operator.id {
            refused.push((line.index, TapRefusal::OtherOperator));
            continue;
        }
        // A tap before the revocation was a ride the gate let through: it is still charged.
        if token.status == RideTokenStatus::Revoked
            && token.revoked_ms.is_none_or(|at| at <= line.at_ms)
        {
            refused.push((line.index, TapRefusal::Revoked));
            continue;
        }
        let kept = r.insert_tap(&TapRecord {
            id: ids.movement_id(),
            merchant_id: operator.id.clone(),
            token: token.token.clone(),
            counter: line.counter,
            direction: line.direction,
            station: line.station.clone(),
            at_ms: line.at_ms,
            ride_id: None,
        })?;
        if kept {
            touched.insert((token.token, token.holder_id));
        }
    }
    for (token, holder_id) in touched {
        charge_rides(r, ids, &operator, &table, &token, &holder_id, now)?;
    }
    Ok(refused)
}

/// Charges the rides the open taps of `token` (the operator `merchant_id`'s, held by
/// `holder_id`) make now: the lone-tap pass's step, under the operator's table in force.
pub(crate) fn charge_open_taps(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    merchant_id: &str,
    token: &str,
    holder_id: &str,
    now: i64,
) -> Result<(), MoneyError> {
    let operator = transit_operator(r, merchant_id)?;
    let table = r
        .fare_table(&operator.id)?
        .unwrap_or_else(FareTable::sandbox);
    charge_rides(r, ids, &operator, &table, token, holder_id, now)
}

/// Pairs a token's open taps and charges each ride they close.
fn charge_rides(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    operator: &MerchantRecord,
    table: &FareTable,
    token: &str,
    holder_id: &str,
    now: i64,
) -> Result<(), MoneyError> {
    let open = r.open_taps(token)?;
    let index_of = |code: &str| table.station(code).map_or(0, |s| s.index);
    let taps: Vec<Tap> = open
        .iter()
        .map(|t| Tap {
            id: t.id.clone(),
            direction: t.direction,
            counter: t.counter,
            index: index_of(&t.station),
            at_ms: t.at_ms,
        })
        .collect();
    let holder = r.holder(holder_id)?.ok_or(MoneyError::NotFound)?;
    let station_of = |tap: &Option<Tap>| {
        tap.as_ref()
            .and_then(|t| open.iter().find(|o| o.id == t.id))
            .map(|o| o.station.clone())
    };
    // A bus fare is paid on boarding: each entry is a whole ride at once, with nothing to wait for.
    let rides = match table.kind {
        FareKind::Bus => taps
            .iter()
            .map(|t| PairedRide {
                entry: Some(t.clone()),
                exit: None,
            })
            .collect(),
        FareKind::Metro => pair(&taps, now),
    };
    for PairedRide { entry, exit } in rides {
        let trip = match (&entry, &exit) {
            (Some(a), None) if table.kind == FareKind::Bus => Trip::Complete {
                from: a.index,
                to: a.index,
            },
            (Some(a), Some(b)) => Trip::Complete {
                from: a.index,
                to: b.index,
            },
            _ => Trip::Incomplete,
        };
        let at = entry.as_ref().or(exit.as_ref()).map_or(now, |t| t.at_ms);
        let day_ms = day_start_ms(at);
        let fare = table.fare(trip);
        let charged_today = r.charged_on_day(&holder.id, &operator.id, day_ms)?;
        let charged = under_cap(fare, charged_today, table.daily_cap);
        let mut ride = RideRecord {
            id: ids.movement_id(),
            merchant_id: operator.id.clone(),
            holder_id: holder.id.clone(),
            entry_station: station_of(&entry),
            entry_ms: entry.as_ref().map(|t| t.at_ms),
            exit_station: station_of(&exit),
            exit_ms: exit.as_ref().map(|t| t.at_ms),
            day_ms,
            fare,
            charged,
            status: super::records::RideStatus::Free,
            created_ms: now,
            paid_ms: None,
        };
        let paid = pay_fare(r, &ride, &holder, operator, now)?;
        ride.status = status_after(charged, paid);
        ride.paid_ms = paid.then_some(now);
        r.insert_ride(&ride)?;
        for tap in entry.iter().chain(exit.iter()) {
            r.set_tap_ride(&tap.id, &ride.id)?;
        }
    }
    Ok(())
}
