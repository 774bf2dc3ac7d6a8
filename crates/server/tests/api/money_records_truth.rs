//! The month summary and the CSV statement tell the truth: top-ups and withdrawals to one's own
//! card are neither income nor spending, and the statement opens in a Chinese spreadsheet as it
//! is (a byte-order mark, Chinese column names, China time, yuan with two decimals).

use crate::helpers::{call, spawn_app_without_risk_rules};
use crate::money_helpers::{
    funded, money, open_l1_holder_named, open_merchant, pay, record, refused, transfer, typed,
};
use qianbao_api_types::{MoneyReply, SummaryBody};
use serde_json::json;

async fn summary_of(app: &crate::helpers::TestApp, token: &str, month: &str) -> SummaryBody {
    let path = format!("/v1/me/summary?month={month}");
    let (status, s) = typed::<SummaryBody>(call(app, "GET", &path, None, Some(token)).await).await;
    assert_eq!(status, 200, "{s:?}");
    s
}

#[tokio::test]
async fn own_card_moves_are_neither_income_nor_spending() {
    // The clock stands at 2027-01-15 16:00 China time.
    let (app, _clock) = spawn_app_without_risk_rules().await;
    // The month: ¥2,000 topped up, ¥1,100 withdrawn (fee ¥0.10), ¥642.55 spent.
    let a = funded(&app, "张三", 200_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &b, "兰州拉面").await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": a.card_id, "amount": 110_000, "pin": a.pin}),
        &a.token,
    )
    .await;
    let (status, w) = typed::<MoneyReply>(r).await;
    assert_eq!((status, w.fee), (201, 10), "{w:?}");
    assert_eq!(
        pay(&app, &a, &shop.static_qr, Some(42_555)).await.status(),
        201
    );
    assert_eq!(transfer(&app, &a, &b, 21_700).await.status(), 201);
    assert_eq!(transfer(&app, &b, &a, 3_000).await.status(), 201);

    // One record read back with both its times (the clock stands still, so they are equal).
    let one = record(&app, &a.token, &w.id).await;
    assert_eq!(one["type"], "withdrawal", "{one}");
    assert_eq!(one["created_at"], "2027-01-15T08:00:00Z", "{one}");
    assert_eq!(one["updated_at"], "2027-01-15T08:00:00Z", "{one}");

    let s = summary_of(&app, &a.token, "2027-01").await;
    assert_eq!(
        s.total_out, 64_255,
        "spending is the payment and the transfer: {s:?}"
    );
    assert_eq!(s.total_in, 3_000, "income is what another sent: {s:?}");
    assert_eq!((s.own_card_in, s.own_card_out), (200_000, 110_010), "{s:?}");
    // The categories still show every kind, own-card moves included.
    for (kind, direction, total) in [
        ("topup", "in", 200_000),
        ("withdrawal", "out", 110_010),
        ("payment", "out", 42_555),
        ("transfer", "out", 21_700),
        ("transfer", "in", 3_000),
    ] {
        assert!(
            s.categories
                .iter()
                .any(|c| c.kind == kind && c.direction == direction && c.total == total),
            "{kind} {direction} {total}: {s:?}"
        );
    }
    // The payee: a transfer in is income; nothing moved with an own card.
    let s = summary_of(&app, &b.token, "2027-01").await;
    assert_eq!(
        (s.total_in, s.total_out, s.own_card_in, s.own_card_out),
        (21_700, 3_000, 0, 0),
        "{s:?}"
    );
}

#[tokio::test]
async fn the_statement_is_chinese_with_a_bom_china_time_and_yuan() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 1_250, "pin": a.pin, "memo": "=午饭, \"AA\""}),
        &a.token,
    )
    .await;
    assert_eq!(r.status(), 201);

    let r = call(&app, "GET", "/v1/me/transactions.csv", None, Some(&a.token)).await;
    assert_eq!(r.status(), 200);
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(kind, "text/csv; charset=utf-8");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "a UTF-8 byte-order mark first"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two records:\n{text}");
    assert_eq!(
        lines[0],
        "交易号,类型,收/支,金额（元）,手续费（元）,币种,对方,状态,备注,时间（北京时间）"
    );
    // 2027-01-15T08:00:00Z is 16:00 in China.
    for expected in [
        "\"转账\"",
        "\"支出\"",
        ",12.50,0.00,",
        "\"成功\"",
        "\"2027-01-15 16:00:00\"",
    ] {
        assert!(lines[1].contains(expected), "{expected} in {}", lines[1]);
    }
    assert!(
        lines[1].contains("\"'=午饭, \"\"AA\"\"\""),
        "the memo is quoted and defused: {}",
        lines[1]
    );
    for expected in ["\"充值\"", "\"不计收支\"", ",100.00,0.00,"] {
        assert!(lines[2].contains(expected), "{expected} in {}", lines[2]);
    }

    // The English option keeps the codes; the mark and China time stay.
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions.csv?lang=en&type=transfer",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0],
        "id,type,direction,amount,fee,currency,counterparty,status,memo,created_at"
    );
    for expected in [
        "\"transfer\"",
        "\"out\"",
        ",12.50,",
        "\"succeeded\"",
        "\"2027-01-15 16:00:00\"",
    ] {
        assert!(lines[1].contains(expected), "{expected} in {}", lines[1]);
    }

    // An unknown language is refused as a problem, not ignored.
    for bad in ["fr", "ZH", ""] {
        let path = format!("/v1/me/transactions.csv?lang={bad}");
        let r = call(&app, "GET", &path, None, Some(&a.token)).await;
        assert_eq!(
            refused(r).await,
            (422, "invalid_request".into()),
            "lang={bad:?}"
        );
    }
}
