//! Storage for qianbao: an embedded SQLite file by default, PostgreSQL for production, both behind
//! the wallet's [`LedgerStore`] port, with the same migrations and the same group commit.

mod batch;
pub mod log;
mod migrate;
mod money_batch;
pub mod portable;
mod postgres;
mod record_store;
pub mod restrictions;
mod rows;
// The sandbox bank's books, for its statements.
mod sandbox_bank;
mod seams;
mod sms_outbox;
pub mod sqlite;

pub use portable::{Mode, Row, Storage, Tx, Value};
pub use postgres::PostgresStore;
pub use restrictions::Restriction;
pub use seams::Seams;
pub use sqlite::SqliteStore;

use qianbao_wallet::{LedgerStore, StoreError};
use std::path::PathBuf;
use std::sync::Arc;

/// The most instructions one storage transaction applies. Large enough that one fsync carries
/// thousands of payments under load, small enough that a batch's locks are short.
pub const BATCH_SIZE_MAX: usize = 1000;

/// How many money calls may wait for the writer before callers are made to wait for room.
const QUEUE_DEPTH_MAX: usize = 16 * BATCH_SIZE_MAX;

/// Where the wallet keeps its data.
#[derive(Clone, Debug)]
pub enum Location {
    /// A SQLite file `qianbao.db` inside this folder, made if missing.
    SqliteDir(PathBuf),
    /// A PostgreSQL database, as a `postgres://` URL.
    Postgres(String),
}

/// Opens the storage at `location`, applying migrations, and starts its writer; over the system
/// clock and the OS's randomness.
pub async fn open(location: &Location) -> Result<Arc<dyn LedgerStore>, StoreError> {
    open_with(location, Seams::default()).await
}

/// Opens the storage at `location` as [`open`] does, reading the time and randomness from
/// `seams` (the simulation's clock, say).
pub async fn open_with(
    location: &Location,
    seams: Seams,
) -> Result<Arc<dyn LedgerStore>, StoreError> {
    Ok(match location {
        Location::SqliteDir(dir) => Arc::new(SqliteStore::open_with(dir, seams).await?),
        Location::Postgres(url) => Arc::new(PostgresStore::open_with(url, seams).await?),
    })
}
