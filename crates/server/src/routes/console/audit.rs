//! The audit log from the console: searched by actor, action, entity and time, newest first, as
//! JSON or as CSV.

use super::views::audit_view;
use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::routes::money::records::csv_field;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::console::AuditLineView;
use qianbao_wallet::records::AuditQuery;
use serde::Deserialize;

/// The most lines one page answers.
const PAGE_MAX: i64 = 1_000;

/// `?actor=&action=&entity=&since_ms=&before_seq=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// `staff:<id>` or `cli`.
    pub actor: Option<String>,
    /// An action's name, e.g. `holder.view`.
    pub action: Option<String>,
    /// What it was about, e.g. `holder:<id>`.
    pub entity: Option<String>,
    /// From this time on (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Lines before this sequence number (the next page).
    pub before_seq: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

impl AuditParams {
    fn query(self) -> AuditQuery {
        AuditQuery {
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            since_ms: self.since_ms,
            before_seq: self.before_seq,
            limit: self.limit.unwrap_or(100).clamp(1, PAGE_MAX),
        }
    }
}

/// Searches the audit log, newest first.
#[utoipa::path(get, path = "/v1/console/audit", tag = "console", security(("session" = [])), params(AuditParams),
    responses((status = 200, description = "Lines, newest first", body = [AuditLineView]),
              (status = 403, description = "`permission_denied`: needs audit.view", body = Problem, content_type = "application/problem+json")))]
pub async fn search(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Query(params): Query<AuditParams>,
) -> Result<Json<Vec<AuditLineView>>, ApiError> {
    let lines = state
        .console
        .search_audit(&state.storage, &staff, params.query())
        .await?;
    Ok(Json(lines.into_iter().map(audit_view).collect()))
}

/// The same search as CSV, for export.
#[utoipa::path(get, path = "/v1/console/audit.csv", tag = "console", security(("session" = [])), params(AuditParams),
    responses((status = 200, description = "Lines, newest first, as CSV", content_type = "text/csv"),
              (status = 403, description = "`permission_denied`: needs audit.view", body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Query(params): Query<AuditParams>,
) -> Result<Response, ApiError> {
    let lines = state
        .console
        .search_audit(&state.storage, &staff, params.query())
        .await?;
    let mut csv = String::from("seq,at,actor,action,entity,before,after,reason,outcome,hash\n");
    for l in lines.into_iter().map(audit_view) {
        let fields = [
            l.seq.to_string(),
            l.at,
            l.actor,
            l.action,
            l.entity,
            l.before,
            l.after,
            l.reason,
            l.outcome,
            l.hash,
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
