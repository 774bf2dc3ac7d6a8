//! The policy in force, swappable while the server runs. An approved console `policy_change`
//! replaces it at once; every request reads it once, when its handler's state is taken (see
//! [`crate::state::Shared`]), so one money call never sees half of an old policy and half of a
//! new one. The lock is held only to clone an `Arc`, never across an await.

use crate::policy::Policy;
use qianbao_store::Storage;
use qianbao_wallet::console::policy::PolicyRules;
use qianbao_wallet::levels::LevelTable;
use qianbao_wallet::money::Money;
use qianbao_wallet::storage::RecordStore;
use std::sync::{Arc, RwLock};

/// The policy in force and the stored version it comes from.
#[derive(Clone)]
struct InForce {
    /// The newest stored version laid over the file (0: none yet, the file alone).
    version: i64,
    /// The policy.
    policy: Arc<Policy>,
    /// Its limits per level, shared by every request until the next swap (no copy per call).
    levels: Arc<LevelTable>,
}

impl InForce {
    fn of(version: i64, policy: Policy) -> InForce {
        InForce {
            version,
            levels: Arc::new(policy.levels.clone()),
            policy: Arc::new(policy),
        }
    }
}

/// The policy in force, and the file's policy every stored version is laid over.
pub struct LivePolicy {
    file: Arc<Policy>,
    now: RwLock<InForce>,
}

impl LivePolicy {
    /// The file's policy with stored version `version`'s `policy` (the file's itself at 0).
    pub fn new(file: Policy, version: i64, policy: Policy) -> LivePolicy {
        LivePolicy {
            file: Arc::new(file),
            now: RwLock::new(InForce::of(version, policy)),
        }
    }

    /// The policy in force.
    pub fn current(&self) -> Arc<Policy> {
        self.in_force().policy
    }

    /// The stored version in force (0: the file alone); it only grows.
    pub fn version(&self) -> i64 {
        self.reading(|now| now.version)
    }

    fn in_force(&self) -> InForce {
        self.reading(InForce::clone)
    }

    /// What `read` takes from the policy in force, under the lock.
    fn reading<T>(&self, read: impl FnOnce(&InForce) -> T) -> T {
        // A poisoned lock still holds a whole value: it is only ever replaced whole.
        match self.now.read() {
            Ok(guard) => read(&guard),
            Err(poisoned) => read(&poisoned.into_inner()),
        }
    }

    /// `money` with the limits, fees and money numbers in force.
    pub fn money(&self, money: &Money) -> Money {
        let in_force = self.in_force();
        let mut money = money.clone();
        money.levels = in_force.levels;
        money.fees = in_force.policy.fees;
        money.policy = in_force.policy.money.clone();
        money
    }

    /// Reads the newest stored version and, when it is newer than the one in force, makes it
    /// the policy in force — after its risk rules are kept under their hash, so every decision
    /// made under them can be judged again. Called after an approval, and now and then, so a
    /// change approved on another node reaches this one too.
    pub async fn refresh(&self, storage: &Storage, money: &Money) -> Result<(), String> {
        let latest = newest_version(storage).await.map_err(|e| e.to_string())?;
        let Some(latest) = latest else {
            return Ok(());
        };
        if latest.version <= self.in_force().version {
            return Ok(());
        }
        let policy = Policy::clone(&self.file).with_version(&latest.document)?;
        let mut next = money.clone();
        next.policy = policy.money.clone();
        next.remember_rule_set(storage)
            .await
            .map_err(|e| e.to_string())?;
        let mut guard = match self.now.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Two refreshes racing: the newer version wins, whichever finishes last.
        if latest.version > guard.version {
            *guard = InForce::of(latest.version, policy);
        }
        Ok(())
    }
}

/// The newest stored version of the policy.
async fn newest_version(
    storage: &Storage,
) -> Result<Option<qianbao_wallet::records::PolicyVersionRecord>, qianbao_wallet::StoreError> {
    RecordStore::transact(storage, |r| r.latest_policy_version()).await
}

impl PolicyRules for LivePolicy {
    fn current(&self) -> serde_json::Value {
        LivePolicy::current(self).document()
    }

    fn merged(&self, changes: &serde_json::Value) -> Result<serde_json::Value, String> {
        LivePolicy::current(self)
            .changed(changes)
            .map(|p| p.document())
    }
}
