//! Policy changes from the console: reading the policy in force and its versions, and what an
//! approved `policy_change` command does — keep a new version of the whole document. The policy
//! file's shape and rules belong to the server, which reads the file; the console reaches them
//! through [`PolicyRules`], so a change is checked by exactly the rules the file is.

use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::StoreError;
use crate::money::records::MoneyTx;
use crate::records::{CommandRecord, PolicyVersionRecord};
use crate::storage::RecordStore;
use serde_json::Value;

/// The most versions one listing answers.
const VERSIONS_MAX: i64 = 200;

/// The operator's policy as the server holds it, in the policy file's shape.
pub trait PolicyRules: Send + Sync {
    /// The whole policy in force now.
    fn current(&self) -> Value;
    /// The whole policy `changes` (a partial document) would make over the policy in force, or
    /// what is wrong with them, in the words the policy file's refusal uses.
    fn merged(&self, changes: &Value) -> Result<Value, String>;
}

/// For a console without a server behind it (the command line): there is no policy in force to
/// change, so every change is refused.
pub struct NoPolicyRules;

impl PolicyRules for NoPolicyRules {
    fn current(&self) -> Value {
        Value::Null
    }

    fn merged(&self, _changes: &Value) -> Result<Value, String> {
        Err("policy changes are made through the server's console".into())
    }
}

impl Console {
    /// The policy in force, in the policy file's shape. Needs `policy.view`.
    pub async fn policy(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<Value, ConsoleError> {
        self.require(store, staff, Permission::view(Group::Policy), "policy.view")
            .await?;
        Ok(self.policy_rules.current())
    }

    /// The policy's versions, newest first. Needs `policy.view`.
    pub async fn policy_versions(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<Vec<PolicyVersionRecord>, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::view(Group::Policy),
            "policy.versions",
        )
        .await?;
        Ok(store.transact(|r| r.policy_versions(VERSIONS_MAX)).await?)
    }

    /// Refuses `changes` the policy file's rules refuse, before a command is stored.
    pub(crate) fn check_policy_change(&self, changes: &Value) -> Result<(), ConsoleError> {
        self.policy_rules
            .merged(changes)
            .map(|_| ())
            .map_err(ConsoleError::PolicyInvalid)
    }
}

/// Runs an approved `policy_change`: `merged` is the change laid over the policy in force now
/// (checked again: the file may have changed under a restart since it was proposed), kept as the
/// next version. What it did, or why the rules refuse it now (nothing changed then).
pub(crate) fn run_policy_change(
    r: &mut dyn MoneyTx,
    merged: Result<Value, String>,
    changes: &Value,
    record: &CommandRecord,
    checker: &str,
    now_ms: i64,
) -> Result<Result<String, String>, StoreError> {
    let document = match merged {
        Ok(document) => document,
        Err(why) => return Ok(Err(format!("the policy's rules refuse it now: {why}"))),
    };
    let version = r.latest_policy_version()?.map_or(1, |v| v.version + 1);
    r.insert_policy_version(&PolicyVersionRecord {
        version,
        command_id: record.id.clone(),
        maker: record.maker.clone(),
        checker: checker.to_string(),
        changes: changes.to_string(),
        document: document.to_string(),
        created_ms: now_ms,
    })?;
    Ok(Ok(format!("policy version {version} in force")))
}
