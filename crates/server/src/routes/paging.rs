//! Pages of a list: the page size a client asks for with `?limit=`, and the cursor of the next
//! page. A list is read one row past the page, so whether a next page exists is known without a
//! count.

use crate::error::ApiError;
use axum::http::StatusCode;

/// A page size from `?limit=`: 1–100, default 20.
pub(crate) fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "limit is 1–100.",
        )
        .field("limit")),
    }
}

/// Cuts `rows`, read with one row more than `limit`, down to the page, and names the next page's
/// cursor: the last row's, when a row was left over.
pub(crate) fn next_cursor<T>(
    rows: &mut Vec<T>,
    limit: i64,
    cursor_of: impl FnOnce(&T) -> String,
) -> Option<String> {
    let size = usize::try_from(limit).unwrap_or(0);
    if rows.len() > size {
        rows.truncate(size);
        rows.last().map(cursor_of)
    } else {
        None
    }
}
