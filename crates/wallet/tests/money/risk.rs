//! Risk control in the money rules, without HTTP: a held transfer reserves the payer's money until
//! a reviewer decides or its time runs out; a held withdrawal goes to the bank only once released;
//! and a decision is never applied twice.

use crate::support::{HOUR_MS, World};
use qianbao_wallet::money::MoneyError;
use qianbao_wallet::money::review::{Review, ReviewError};
use qianbao_wallet::risk::RuleSet;

/// Holds every transfer and withdrawal of ¥100 or more.
fn hold_from_a_hundred() -> RuleSet {
    RuleSet::parse(
        r#"{"rules": [{"id": "hold", "kind": "amount_at_least", "outcome": "hold",
            "calls": ["transfer", "withdrawal"], "params": {"min_amount": 10000}}]}"#,
    )
    .unwrap()
}

#[tokio::test]
async fn a_held_transfer_waits_for_a_reviewer_and_is_rejected_when_none_decides_in_time() {
    let world = World::with_rules(hold_from_a_hundred()).await;
    let payer = world.funded(100_000).await;
    let payee = world.holder().await;
    let small = world.transfer(&payer, &payee, 9_999).await.unwrap();
    assert_eq!(small.status, "succeeded");
    let held = world.transfer(&payer, &payee, 30_000).await.unwrap();
    assert_eq!(held.status, "held_for_review");
    let b = world.balance(&payer).await;
    assert_eq!((b.held, b.available), (30_000, 100_000 - 9_999 - 30_000));
    assert_eq!(world.balance(&payee).await.balance, 9_999);

    // Three days pass with nobody deciding: the timer rejects it and the money is back.
    world.advance_ms(72 * HOUR_MS - 1);
    world.run_timers().await;
    assert_eq!(world.row(&payer, &held.id).await.status, "held_for_review");
    world.advance_ms(1);
    world.run_timers().await;
    assert_eq!(world.row(&payer, &held.id).await.status, "rejected");
    let b = world.balance(&payer).await;
    assert_eq!((b.balance, b.held), (100_000 - 9_999, 0));
    // A decision after expiry is refused and moves nothing.
    let late = world.review(&held.id, Review::Release).await;
    assert!(matches!(late, Err(ReviewError::Decided { .. })), "{late:?}");
    assert_eq!(world.balance(&payee).await.balance, 9_999);
    world.verify_ledger().await;
}

#[tokio::test]
async fn a_released_hold_arrives_once_and_a_rejected_one_is_voided_once() {
    let world = World::with_rules(hold_from_a_hundred()).await;
    let payer = world.funded(100_000).await;
    let payee = world.holder().await;
    let first = world.transfer(&payer, &payee, 20_000).await.unwrap();
    let second = world.transfer(&payer, &payee, 30_000).await.unwrap();
    assert_eq!(
        world.review(&first.id, Review::Release).await.unwrap(),
        "succeeded"
    );
    assert_eq!(world.balance(&payee).await.balance, 20_000);
    for again in [Review::Release, Review::Reject] {
        assert!(world.review(&first.id, again).await.is_err());
    }
    assert_eq!(
        world.review(&second.id, Review::Reject).await.unwrap(),
        "rejected"
    );
    assert!(world.review(&second.id, Review::Reject).await.is_err());
    let b = world.balance(&payer).await;
    assert_eq!((b.balance, b.held), (80_000, 0));
    assert_eq!(world.balance(&payee).await.balance, 20_000);
    // Neither can be cancelled by the payer as a delayed transfer could.
    assert!(matches!(
        world.cancel_transfer(&payer, &second.id).await,
        Err(MoneyError::NotCancellable)
    ));
    world.verify_ledger().await;
}

#[tokio::test]
async fn a_held_withdrawal_goes_to_the_bank_only_once_released() {
    let world = World::with_rules(hold_from_a_hundred()).await;
    let holder = world.funded(100_000).await;
    let held = world.withdraw(&holder, 50_000).await.unwrap();
    assert_eq!(held.status, "held_for_review");
    world.advance_ms(HOUR_MS);
    world.run_timers().await;
    assert_eq!(
        world.row(&holder, &held.id).await.status,
        "held_for_review",
        "not paid out"
    );
    assert_eq!(
        world.review(&held.id, Review::Release).await.unwrap(),
        "pending"
    );
    world.run_timers().await;
    assert_eq!(world.row(&holder, &held.id).await.status, "succeeded");
    let b = world.balance(&holder).await;
    assert_eq!((b.balance, b.held), (100_000 - 50_000 - held.fee, 0));
    world.verify_ledger().await;
}

#[tokio::test]
async fn a_velocity_window_slides_payment_by_payment() {
    let world = World::with_rules(
        RuleSet::parse(
            r#"{"rules": [{"id": "three_a_minute", "kind": "velocity", "outcome": "block",
                "params": {"scope": "holder", "window_s": 60, "max_count": 3, "max_amount": 1000}}]}"#,
        )
        .unwrap(),
    )
    .await;
    let payer = world.funded(100_000).await;
    let payee = world.holder().await;
    let blocked = |r: &Result<_, MoneyError>| matches!(r, Err(MoneyError::Risk(_)));
    // t = 0, 10, 20: three payments in the minute.
    for amount in [100, 200, 300] {
        assert!(world.transfer(&payer, &payee, amount).await.is_ok());
        world.advance_ms(10_000);
    }
    // t = 30: a fourth is one too many; so is more money than the window allows.
    assert!(blocked(&world.transfer(&payer, &payee, 1).await));
    // Just past t = 60: the first has left the window (it holds 200 + 300 now): 501 more is too
    // much…
    world.advance_ms(30_001);
    assert!(blocked(&world.transfer(&payer, &payee, 501).await));
    // …and 500 is just right.
    assert!(world.transfer(&payer, &payee, 500).await.is_ok());
    // t = 71: the second left too; the refused tries never counted.
    world.advance_ms(11_000);
    assert!(world.transfer(&payer, &payee, 1).await.is_ok());
    assert!(blocked(&world.transfer(&payer, &payee, 1).await));
    world.verify_ledger().await;
}
