//! Four-eyes commands: a sensitive console action stored with its exact payload until a second
//! staff member approves (it then runs) or rejects it, or it expires.

use crate::StoreError;

crate::named! {
    /// Where a command stands.
    pub enum CommandStatus {
        /// Waiting for a second staff member.
        Pending = "pending",
        /// Approved, and its payload ran.
        Done = "done",
        /// Approved, but its payload was refused when it ran (say, an adjustment the balance
        /// could not bear); nothing changed.
        Failed = "failed",
        /// Rejected by the checker.
        Rejected = "rejected",
        /// Nobody decided in time.
        Expired = "expired",
    }
}

/// One stored command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandRecord {
    /// The id (UUID v7: an adjustment's movement and ledger entry are derived from it).
    pub id: String,
    /// The action's stable name (`unfreeze`, `adjustment`, `role_change`).
    pub action: String,
    /// What it acts on (`holder:<id>`, `staff:<id>`).
    pub entity: String,
    /// The exact payload that runs on approval, as JSON text.
    pub payload: String,
    /// Why the maker asked for it.
    pub reason: String,
    /// The staff member who asked.
    pub maker: String,
    /// Where it stands.
    pub status: CommandStatus,
    /// The staff member who decided, once decided.
    pub checker: Option<String>,
    /// What running it came to (or why it was rejected), once decided.
    pub outcome: String,
    /// When it was asked for (ms).
    pub created_ms: i64,
    /// When it expires undecided (ms).
    pub expires_ms: i64,
    /// When it was decided (ms).
    pub decided_ms: Option<i64>,
}

/// The commands.
pub trait CommandRecords {
    /// The command with this id.
    fn command(&mut self, id: &str) -> Result<Option<CommandRecord>, StoreError>;
    /// Adds a pending command; `Duplicate` when one is pending for the same action and entity.
    fn insert_command(&mut self, command: &CommandRecord) -> Result<(), StoreError>;
    /// Records a decision: status, checker, outcome and time.
    fn decide_command(&mut self, command: &CommandRecord) -> Result<(), StoreError>;
    /// Marks every pending command past its expiry as expired; how many.
    fn expire_commands(&mut self, now_ms: i64) -> Result<u64, StoreError>;
    /// Commands in `status` (any, if `None`) about `entity` (any, if `None`), newest first.
    fn commands(
        &mut self,
        status: Option<CommandStatus>,
        entity: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CommandRecord>, StoreError>;
}
