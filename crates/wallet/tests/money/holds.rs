//! Holds: a withdrawal reserves its money at once (balance, held, available), the payout timer
//! posts the hold once the bank has paid, and a payout the bank refuses voids it, giving the
//! money back.

use crate::support::{CardKind, World};
use qianbao_wallet::money::MoneyError;

#[tokio::test]
async fn a_withdrawal_holds_the_amount_and_fee_at_once() {
    let world = World::new().await;
    let holder = world.funded(150_000).await;
    world.withdraw(&holder, 90_000).await.unwrap();

    // Past the free ¥1,000: 0.1 % of the ¥300 above it, 30 fen, is held with the amount.
    let done = world.withdraw(&holder, 40_000).await.unwrap();

    assert_eq!((done.status.as_str(), done.fee), ("pending", 30));
    let b = world.balance(&holder).await;
    assert_eq!(
        (b.balance, b.held, b.available),
        (150_000, 130_030, 19_970),
        "nothing is paid out yet, but all of it is reserved"
    );
    assert_eq!(world.row(&holder, &done.id).await.status, "pending");
    assert_eq!(
        world.fee_income().await,
        0,
        "the fee is earned when the hold is posted"
    );
    world.verify_ledger().await;
}

#[tokio::test]
async fn held_money_cannot_be_spent() {
    let world = World::new().await;
    let holder = world.funded(50_000).await;
    let payee = world.holder().await;
    world.withdraw(&holder, 20_000).await.unwrap();

    let refused = world.transfer(&holder, &payee, 30_001).await.unwrap_err();

    assert!(
        matches!(refused, MoneyError::InsufficientBalance),
        "{refused:?}"
    );
    let paid = world.transfer(&holder, &payee, 30_000).await.unwrap();
    assert_eq!(paid.status, "succeeded");
    assert_eq!(world.balance(&holder).await.available, 0);
}

#[tokio::test]
async fn the_payout_timer_posts_the_hold_only_once_the_delay_has_passed() {
    let world = World::new().await;
    let holder = world.funded(50_000).await;
    let done = world.withdraw(&holder, 20_000).await.unwrap();

    world.advance_ms(world.policy().withdrawal_delay_ms - 1);
    assert_eq!(world.run_timers().await, 0, "not due yet");
    assert_eq!(world.balance(&holder).await.held, 20_000);

    world.advance_ms(1);
    assert_eq!(world.run_timers().await, 1);

    let b = world.balance(&holder).await;
    assert_eq!((b.balance, b.held, b.available), (30_000, 0, 30_000));
    assert_eq!(world.row(&holder, &done.id).await.status, "succeeded");
    assert_eq!(world.run_timers().await, 0, "the timer is gone");
    assert_eq!(world.balance(&holder).await.balance, 30_000, "paid once");
    world.verify_ledger().await;
}

#[tokio::test]
async fn a_payout_the_bank_refuses_is_voided_and_the_money_comes_back() {
    let world = World::new().await;
    let holder = world.holder_with(CardKind::RefusesPayouts).await;
    world.top_up(&holder, 150_000).await.unwrap();

    // ¥200 above the free ¥1,000: a 20 fen fee, held with the amount.
    let done = world.withdraw(&holder, 120_000).await.unwrap();
    assert_eq!(done.fee, 20);
    assert_eq!(world.balance(&holder).await.held, 120_020);
    world.advance_ms(world.policy().withdrawal_delay_ms);
    assert_eq!(world.run_timers().await, 1);

    let b = world.balance(&holder).await;
    assert_eq!(
        (b.balance, b.held, b.available),
        (150_000, 0, 150_000),
        "the amount and the fee are back"
    );
    assert_eq!(world.row(&holder, &done.id).await.status, "failed");
    assert_eq!(world.fee_income().await, 0, "no fee on a returned payout");
    world.verify_ledger().await;
}
