//! Keeping PostgreSQL's statistics of the risk decisions fresh while the table is young.
//!
//! The money writer prepares its statements once per connection, and PostgreSQL settles on a
//! generic plan after a few runs. Planned while `risk_decisions` is nearly empty, that plan may
//! read a holder's window through another index of the table (seen on a fresh database: the
//! device index, scanned whole and filtered by holder — every call reading every decision),
//! and autovacuum analyses the table only after its next nap, a minute or more later. `ANALYZE`
//! invalidates the plans that read the table, so this task analyses it whenever it has grown by a
//! fifth since the last time: on a young table within seconds, on an old one hardly ever.

use super::conn::connect;
use std::time::Duration;
use tokio_postgres::Config;

/// How often the growth is looked at.
const EVERY: Duration = Duration::from_secs(2);
/// The fewest changed rows worth an `ANALYZE`.
const CHANGED_MIN: i64 = 500;

/// Runs for the life of the store.
pub(super) async fn keep_risk_statistics(config: Config) {
    let Ok(client) = connect(&config).await else {
        return;
    };
    loop {
        tokio::time::sleep(EVERY).await;
        let grown = client
            .query_opt(
                "SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables \
                 WHERE relname = 'risk_decisions'",
                &[],
            )
            .await;
        let Ok(Some(row)) = grown else {
            continue;
        };
        let (changed, live): (i64, i64) = (row.get(0), row.get(1));
        if changed >= CHANGED_MIN.max(live / 5)
            && let Err(e) = client.batch_execute("ANALYZE risk_decisions").await
        {
            tracing::warn!(error = %e, "could not analyse risk_decisions");
        }
    }
}
