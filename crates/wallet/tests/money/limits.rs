//! The limits of a level: one payment may not pass the per-payment limit, a day's payments may
//! not pass the per-day limit (the day being Beijing's), and a refusal names the limit and the
//! headroom left — and leaves no trace: no balance moved, no record, no alert, no journal line.

use crate::support::{HOUR_MS, World, exceeded};
use qianbao_wallet::money::limits::Limit;

/// Everyone here is at L2: a verified name and a bound card.
const LEVEL: i64 = 2;

#[tokio::test]
async fn one_payment_above_the_per_payment_limit_is_refused_with_the_limit_as_headroom() {
    let world = World::new().await;
    let per_payment = world.limits(LEVEL).per_payment.unwrap();
    assert_eq!(per_payment, 5_000_000, "L2 pays at most ¥50,000 at once");
    let payer = world.funded(per_payment + 100).await;
    let payee = world.holder().await;

    let refused = world
        .transfer(&payer, &payee, per_payment + 1)
        .await
        .unwrap_err();
    assert_eq!(exceeded(&refused), Some((Limit::PerPayment, per_payment)));

    let paid = world.transfer(&payer, &payee, per_payment).await.unwrap();
    assert_eq!(
        (paid.status.as_str(), paid.amount),
        ("succeeded", per_payment)
    );
    assert_eq!(world.balance(&payee).await.balance, per_payment);
}

#[tokio::test]
async fn the_per_day_limit_counts_what_left_today_and_names_what_is_left() {
    let world = World::new().await;
    let per_day = world.limits(LEVEL).per_day.unwrap();
    assert_eq!(per_day, 10_000_000, "L2 pays at most ¥100,000 a day");
    let payer = world.funded(per_day + 1_000_000).await;
    let payee = world.holder().await;

    world.transfer(&payer, &payee, 5_000_000).await.unwrap();
    world.transfer(&payer, &payee, 4_000_000).await.unwrap();
    let refused = world.transfer(&payer, &payee, 2_000_000).await.unwrap_err();
    assert_eq!(exceeded(&refused), Some((Limit::PerDay, 1_000_000)));

    world.transfer(&payer, &payee, 1_000_000).await.unwrap();
    let refused = world.transfer(&payer, &payee, 1).await.unwrap_err();
    assert_eq!(exceeded(&refused), Some((Limit::PerDay, 0)));
}

#[tokio::test]
async fn merchant_payments_and_transfers_share_one_day() {
    let world = World::new().await;
    let per_day = world.limits(LEVEL).per_day.unwrap();
    let payer = world.funded(per_day).await;
    let payee = world.holder().await;
    let shop = world.shop().await;

    // Two transfers: one may not pass the per-payment limit, half the day's.
    world.transfer(&payer, &payee, per_day / 2).await.unwrap();
    world
        .transfer(&payer, &payee, per_day / 2 - 300_000)
        .await
        .unwrap();
    let refused = world.pay_order(&payer, &shop, 400_000).await.unwrap_err();
    assert_eq!(exceeded(&refused), Some((Limit::PerDay, 300_000)));
    assert_eq!(world.shop_balance(&shop).await.balance, 0);
}

#[tokio::test]
async fn the_day_starts_again_at_midnight_in_beijing() {
    let world = World::new().await;
    let per_day = world.limits(LEVEL).per_day.unwrap();
    let payer = world.funded(per_day + 100).await;
    let payee = world.holder().await;
    world.transfer(&payer, &payee, per_day / 2).await.unwrap();
    world.transfer(&payer, &payee, per_day / 2).await.unwrap();

    // The world starts at 10:00 in Beijing: 14 hours on is the next day's first moment.
    world.advance_ms(14 * HOUR_MS - 1);
    let refused = world.transfer(&payer, &payee, 100).await.unwrap_err();
    assert_eq!(exceeded(&refused), Some((Limit::PerDay, 0)));
    world.advance_ms(1);
    let paid = world.transfer(&payer, &payee, 100).await.unwrap();
    assert_eq!(paid.status, "succeeded");
}

#[tokio::test]
async fn a_delayed_transfer_counts_toward_the_day_until_it_is_cancelled() {
    let world = World::new().await;
    let per_day = world.limits(LEVEL).per_day.unwrap();
    let payer = world.funded(per_day).await;
    let payee = world.holder().await;

    let scheduled = world
        .transfer_in_two_hours(&payer, &payee, 4_000_000)
        .await
        .unwrap();
    world.transfer(&payer, &payee, 5_000_000).await.unwrap();
    let refused = world.transfer(&payer, &payee, 2_000_000).await.unwrap_err();
    assert_eq!(exceeded(&refused), Some((Limit::PerDay, 1_000_000)));

    world.cancel_transfer(&payer, &scheduled.id).await.unwrap();
    let paid = world.transfer(&payer, &payee, 2_000_000).await.unwrap();
    assert_eq!(paid.status, "succeeded");
}

#[tokio::test]
async fn a_payment_refused_by_a_limit_leaves_no_trace() {
    let world = World::new().await;
    let per_payment = world.limits(LEVEL).per_payment.unwrap();
    let payer = world.funded(per_payment + 100).await;
    let payee = world.holder().await;
    let shop = world.shop().await;
    let before = world.trace(&[&payer, &payee, &shop.owner]).await;

    let by_transfer = world.transfer(&payer, &payee, per_payment + 1).await;
    let by_order = world.pay_order(&payer, &shop, per_payment + 1).await;
    let delayed = world
        .transfer_in_two_hours(&payer, &payee, per_payment + 1)
        .await;

    for refused in [by_transfer, by_order, delayed] {
        let refused = refused.unwrap_err();
        assert_eq!(exceeded(&refused), Some((Limit::PerPayment, per_payment)));
    }
    assert_eq!(world.trace(&[&payer, &payee, &shop.owner]).await, before);
    assert_eq!(world.shop_balance(&shop).await.balance, 0);
    world.verify_ledger().await;
}
