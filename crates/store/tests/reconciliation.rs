//! Reconciliation's rows on both backends: the sandbox bank's bookings (the first booking of a
//! reference wins), the bank's confirmations read by day and by reference, imports kept once by
//! digest, one open case per break, the funding totals and the once-a-day check.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, bank, fund, wallet};
use qianbao_ledger::{AccountKind, Amount, Currency};
use qianbao_store::Storage;
use qianbao_wallet::domain::{BankKind, BankReference, ChinaDay};
use qianbao_wallet::money::records::{
    BankConfirmation, BreakKind, CaseRecord, CaseStatus, Channel, Direction, FundingAlertRecord,
    FundingCheckRecord, ImportRecord, KindTotal, MovementKind, MovementRecord, MovementStatus,
    ReconCounts,
};
use qianbao_wallet::storage::RecordStore;
use qianbao_wallet::{BankBooking, SandboxBankBooks, StoreError};

/// One `#[tokio::test]` per backend for each test.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::Db::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(db) = super::Db::postgres().await {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}

both! {
    the_first_booking_of_a_reference_wins_and_a_day_reads_back_in_order,
    confirmations_read_back_by_day_and_by_bank_reference,
    an_import_is_kept_once_by_its_digest,
    a_break_has_one_open_case_until_it_is_resolved,
    balances_are_summed_by_kind_and_a_day_is_checked_once,
}

/// Noon on 2027-01-15 in China.
const T: i64 = 1_800_000_000_000;

fn reference(text: &str) -> BankReference {
    BankReference::parse(text).unwrap()
}

fn booking(our: &str, bank: &str, amount: i64, at: i64) -> BankBooking {
    BankBooking {
        reference: our.into(),
        bank_reference: reference(bank),
        kind: BankKind::Settlement,
        amount: Amount::from_minor(amount),
        currency: Currency::CNY,
        booked_ms: at,
    }
}

async fn the_first_booking_of_a_reference_wins_and_a_day_reads_back_in_order(db: Db) {
    let storage = Storage::open(&db.location).await.unwrap();
    let first = booking("s1", "sbxb_a", 100, T + 2);
    assert_eq!(storage.book(&first).await.unwrap(), first);
    // A repeat, even with another bank reference and time, answers the first booking.
    let repeat = booking("s1", "sbxb_b", 100, T + 9);
    assert_eq!(storage.book(&repeat).await.unwrap(), first);
    let earlier = booking("s0", "sbxb_a", 50, T + 1);
    storage.book(&earlier).await.unwrap();
    let next_day = booking("s2", "sbxb_c", 70, T + 86_400_000);
    storage.book(&next_day).await.unwrap();
    let day = ChinaDay::of_ms(T);
    let read = storage
        .booked_between(day.start_ms(), day.end_ms())
        .await
        .unwrap();
    assert_eq!(read, [earlier, first]);
}

/// A top-up movement `id` of `amount`, succeeded at `at`.
fn movement(id: &str, amount: i64, at: i64) -> MovementRecord {
    MovementRecord {
        id: id.into(),
        owner_id: "h1".into(),
        kind: MovementKind::Topup,
        direction: Direction::In,
        channel: Channel::Card,
        amount: Amount::from_minor(amount),
        fee: Amount::ZERO,
        currency: Currency::CNY,
        counterparty: "工商银行 ****0003".into(),
        peer_id: None,
        status: MovementStatus::Succeeded,
        memo: String::new(),
        entry_id: None,
        card_id: Some("c1".into()),
        created_ms: at,
        updated_ms: at,
    }
}

fn confirmation(id: &str, bank: &str, amount: i64, at: i64) -> BankConfirmation {
    BankConfirmation {
        movement_id: id.into(),
        bank_reference: reference(bank),
        kind: BankKind::Topup,
        amount: Amount::from_minor(amount),
        currency: Currency::CNY,
        confirmed_ms: at,
    }
}

async fn confirmations_read_back_by_day_and_by_bank_reference(db: Db) {
    let storage = Storage::open(&db.location).await.unwrap();
    let kept = [
        confirmation("m2", "B-2", 200, T + 5),
        confirmation("m1", "B-1", 100, T),
        confirmation("m3", "B-3", 300, T + 86_400_000),
    ];
    let written = kept.clone();
    storage
        .transact_money(move |r| {
            for c in &written {
                r.insert_movement(&movement(&c.movement_id, c.amount.minor(), c.confirmed_ms))?;
                r.confirm_at_bank(c)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let day = ChinaDay::of_ms(T);
    let (of_day, capped, under) = storage
        .transact_read(move |r| {
            Ok((
                r.confirmations_between(day.start_ms(), day.end_ms(), 10)?,
                r.confirmations_between(day.start_ms(), day.end_ms(), 1)?,
                r.confirmations_under(&[reference("B-3"), reference("B-1"), reference("B-9")])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(of_day, [kept[1].clone(), kept[0].clone()], "oldest first");
    assert_eq!(capped, [kept[1].clone()]);
    assert_eq!(under, [kept[1].clone(), kept[2].clone()]);
    // A movement is confirmed once, and only a movement that exists.
    for (id, note) in [("m1", "twice"), ("m9", "no such movement")] {
        let again = storage
            .transact_money(move |r| r.confirm_at_bank(&confirmation(id, "B-1", 100, T)))
            .await;
        assert!(again.is_err(), "{note}");
    }
}

fn import(id: &str, digest: &str) -> ImportRecord {
    ImportRecord {
        id: id.into(),
        digest: digest.into(),
        lines: 3,
        counts: ReconCounts {
            matched: 2,
            matched_movements: 3,
            missing_here: 1,
            missing_at_bank: 0,
            amount_differs: 0,
            date_outside_tolerance: 0,
        },
        created_ms: T,
    }
}

async fn an_import_is_kept_once_by_its_digest(db: Db) {
    let storage = Storage::open(&db.location).await.unwrap();
    storage
        .transact_money(|r| r.insert_recon_import(&import("i1", "d1")))
        .await
        .unwrap();
    let found = storage
        .transact_read(|r| Ok((r.recon_import("d1")?, r.recon_import("d2")?)))
        .await
        .unwrap();
    assert_eq!(found, (Some(import("i1", "d1")), None));
    let twin = storage
        .transact_money(|r| r.insert_recon_import(&import("i2", "d1")))
        .await;
    assert!(matches!(twin, Err(StoreError::Duplicate(_))), "{twin:?}");
}

fn case(id: &str, kind: BreakKind) -> CaseRecord {
    CaseRecord {
        id: id.into(),
        import_id: "i1".into(),
        kind,
        status: CaseStatus::Open,
        bank_reference: reference("B-1"),
        our_references: vec!["m1".into(), "m2".into()],
        bank_amount: Some(Amount::from_minor(300)),
        our_amount: None,
        currency: Currency::CNY,
        day: ChinaDay::of_ms(T),
        detail: "the bank booked 300 CNY under B-1".into(),
        note: None,
        adjustment_id: None,
        created_ms: T,
        resolved_ms: None,
    }
}

async fn a_break_has_one_open_case_until_it_is_resolved(db: Db) {
    let storage = Storage::open(&db.location).await.unwrap();
    storage
        .transact_money(|r| {
            r.insert_recon_import(&import("i1", "d1"))?;
            r.insert_recon_case(&case("c1", BreakKind::MissingHere))?;
            // Another kind of break under the same reference is its own case.
            r.insert_recon_case(&case("c2", BreakKind::AmountDiffers))
        })
        .await
        .unwrap();
    let twin = storage
        .transact_money(|r| r.insert_recon_case(&case("c3", BreakKind::MissingHere)))
        .await;
    assert!(matches!(twin, Err(StoreError::Duplicate(_))), "{twin:?}");
    let open = storage
        .transact_read(|r| r.open_case(BreakKind::MissingHere, &reference("B-1")))
        .await
        .unwrap();
    assert_eq!(open.as_deref(), Some("c1"));

    storage
        .transact_money(|r| {
            r.resolve_recon_case(
                "c1",
                CaseStatus::Adjusted,
                "booked by hand",
                Some("e1"),
                T + 7,
            )?;
            // Resolving again changes nothing: only an open case is resolved.
            r.resolve_recon_case("c1", CaseStatus::Accepted, "again", None, T + 9)
        })
        .await
        .unwrap();
    let (resolved, open, listed, all) = storage
        .transact_read(|r| {
            Ok((
                r.recon_case("c1")?,
                r.open_case(BreakKind::MissingHere, &reference("B-1"))?,
                r.recon_cases(Some(CaseStatus::Open), 10)?,
                r.recon_cases(None, 10)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(
        resolved,
        Some(CaseRecord {
            status: CaseStatus::Adjusted,
            note: Some("booked by hand".into()),
            adjustment_id: Some("e1".into()),
            resolved_ms: Some(T + 7),
            ..case("c1", BreakKind::MissingHere)
        })
    );
    assert_eq!(open, None);
    assert_eq!(listed, [case("c2", BreakKind::AmountDiffers)]);
    assert_eq!(all.len(), 2);
    // Resolved, the break may be opened again by a later import.
    storage
        .transact_money(|r| r.insert_recon_case(&case("c3", BreakKind::MissingHere)))
        .await
        .unwrap();
}

async fn balances_are_summed_by_kind_and_a_day_is_checked_once(db: Db) {
    let store = db.open().await;
    let clearing = bank(store.as_ref()).await;
    for (owner, amount) in [("a", 700), ("b", 300)] {
        let w = wallet(store.as_ref(), owner).await;
        fund(store.as_ref(), clearing, w, amount).await;
    }
    let storage = Storage::open(&db.location).await.unwrap();
    let totals = storage.transact_read(|r| r.account_totals()).await.unwrap();
    let total = |kind, balance| KindTotal {
        kind,
        currency: Currency::CNY,
        balance: Amount::from_minor(balance),
        held: Amount::ZERO,
    };
    let mut sorted = totals.clone();
    sorted.sort_by_key(|t| t.kind.as_str());
    assert_eq!(
        sorted,
        [
            total(AccountKind::BankClearing, -1_000),
            total(AccountKind::Wallet, 1_000)
        ]
    );

    let day = ChinaDay::of_ms(T);
    let check = FundingCheckRecord {
        day,
        breaks: 1,
        checked_ms: T,
    };
    let alert = FundingAlertRecord {
        id: "a1".into(),
        day,
        currency: Currency::CNY,
        difference: Amount::from_minor(-100),
        detail: "CNY: off by -100".into(),
        created_ms: T,
    };
    let (kept_check, kept_alert) = (check.clone(), alert.clone());
    storage
        .transact_money(move |r| {
            r.insert_funding_check(&kept_check)?;
            r.insert_funding_alert(&kept_alert)
        })
        .await
        .unwrap();
    let found = storage
        .transact_read(move |r| {
            Ok((
                r.funding_check(day)?,
                r.funding_check(ChinaDay::of_ms(day.end_ms()))?,
                r.funding_alerts(10)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(found, (Some(check.clone()), None, vec![alert]));
    let twice = storage
        .transact_money(move |r| r.insert_funding_check(&check))
        .await;
    assert!(matches!(twice, Err(StoreError::Duplicate(_))), "{twice:?}");
}
