//! Closing with the balance swept to a card: a holder whose only reason not to close is the
//! money in the wallet asks staff to pay it to one of their own active debit cards and close the
//! wallet. The request waits in the console's closing queue; staff approve it as a four-eyes
//! `close_account` command (see [`crate::console::closing_queue`]) or reject it.

use super::blockers::{BlockerKind, blockers};
use super::close::{close, proven_holder, standing};
use super::{CloseProof, ClosingError};
use crate::StoreError;
use crate::domain::CardType;
use crate::kyc::Kyc;
use crate::opening::Purpose;
use crate::records::{CardStatus, ClosingRequestRecord, ClosingRequestStatus, HolderRecord};
use crate::storage::RecordStore;

/// What came of asking to close with a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseAsked {
    /// Nothing was left to sweep: the wallet closed at once.
    Closed,
    /// The request waits for staff, under this id.
    PendingReview(String),
}

impl Kyc {
    /// Asks to close the wallet with its balance swept to `card_id`, one of the holder's active
    /// debit cards: refused with every blocker when anything but the balance blocks (a hold, a
    /// scheduled transfer, a shop's takings…), with `close_pending` while another request waits,
    /// and closed at once when nothing blocks at all. Same proofs as [`Kyc::close_wallet`].
    pub async fn request_closing(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        proof: CloseProof<'_>,
        code: Option<&str>,
        card_id: &str,
    ) -> Result<CloseAsked, ClosingError> {
        let ids = self.ctx.ids.clone();
        let digest = self.prove_closing(store, holder, proof, code).await?;
        let (opening, holder_id, card_id) =
            (self.opening.clone(), holder.id.clone(), card_id.to_string());
        let now = self.ctx.clock.now_ms();
        store
            .transact_money(move |r| {
                let holder = match proven_holder(r, &opening, &holder_id, &digest, now)? {
                    Ok(holder) => holder,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let found = blockers(&standing(r, &holder, now)?);
                if found.is_empty() {
                    close(r, &holder, None, now)?;
                    return Ok(Ok(CloseAsked::Closed));
                }
                if found.iter().any(|b| b.kind != BlockerKind::Balance) {
                    return Ok(Err(ClosingError::Blocked(found)));
                }
                let sweepable = r.card(&holder.id, &card_id)?.is_some_and(|c| {
                    c.status == CardStatus::Active
                        && c.card_type == CardType::Debit
                        && c.token_sealed.is_some()
                });
                if !sweepable {
                    return Ok(Err(ClosingError::SweepCard));
                }
                if r.waiting_closing_request(&holder.id)?.is_some() {
                    return Ok(Err(ClosingError::Pending));
                }
                let id = ids.record_id();
                r.insert_closing_request(&ClosingRequestRecord {
                    id: id.clone(),
                    holder_id: holder.id.clone(),
                    card_id: card_id.clone(),
                    status: ClosingRequestStatus::Waiting,
                    requested_ms: now,
                    decided_ms: None,
                    decided_by: None,
                    outcome: String::new(),
                })?;
                r.delete_otp(&holder.phone, Purpose::Close.as_str())?;
                Ok(Ok(CloseAsked::PendingReview(id)))
            })
            .await
            // Two requests racing past the check: the one-waiting index refuses the second.
            .map_err(|e| match e {
                StoreError::Duplicate(_) => ClosingError::Pending,
                other => other.into(),
            })?
    }
}
