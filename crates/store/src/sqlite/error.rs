//! Mapping SQLite failures to the wallet's `StoreError`.

use qianbao_wallet::StoreError;
use rusqlite::ErrorCode;

/// Maps a SQLite failure: a damaged or foreign file is `Corrupt`, a unique key taken is
/// `Duplicate`, anything else `Unavailable`.
pub(super) fn store_error(e: rusqlite::Error) -> StoreError {
    const UNIQUE: i32 = 2067;
    const PRIMARY_KEY: i32 = 1555;
    if let rusqlite::Error::SqliteFailure(failure, _) = &e
        && matches!(failure.extended_code, UNIQUE | PRIMARY_KEY)
    {
        return StoreError::Duplicate(e.to_string());
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}
