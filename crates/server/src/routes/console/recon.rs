//! Reconciliation from the console: uploading the bank's statement (the same CSV and parser as
//! `qianbao admin recon import`), the cases, accepting one with a note, and the funding alerts.

use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qianbao_api_types::Problem;
use qianbao_api_types::console_money::{
    AcceptCaseBody, FundingAlertView, ReconCaseView, ReconImportView,
};
use qianbao_wallet::console::ConsoleError;
use qianbao_wallet::money::records::{CaseRecord, CaseStatus, FundingAlertRecord};
use qianbao_wallet::recon::statement::day_text;
use serde::Deserialize;

/// The largest statement the console takes in one upload (the command line takes larger).
pub const UPLOAD_BYTES_MAX: usize = 64 * 1024 * 1024;

/// The statement file, as the document describes it.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String)]
#[allow(dead_code)]
pub(crate) struct StatementCsv(String);

fn case_view(c: CaseRecord) -> ReconCaseView {
    ReconCaseView {
        case_id: c.id,
        kind: c.kind.as_str().into(),
        day: day_text(c.day),
        reference: c.bank_reference.as_str().into(),
        our_references: c.our_references,
        our_amount: c.our_amount.map(|a| a.minor()),
        bank_amount: c.bank_amount.map(|a| a.minor()),
        currency: c.currency.as_str().into(),
        status: c.status.as_str().into(),
        detail: c.detail,
        note: c.note,
        adjustment_id: c.adjustment_id,
        import_id: c.import_id,
        created_at: rfc3339(c.created_ms),
        resolved_at: c.resolved_ms.map(rfc3339),
    }
}

fn alert_view(a: FundingAlertRecord) -> FundingAlertView {
    FundingAlertView {
        alert_id: a.id,
        day: day_text(a.day),
        currency: a.currency.as_str().into(),
        difference: a.difference.minor(),
        detail: a.detail,
        created_at: rfc3339(a.created_ms),
    }
}

/// Imports the bank's statement (the CSV as the raw body) and matches it: one case per new
/// break. A bad line refuses the whole file; the same file again answers its first import.
#[utoipa::path(post, path = "/v1/console/recon/imports", tag = "console", security(("session" = [])),
    request_body(description = "The statement file (docs/reconciliation.md)", content((inline(StatementCsv) = "text/csv"))),
    responses((status = 200, description = "Matched", body = ReconImportView),
              (status = 403, description = "`permission_denied`: needs money.manage", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "`payload_too_large`: over 64 MiB (use `qianbao admin recon import`)", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`statement_invalid` with `line`: nothing was imported", body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ReconImportView>, ApiError> {
    let bytes = body.map_err(|e| {
        ApiError::new(
            e.status(),
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "payload_too_large"
            } else {
                "malformed_request"
            },
            format!("The statement could not be read: {}", e.body_text()),
        )
    })?;
    let (imported, cases) = state
        .console
        .import_statement(&state.storage, &staff, &bytes)
        .await?;
    let i = imported.import;
    let c = i.counts;
    Ok(Json(ReconImportView {
        import_id: i.id,
        replayed: imported.replayed,
        lines: i.lines,
        matched: c.matched,
        missing_here: c.missing_here,
        missing_at_bank: c.missing_at_bank,
        amount_differs: c.amount_differs,
        date_outside_tolerance: c.date_outside_tolerance,
        cases: cases.into_iter().map(case_view).collect(),
    }))
}

/// `?status=open|accepted|adjusted|resolved|all`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CaseFilter {
    /// `open` (the default), `accepted`, `adjusted`, `resolved` (accepted or adjusted) or `all`.
    pub status: Option<String>,
}

/// Reconciliation cases, oldest first.
#[utoipa::path(get, path = "/v1/console/recon/cases", tag = "console", security(("session" = [])), params(CaseFilter),
    responses((status = 200, description = "Cases", body = [ReconCaseView]),
              (status = 403, description = "`permission_denied`: needs money.view", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: unknown status", body = Problem, content_type = "application/problem+json")))]
pub async fn cases(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Query(filter): Query<CaseFilter>,
) -> Result<Json<Vec<ReconCaseView>>, ApiError> {
    let wanted = filter.status.as_deref().unwrap_or("open");
    let (status, resolved_only) = match wanted {
        "all" => (None, false),
        "resolved" => (None, true),
        name => (
            Some(CaseStatus::parse(name).ok_or(ConsoleError::Invalid(
                "status is open, accepted, adjusted, resolved or all",
            ))?),
            false,
        ),
    };
    let list = state
        .console
        .recon_cases(&state.storage, &staff, status)
        .await?;
    Ok(Json(
        list.into_iter()
            .filter(|c| !resolved_only || c.status != CaseStatus::Open)
            .map(case_view)
            .collect(),
    ))
}

/// Accepts an open case with a note: the difference is understood and needs no entry.
#[utoipa::path(post, path = "/v1/console/recon/cases/{id}/accept", tag = "console", security(("session" = [])), request_body = AcceptCaseBody,
    params(("id" = String, Path, description = "The case")),
    responses((status = 200, description = "Accepted", body = ReconCaseView),
              (status = 403, description = "`permission_denied`: needs money.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`case_decided`: resolved already", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: the note", body = Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AcceptCaseBody>,
) -> Result<Json<ReconCaseView>, ApiError> {
    let case = state
        .console
        .accept_case(&state.storage, &staff, &id, &body.note)
        .await?;
    Ok(Json(case_view(case)))
}

/// The daily funding check's alerts, newest first: each a currency whose funding account was
/// off, and by how much.
#[utoipa::path(get, path = "/v1/console/recon/alerts", tag = "console", security(("session" = [])),
    responses((status = 200, description = "Alerts", body = [FundingAlertView]),
              (status = 403, description = "`permission_denied`: needs money.view", body = Problem, content_type = "application/problem+json")))]
pub async fn alerts(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<Vec<FundingAlertView>>, ApiError> {
    let list = state.console.funding_alerts(&state.storage, &staff).await?;
    Ok(Json(list.into_iter().map(alert_view).collect()))
}
