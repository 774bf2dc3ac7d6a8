//! The holder's inbox: a page of alerts, and the live stream of new ones as Server-Sent Events,
//! which lasts as long as the client listens and its session lives.

use super::super::paging::{next_cursor, page_size};
use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::{NotificationBody, NotificationPage};
use qianbao_wallet::money::records::NotificationRecord;
use serde::Deserialize;

/// `?cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

fn notification(n: NotificationRecord) -> NotificationBody {
    NotificationBody {
        id: n.id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        title_en: n.title_en,
        body_en: n.body_en,
        transaction_id: n.movement_id,
        created_at: rfc3339(n.created_ms),
    }
}

/// The holder's inbox, newest first.
#[utoipa::path(get, path = "/v1/me/notifications", tag = "money", security(("session" = [])), params(PageQuery),
    responses((status = 200, description = "A page", body = NotificationPage)))]
pub async fn notifications(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    let limit = page_size(query.limit)?;
    let before = query.cursor.as_deref().and_then(|c| c.parse::<i64>().ok());
    let mut rows = state
        .money
        .notifications(&state.storage, &me.holder, before, None, limit + 1)
        .await?;
    let next_cursor = next_cursor(&mut rows, limit, |n| n.id.to_string());
    Ok(Json(NotificationPage {
        items: rows.into_iter().map(notification).collect(),
        next_cursor,
    }))
}

/// How often the live stream looks for new alerts. It reads the database, so an alert written
/// by any node reaches an app connected to any other.
const STREAM_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// The inbox as Server-Sent Events: each new alert as one `notification` event, oldest first.
/// `Last-Event-ID` resumes after that alert.
#[utoipa::path(get, path = "/v1/me/notifications/stream", tag = "money", security(("session" = [])),
    responses((status = 200, description = "text/event-stream of notification events", content_type = "text/event-stream", body = String)))]
pub async fn notification_stream(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let start = match resume {
        Some(id) => id,
        None => state
            .money
            .notifications(&state.storage, &me.holder, None, None, 1)
            .await?
            .first()
            .map_or(0, |n| n.id),
    };
    let holder = me.holder.clone();
    // Kept to re-check the session while the stream is open: a revoked session stops it. The
    // web app's EventSource sends the session cookie, an API client the bearer token.
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| crate::cookies::cookie(&headers, crate::cookies::SESSION_COOKIE))
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    let stream = futures_stream(state, holder, token, start);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// How many polls pass between checks that the stream's session is still live (10 s).
const SESSION_RECHECK_POLLS: u64 = 20;

/// Polls the inbox after `last` and yields what arrived, for as long as the client listens and
/// its session lives.
fn futures_stream(
    state: AppState,
    holder: qianbao_wallet::records::HolderRecord,
    token: String,
    last: i64,
) -> impl futures_core::Stream<Item = Result<Event, std::convert::Infallible>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Event>(64);
    tokio::spawn(async move {
        let mut last = last;
        for poll in 0u64.. {
            tokio::time::sleep(STREAM_POLL).await;
            if poll % SESSION_RECHECK_POLLS == SESSION_RECHECK_POLLS - 1
                && matches!(
                    state.opening.authenticate(&state.storage, &token).await,
                    Err(qianbao_wallet::opening::OpeningError::Unauthorized)
                )
            {
                return;
            }
            let Ok(mut fresh) = state
                .money
                .notifications(&state.storage, &holder, None, Some(last), 100)
                .await
            else {
                continue;
            };
            fresh.reverse();
            for n in fresh {
                last = n.id;
                let id = n.id.to_string();
                let data = serde_json::to_string(&notification(n)).unwrap_or_default();
                let event = Event::default().event("notification").id(id).data(data);
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            if tx.is_closed() {
                return;
            }
        }
    });
    tokio_stream_of(rx)
}

/// A receiver as a stream of `Ok` events.
fn tokio_stream_of(
    mut rx: tokio::sync::mpsc::Receiver<Event>,
) -> impl futures_core::Stream<Item = Result<Event, std::convert::Infallible>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx).map(|e| e.map(Ok)))
}
