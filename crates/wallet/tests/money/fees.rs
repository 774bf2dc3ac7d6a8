//! The fees: a credit-card top-up pays the credit fee, withdrawals are free up to a lifetime
//! allowance and then cost 0.1 % with a minimum, and merchants pay the discount rate. Every fee
//! is a posting to the operator's fee income, and the ledger stays clean and sums to zero.

use crate::support::{CardKind, World};

#[tokio::test]
async fn a_credit_card_top_up_pays_the_credit_fee_into_fee_income() {
    let world = World::new().await;
    let holder = world.holder_with(CardKind::Credit).await;

    let done = world.top_up(&holder, 100_000).await.unwrap();

    assert_eq!(world.fees().topup(100_000, true), 100, "0.1 % of ¥1,000");
    assert_eq!(
        (done.status.as_str(), done.amount, done.fee),
        ("succeeded", 100_000, 100)
    );
    assert_eq!(
        world.balance(&holder).await.balance,
        100_000,
        "the fee is charged to the card on top of the amount"
    );
    let row = world.row(&holder, &done.id).await;
    assert_eq!(
        (row.kind.as_str(), row.amount, row.fee),
        ("topup", 100_000, 100)
    );
    assert_eq!(world.fee_income().await, 100);
    world.verify_ledger().await;
}

#[tokio::test]
async fn a_debit_card_top_up_is_free() {
    let world = World::new().await;
    let holder = world.holder().await;

    let done = world.top_up(&holder, 100_000).await.unwrap();

    assert_eq!((done.amount, done.fee), (100_000, 0));
    assert_eq!(world.balance(&holder).await.balance, 100_000);
    assert_eq!(world.fee_income().await, 0);
    world.verify_ledger().await;
}

#[tokio::test]
async fn withdrawals_are_free_up_to_the_allowance_then_cost_a_tenth_of_a_percent_at_least_ten_fen()
{
    let world = World::new().await;
    assert_eq!(world.fees().withdrawal_free(), 100_000, "¥1,000 free");
    let holder = world.funded(500_000).await;

    // (amount, fee): ¥800 free; ¥500 of which ¥300 is above the allowance, 0.1 % = 30 fen;
    // ¥50, 0.1 % = 5 fen, raised to the 10 fen minimum; ¥2,000, 0.1 % = ¥2.
    let expected = [(80_000, 0), (50_000, 30), (5_000, 10), (200_000, 200)];
    let mut charged = 0;
    for (amount, fee) in expected {
        let done = world.withdraw(&holder, amount).await.unwrap();
        assert_eq!(
            (done.amount, done.fee),
            (amount, fee),
            "withdrawing {amount}"
        );
        world.advance_ms(world.policy().withdrawal_delay_ms);
        assert_eq!(world.run_timers().await, 1);
        charged += fee;
        assert_eq!(
            world.fee_income().await,
            charged,
            "after withdrawing {amount}"
        );
    }

    let spent: i64 = expected.iter().map(|(amount, fee)| amount + fee).sum();
    assert_eq!(world.balance(&holder).await.balance, 500_000 - spent);
    let fees: Vec<i64> = world
        .rows(&holder)
        .await
        .iter()
        .filter(|r| r.kind == "withdrawal")
        .map(|r| r.fee)
        .collect();
    assert_eq!(fees, [200, 10, 30, 0], "newest first");
    world.verify_ledger().await;
}

#[tokio::test]
async fn the_allowance_counts_withdrawals_still_on_their_way() {
    let world = World::new().await;
    let holder = world.funded(300_000).await;

    let first = world.withdraw(&holder, 100_000).await.unwrap();
    let second = world.withdraw(&holder, 100_000).await.unwrap();

    assert_eq!((first.fee, second.fee), (0, 100));
}

#[tokio::test]
async fn a_withdrawal_the_bank_returned_does_not_use_up_the_allowance() {
    let world = World::new().await;
    let holder = world.holder_with(CardKind::RefusesPayouts).await;
    world.top_up(&holder, 300_000).await.unwrap();

    let returned = world.withdraw(&holder, 100_000).await.unwrap();
    assert_eq!(returned.fee, 0);
    world.advance_ms(world.policy().withdrawal_delay_ms);
    world.run_timers().await;
    assert_eq!(world.row(&holder, &returned.id).await.status, "failed");

    let again = world.withdraw(&holder, 100_000).await.unwrap();
    assert_eq!(again.fee, 0);
}

#[tokio::test]
async fn a_merchant_pays_the_discount_rate_into_fee_income_and_the_payer_pays_no_fee() {
    let world = World::new().await;
    let payer = world.funded(10_000).await;
    let shop = world.shop().await;

    let paid = world.pay_order(&payer, &shop, 1_800).await.unwrap();

    assert_eq!(
        world.fees().merchant(1_800),
        11,
        "0.6 % of ¥18 is 10.8 fen, rounded"
    );
    assert_eq!((paid.amount, paid.fee), (1_800, 0));
    assert_eq!(world.balance(&payer).await.balance, 10_000 - 1_800);
    assert_eq!(world.shop_balance(&shop).await.balance, 1_800 - 11);
    assert_eq!(world.takings(&shop, &paid.id).await.fee, 11);
    assert_eq!(world.fee_income().await, 11);
    world.verify_ledger().await;
}

#[tokio::test]
async fn every_fee_lands_in_fee_income_and_the_ledger_sums_to_zero() {
    let world = World::new().await;
    let credit = world.holder_with(CardKind::Credit).await;
    let shop = world.shop().await;

    let top_up = world.top_up(&credit, 200_000).await.unwrap();
    let payment = world.pay_order(&credit, &shop, 10_000).await.unwrap();
    let withdrawal = world.withdraw(&credit, 150_000).await.unwrap();
    world.advance_ms(world.policy().withdrawal_delay_ms);
    world.run_timers().await;

    let merchant_fee = world.takings(&shop, &payment.id).await.fee;
    assert_eq!((top_up.fee, merchant_fee, withdrawal.fee), (200, 60, 50));
    assert_eq!(world.fee_income().await, 200 + 60 + 50);
    let report = world.verify_ledger().await;
    assert!(report.journal_lines >= 4, "{report}");
}
