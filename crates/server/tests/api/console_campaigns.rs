//! Campaigns run for a merchant from the console and the command line: the budget leaves the
//! merchant's takings exactly as by the merchant's own launch, holders claim its coupons, a role
//! without `money.manage` is refused (and the refusal audited), bad input moves nothing, and
//! ending a campaign early lapses unused coupons and gives the unspent budget back — each action
//! in the audit log, and `qianbao verify` clean after.

use crate::console_helpers::{add_staff, admin, app, audit, first_admin, sign_in};
use crate::helpers::{TestApp, call, rfc3339_of as at, verify};
use crate::money_helpers::{
    Holder, Merchant, answer, funded, keyed, merchant_balance, open_merchant, order, pay, signed_up,
};
use serde_json::{Value, json};

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// A shop whose takings are `takings` fen, paid by a customer.
async fn shop_with_takings(app: &TestApp, takings: i64) -> (Merchant, Holder) {
    let owner = funded(app, "店主", 0).await;
    let shop = open_merchant(app, &owner, "兰州牛肉面").await;
    let customer = funded(app, "老客", takings).await;
    let o = order(app, &shop, takings).await;
    let (status, body) =
        answer(pay(app, &customer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{body}");
    (shop, customer)
}

/// ¥5 off ¥30, from a minute ago for a day, `budget` fen, as the merchant API takes it.
fn five_off(budget: i64) -> Value {
    json!({
        "kind": "coupon", "budget": budget,
        "starts_at": at(now_ms() - 60_000), "ends_at": at(now_ms() + 86_400_000),
        "rule": {"amount_off": 500, "min_spend": 3_000},
    })
}

/// `POST /v1/console/campaigns` by `token` for `merchant_id`, with a key of its own.
async fn launch(app: &TestApp, token: &str, merchant_id: &str, campaign: Value) -> (u16, Value) {
    let body = json!({"merchant_id": merchant_id, "campaign": campaign, "reason": "商户电话委托"});
    answer(
        keyed(
            app,
            "/v1/console/campaigns",
            body,
            token,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await
}

async fn end(app: &TestApp, token: &str, id: &str, reason: &str) -> (u16, Value) {
    answer(
        call(
            app,
            "POST",
            &format!("/v1/console/campaigns/{id}/end"),
            Some(json!({"reason": reason})),
            Some(token),
        )
        .await,
    )
    .await
}

async fn campaigns(app: &TestApp, token: &str, merchant_id: &str) -> (u16, Value) {
    answer(
        call(
            app,
            "GET",
            &format!("/v1/console/campaigns?merchant_id={merchant_id}"),
            None,
            Some(token),
        )
        .await,
    )
    .await
}

async fn claim(app: &TestApp, h: &Holder, id: &str) -> String {
    let r = call(
        app,
        "POST",
        &format!("/v1/campaigns/{id}/claim"),
        None,
        Some(&h.token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    body["coupon_id"].as_str().unwrap().to_string()
}

use crate::rewards::coupon_status;

#[tokio::test]
async fn finance_launches_a_campaign_for_a_merchant_from_its_takings_and_a_holder_claims_its_coupon()
 {
    let (app, clock) = app().await;
    let admin_staff = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin_staff).await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let finance = add_staff(&app, &clock, &admin_token, "finance").await;
    let support_token = sign_in(&app, &clock, &support).await;
    let finance_token = sign_in(&app, &clock, &finance).await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let (before, _) = merchant_balance(&app, &shop).await;

    // Support sees merchants but moves no money: refused, and the refusal is in the log.
    let (status, body) = launch(&app, &support_token, &shop.id, five_off(10_000)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied")),
        "{body}"
    );
    let denied = audit(
        &app,
        &admin_token,
        &format!("actor=staff:{}&action=permission_denied", support.id),
    )
    .await;
    assert!(
        denied
            .iter()
            .any(|l| l["entity"] == "campaign.launch" && l["outcome"] == "denied"),
        "{denied:?}"
    );

    // Bad input moves nothing: a window that ends before it starts, a budget beyond the
    // takings, a merchant that does not exist, no Idempotency-Key.
    let mut backwards = five_off(10_000);
    backwards["ends_at"] = json!(at(now_ms() - 120_000));
    let (status, body) = launch(&app, &finance_token, &shop.id, backwards).await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (422, Some("invalid_request"), Some("ends_at")),
        "{body}"
    );
    let (status, body) = launch(&app, &finance_token, &shop.id, five_off(before + 1)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("insufficient_balance")),
        "{body}"
    );
    let (status, _) = launch(&app, &finance_token, "no-such-shop", five_off(10_000)).await;
    assert_eq!(status, 404);
    let r = call(
        &app,
        "POST",
        "/v1/console/campaigns",
        Some(json!({"merchant_id": shop.id, "campaign": five_off(10_000)})),
        Some(&finance_token),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(merchant_balance(&app, &shop).await.0, before);

    // Launched: the budget leaves the takings at once, exactly.
    let (status, launched) = launch(&app, &finance_token, &shop.id, five_off(10_000)).await;
    assert_eq!(status, 201, "{launched}");
    let id = launched["campaign_id"].as_str().unwrap();
    assert_eq!(merchant_balance(&app, &shop).await.0, before - 10_000);

    // It is the merchant's own campaign: the merchant API lists it, and a holder claims it.
    let (_, mine) = answer(
        call(
            &app,
            "GET",
            "/v1/merchant/campaigns",
            None,
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!(mine["items"][0]["campaign_id"], id, "{mine}");
    let holder = signed_up(&app).await;
    let coupon = claim(&app, &holder, id).await;
    assert_eq!(coupon_status(&app, &holder, &coupon).await, "claimed");

    // Any role that views merchants lists it, with what the claim reserved.
    let (status, list) = campaigns(&app, &support_token, &shop.id).await;
    assert_eq!(status, 200, "{list}");
    let row = &list["items"][0];
    assert_eq!(
        (
            row["campaign_id"].as_str(),
            row["merchant_name"].as_str(),
            row["budget"].as_i64(),
            row["reserved"].as_i64(),
            row["spent"].as_i64(),
            row["status"].as_str(),
        ),
        (
            Some(id),
            Some("兰州牛肉面"),
            Some(10_000),
            Some(500),
            Some(0),
            Some("active")
        ),
        "{list}"
    );
    assert_eq!(campaigns(&app, &support_token, "no-such-shop").await.0, 404);

    // The launch is in the log as finance's, with what was asked and why.
    let lines = audit(&app, &admin_token, "action=campaign.launch").await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line["actor"], format!("staff:{}", finance.id));
    assert_eq!(line["entity"], format!("campaign:{id}"));
    assert_eq!(line["outcome"], "done");
    assert_eq!(line["reason"], "商户电话委托");
    let asked: Value = serde_json::from_str(line["before"].as_str().unwrap()).unwrap();
    assert_eq!(
        (asked["merchant_id"].as_str(), asked["budget"].as_i64()),
        (Some(shop.id.as_str()), Some(10_000))
    );

    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");
}

#[tokio::test]
async fn ending_a_campaign_early_lapses_unused_coupons_and_gives_the_unspent_budget_back() {
    let (app, clock) = app().await;
    let admin_staff = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin_staff).await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let finance = add_staff(&app, &clock, &admin_token, "finance").await;
    let support_token = sign_in(&app, &clock, &support).await;
    let finance_token = sign_in(&app, &clock, &finance).await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let (status, launched) = launch(&app, &finance_token, &shop.id, five_off(10_000)).await;
    assert_eq!(status, 201, "{launched}");
    let id = launched["campaign_id"].as_str().unwrap();

    // One coupon used (¥5 spent), one claimed and never used.
    let payer = funded(&app, "张三", 10_000).await;
    let used = claim(&app, &payer, id).await;
    let o = order(&app, &shop, 5_000).await;
    let body = json!({"payload": o["qr_payload"], "pin": payer.pin, "coupon_id": used});
    let (status, paid) = answer(
        keyed(
            &app,
            "/v1/pay",
            body,
            &payer.token,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, paid["discount"].as_i64()),
        (201, Some(500)),
        "{paid}"
    );
    let idle = signed_up(&app).await;
    let unused = claim(&app, &idle, id).await;
    let (takings, _) = merchant_balance(&app, &shop).await;

    // Support may not end it; nobody ends one without a reason, or one that does not exist.
    let (status, body) = end(&app, &support_token, id, "活动取消").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied"))
    );
    let (status, body) = end(&app, &finance_token, id, "  ").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert_eq!(
        end(&app, &finance_token, "no-such-campaign", "x").await.0,
        404
    );

    // Ended: the budget less the ¥5 spent goes back, the unused coupon lapses, the used one
    // stays used.
    let (status, ended) = end(&app, &finance_token, id, "活动取消").await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["returned"], 9_500, "{ended}");
    assert_eq!(ended["campaign"]["status"], "ended");
    assert_eq!(ended["campaign"]["spent"], 500);
    assert_eq!(merchant_balance(&app, &shop).await.0, takings + 9_500);
    assert_eq!(coupon_status(&app, &idle, &unused).await, "expired");
    assert_eq!(coupon_status(&app, &payer, &used).await, "used");

    // Once: a second end is refused and moves nothing; no new claims.
    let (status, body) = end(&app, &finance_token, id, "活动取消").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("campaign_not_active"))
    );
    assert_eq!(merchant_balance(&app, &shop).await.0, takings + 9_500);
    let late = signed_up(&app).await;
    let r = call(
        &app,
        "POST",
        &format!("/v1/campaigns/{id}/claim"),
        None,
        Some(&late.token),
    )
    .await;
    assert_eq!(r.status(), 409);

    let lines = audit(&app, &admin_token, "action=campaign.end").await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["actor"], format!("staff:{}", finance.id));
    assert_eq!(lines[0]["reason"], "活动取消");
    let after: Value = serde_json::from_str(lines[0]["after"].as_str().unwrap()).unwrap();
    assert_eq!(after["returned"], 9_500);

    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");
}

#[tokio::test]
async fn the_command_line_launches_lists_and_ends_a_campaign_and_refuses_bad_input() {
    let (app, clock) = app().await;
    let admin_staff = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin_staff).await;
    let (shop, _) = shop_with_takings(&app, 100_000).await;
    let (before, _) = merchant_balance(&app, &shop).await;
    let (starts, ends) = (at(now_ms() - 60_000), at(now_ms() + 86_400_000));
    let launch_args = |budget: &str, starts_at: &str, ends_at: &str| -> Vec<String> {
        [
            "campaign",
            "launch",
            "--merchant",
            &shop.id,
            "--kind",
            "coupon",
            "--budget",
            budget,
            "--starts-at",
            starts_at,
            "--ends-at",
            ends_at,
            "--amount-off",
            "5.00",
            "--min-spend",
            "30.00",
            "--per-holder",
            "2",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        admin(&app, &args)
    };

    // Bad input: exits non-zero, says what is wrong, and moves nothing.
    for (args, says) in [
        (launch_args("lots", &starts, &ends), "--budget"),
        (launch_args("100.00", &ends, &starts), "ends_at"),
        (
            launch_args("100000.00", &starts, &ends),
            "insufficient_balance",
        ),
    ] {
        let (ok, _, err) = run(args);
        assert!(!ok && err.contains(says), "{err}");
    }
    let (ok, _, err) = admin(
        &app,
        &[
            "campaign",
            "launch",
            "--merchant",
            &shop.id,
            "--budget",
            "100",
            "--starts-at",
            &starts,
            "--ends-at",
            &ends,
            "--min-spend",
            "30",
        ],
    );
    assert!(!ok && err.contains("--amount-off"), "{err}");
    assert_eq!(merchant_balance(&app, &shop).await.0, before);

    let (ok, out, err) = run(launch_args("100.00", &starts, &ends));
    assert!(ok, "{err}");
    assert!(
        out.starts_with("launched campaign ") && out.contains("budget 100.00"),
        "{out}"
    );
    let id = out
        .trim()
        .strip_prefix("launched campaign ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_eq!(merchant_balance(&app, &shop).await.0, before - 10_000);
    let holder = signed_up(&app).await;
    claim(&app, &holder, &id).await;

    let (ok, out, err) = admin(&app, &["campaign", "list", "--merchant", &shop.id]);
    assert!(ok, "{err}");
    let row = out.lines().find(|l| l.starts_with(&id)).expect(&out);
    let cells: Vec<&str> = row.split('\t').collect();
    assert_eq!(
        cells[1..8],
        [
            shop.id.as_str(),
            "coupon",
            "5.00 off from 30.00",
            "100.00",
            "5.00",
            "0.00",
            "active"
        ],
        "{out}"
    );
    let (ok, _, err) = admin(&app, &["campaign", "list", "--merchant", "no-such-shop"]);
    assert!(!ok && err.contains("not_found"), "{err}");
    // Without a merchant, every merchant's campaigns.
    let (ok, out, err) = admin(&app, &["campaign", "list"]);
    assert!(ok && out.lines().any(|l| l.starts_with(&id)), "{out}{err}");
    // A points campaign: points per yuan, no coupon rule.
    let (ok, out, err) = admin(
        &app,
        &[
            "campaign",
            "launch",
            "--merchant",
            &shop.id,
            "--kind",
            "points",
            "--budget",
            "1.00",
            "--starts-at",
            &starts,
            "--ends-at",
            &ends,
            "--points-per-yuan",
            "2",
        ],
    );
    assert!(ok, "{err}");
    let points_id = out
        .trim()
        .strip_prefix("launched campaign ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let (_, out, _) = admin(&app, &["campaign", "list"]);
    assert!(
        out.lines()
            .any(|l| l.starts_with(&points_id) && l.contains("2 points a yuan")),
        "{out}"
    );
    let (ok, _, err) = admin(&app, &["campaign", "end", &points_id, "--reason", "够了"]);
    assert!(ok, "{err}");

    let (ok, out, err) = admin(&app, &["campaign", "end", &id, "--reason", "测试结束"]);
    assert!(ok, "{err}");
    assert!(out.contains("100.00 went back"), "{out}");
    assert_eq!(merchant_balance(&app, &shop).await.0, before);
    let (ok, _, err) = admin(&app, &["campaign", "end", &id, "--reason", "again"]);
    assert!(!ok && err.contains("campaign_not_active"), "{err}");

    for action in ["campaign.launch", "campaign.end"] {
        let lines = audit(&app, &admin_token, &format!("action={action}")).await;
        // The coupon campaign's and the points campaign's, each by the command line.
        assert_eq!(lines.len(), 2, "{action}: {lines:?}");
        assert!(lines.iter().all(|l| l["actor"] == "cli"), "{lines:?}");
        for campaign in [&id, &points_id] {
            assert!(
                lines
                    .iter()
                    .any(|l| l["entity"] == format!("campaign:{campaign}")),
                "{action}: {lines:?}"
            );
        }
    }
    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");
}
