//! The checkpointer thread, which copies committed WAL frames into the database file.

use rusqlite::Connection;

/// How often the checkpointer copies committed WAL frames into the database file.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// WAL frames (4 KiB pages) beyond which the checkpointer stops being polite: a RESTART
/// checkpoint briefly waits for the writer so the WAL starts over instead of growing without end.
const WAL_FRAMES_MAX: i64 = 16_384;

/// The checkpointer thread: every interval, copies what it can of the WAL into the database file
/// without blocking the writer (PASSIVE); when the WAL has grown past [`WAL_FRAMES_MAX`], waits
/// for a gap between batches (RESTART) so the WAL is reused from its start. Ends with the store.
pub(super) fn checkpoint_wal(conn: &Connection, stopped: &std::sync::mpsc::Receiver<()>) {
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
        stopped.recv_timeout(CHECKPOINT_INTERVAL)
    {
        let passive = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match passive {
            Ok((frames, copied)) if frames > WAL_FRAMES_MAX && copied < frames => {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL restart checkpoint failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
        }
    }
}
