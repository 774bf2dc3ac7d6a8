//! Monthly budgets (消费预算) over HTTP: set, read, replace and remove; spending at shops of two
//! categories against each; the 80 % and 100 % alerts once each, also when payments race across
//! a threshold; a new month starting afresh with last month beside it; bad input refused whole;
//! the month summary and the CSV statement carrying the budgets; and another holder seeing none
//! of it.

use crate::helpers::{
    TestApp, call, get, problem, spawn_app_with_clock, spawn_app_without_risk_rules,
};
use crate::money_helpers::{Holder, Merchant, answer, funded, inbox, order, pay, sms_to};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How long a test waits for the alert pass (every second).
const ALERT_WAIT: Duration = Duration::from_secs(15);

async fn put(app: &TestApp, h: &Holder, body: Value) -> (u16, Value) {
    answer(call(app, "PUT", "/v1/me/budgets", Some(body), Some(&h.token)).await).await
}

async fn budgets(app: &TestApp, h: &Holder) -> Value {
    let (status, body) = answer(get(app, "/v1/me/budgets", &h.token).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn shop(app: &TestApp, owner: &Holder, name: &str, category: &str) -> Merchant {
    let r = call(
        app,
        "POST",
        "/v1/merchants",
        Some(json!({"name": name, "category": category})),
        Some(&owner.token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    Merchant {
        id: body["merchant_id"].as_str().unwrap().into(),
        api_key: body["api_key"].as_str().unwrap().into(),
        static_qr: body["static_qr_payload"].as_str().unwrap().into(),
    }
}

async fn spend(app: &TestApp, h: &Holder, m: &Merchant, amount: i64) {
    let o = order(app, m, amount).await;
    let (status, body) = answer(pay(app, h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert!(status == 200 || status == 201, "{status} {body}");
}

fn budget_alerts(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .filter(|n| n["kind"] == "budget")
        .cloned()
        .collect()
}

/// Waits until the holder has `n` budget alerts, and returns them (newest first).
async fn alerts_become(app: &TestApp, h: &Holder, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let alerts = budget_alerts(&inbox(app, &h.token).await);
        if alerts.len() >= n || start.elapsed() > ALERT_WAIT {
            assert_eq!(alerts.len(), n, "{alerts:#?}");
            return alerts;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Lets at least three alert passes run, then returns the budget alerts.
async fn alerts_after_passes(app: &TestApp, h: &Holder) -> Vec<Value> {
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    budget_alerts(&inbox(app, &h.token).await)
}

fn category<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == name)
        .unwrap_or_else(|| panic!("{name} in {body}"))
}

#[tokio::test]
async fn budgets_are_set_read_replaced_and_removed() {
    let app = crate::helpers::spawn_app().await;
    let h = funded(&app, "张三", 0).await;
    let empty = budgets(&app, &h).await;
    assert_eq!(empty["month_total"], Value::Null);
    assert_eq!(empty["categories"], json!([]));
    assert!(
        empty["known_categories"]
            .as_array()
            .unwrap()
            .contains(&json!("restaurant"))
    );

    let (status, set) = put(
        &app,
        &h,
        json!({"month_total": 300_000, "categories": {"supermarket": 50_000, "restaurant": 100_000}}),
    )
    .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(
        set["month_total"],
        json!({"budget": 300_000, "spent": 0, "percent": 0, "state": "under"})
    );
    assert_eq!(category(&set, "restaurant")["budget"], 100_000);
    assert_eq!(category(&set, "supermarket")["budget"], 50_000);
    assert_eq!(set["sms"], false);
    assert_eq!(budgets(&app, &h).await, set, "PUT answers what GET answers");

    let (status, replaced) = put(
        &app,
        &h,
        json!({"month_total": null, "categories": {"transfer": 1_000}, "sms": true}),
    )
    .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["month_total"], Value::Null);
    assert_eq!(replaced["categories"].as_array().unwrap().len(), 1);
    assert_eq!(replaced["categories"][0]["category"], "transfer");
    assert_eq!(replaced["sms"], true);

    let (status, removed) = put(&app, &h, json!({"categories": {}})).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["month_total"], Value::Null);
    assert_eq!(removed["categories"], json!([]));
    assert_eq!(budgets(&app, &h).await, removed);
}

#[tokio::test]
async fn spending_at_two_shops_counts_against_each_category_and_another_holder_sees_none() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let owner = funded(&app, "店主", 0).await;
    let noodles = shop(&app, &owner, "兰州拉面", "restaurant").await;
    let market = shop(&app, &owner, "华联超市", "supermarket").await;
    let h = funded(&app, "张三", 100_000).await;
    let other = funded(&app, "李四", 100_000).await;
    put(
        &app,
        &h,
        json!({"month_total": 20_000, "categories": {"restaurant": 5_000, "supermarket": 10_000}}),
    )
    .await;
    spend(&app, &h, &noodles, 1_800).await;
    spend(&app, &h, &market, 2_500).await;
    spend(&app, &other, &noodles, 7_000).await;

    let b = budgets(&app, &h).await;
    assert_eq!(b["month_total"]["spent"], 4_300);
    assert_eq!(b["month_total"]["percent"], 21);
    assert_eq!(category(&b, "restaurant")["spent"], 1_800);
    assert_eq!(category(&b, "restaurant")["percent"], 36);
    assert_eq!(category(&b, "supermarket")["spent"], 2_500);
    assert_eq!(b["spent_total"], 4_300);

    let theirs = budgets(&app, &other).await;
    assert_eq!(
        theirs["month_total"],
        Value::Null,
        "another's budgets are not theirs"
    );
    assert_eq!(theirs["categories"], json!([]));
    assert_eq!(theirs["spent_total"], 7_000, "only their own spending");
    assert!(alerts_after_passes(&app, &other).await.is_empty());
}

#[tokio::test]
async fn the_80_and_100_percent_alerts_arrive_once_each_by_inbox_and_sms() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let owner = funded(&app, "店主", 0).await;
    let noodles = shop(&app, &owner, "兰州拉面", "restaurant").await;
    let h = funded(&app, "张三", 100_000).await;
    let (status, _) = put(
        &app,
        &h,
        json!({"categories": {"restaurant": 10_000}, "sms": true}),
    )
    .await;
    assert_eq!(status, 200);

    spend(&app, &h, &noodles, 7_000).await;
    assert!(
        alerts_after_passes(&app, &h).await.is_empty(),
        "70 % is no alert"
    );
    spend(&app, &h, &noodles, 1_000).await;
    let first = alerts_become(&app, &h, 1).await;
    assert!(
        first[0]["title"].as_str().unwrap().contains("80%"),
        "{first:?}"
    );
    assert_eq!(
        category(&budgets(&app, &h).await, "restaurant")["state"],
        "warning"
    );
    spend(&app, &h, &noodles, 500).await;
    assert_eq!(
        alerts_after_passes(&app, &h).await.len(),
        1,
        "80 % is alerted once"
    );

    spend(&app, &h, &noodles, 1_500).await;
    let both = alerts_become(&app, &h, 2).await;
    assert!(
        both[0]["title"].as_str().unwrap().contains("用完"),
        "{both:?}"
    );
    spend(&app, &h, &noodles, 100).await;
    assert_eq!(
        alerts_after_passes(&app, &h).await.len(),
        2,
        "100 % is alerted once"
    );
    let b = budgets(&app, &h).await;
    assert_eq!(category(&b, "restaurant")["state"], "reached");
    assert_eq!(category(&b, "restaurant")["percent"], 101);

    let texts: Vec<String> = sms_to(&app, &h.phone)
        .await
        .iter()
        .map(|s| s["text"].as_str().unwrap_or_default().to_string())
        .filter(|t| t.contains("预算"))
        .collect();
    assert_eq!(texts.len(), 2, "one SMS per alert, as asked: {texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn payments_racing_across_a_threshold_send_one_alert() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let owner = funded(&app, "店主", 0).await;
    let noodles = shop(&app, &owner, "兰州拉面", "restaurant").await;
    let h = funded(&app, "张三", 100_000).await;
    put(&app, &h, json!({"month_total": 10_000, "categories": {}})).await;
    let mut payloads = Vec::new();
    for _ in 0..12 {
        payloads.push(
            order(&app, &noodles, 1_000).await["qr_payload"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let app = std::sync::Arc::new(app);
    let mut paying = tokio::task::JoinSet::new();
    for p in payloads {
        let (app, h) = (app.clone(), h.clone());
        paying.spawn(async move { pay(&app, &h, &p, None).await.status().as_u16() });
    }
    for status in paying.join_all().await {
        assert!(status == 200 || status == 201, "{status}");
    }
    let alerts = alerts_become(&app, &h, 2).await;
    assert_eq!(alerts_after_passes(&app, &h).await.len(), 2, "{alerts:?}");
    assert_eq!(budgets(&app, &h).await["month_total"]["spent"], 12_000);
}

#[tokio::test]
async fn a_new_month_starts_afresh_with_last_month_beside_it() {
    let (app, clock) = spawn_app_with_clock().await;
    let owner = funded(&app, "店主", 0).await;
    let noodles = shop(&app, &owner, "兰州拉面", "restaurant").await;
    let h = funded(&app, "张三", 100_000).await;
    put(&app, &h, json!({"month_total": 1_000, "categories": {}})).await;
    // 2027-01-15 16:00 in Beijing.
    let before = budgets(&app, &h).await;
    assert_eq!(before["month"], "2027-01");
    spend(&app, &h, &noodles, 850).await;
    alerts_become(&app, &h, 1).await;

    // To 2027-02-01 00:00:10 in Beijing.
    clock.advance_s(16 * 86_400 + 8 * 3_600 + 10);
    let after = budgets(&app, &h).await;
    assert_eq!(after["month"], "2027-02");
    assert_eq!(after["month_total"]["spent"], 0);
    assert_eq!(after["previous_month"]["month"], "2027-01");
    assert_eq!(after["previous_month"]["spent_total"], 850);
    assert_eq!(
        after["previous_month"]["categories"],
        json!([{"category": "restaurant", "spent": 850}])
    );

    spend(&app, &h, &noodles, 900).await;
    let alerts = alerts_become(&app, &h, 2).await;
    assert!(
        alerts[0]["body"].as_str().unwrap().starts_with("2027-02"),
        "{alerts:?}"
    );
}

#[tokio::test]
async fn bad_budgets_are_refused_whole() {
    let app = crate::helpers::spawn_app().await;
    let h = funded(&app, "张三", 0).await;
    let (_, kept) = put(
        &app,
        &h,
        json!({"month_total": 5_000, "categories": {"restaurant": 1_000}}),
    )
    .await;
    let many: serde_json::Map<String, Value> = kept["known_categories"]
        .as_array()
        .unwrap()
        .iter()
        .take(17)
        .map(|c| (c.as_str().unwrap().to_string(), json!(100)))
        .collect();
    let cases = [
        (
            json!({"month_total": 0, "categories": {}}),
            "amount_invalid",
            None,
        ),
        (
            json!({"month_total": -100, "categories": {}}),
            "amount_invalid",
            None,
        ),
        (
            json!({"month_total": 10_000_000_001_i64, "categories": {}}),
            "amount_invalid",
            None,
        ),
        (
            json!({"categories": {"restaurant": 0}}),
            "amount_invalid",
            None,
        ),
        (
            json!({"categories": {"restaurant": 100, "hotel": -1}}),
            "amount_invalid",
            None,
        ),
        (
            json!({"categories": {"casino": 100}}),
            "invalid_request",
            Some("categories"),
        ),
        (
            json!({"categories": many}),
            "invalid_request",
            Some("categories"),
        ),
        (
            json!({"month_total": 12.5, "categories": {}}),
            "invalid_request",
            None,
        ),
        (
            json!({"categories": {"restaurant": 0.5}}),
            "invalid_request",
            None,
        ),
        (
            json!({"categories": ["restaurant"]}),
            "invalid_request",
            None,
        ),
    ];
    for (body, code, field) in cases {
        let r = call(
            &app,
            "PUT",
            "/v1/me/budgets",
            Some(body.clone()),
            Some(&h.token),
        )
        .await;
        let (status, p) = problem(r).await;
        assert_eq!((status, p.code.as_str()), (422, code), "{body}");
        if let Some(field) = field {
            assert_eq!(p.field.as_deref(), Some(field), "{body}");
        }
    }
    let huge = json!({"categories": {"restaurant": 100}, "pad": "x".repeat(2_000_000)});
    let r = call(&app, "PUT", "/v1/me/budgets", Some(huge), Some(&h.token)).await;
    assert_eq!(r.status(), 413, "a body over the limit");
    assert_eq!(budgets(&app, &h).await, kept, "nothing half-written");
    let r = call(
        &app,
        "PUT",
        "/v1/me/budgets",
        Some(json!({"categories": {}})),
        None,
    )
    .await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn the_month_summary_and_the_statement_carry_the_budgets() {
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let owner = funded(&app, "店主", 0).await;
    let noodles = shop(&app, &owner, "兰州拉面", "restaurant").await;
    let h = funded(&app, "张三", 100_000).await;
    let other = funded(&app, "李四", 100_000).await;
    put(
        &app,
        &h,
        json!({"month_total": 20_000, "categories": {"restaurant": 5_000}}),
    )
    .await;
    spend(&app, &h, &noodles, 1_234).await;
    let month = budgets(&app, &h).await["month"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, summary) =
        answer(get(&app, &format!("/v1/me/summary?month={month}"), &h.token).await).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["total_out"], 1_234);
    assert_eq!(
        summary["budgets"]["month_total"]["spent"], summary["total_out"],
        "the two never disagree"
    );
    assert_eq!(category(&summary["budgets"], "restaurant")["spent"], 1_234);
    let (_, theirs) =
        answer(get(&app, &format!("/v1/me/summary?month={month}"), &other.token).await).await;
    assert!(
        theirs.get("budgets").is_none(),
        "no budgets, no field: {theirs}"
    );

    let csv = get(&app, "/v1/me/transactions.csv?lang=en", &h.token)
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0]
            .ends_with("id,type,direction,amount,fee,currency,counterparty,status,memo,created_at")
    );
    let at = lines
        .iter()
        .position(|l| *l == "budget_month,budget_line,budget,spent,percent")
        .unwrap();
    assert_eq!(lines[at - 1], "", "a blank line before the budgets");
    assert_eq!(
        lines[at + 1],
        format!("\"{month}\",\"total\",200.00,12.34,6")
    );
    assert_eq!(
        lines[at + 2],
        format!("\"{month}\",\"restaurant\",50.00,12.34,24")
    );
    let zh = get(&app, "/v1/me/transactions.csv", &h.token)
        .await
        .text()
        .await
        .unwrap();
    assert!(zh.contains("\"总预算\",200.00,12.34,6"), "{zh}");
    let theirs = get(&app, "/v1/me/transactions.csv?lang=en", &other.token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("budget"), "{theirs}");
}
