//! The pool of idle SQLite connections that reads and record transactions reuse.

use super::open::connect;
use qianbao_wallet::StoreError;
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::Mutex;

/// Idle connections kept for reuse.
const POOL_IDLE_MAX: usize = 12;

pub(super) struct Pool {
    pub(super) path: PathBuf,
    pub(super) idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub(super) fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(conn) => Ok(conn),
            None => connect(&self.path),
        }
    }

    pub(super) fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < POOL_IDLE_MAX
        {
            idle.push(conn);
        }
    }
}
