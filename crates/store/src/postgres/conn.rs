//! Connections: making one, with the task that drives it, and a record connection with the
//! statements it has prepared.

use super::error::pg_error;
use qianbao_wallet::StoreError;
use std::time::Duration;
use tokio_postgres::{Client, Config, NoTls};

/// How long making a connection may take before storage counts as unreachable.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection for record transactions with the statements it has prepared: each statement is
/// parsed once per connection, so running it again costs one round trip, not two.
pub(super) struct RecordConn {
    pub(super) client: Client,
    pub(super) statements: std::collections::HashMap<String, tokio_postgres::Statement>,
}

pub(super) async fn connect(config: &Config) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await.map_err(pg_error)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "PostgreSQL connection closed");
        }
    });
    Ok(client)
}
