//! An `Idempotency-Key` in use: reading it before the call (with the maintenance window and the
//! PIN's record), claiming it inside the money transaction, and keeping the reply (or the refusal)
//! with it.

use super::error::MoneyError;
use super::maintenance;
use super::outcome::{IdempotencyKey, Reply};
use super::records::{IdempotencyRecord, IdempotencyState, MoneyTx};
use super::use_cases::Money;
use crate::StoreError;
use crate::storage::RecordStore;

/// The row of a key that may proceed: `None` when new, the running row when a stale attempt is
/// being taken over. A finished key is a [`MoneyError::Replay`]; another request's key a conflict.
pub(crate) fn claim(
    r: &mut dyn MoneyTx,
    key: &IdempotencyKey,
    now_ms: i64,
    stale_ms: i64,
) -> Result<Option<IdempotencyRecord>, MoneyError> {
    judge(r.idempotency(&key.caller, &key.key)?, key, now_ms, stale_ms)
}

/// What a stored row means for a request with `key`: `None` (new) or a stale running row may
/// proceed; a finished one is a [`MoneyError::Replay`]; another request's is a conflict; a fresh
/// running one is in progress. The one reading of the row, before and inside the transaction.
pub(crate) fn judge(
    row: Option<IdempotencyRecord>,
    key: &IdempotencyKey,
    now_ms: i64,
    stale_ms: i64,
) -> Result<Option<IdempotencyRecord>, MoneyError> {
    let Some(row) = row else {
        return Ok(None);
    };
    if row.request_digest != key.digest {
        return Err(MoneyError::IdempotencyConflict);
    }
    // sim_bugs: a finished key taken over like a stale one runs the call, and moves money, again.
    #[cfg(feature = "sim-bugs")]
    if row.state == IdempotencyState::Done
        && crate::sim_bugs::is_on(crate::sim_bugs::Bug::ReplayPostsAgain)
    {
        return Ok(Some(row));
    }
    if row.state == IdempotencyState::Done {
        return Err(MoneyError::Replay(Reply {
            status: u16::try_from(row.status.unwrap_or(500)).unwrap_or(500),
            body: row.body.unwrap_or_default(),
        }));
    }
    if now_ms - row.updated_ms < stale_ms {
        return Err(MoneyError::IdempotencyInProgress);
    }
    Ok(Some(row))
}

/// Records the reply of a finished call with its key.
pub(crate) fn finish(
    r: &mut dyn MoneyTx,
    key: &IdempotencyKey,
    resource_id: &str,
    reply: &Reply,
    now_ms: i64,
) -> Result<(), StoreError> {
    let row = r.idempotency(&key.caller, &key.key)?;
    finish_claimed(r, key, row.as_ref(), resource_id, reply, now_ms)
}

/// [`finish`] for a call that [`claim`]ed its key earlier in the same transaction and wrote no
/// row for it since: `claimed` is what `claim` returned (the row as it still stands), so the
/// row need not be read again.
pub(crate) fn finish_claimed(
    r: &mut dyn MoneyTx,
    key: &IdempotencyKey,
    claimed: Option<&IdempotencyRecord>,
    resource_id: &str,
    reply: &Reply,
    now_ms: i64,
) -> Result<(), StoreError> {
    let created_ms = claimed.map_or(now_ms, |row| row.created_ms);
    r.put_idempotency(&IdempotencyRecord {
        caller: key.caller.clone(),
        key: key.key.clone(),
        request_digest: key.digest.clone(),
        state: IdempotencyState::Done,
        attempt: String::new(),
        resource_id: resource_id.to_string(),
        status: Some(i64::from(reply.status)),
        body: Some(reply.body.clone()),
        created_ms,
        updated_ms: now_ms,
    })
}

/// What [`Money::precheck`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Precheck {
    /// The key's call finished: here is its first reply.
    Replay(Reply),
    /// The call may run; what was read of the payment password.
    Proceed(PinRead),
}

/// What [`Money::precheck`] read of the payment password, for [`Money::check_pin_read`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinRead {
    /// The PIN was right, with no wrong tries or lock to clear.
    clean: bool,
}

impl Money {
    /// The checks before a money call's transaction, from **one** read transaction (one trip to
    /// storage instead of three): the maintenance window, then the `Idempotency-Key` (a finished
    /// key is [`Precheck::Replay`]; a reused or running one is refused as by [`Money::replay`]),
    /// and, when `pin` (holder id, PIN) is given, the payment password's record — whether the PIN
    /// is right with no wrong tries or lock to clear, the common case, which then needs no read
    /// of its own ([`Money::check_pin_read`]). Reading the PIN here changes nothing: the call
    /// still checks its fields first and the PIN after them, as before.
    pub async fn precheck(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
        pin: Option<(&str, &str)>,
    ) -> Result<Precheck, MoneyError> {
        let k = key.clone();
        let pin = pin.map(|(holder, pin)| (holder.to_string(), pin.to_string()));
        let keys = self.ctx.keys.clone();
        let (window, row, clean) = store
            .transact_read(move |r| {
                let window = r.setting(maintenance::KEY)?;
                let row = r.idempotency(&k.caller, &k.key)?;
                let clean = match &pin {
                    Some((holder_id, pin)) => r.pin(holder_id)?.is_some_and(|record| {
                        record.failures == 0
                            && record.locked_until_ms.is_none()
                            && qianbao_secrets::pin::pin_matches(
                                &keys,
                                holder_id,
                                pin,
                                &record.digest,
                            )
                    }),
                    None => false,
                };
                Ok((window, row, clean))
            })
            .await?;
        let now = self.now_ms();
        open_at(window.as_deref().and_then(maintenance::decode), now)?;
        match judge(row, key, now, self.policy.idempotency_stale_ms) {
            Ok(_) => Ok(Precheck::Proceed(PinRead { clean })),
            Err(MoneyError::Replay(reply)) => Ok(Precheck::Replay(reply)),
            Err(e) => Err(e),
        }
    }

    /// Checks the payment password, using what [`Money::precheck`] read: a right PIN with nothing
    /// to clear passes at once; anything else (wrong, locked, not set, tries to reset) goes
    /// through the PIN's own counter and lock as [`Money::check_pin`] does.
    pub async fn check_pin_read(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        pin: &str,
        read: PinRead,
    ) -> Result<(), MoneyError> {
        if read.clean {
            return Ok(());
        }
        self.check_pin(store, holder_id, pin).await
    }

    /// The first reply given for `key`, if the call finished; refuses a reused or running key.
    pub async fn replay(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
    ) -> Result<Option<Reply>, MoneyError> {
        let k = key.clone();
        let (now, stale) = (self.now_ms(), self.policy.idempotency_stale_ms);
        let row = store
            .transact_read(move |r| r.idempotency(&k.caller, &k.key))
            .await?;
        match judge(row, key, now, stale) {
            Ok(_) => Ok(None),
            Err(MoneyError::Replay(reply)) => Ok(Some(reply)),
            Err(e) => Err(e),
        }
    }

    /// Keeps a refusal's reply with its key, so a retry gets the same answer. A key that already
    /// has a reply keeps it.
    pub async fn remember_refusal(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
        reply: Reply,
    ) -> Result<(), MoneyError> {
        let key = key.clone();
        let now = self.now_ms();
        self.run(store, move |r| {
            match r.idempotency(&key.caller, &key.key)? {
                Some(row)
                    if row.state == IdempotencyState::Done || row.request_digest != key.digest => {}
                _ => finish(r, &key, "", &reply, now)?,
            }
            Ok(())
        })
        .await
    }
}

/// Refuses money calls while the maintenance window `window` is on at `now`.
pub(crate) fn open_at(
    window: Option<maintenance::Maintenance>,
    now: i64,
) -> Result<(), MoneyError> {
    match window {
        Some(m) if m.until_ms > now => Err(MoneyError::Maintenance {
            retry_after_s: u64::try_from((m.until_ms - now + 999) / 1000).unwrap_or(1),
            message: m.message,
        }),
        _ => Ok(()),
    }
}
