//! Payment codes (付款码): each pays once, dies after its time to live, pays without the
//! password only up to the password-free limits (one payment, and a day), and a new code retires
//! the one shown before it.

use crate::support::{PIN, World};
use qianbao_wallet::money::MoneyError;

#[tokio::test]
async fn a_payment_code_pays_once() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let shop = world.shop().await;
    let code = world.payment_code(&payer).await;

    let paid = world.charge(&shop, &code, 1_000, None).await.unwrap();
    let again = world.charge(&shop, &code, 1_000, None).await.unwrap_err();

    assert_eq!((paid.status.as_str(), paid.amount), ("succeeded", 1_000));
    assert!(matches!(again, MoneyError::PaymentCodeInvalid), "{again:?}");
    assert_eq!(world.balance(&payer).await.balance, 9_000, "paid once");
}

#[tokio::test]
async fn a_payment_code_works_until_its_time_to_live_and_not_after() {
    let world = World::new().await;
    let ttl = world.policy().payment_code_ttl_ms;
    assert_eq!(ttl, 60_000);
    let payer = world.funded(10_000).await;
    let shop = world.shop().await;

    let code = world.payment_code(&payer).await;
    world.advance_ms(ttl - 1);
    let paid = world.charge(&shop, &code, 1_000, None).await.unwrap();
    assert_eq!(paid.status, "succeeded");

    let code = world.payment_code(&payer).await;
    world.advance_ms(ttl);
    let late = world.charge(&shop, &code, 1_000, None).await.unwrap_err();
    assert!(matches!(late, MoneyError::PaymentCodeExpired), "{late:?}");
    assert_eq!(world.balance(&payer).await.balance, 9_000);
}

#[tokio::test]
async fn above_the_password_free_limit_a_charge_needs_the_payment_password() {
    let world = World::new().await;
    let free = world.password_free().0;
    assert_eq!(free, 50_000, "¥500 without the password");
    let payer = world.funded(200_000).await;
    let shop = world.shop().await;

    let code = world.payment_code(&payer).await;
    let paid = world.charge(&shop, &code, free, None).await.unwrap();
    assert_eq!(
        world.row(&payer, &paid.id).await.channel,
        "payment_code_free"
    );

    let code = world.payment_code(&payer).await;
    let refused = world
        .charge(&shop, &code, free + 1, None)
        .await
        .unwrap_err();
    assert!(matches!(refused, MoneyError::PinRequired), "{refused:?}");
    assert_eq!(world.balance(&payer).await.balance, 200_000 - free);

    // The refusal did not use the code up: the till asks for the password and charges it again.
    let paid = world
        .charge(&shop, &code, free + 1, Some(PIN))
        .await
        .unwrap();
    assert_eq!(world.row(&payer, &paid.id).await.channel, "payment_code");
    assert_eq!(world.balance(&payer).await.balance, 200_000 - 2 * free - 1);
}

#[tokio::test]
async fn password_free_charges_stop_at_the_daily_cap() {
    let world = World::new().await;
    let (one, day) = (world.password_free().0, world.password_free().1);
    assert_eq!((one, day), (50_000, 100_000), "¥500 each, ¥1,000 a day");
    let payer = world.funded(300_000).await;
    let shop = world.shop().await;

    for _ in 0..day / one {
        let code = world.payment_code(&payer).await;
        world.charge(&shop, &code, one, None).await.unwrap();
    }
    let code = world.payment_code(&payer).await;
    let refused = world.charge(&shop, &code, 1, None).await.unwrap_err();
    assert!(matches!(refused, MoneyError::PinRequired), "{refused:?}");

    let paid = world.charge(&shop, &code, 1, Some(PIN)).await.unwrap();
    assert_eq!(paid.status, "succeeded");
    assert_eq!(world.balance(&payer).await.balance, 300_000 - day - 1);
}

#[tokio::test]
async fn a_wrong_password_with_a_charge_is_refused_and_moves_nothing() {
    let world = World::new().await;
    let payer = world.funded(100_000).await;
    let shop = world.shop().await;
    let code = world.payment_code(&payer).await;
    let before = world.trace(&[&payer, &shop.owner]).await;

    let refused = world
        .charge(&shop, &code, 60_000, Some("803571"))
        .await
        .unwrap_err();

    assert_eq!(refused.code(), "pin_incorrect", "{refused:?}");
    assert_eq!(world.trace(&[&payer, &shop.owner]).await, before);
}

#[tokio::test]
async fn a_new_payment_code_retires_the_one_before_it() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let shop = world.shop().await;

    let older = world.payment_code(&payer).await;
    let newer = world.payment_code(&payer).await;

    let refused = world.charge(&shop, &older, 1_000, None).await.unwrap_err();
    assert!(
        matches!(refused, MoneyError::PaymentCodeInvalid),
        "{refused:?}"
    );
    let paid = world.charge(&shop, &newer, 1_000, None).await.unwrap();
    assert_eq!(paid.status, "succeeded");
    assert_eq!(world.balance(&payer).await.balance, 9_000);
}
