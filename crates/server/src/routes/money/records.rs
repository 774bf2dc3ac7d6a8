//! The holder's records: the list (filtered by type and time, cursor-paged), one record, the CSV
//! and JSON exports (optionally carrying the journal log's proofs) and the month's summary. Days
//! and months are China time (UTC+8, no daylight saving).

use super::super::paging::{next_cursor, page_size};
use super::statement::{StatementLang, statement};
use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qianbao_api_types::proofs::{CheckpointReply, InclusionReply, ProofAccount};
use qianbao_api_types::statement::{StatementExport, StatementLine};
use qianbao_api_types::{Problem, SummaryBody, SummaryCategory, TransactionBody, TransactionPage};
use qianbao_wallet::domain::ChinaDay;
use qianbao_wallet::money::records::{Direction, MovementFilter, MovementKind, MovementRecord};
use qianbao_wallet::proofs::Inclusion;
use qianbao_wallet::proofs::statement::STATEMENT_PROOFS_MAX;
use serde::Deserialize;

/// A time bound of the records' filters: an RFC 3339 time or a day (`YYYY-MM-DD`, China time).
pub struct TimeBound;

impl utoipa::PartialSchema for TimeBound {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(string(KnownFormat::DateTime))
            .item(string(KnownFormat::Date))
            .description(Some(
                "An RFC 3339 time (`2026-12-01T08:00:00Z`) or a day in China time (`2026-12-01`).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for TimeBound {}

/// Filters of the records and the export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund` or `settlement`.
    #[serde(rename = "type")]
    #[param(pattern = r"^(topup|withdrawal|transfer|payment|refund|settlement)$")]
    pub kind: Option<String>,
    /// From this time (RFC 3339) or day (`YYYY-MM-DD`, China time) on.
    #[param(value_type = Option<TimeBound>)]
    pub from: Option<String>,
    /// Before this time, or until the end of this day.
    #[param(value_type = Option<TimeBound>)]
    pub to: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// Filters of the export: those of the records, without paging (the export is one file of at
/// most 10,000 rows). Paging parameters are refused rather than silently ignored.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund` or `settlement`.
    #[serde(rename = "type")]
    #[param(pattern = r"^(topup|withdrawal|transfer|payment|refund|settlement)$")]
    pub kind: Option<String>,
    /// From this time (RFC 3339) or day (`YYYY-MM-DD`, China time) on.
    #[param(value_type = Option<TimeBound>)]
    pub from: Option<String>,
    /// Before this time, or until the end of this day.
    #[param(value_type = Option<TimeBound>)]
    pub to: Option<String>,
    /// `zh` (the default): Chinese column names and values; `en`: English column names and the
    /// API's codes. Either way UTF-8 with a byte-order mark, times in China time
    /// (`YYYY-MM-DD HH:MM:SS`), amounts in yuan with two decimals.
    #[param(value_type = Option<StatementLang>)]
    pub lang: Option<StatementLang>,
    /// `true`: each row also carries its ledger entry's inclusion proof in the journal log, all
    /// under one checkpoint (columns `entry`, `leaf_index`, `tree_size`, `leaf`, `proof`,
    /// `accounts`, `checkpoint_size`, `checkpoint_root`; at most 1,000 rows, else 422).
    /// Default `false`.
    #[param(value_type = Option<bool>)]
    pub proofs: Option<String>,
    /// With `proofs=true`: the size of the published checkpoint to prove under (as
    /// `GET /v1/proofs/checkpoint` answered it); the latest when left out.
    #[param(minimum = 0)]
    pub size: Option<i64>,
}

/// Filters of the JSON statement: those of the CSV export, without its language.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund` or `settlement`.
    #[serde(rename = "type")]
    #[param(pattern = r"^(topup|withdrawal|transfer|payment|refund|settlement)$")]
    pub kind: Option<String>,
    /// From this time (RFC 3339) or day (`YYYY-MM-DD`, China time) on.
    #[param(value_type = Option<TimeBound>)]
    pub from: Option<String>,
    /// Before this time, or until the end of this day.
    #[param(value_type = Option<TimeBound>)]
    pub to: Option<String>,
    /// `true`: each record carries its ledger entry's inclusion proof, and the answer the
    /// checkpoint they are all under (at most 1,000 records, else 422). Default `false`.
    #[param(value_type = Option<bool>)]
    pub proofs: Option<String>,
    /// With `proofs=true`: the size of the published checkpoint to prove under (as
    /// `GET /v1/proofs/checkpoint` answered it); the latest when left out.
    #[param(minimum = 0)]
    pub size: Option<i64>,
}

/// A time bound: RFC 3339, or a day in China time (`to` then means the end of that day).
fn bound(text: &str, end_of_day: bool) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "Times are RFC 3339 (2026-12-01T08:00:00Z) or days (2026-12-01).",
        )
    };
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|_| bad());
    }
    let day = time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| bad())?;
    let day = ChinaDay::of_date(day);
    Ok(if end_of_day {
        day.end_ms()
    } else {
        day.start_ms()
    })
}

/// A day in milliseconds; China has no daylight saving, so every day is this long.
const DAY_MS: i64 = 86_400_000;

/// The filters the records, the CSV export and the JSON statement share, as their queries gave
/// them: one reading of `type`, `from` and `to` for all three.
#[derive(Clone, Copy)]
struct Filters<'a> {
    kind: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
}

impl<'a> Filters<'a> {
    fn of(kind: &'a Option<String>, from: &'a Option<String>, to: &'a Option<String>) -> Self {
        Filters {
            kind: kind.as_deref(),
            from: from.as_deref(),
            to: to.as_deref(),
        }
    }
}

fn filter(
    query: Filters<'_>,
    cursor: Option<&String>,
    limit: i64,
) -> Result<MovementFilter, ApiError> {
    if let Some(kind) = query.kind
        && MovementKind::parse(kind).is_none()
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("type is one of {}.", MovementKind::names().join(", ")),
        )
        .field("type"));
    }
    Ok(MovementFilter {
        kind: query.kind.and_then(MovementKind::parse),
        from_ms: query.from.map(|t| bound(t, false)).transpose()?,
        to_ms: query.to.map(|t| bound(t, true)).transpose()?,
        before_id: cursor.filter(|c| c.len() <= 64).cloned(),
        limit,
    })
}

/// What paid an outgoing payment or transfer: a card when it names one, else the balance.
fn method(m: &MovementRecord) -> Option<String> {
    let paid = matches!(m.kind, MovementKind::Payment | MovementKind::Transfer)
        && m.direction == Direction::Out;
    paid.then(|| {
        if m.card_id.is_some() {
            "card"
        } else {
            "balance"
        }
        .into()
    })
}

fn transaction(m: MovementRecord, cards: &[(String, String)]) -> TransactionBody {
    let card = m.card_id.as_ref().and_then(|id| {
        cards
            .iter()
            .find(|(card_id, _)| card_id == id)
            .map(|(_, shown)| shown.clone())
    });
    TransactionBody {
        method: method(&m),
        card,
        id: m.id,
        kind: m.kind.as_str().into(),
        direction: m.direction.as_str().into(),
        amount: m.amount.minor(),
        fee: m.fee.minor(),
        currency: m.currency.as_str().into(),
        counterparty: m.counterparty,
        status: m.status.as_str().into(),
        memo: m.memo,
        created_at: rfc3339(m.created_ms),
        updated_at: rfc3339(m.updated_ms),
    }
}

/// The holder's records, newest first, filtered and cursor-paged.
#[utoipa::path(get, path = "/v1/me/transactions", tag = "money", security(("session" = [])), params(RecordQuery),
    responses((status = 200, description = "A page", body = TransactionPage)))]
pub async fn transactions(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<RecordQuery>,
) -> Result<Json<TransactionPage>, ApiError> {
    let limit = page_size(query.limit)?;
    let filters = Filters::of(&query.kind, &query.from, &query.to);
    let f = filter(filters, query.cursor.as_ref(), limit + 1)?;
    let mut rows = state.money.records(&state.storage, &me.holder, f).await?;
    let next_cursor = next_cursor(&mut rows, limit, |m| m.id.clone());
    let cards = state.money.card_labels(&state.storage, &me.holder).await?;
    Ok(Json(TransactionPage {
        items: rows.into_iter().map(|m| transaction(m, &cards)).collect(),
        next_cursor,
    }))
}

/// One record of the holder's.
#[utoipa::path(get, path = "/v1/me/transactions/{id}", tag = "money", security(("session" = [])),
    params(("id" = String, Path, description = "The record's id")),
    responses(
        (status = 200, description = "The record", body = TransactionBody),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn transaction_one(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Json<TransactionBody>, ApiError> {
    let m = state.money.record(&state.storage, &me.holder, &id).await?;
    let cards = state.money.card_labels(&state.storage, &me.holder).await?;
    Ok(Json(transaction(m, &cards)))
}

/// A CSV field, quoted, with formula characters defused for spreadsheets.
pub(crate) fn csv_field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// `proofs=true|false`, named in the refusal (a bare `bool` would be refused without the field).
fn proofs_wanted(text: Option<&str>, size: Option<i64>) -> Result<bool, ApiError> {
    let wanted = match text {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "proofs is true or false.",
            )
            .field("proofs"));
        }
    };
    if size.is_some() && !wanted {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "size chooses the checkpoint of the proofs: it needs proofs=true.",
        )
        .field("size"));
    }
    Ok(wanted)
}

/// The records an export covers: at most 10,000, or with proofs at most
/// [`STATEMENT_PROOFS_MAX`] — more is refused rather than cut, since a statement with proofs
/// that silently left records out would prove less than it seems to.
async fn export_rows(
    state: &AppState,
    me: &CurrentHolder,
    query: Filters<'_>,
    proofs: bool,
) -> Result<Vec<MovementRecord>, ApiError> {
    let limit = if proofs {
        i64::try_from(STATEMENT_PROOFS_MAX)
            .unwrap_or(i64::MAX)
            .saturating_add(1)
    } else {
        qianbao_wallet::money::history::EXPORT_ROWS_MAX
    };
    let rows = state
        .money
        .records(&state.storage, &me.holder, filter(query, None, limit)?)
        .await?;
    if proofs && rows.len() > STATEMENT_PROOFS_MAX {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!(
                "More than {STATEMENT_PROOFS_MAX} records match: a statement carries proofs for \
                 at most {STATEMENT_PROOFS_MAX}. Narrow from and to (or type), and export the \
                 periods one by one."
            ),
        )
        .field("proofs"));
    }
    Ok(rows)
}

/// The holder's records as a CSV statement (at most 10,000 rows), with the same filters: UTF-8
/// with a byte-order mark, Chinese unless `lang=en`, times in China time. With `proofs=true`
/// (at most 1,000 rows) each row also carries the inclusion proof of its ledger entry under one
/// checkpoint, in columns named the same in both languages; the signed checkpoint itself is
/// `GET /v1/proofs/checkpoint` (pass its `size` here to prove under that one).
#[utoipa::path(get, path = "/v1/me/transactions.csv", tag = "money", security(("session" = [])), params(ExportQuery),
    responses((status = 200, description = "text/csv", content_type = "text/csv", body = String),
        (status = 422, description = "`invalid_request`: a bad filter; `proofs` not true or false, or more than 1,000 records with proofs; `size` no published checkpoint's", body = Problem, content_type = "application/problem+json")))]
pub async fn transactions_csv(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let proofs = proofs_wanted(query.proofs.as_deref(), query.size)?;
    let from_ms = query.from.as_deref().map(|t| bound(t, false)).transpose()?;
    let filters = Filters::of(&query.kind, &query.from, &query.to);
    let rows = export_rows(&state, &me, filters, proofs).await?;
    let proved = if proofs {
        Some(
            state
                .proofs
                .statement(&state.storage, &me.holder, &rows, query.size)
                .await?,
        )
    } else {
        None
    };
    let lang = query.lang.unwrap_or_default();
    let mut out = statement(&rows, lang, proved.as_ref());
    // The budgets follow the records, only for a holder who budgets.
    out.push_str(
        &crate::routes::budgets::statement_section(&state, &me.holder, from_ms, lang).await?,
    );
    let mut response = out.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        axum::http::header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"qianbao-transactions.csv\""),
    );
    Ok(response)
}

/// An inclusion proof on the wire, as `GET /v1/me/transactions/{id}/proof` answers it.
pub(crate) fn inclusion_reply(p: &Inclusion) -> InclusionReply {
    InclusionReply {
        leaf_index: p.leaf_index,
        leaf: B64.encode(&p.leaf),
        tree_size: p.tree_size,
        root_hash: B64.encode(p.root),
        proof: p.proof.iter().map(|h| B64.encode(h)).collect(),
        accounts: p
            .accounts
            .iter()
            .map(|a| ProofAccount {
                commitment: B64.encode(a.commitment),
                salt: B64.encode(a.salt),
            })
            .collect(),
    }
}

/// The holder's records as a JSON statement, with the CSV export's filters: amounts in minor
/// units, the API's codes, RFC 3339 times and each record's ledger entry. With `proofs=true`
/// (at most 1,000 records, else 422 naming `proofs`) every record with a logged entry carries
/// its inclusion proof, all under the one signed checkpoint the answer carries (the latest,
/// published first when the log has grown, or the one of `size`), read in one snapshot:
/// `qianbao proof verify --statement` checks the file offline.
#[utoipa::path(get, path = "/v1/me/transactions.json", tag = "money", security(("session" = [])), params(StatementQuery),
    responses((status = 200, description = "The statement", body = StatementExport),
        (status = 422, description = "`invalid_request`: a bad filter; `proofs` not true or false, or more than 1,000 records with proofs; `size` no published checkpoint's", body = Problem, content_type = "application/problem+json")))]
pub async fn transactions_json(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<StatementQuery>,
) -> Result<Json<StatementExport>, ApiError> {
    let proofs = proofs_wanted(query.proofs.as_deref(), query.size)?;
    let filters = Filters::of(&query.kind, &query.from, &query.to);
    let rows = export_rows(&state, &me, filters, proofs).await?;
    let proved = if proofs {
        Some(
            state
                .proofs
                .statement(&state.storage, &me.holder, &rows, query.size)
                .await?,
        )
    } else {
        None
    };
    let line_proofs = proved.as_ref().map(|p| p.lines.as_slice()).unwrap_or(&[]);
    let cards = state.money.card_labels(&state.storage, &me.holder).await?;
    let transactions = rows
        .into_iter()
        .enumerate()
        .map(|(i, m)| StatementLine {
            proof: line_proofs
                .get(i)
                .and_then(Option::as_ref)
                .map(inclusion_reply),
            entry: m.entry_id.clone(),
            record: transaction(m, &cards),
        })
        .collect();
    Ok(Json(StatementExport {
        checkpoint: proved.map(|p| CheckpointReply {
            origin: p.checkpoint.origin,
            size: p.checkpoint.size,
            root_hash: B64.encode(p.checkpoint.root),
            note: p.checkpoint.note,
            signature: B64.encode(p.checkpoint.signature),
        }),
        transactions,
    }))
}

/// `?month=YYYY-MM`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// The month, China time.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub month: String,
}

/// The month's income and spending (money exchanged with others), what moved between one's own
/// cards and wallet, and totals by type.
#[utoipa::path(get, path = "/v1/me/summary", tag = "money", security(("session" = [])), params(MonthQuery),
    responses((status = 200, description = "Totals", body = SummaryBody)))]
pub async fn summary(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<SummaryBody>, ApiError> {
    let bad = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "month is YYYY-MM.",
        )
        .field("month")
    };
    // Exactly `YYYY-MM`, as documented.
    let bytes = query.month.as_bytes();
    if bytes.len() != 7
        || bytes[4] != b'-'
        || !bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit())
    {
        return Err(bad());
    }
    let year: i32 = query.month[..4].parse().map_err(|_| bad())?;
    let month: u8 = query.month[5..].parse().map_err(|_| bad())?;
    let month_of = time::Month::try_from(month).map_err(|_| bad())?;
    let first = time::Date::from_calendar_date(year, month_of, 1).map_err(|_| bad())?;
    // The month's end is counted in days rather than looked up as the next month's first day,
    // which the calendar does not have after 9999-12.
    let days = i64::from(time::util::days_in_month(month_of, year));
    let from_ms = ChinaDay::of_date(first).start_ms();
    let to_ms = from_ms + days * DAY_MS;
    let s = state
        .money
        .summary(&state.storage, &me.holder, from_ms, to_ms)
        .await?;
    let budgets = crate::routes::budgets::summary_budgets(&state, &me.holder, &query.month).await?;
    Ok(Json(SummaryBody {
        budgets,
        month: query.month,
        total_in: s.total_in.minor(),
        total_out: s.total_out.minor(),
        own_card_in: s.own_card_in.minor(),
        own_card_out: s.own_card_out.minor(),
        categories: s
            .categories
            .into_iter()
            .map(|(kind, direction, total, count)| SummaryCategory {
                kind: kind.as_str().into(),
                direction: direction.as_str().into(),
                total: total.minor(),
                count,
            })
            .collect(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{DAY_MS, bound};

    #[test]
    fn a_day_bound_is_china_midnight_and_its_end_the_next_one() {
        // 2026-12-01T00:00:00+08:00 is 2026-11-30T16:00:00Z.
        let start = bound("2026-12-01", false).unwrap();
        assert_eq!(start, 1_796_054_400_000);
        assert_eq!(bound("2026-12-01", true).unwrap(), start + DAY_MS);
        assert_eq!(bound("2026-11-30T16:00:00Z", false).unwrap(), start);
    }

    #[test]
    fn the_calendars_last_day_still_ends() {
        let start = bound("9999-12-31", false).unwrap();
        assert_eq!(bound("9999-12-31", true).unwrap(), start + DAY_MS);
    }

    #[test]
    fn other_text_is_an_invalid_request() {
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "yesterday",
            "2026-12-01T25:00:00Z",
        ] {
            assert_eq!(
                bound(bad, false).unwrap_err().code(),
                "invalid_request",
                "{bad:?}"
            );
        }
    }
}
