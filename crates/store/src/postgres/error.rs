//! Mapping PostgreSQL failures to `StoreError`, and telling which of them call for running the
//! transaction again.

use qianbao_wallet::StoreError;
use tokio_postgres::error::SqlState;

pub(super) fn pg_error(e: tokio_postgres::Error) -> StoreError {
    // The Display of a server error is just "db error"; the server's own message says what.
    let message = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    };
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        return StoreError::Duplicate(message);
    }
    StoreError::Unavailable(message)
}

/// Whether a failure means "run the transaction again": SERIALIZABLE refused to interleave it with
/// another, or two transactions deadlocked.
pub(super) fn must_retry(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
    )
}
