//! Refunds: a payment may be refunded in parts, never more than was paid in all, and the
//! merchant's fee comes back in proportion, the whole of it with the refund that completes it.

use crate::support::{Takings, World};
use qianbao_wallet::money::MoneyError;

#[tokio::test]
async fn a_payment_refunded_in_thirds_gives_the_fee_back_in_proportion() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let shop = world.shop().await;
    let paid = world.pay_order(&payer, &shop, 1_800).await.unwrap();
    assert_eq!(world.takings(&shop, &paid.id).await.fee, 11);

    // (fee back, shop's balance after, fee income after) for each ¥6: 11 × 600 / 1,800 = 3.67,
    // rounded down to 3 twice, then the remaining 5 with the refund that completes it.
    let expected = [(3, 1_192, 8), (3, 595, 5), (5, 0, 0)];
    let mut fee_back = 0;
    for (i, (back, shop_after, income_after)) in expected.into_iter().enumerate() {
        let refund = world.refund(&shop, &paid.id, 600).await.unwrap();
        assert_eq!((refund.status.as_str(), refund.amount), ("succeeded", 600));
        fee_back += back;
        let refunded = 600 * (i64::try_from(i).unwrap() + 1);
        assert_eq!(
            world.takings(&shop, &paid.id).await,
            Takings {
                amount: 1_800,
                fee: 11,
                refunded,
                fee_refunded: fee_back,
            }
        );
        assert_eq!(world.shop_balance(&shop).await.balance, shop_after);
        assert_eq!(world.fee_income().await, income_after);
        assert_eq!(
            world.balance(&payer).await.balance,
            10_000 - 1_800 + refunded
        );
    }
    world.verify_ledger().await;
}

#[tokio::test]
async fn a_refund_is_in_the_payers_records() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let shop = world.shop().await;
    let paid = world.pay_order(&payer, &shop, 1_800).await.unwrap();

    let refund = world.refund(&shop, &paid.id, 500).await.unwrap();

    let row = world.row(&payer, &refund.id).await;
    assert_eq!(
        (
            row.kind.as_str(),
            row.direction.as_str(),
            row.status.as_str()
        ),
        ("refund", "in", "succeeded")
    );
    assert_eq!((row.amount, row.fee), (500, 0));
}

#[tokio::test]
async fn no_refund_may_take_more_than_is_left_of_the_payment() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let shop = world.shop().await;
    let paid = world.pay_order(&payer, &shop, 1_800).await.unwrap();
    let untouched = world.trace(&[&payer, &shop.owner]).await;

    let too_much = world.refund(&shop, &paid.id, 1_801).await.unwrap_err();
    assert!(
        matches!(too_much, MoneyError::RefundExceedsPayment),
        "{too_much:?}"
    );
    assert_eq!(world.trace(&[&payer, &shop.owner]).await, untouched);

    world.refund(&shop, &paid.id, 1_000).await.unwrap();
    let partly = world.trace(&[&payer, &shop.owner]).await;
    let too_much = world.refund(&shop, &paid.id, 801).await.unwrap_err();
    assert!(
        matches!(too_much, MoneyError::RefundExceedsPayment),
        "{too_much:?}"
    );
    assert_eq!(world.trace(&[&payer, &shop.owner]).await, partly);

    world.refund(&shop, &paid.id, 800).await.unwrap();
    let after_all = world.refund(&shop, &paid.id, 1).await.unwrap_err();
    assert!(
        matches!(after_all, MoneyError::RefundExceedsPayment),
        "{after_all:?}"
    );
    let takings = world.takings(&shop, &paid.id).await;
    assert_eq!((takings.refunded, takings.fee_refunded), (1_800, 11));
    assert_eq!(world.balance(&payer).await.balance, 10_000);
    world.verify_ledger().await;
}
