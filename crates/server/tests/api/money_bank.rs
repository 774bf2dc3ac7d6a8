//! Money between a holder's bound card and their wallet, through the sandbox bank: top-ups from
//! a debit card (free) and a credit card (a fee on top), a card without funds, a bank answer that
//! is lost and reconciled later; withdrawals held until the bank pays, their free quota and
//! minimum fee, a payout the bank refuses; and the quotes that show each fee beforehand.

use crate::helpers::{TestApp, call, card_number, spawn_app};
use crate::money_helpers::{
    Holder, SETTLE, answer, assert_ledger_clean, available, balance, debit_card_with, fee_income,
    funded, idem, keyed, ledger, money, open_l1_holder_named, open_l2_holder,
    open_l2_holder_with_card, record, record_becomes, refused, topup, transfer, typed,
};
use qianbao_api_types::{MoneyReply, QuoteBody};
use qianbao_ledger::{AccountKind, Currency};
use qianbao_wallet::AccountOwner;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_new_wallet_starts_at_zero_and_a_debit_card_top_up_is_free() {
    let app = spawn_app().await;
    let h = open_l2_holder(&app).await;
    assert_eq!(balance(&app, &h.token).await, (0, 0));
    let body = topup(&app, &h, 12_345).await;
    assert_eq!(
        (&body["amount"], &body["fee"], &body["currency"]),
        (&json!(12_345), &json!(0), &json!("CNY"))
    );
    assert_eq!(balance(&app, &h.token).await, (12_345, 0));
    let rec = record(&app, &h.token, body["id"].as_str().unwrap()).await;
    assert_eq!(
        (&rec["type"], &rec["direction"], &rec["status"], &rec["fee"]),
        (
            &json!("topup"),
            &json!("in"),
            &json!("succeeded"),
            &json!(0)
        )
    );
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 0);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_credit_card_top_up_charges_the_card_a_tenth_of_a_percent_on_top() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &card_number("411111", 16), true).await;
    let body = topup(&app, &h, 100_000).await;
    assert_eq!(
        (&body["amount"], &body["fee"]),
        (&json!(100_000), &json!(100))
    );
    assert_eq!(
        available(&app, &h.token).await,
        100_000,
        "the wallet gets the amount"
    );
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 100, "the operator gets the fee");
    let clearing = store
        .open_account(
            &AccountOwner::Operator,
            AccountKind::BankClearing,
            Currency::CNY,
        )
        .await
        .unwrap();
    let clearing = store.account(clearing).await.unwrap().unwrap();
    assert_eq!(
        clearing.balance.minor(),
        -100_100,
        "the card paid the amount and the fee"
    );
    // Half a fen rounds up: ¥5 costs 0.5 fen → 1 fen.
    let body = topup(&app, &h, 500).await;
    assert_eq!(body["fee"], 1);
    assert_eq!(available(&app, &h.token).await, 100_500);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_card_without_funds_is_bank_insufficient_funds_and_the_balance_is_unchanged() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &debit_card_with("0001"), false).await;
    let key = idem();
    let body = json!({"card_id": h.card_id, "amount": 5_000, "pin": h.pin});
    let first = keyed(&app, "/v1/me/topups", body.clone(), &h.token, &key).await;
    let (status, first) = answer(first).await;
    assert_eq!(
        (status, &first["code"]),
        (422, &json!("bank_insufficient_funds"))
    );
    assert_eq!(balance(&app, &h.token).await, (0, 0));
    let again = answer(keyed(&app, "/v1/me/topups", body, &h.token, &key).await).await;
    assert_eq!(again, (422, first), "a retry gets the same refusal");
    assert_eq!(balance(&app, &h.token).await, (0, 0));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_top_up_whose_bank_answer_is_lost_is_pending_then_reconciled_exactly_once() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &debit_card_with("0005"), false).await;
    let key = idem();
    let body = json!({"card_id": h.card_id, "amount": 7_700, "pin": h.pin});
    let (status, first) =
        answer(keyed(&app, "/v1/me/topups", body.clone(), &h.token, &key).await).await;
    assert_eq!(
        (status, &first["status"]),
        (201, &json!("pending")),
        "{first}"
    );
    assert_eq!(
        balance(&app, &h.token).await,
        (0, 0),
        "nothing before the bank answers"
    );
    let id = first["id"].as_str().unwrap();
    record_becomes(&app, &h.token, id, "succeeded", SETTLE).await;
    assert_eq!(available(&app, &h.token).await, 7_700);
    // The retry replays the first answer and moves nothing; the reconciler does not run twice.
    let again = answer(keyed(&app, "/v1/me/topups", body, &h.token, &key).await).await;
    assert_eq!(again, (201, first));
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(balance(&app, &h.token).await, (7_700, 0));
    let store = ledger(&app).await;
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn an_l1_holder_cannot_withdraw() {
    let app = spawn_app().await;
    let rich = funded(&app, "张三", 10_000).await;
    let l1 = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &rich, &l1, 5_000).await.status(), 201);
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": "card-none", "amount": 1_000, "pin": l1.pin}),
        &l1.token,
    )
    .await;
    assert_eq!(refused(r).await, (403, "kyc_required".into()));
    assert_eq!(balance(&app, &l1.token).await, (5_000, 0));
}

/// Withdraws `amount` and waits until the bank settled it; returns the first reply.
async fn withdrawn(app: &TestApp, h: &Holder, amount: i64) -> MoneyReply {
    let r = money(
        app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": amount, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, reply) = typed::<MoneyReply>(r).await;
    assert_eq!(
        (status, reply.status.as_str()),
        (201, "pending"),
        "{reply:?}"
    );
    record_becomes(app, &h.token, &reply.id, "succeeded", SETTLE).await;
    reply
}

#[tokio::test]
async fn a_withdrawal_is_pending_then_settled_and_only_the_first_thousand_yuan_are_free() {
    let app = spawn_app().await;
    let h = funded(&app, "张三", 300_000).await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": 60_000, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, first) = typed::<MoneyReply>(r).await;
    assert_eq!(
        (status, first.status.as_str(), first.fee),
        (201, "pending", 0),
        "{first:?}"
    );
    assert_eq!(
        balance(&app, &h.token).await,
        (240_000, 60_000),
        "held until the bank pays"
    );
    record_becomes(&app, &h.token, &first.id, "succeeded", SETTLE).await;
    assert_eq!(balance(&app, &h.token).await, (240_000, 0));
    // ¥400 of the free ¥1,000 are left: ¥200 of the next ¥600 are charged at 0.1 % = 20 fen.
    let second = withdrawn(&app, &h, 60_000).await;
    assert_eq!(second.fee, 20);
    assert_eq!(balance(&app, &h.token).await, (240_000 - 60_020, 0));
    // 0.1 % of ¥50 is 5 fen, below the ¥0.10 minimum.
    let third = withdrawn(&app, &h, 5_000).await;
    assert_eq!(third.fee, 10);
    assert_eq!(balance(&app, &h.token).await, (240_000 - 60_020 - 5_010, 0));
    let rec = record(&app, &h.token, &third.id).await;
    assert_eq!(
        (&rec["type"], &rec["direction"], &rec["amount"], &rec["fee"]),
        (
            &json!("withdrawal"),
            &json!("out"),
            &json!(5_000),
            &json!(10)
        )
    );
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 30);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn a_payout_the_bank_refuses_is_voided_and_the_balance_restored() {
    let app = spawn_app().await;
    let h = open_l2_holder_with_card(&app, "张三", &debit_card_with("0006"), false).await;
    topup(&app, &h, 20_000).await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": 15_000, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, reply) = typed::<MoneyReply>(r).await;
    assert_eq!(
        (status, reply.status.as_str()),
        (201, "pending"),
        "{reply:?}"
    );
    assert_eq!(balance(&app, &h.token).await, (5_000, 15_000));
    record_becomes(&app, &h.token, &reply.id, "failed", SETTLE).await;
    assert_eq!(balance(&app, &h.token).await, (20_000, 0));
    let store = ledger(&app).await;
    assert_eq!(fee_income(&store).await, 0);
    assert_ledger_clean(&store).await;
}

#[tokio::test]
async fn withdrawing_more_than_the_balance_is_insufficient_balance() {
    let app = spawn_app().await;
    let h = funded(&app, "张三", 1_000).await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": 1_001, "pin": h.pin}),
        &h.token,
    )
    .await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": "no-such-card", "amount": 100, "pin": h.pin}),
        &h.token,
    )
    .await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    assert_eq!(balance(&app, &h.token).await, (1_000, 0));
}

#[tokio::test]
async fn quotes_show_the_fee_before_confirming_and_match_what_is_charged() {
    let app = spawn_app().await;
    let credit = open_l2_holder_with_card(&app, "张三", &card_number("411111", 16), true).await;
    let q = |path: String, token: String| {
        let app = &app;
        async move { call(app, "GET", &path, None, Some(&token)).await }
    };
    let quote = q(
        format!(
            "/v1/me/topups/quote?card_id={}&amount=100000",
            credit.card_id
        ),
        credit.token.clone(),
    )
    .await;
    let (status, quote) = typed::<QuoteBody>(quote).await;
    assert_eq!(status, 200, "{quote:?}");
    assert_eq!((quote.fee, quote.total), (100, 100_100));
    let charged = topup(&app, &credit, 100_000).await;
    assert_eq!(
        charged["fee"], quote.fee,
        "the quote is what the top-up charges"
    );

    let (_, free) = typed::<QuoteBody>(
        q(
            "/v1/me/withdrawals/quote?amount=100000".into(),
            credit.token.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(free.fee, 0, "the first ¥1,000 is free: {free:?}");
    let (_, paid) = typed::<QuoteBody>(
        q(
            "/v1/me/withdrawals/quote?amount=100100".into(),
            credit.token.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(
        paid.fee, 10,
        "¥1 over the quota costs the minimum: {paid:?}"
    );

    let other = open_l2_holder(&app).await;
    let (status, _) = answer(
        q(
            format!("/v1/me/topups/quote?card_id={}&amount=100", credit.card_id),
            other.token.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404, "another holder's card is not found");
    let (status, p) = answer(
        q(
            "/v1/me/withdrawals/quote?amount=0".into(),
            other.token.clone(),
        )
        .await,
    )
    .await;
    assert_eq!((status, p["code"].as_str()), (422, Some("amount_invalid")));
}
