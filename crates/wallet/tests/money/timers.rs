//! Work that comes due later: a delayed transfer (延时到账) is held for its two hours, then the
//! timer posts it to the payee; until then the payer may cancel it, and after that they may not.

use crate::support::{HOUR_MS, World};
use qianbao_wallet::money::MoneyError;

#[tokio::test]
async fn a_delayed_transfer_is_held_until_its_two_hours_pass_then_arrives() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let payee = world.holder().await;

    let sent = world
        .transfer_in_two_hours(&payer, &payee, 3_000)
        .await
        .unwrap();
    assert_eq!((sent.status.as_str(), sent.amount), ("scheduled", 3_000));
    let b = world.balance(&payer).await;
    assert_eq!((b.balance, b.held, b.available), (10_000, 3_000, 7_000));
    assert!(world.rows(&payee).await.is_empty(), "nothing has arrived");

    world.advance_ms(2 * HOUR_MS - 1);
    assert_eq!(world.run_timers().await, 0, "not due yet");
    assert_eq!(world.balance(&payee).await.balance, 0);

    world.advance_ms(1);
    assert_eq!(world.run_timers().await, 1);
    let b = world.balance(&payer).await;
    assert_eq!((b.balance, b.held), (7_000, 0));
    assert_eq!(world.balance(&payee).await.balance, 3_000);
    assert_eq!(world.row(&payer, &sent.id).await.status, "succeeded");
    let arrived = world.rows(&payee).await;
    assert_eq!(arrived.len(), 1);
    assert_eq!(
        (
            arrived[0].kind.as_str(),
            arrived[0].direction.as_str(),
            arrived[0].amount
        ),
        ("transfer", "in", 3_000)
    );
    world.verify_ledger().await;
}

#[tokio::test]
async fn a_delayed_transfer_may_be_cancelled_before_it_arrives() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let payee = world.holder().await;
    let sent = world
        .transfer_in_two_hours(&payer, &payee, 3_000)
        .await
        .unwrap();

    world.advance_ms(HOUR_MS);
    let cancelled = world.cancel_transfer(&payer, &sent.id).await.unwrap();

    assert_eq!(
        (cancelled.status.as_str(), cancelled.amount),
        ("cancelled", 3_000)
    );
    let b = world.balance(&payer).await;
    assert_eq!((b.balance, b.held, b.available), (10_000, 0, 10_000));
    assert_eq!(world.row(&payer, &sent.id).await.status, "cancelled");

    world.advance_ms(2 * HOUR_MS);
    world.run_timers().await;
    assert_eq!(world.balance(&payee).await.balance, 0, "nothing arrives");
    assert_eq!(world.balance(&payer).await.balance, 10_000);
    assert!(world.rows(&payee).await.is_empty());
    world.verify_ledger().await;
}

#[tokio::test]
async fn an_arrived_transfer_can_no_longer_be_cancelled() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let payee = world.holder().await;
    let sent = world
        .transfer_in_two_hours(&payer, &payee, 3_000)
        .await
        .unwrap();
    world.advance_ms(2 * HOUR_MS);
    world.run_timers().await;

    let refused = world.cancel_transfer(&payer, &sent.id).await.unwrap_err();

    assert!(matches!(refused, MoneyError::NotCancellable), "{refused:?}");
    assert_eq!(world.balance(&payer).await.balance, 7_000);
    assert_eq!(world.balance(&payee).await.balance, 3_000);
}

#[tokio::test]
async fn a_transfer_cancelled_twice_is_not_cancellable_the_second_time() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let payee = world.holder().await;
    let sent = world
        .transfer_in_two_hours(&payer, &payee, 3_000)
        .await
        .unwrap();
    world.cancel_transfer(&payer, &sent.id).await.unwrap();

    let again = world.cancel_transfer(&payer, &sent.id).await.unwrap_err();

    assert!(matches!(again, MoneyError::NotCancellable), "{again:?}");
    assert_eq!(world.balance(&payer).await.balance, 10_000);
}
