//! What a holder is told of their money: one inbox alert per side of a movement (in Chinese and
//! English, paged by cursor), the live stream of new alerts, and an SMS for a large movement.

use crate::helpers::{call, spawn_app};
use crate::money_helpers::{funded, inbox, open_l1_holder_named, records, sms_to, transfer, typed};
use qianbao_api_types::{MoneyReply, NotificationBody, NotificationPage};
use std::time::{Duration, Instant};

#[tokio::test]
async fn each_movement_writes_one_notification_to_the_payer_and_one_to_the_payee() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let before_a = inbox(&app, &a.token).await.len();
    assert_eq!(before_a, 1, "the top-up's");
    let (_, t) = typed::<MoneyReply>(transfer(&app, &a, &b, 1_000).await).await;
    let inbox_a = inbox(&app, &a.token).await;
    let inbox_b = inbox(&app, &b.token).await;
    assert_eq!((inbox_a.len(), inbox_b.len()), (2, 1));
    assert_eq!(inbox_a[0]["kind"], "transfer_out");
    assert_eq!(inbox_a[0]["transaction_id"], t.id);
    assert_eq!(inbox_b[0]["kind"], "transfer_in");
    assert!(
        inbox_b[0]["body"].as_str().unwrap().contains("¥10.00"),
        "{}",
        inbox_b[0]
    );
    // In English too, for the web app's English pages.
    assert_eq!(inbox_b[0]["title_en"], "Money received");
    assert_eq!(inbox_b[0]["body_en"], "*三 sent you ¥10.00");
    assert_eq!(inbox_a[0]["title_en"], "Transfer sent");
    // A refused movement writes none.
    assert_eq!(transfer(&app, &a, &b, 1_000_000).await.status(), 422);
    assert_eq!(inbox(&app, &a.token).await.len(), 2);
    assert_eq!(inbox(&app, &b.token).await.len(), 1);
    // The inbox pages by cursor, newest first.
    let r = call(
        &app,
        "GET",
        "/v1/me/notifications?limit=1",
        None,
        Some(&a.token),
    )
    .await;
    let (_, first) = typed::<NotificationPage>(r).await;
    assert_eq!(first.items[0].kind, "transfer_out");
    let cursor = first.next_cursor.as_deref().unwrap();
    let path = format!("/v1/me/notifications?limit=1&cursor={cursor}");
    let (_, second) =
        typed::<NotificationPage>(call(&app, "GET", &path, None, Some(&a.token)).await).await;
    assert_eq!(second.items[0].kind, "topup");
    assert!(second.next_cursor.is_none());
}

#[tokio::test]
async fn the_live_stream_delivers_a_notification_event_soon_after_a_transfer() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let mut stream = app
        .client
        .get(format!("{}/v1/me/notifications/stream", app.address))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let kind = stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.starts_with("text/event-stream"), "{kind}");
    let (_, t) = typed::<MoneyReply>(transfer(&app, &a, &b, 1_500).await).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut text = String::new();
    while !text.contains("\n\n") || !text.contains("event: notification") {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no notification event within 5 s: {text:?}"))
            .unwrap()
            .expect("the stream ended");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: notification"), "{text}");
    let data = text
        .lines()
        .find_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
        .unwrap();
    let event: NotificationBody = serde_json::from_str(data).unwrap();
    assert_eq!(event.kind, "transfer_in");
    let records = records(&app, &b.token, "").await;
    assert_eq!(event.transaction_id.as_deref(), records[0]["id"].as_str());
    assert_ne!(
        event.transaction_id.as_deref(),
        Some(t.id.as_str()),
        "the payee's own record"
    );
    drop(stream);

    // Resuming after an event id replays what came after it.
    let mut resumed = app
        .client
        .get(format!("{}/v1/me/notifications/stream", app.address))
        .bearer_auth(&b.token)
        .header("Last-Event-ID", "0")
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !text.contains("event: notification") {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, resumed.chunk())
            .await
            .unwrap_or_else(|_| panic!("nothing replayed within 5 s: {text:?}"))
            .unwrap()
            .expect("the stream ended");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("transfer_in"), "{text}");
}

#[tokio::test]
async fn a_large_movement_also_texts_the_holder() {
    let app = spawn_app().await;
    let a = funded(&app, "张三", 300_000).await;
    let b = open_l1_holder_named(&app, "李四").await;
    let texts_a = sms_to(&app, &a.phone).await;
    assert!(
        texts_a[0]["text"].as_str().unwrap().contains("充值成功"),
        "a ¥3,000 top-up is texted: {:?}",
        texts_a[0]
    );
    let before = sms_to(&app, &b.phone).await.len();
    assert_eq!(transfer(&app, &a, &b, 99_999).await.status(), 201);
    assert_eq!(
        sms_to(&app, &b.phone).await.len(),
        before,
        "below ¥1,000: no SMS"
    );
    assert_eq!(transfer(&app, &a, &b, 100_000).await.status(), 201);
    let texts_b = sms_to(&app, &b.phone).await;
    assert_eq!(texts_b.len(), before + 1, "¥1,000: one SMS");
    let text = texts_b[0]["text"].as_str().unwrap();
    assert!(text.contains("¥1,000.00"), "{text}");
    assert!(texts_b[0]["code"].is_null());
}
