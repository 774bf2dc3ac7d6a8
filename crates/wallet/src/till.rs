//! The till's own sessions. The till signs in once with the merchant's API key and from then on
//! holds only a random session token, so the key never sits in a browser cookie: a copied cookie
//! is worth one session, which signing out, a rotated key or a day without use ends, instead of
//! the key itself for ever.
//!
//! The session remembers the digest of the key it was opened with and is checked against the
//! merchant's current one on every use, so rotating the key ends it without the rotation having
//! to know about tills, and a sign-in racing a rotation opens a session that is already dead.

use crate::money::records::MerchantRecord;
use crate::money::{Money, MoneyError};
use crate::records::TillSessionRecord;
use crate::storage::RecordStore;
use qianbao_secrets::token::{new_token, token_digest};

/// How long a till session lives without being used. A till is a shop's counter, used all day
/// with quiet hours between customers: 12 h outlasts the longest pause of a long opening day, so
/// a cashier is not signed out mid-shift, but not a night, so a till left signed in at closing,
/// or a cookie copied from it, is dead by the next morning.
pub const TILL_IDLE_MS: i64 = 12 * 60 * 60 * 1000;

/// A till's last use is written at most this often: every till request authenticates, and a
/// write on each would cost every call a transaction, while a minute is nothing against the
/// idle time.
const TOUCH_EVERY_MS: i64 = 60_000;

/// A till signed in: the token for its cookie (shown once) and whom it is signed in as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedTill {
    /// The session token; only its digest is stored.
    pub token: String,
    /// The merchant.
    pub merchant: MerchantRecord,
}

impl Money {
    /// Signs a till in with the merchant's API key: a new till session, or `None` when no active
    /// merchant has the key. `replacing` is the token the browser held before, if any; that
    /// session ends, so signing in again leaves no live session behind in the browser's past.
    pub async fn open_till(
        &self,
        store: &impl RecordStore,
        api_key: &str,
        replacing: Option<&str>,
    ) -> Result<Option<OpenedTill>, MoneyError> {
        let ids = self.ctx.ids.clone();
        let Some(merchant) = self.merchant_for_key(store, api_key).await? else {
            return Ok(None);
        };
        let (token, digest) =
            new_token(self.ctx.random()).map_err(|e| MoneyError::Internal(e.to_string()))?;
        let now = self.now_ms();
        let record = TillSessionRecord {
            id: ids.movement_id(),
            token_digest: digest,
            merchant_id: merchant.id.clone(),
            key_digest: merchant.key_digest.clone(),
            created_ms: now,
            last_used_ms: now,
        };
        let replaced = replacing.map(token_digest);
        store
            .transact(move |r| {
                if let Some(old) = &replaced
                    && let Some(old) = r.till_session_by_token(old)?
                {
                    r.end_till_session(&old.id, now)?;
                }
                r.insert_till_session(&record)
            })
            .await?;
        Ok(Some(OpenedTill { token, merchant }))
    }

    /// The merchant a till's session token stands for, or `None` when the session is unknown,
    /// ended, idle too long, or opened with a key that has since been rotated (those two are
    /// ended here, for good) — or when the merchant is not active, which refuses the till just
    /// as it refuses the key, for as long as it lasts.
    pub async fn till_merchant(
        &self,
        store: &impl RecordStore,
        token: &str,
    ) -> Result<Option<MerchantRecord>, MoneyError> {
        let digest = token_digest(token);
        let now = self.now_ms();
        // A read that takes no write lock, like a holder's token: it never waits for a payment.
        let found = store
            .transact_read(move |r| {
                let Some(session) = r.till_session_by_token(&digest)? else {
                    return Ok(None);
                };
                let merchant = r.merchant(&session.merchant_id)?;
                Ok(Some((session, merchant)))
            })
            .await?;
        let Some((session, merchant)) = found else {
            return Ok(None);
        };
        let idle = now - session.last_used_ms > TILL_IDLE_MS;
        let rotated = merchant
            .as_ref()
            .is_none_or(|m| m.key_digest != session.key_digest);
        if idle || rotated {
            let id = session.id;
            store
                .transact(move |r| r.end_till_session(&id, now))
                .await?;
            return Ok(None);
        }
        let Some(merchant) = merchant.filter(|m| m.status == "active") else {
            return Ok(None);
        };
        if now - session.last_used_ms > TOUCH_EVERY_MS {
            // With the money writer's next batch, as a holder's session is touched: a write
            // transaction of its own would queue for SQLite's write lock against the money writer.
            let id = session.id;
            store
                .transact_money(move |r| r.touch_till_session(&id, now))
                .await?;
        }
        Ok(Some(merchant))
    }

    /// Signs a till out: the session of `token` ends, whatever state its merchant is in. An
    /// unknown or ended token is not an error — the till is signed out either way.
    pub async fn end_till(&self, store: &impl RecordStore, token: &str) -> Result<(), MoneyError> {
        let digest = token_digest(token);
        let now = self.now_ms();
        store
            .transact(move |r| {
                if let Some(session) = r.till_session_by_token(&digest)? {
                    r.end_till_session(&session.id, now)?;
                }
                Ok(())
            })
            .await?;
        Ok(())
    }
}
