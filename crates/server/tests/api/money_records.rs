//! What a holder reads back: the records (newest first, filtered by type and by day in China
//! time, paged by cursor, another's not found), the CSV export and the month's summary; and a
//! malformed query answered as a problem.

use crate::helpers::{call, problem, spawn_app, spawn_app_with_clock};
use crate::money_helpers::{
    funded, money, open_l1_holder, open_l1_holder_named, record, records, refused, transfer, typed,
};
use qianbao_api_types::{MoneyReply, SummaryBody, TransactionPage};
use serde_json::json;

#[tokio::test]
async fn records_list_newest_first_filter_by_type_and_page_by_cursor() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let mut ids = vec![];
    for amount in [100, 200, 300, 400] {
        let (_, r) = typed::<MoneyReply>(transfer(&app, &a, &b, amount).await).await;
        ids.push(r.id);
    }
    let all = records(&app, &a.token, "").await;
    assert_eq!(all.len(), 5, "a top-up and four transfers");
    assert_eq!(all[0]["amount"], 400, "newest first");
    assert_eq!(all[4]["type"], "topup");
    let transfers = records(&app, &a.token, "&type=transfer").await;
    assert_eq!(
        transfers
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ids.iter().rev().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(records(&app, &a.token, "&type=topup").await.len(), 1);
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions?type=bogus",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    for bad in ["0", "101", "-1"] {
        let path = format!("/v1/me/transactions?limit={bad}");
        let r = call(&app, "GET", &path, None, Some(&a.token)).await;
        assert_eq!(refused(r).await.0, 422, "limit={bad}");
    }

    // limit=2 over 5 records: 2, 2, 1, and no cursor after the last page.
    let mut seen = vec![];
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/me/transactions?limit=2&cursor={c}"),
            None => "/v1/me/transactions?limit=2".to_string(),
        };
        let (status, page) =
            typed::<TransactionPage>(call(&app, "GET", &path, None, Some(&a.token)).await).await;
        assert_eq!(status, 200);
        pages += 1;
        let items = &page.items;
        seen.extend(items.iter().map(|i| i.id.clone()));
        match page.next_cursor.as_deref() {
            Some(c) => {
                assert_eq!(items.len(), 2);
                cursor = Some(c.to_string());
            }
            None => {
                assert!(page.next_cursor.is_none());
                break;
            }
        }
        assert!(pages < 10, "paging never ends");
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        all.iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        "every record once, in order"
    );
}

#[tokio::test]
async fn records_filter_by_day_in_china_time() {
    let (app, clock) = spawn_app_with_clock().await;
    // The clock starts at 2027-01-15T16:00 in Beijing.
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &a, &b, 100).await.status(), 201);
    clock.advance_s(24 * 3600);
    assert_eq!(transfer(&app, &a, &b, 200).await.status(), 201);
    let day1 = records(&app, &a.token, "&from=2027-01-15&to=2027-01-15").await;
    assert_eq!(day1.len(), 2, "the top-up and the first transfer: {day1:?}");
    let day2 = records(&app, &a.token, "&from=2027-01-16").await;
    assert_eq!(day2.len(), 1);
    assert_eq!(day2[0]["amount"], 200);
    let before = records(&app, &a.token, "&to=2027-01-14").await;
    assert!(before.is_empty());
    let exact = records(
        &app,
        &a.token,
        "&from=2027-01-16T07:59:00Z&to=2027-01-16T08:01:00Z",
    )
    .await;
    assert_eq!(exact.len(), 1);
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions?from=yesterday",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
}

#[tokio::test]
async fn another_holders_record_is_not_found() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 1_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let (_, t) = typed::<MoneyReply>(transfer(&app, &a, &b, 100).await).await;
    let id = t.id.as_str();
    let r = call(
        &app,
        "GET",
        &format!("/v1/me/transactions/{id}"),
        None,
        Some(&b.token),
    )
    .await;
    assert_eq!(
        refused(r).await,
        (404, "not_found".into()),
        "the payer's side is the payer's"
    );
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions/nope",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(refused(r).await, (404, "not_found".into()));
    assert_eq!(record(&app, &a.token, id).await["amount"], 100);
}

#[tokio::test]
async fn the_csv_export_has_a_header_row_and_one_line_per_record() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 1_250, "pin": a.pin, "memo": "=1+2, \"quoted\""}),
        &a.token,
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(transfer(&app, &a, &b, 5).await.status(), 201);
    // In English, for the codes; the Chinese statement has its own test (money_records_truth).
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions.csv?lang=en",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = r.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three records:\n{text}");
    assert_eq!(
        lines[0],
        "id,type,direction,amount,fee,currency,counterparty,status,memo,created_at"
    );
    assert!(lines[1].contains(",0.05,"), "{}", lines[1]);
    assert!(lines[2].contains(",12.50,"), "{}", lines[2]);
    assert!(
        lines[2].contains("\"'=1+2, \"\"quoted\"\"\""),
        "the memo is quoted and defused: {}",
        lines[2]
    );
    assert!(lines[3].contains("\"topup\""));
    let r = call(
        &app,
        "GET",
        "/v1/me/transactions.csv?type=topup",
        None,
        Some(&a.token),
    )
    .await;
    assert_eq!(r.text().await.unwrap().lines().count(), 2);
    let r = call(&app, "GET", "/v1/me/transactions.csv", None, Some(&b.token)).await;
    assert_eq!(r.text().await.unwrap().lines().count(), 3);
}

#[tokio::test]
async fn the_month_summary_totals_what_came_in_and_went_out() {
    let (app, _clock) = spawn_app_with_clock().await;
    // The clock is in January 2027.
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    assert_eq!(transfer(&app, &a, &b, 1_000).await.status(), 201);
    assert_eq!(transfer(&app, &a, &b, 500).await.status(), 201);
    assert_eq!(transfer(&app, &b, &a, 200).await.status(), 201);
    let (status, s) = typed::<SummaryBody>(
        call(
            &app,
            "GET",
            "/v1/me/summary?month=2027-01",
            None,
            Some(&a.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{s:?}");
    assert_eq!(
        (s.total_in, s.total_out, s.own_card_in),
        (200, 1_500, 10_000),
        "the top-up is not income: {s:?}"
    );
    let out = s
        .categories
        .iter()
        .find(|c| c.kind == "transfer" && c.direction == "out")
        .unwrap();
    assert_eq!((out.total, out.count), (1_500, 2));
    let (_, s) = typed::<SummaryBody>(
        call(
            &app,
            "GET",
            "/v1/me/summary?month=2026-12",
            None,
            Some(&a.token),
        )
        .await,
    )
    .await;
    assert_eq!((s.total_in, s.total_out), (0, 0));
    for bad in ["2027-13", "2027-00", "abc", "2027", "2027-1-1", ""] {
        let path = format!("/v1/me/summary?month={bad}");
        let r = call(&app, "GET", &path, None, Some(&a.token)).await;
        assert_eq!(refused(r).await.0, 422, "{bad:?}");
    }
}

#[tokio::test]
async fn a_malformed_query_is_a_problem_not_plain_text() {
    let app = spawn_app().await;
    let a = open_l1_holder(&app).await;
    for path in [
        "/v1/me/summary",
        "/v1/me/summary?month=2027-01&month=2027-02",
        "/v1/me/transactions?limit=abc",
        "/v1/me/transactions?limit=1.5",
        "/v1/me/transactions.csv?limit=-",
        "/v1/me/receive-code?amount=1.5",
        "/v1/me/receive-code?amount=ten",
        "/v1/me/notifications?limit=x",
    ] {
        let r = call(&app, "GET", path, None, Some(&a.token)).await;
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            kind.starts_with("application/problem+json"),
            "{path}: {kind}"
        );
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.code.as_str()),
            (422, "invalid_request"),
            "{path}"
        );
    }
}
