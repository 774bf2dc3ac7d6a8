//! Paying a scanned code as a holder: another holder's receive code, with the amount the payer
//! types or the one the code fixes, and payloads the platform did not issue. Merchants' codes and
//! orders are in `merchant`.

use crate::helpers::{call, problem, spawn_app};
use crate::money_helpers::{available, balance, funded, open_l1_holder_named, pay, refused, typed};
use qianbao_api_types::{PayReply, ReceiveCode};

#[tokio::test]
async fn a_receive_code_without_an_amount_is_paid_what_the_payer_types() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let (status, code) =
        typed::<ReceiveCode>(call(&app, "GET", "/v1/me/receive-code", None, Some(&b.token)).await)
            .await;
    assert_eq!(status, 200);
    assert!(code.qr_svg.contains("<svg"));
    let payload = code.payload.as_str();
    let r = pay(&app, &a, payload, None).await;
    assert_eq!(
        refused(r).await,
        (422, "amount_invalid".into()),
        "the payer must type it"
    );
    let (status, paid) = typed::<PayReply>(pay(&app, &a, payload, Some(1_234)).await).await;
    assert_eq!(status, 201, "{paid:?}");
    assert_eq!(
        (
            paid.status.as_str(),
            paid.amount,
            paid.currency.as_str(),
            paid.payee.as_str()
        ),
        ("succeeded", 1_234, "CNY", "*四")
    );
    assert!(!paid.payment_id.is_empty());
    assert_eq!(available(&app, &a.token).await, 8_766);
    assert_eq!(available(&app, &b.token).await, 1_234);
    // One's own receive code is not payable.
    let (_, own) =
        typed::<ReceiveCode>(call(&app, "GET", "/v1/me/receive-code", None, Some(&a.token)).await)
            .await;
    let r = pay(&app, &a, &own.payload, Some(100)).await;
    assert_eq!(refused(r).await, (422, "invalid_payee".into()));
}

#[tokio::test]
async fn a_receive_code_with_an_amount_is_paid_exactly_that() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let (_, code) = typed::<ReceiveCode>(
        call(
            &app,
            "GET",
            "/v1/me/receive-code?amount=2500",
            None,
            Some(&b.token),
        )
        .await,
    )
    .await;
    let (status, paid) = typed::<PayReply>(pay(&app, &a, &code.payload, None).await).await;
    assert_eq!((status, paid.amount), (201, 2_500), "{paid:?}");
    assert_eq!(available(&app, &a.token).await, 7_500);
    assert_eq!(available(&app, &b.token).await, 2_500);
    let r = call(
        &app,
        "GET",
        "/v1/me/receive-code?amount=0",
        None,
        Some(&b.token),
    )
    .await;
    assert_eq!(refused(r).await, (422, "amount_invalid".into()));
}

#[tokio::test]
async fn a_payload_the_platform_did_not_issue_is_payload_invalid() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    for payload in [
        "",
        "hello",
        "https://example.com/pay",
        "qianbao://x/abc",
        "qianbao://r/",
        "qianbao://r/UPPER",
        "qianbao://r/abc?amount=-5",
        "qianbao://o/no-such-order",
        "qianbao://r/no-such-wallet",
        "wxp://f2f0abcdef",
    ] {
        let r = pay(&app, &a, payload, Some(100)).await;
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "payload_invalid"),
            "{payload:?}"
        );
    }
    let long = format!("qianbao://r/{}", "a".repeat(10_000));
    assert_eq!(
        refused(pay(&app, &a, &long, Some(100)).await).await,
        (422, "payload_invalid".into())
    );
    assert_eq!(balance(&app, &a.token).await, (10_000, 0));
}
