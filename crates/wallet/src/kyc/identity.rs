//! Real-name verification: the legal name and ID number checked by the verifier, the ID photo and the face check, and how a verified holder is shown to others.

use super::{Kyc, KycError, secrets};
use crate::domain::{IdNumber, LegalName, Photo};
use crate::records::{HolderRecord, IdentityRecord, KycReviewRecord, KycReviewStatus, Records};
use crate::storage::RecordStore;
use crate::{ConnectorError, FaceVerdict, IdentityVerdict, StoreError};
use qianbao_secrets::field::{blind_index, seal};

/// What came of a real-name check the verifier answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityOutcome {
    /// Verified: the holder is at `kyc_level` (1) now.
    Verified {
        /// The level after.
        kyc_level: i64,
        /// `YYYY-MM-DD`, from the ID number.
        birth_date: String,
    },
    /// The verifier could not decide: the case waits for staff in the KYC review queue, and the
    /// level stays where it was until a reviewer approves it.
    PendingReview {
        /// The review case.
        case_id: String,
        /// The level meanwhile (unchanged).
        kyc_level: i64,
        /// `YYYY-MM-DD`, from the ID number.
        birth_date: String,
    },
}

impl Kyc {
    /// Verifies the holder's real name and ID number with the identity verifier: L0 → L1, or a
    /// case in the KYC review queue when the verifier cannot decide.
    pub async fn verify_identity(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        name: &str,
        id_number: &str,
    ) -> Result<IdentityOutcome, KycError> {
        if holder.kyc_level >= 1 {
            return Err(KycError::AlreadyVerified);
        }
        let legal = LegalName::parse(name).ok_or(KycError::NameInvalid)?;
        let (name, masked_name) = (legal.expose().to_owned(), legal.masked());
        let today = self.today();
        let id = IdNumber::parse_on(id_number, today).map_err(|_| KycError::IdNumberInvalid)?;
        id.require_adult(today).map_err(|_| KycError::Underage)?;
        let id_blind = blind_index(self.keys(), "id", id.expose());
        let restricted = {
            let (id_blind, holder_id) = (id_blind.clone(), holder.id.clone());
            store
                .transact(move |r| {
                    Ok((
                        r.is_restricted("id", &id_blind)?,
                        r.identity_holder(&id_blind)?,
                        r.pending_kyc_review(&holder_id)?.is_some(),
                    ))
                })
                .await?
        };
        if restricted.0 {
            return Err(KycError::AccountRestricted);
        }
        if restricted.1.is_some_and(|h| h != holder.id) {
            return Err(KycError::IdentityTaken);
        }
        // Asked before the verifier: a second try while staff look at the first would only
        // queue a second case for the same person.
        if restricted.2 {
            return Err(KycError::ReviewPending);
        }
        let review = match self.verifier.verify_name(&name, id.expose()).await {
            Ok(IdentityVerdict::Match) => false,
            Ok(IdentityVerdict::NeedsReview) => true,
            Ok(IdentityVerdict::Mismatch) => return Err(KycError::IdentityMismatch),
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::VerifierUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        };
        let associated = format!("identity:{}", holder.id);
        let record = IdentityRecord {
            holder_id: holder.id.clone(),
            name_sealed: seal(
                self.keys(),
                self.ctx.random(),
                name.as_bytes(),
                associated.as_bytes(),
            )
            .map_err(secrets)?,
            masked_name,
            id_sealed: seal(
                self.keys(),
                self.ctx.random(),
                id.expose().as_bytes(),
                associated.as_bytes(),
            )
            .map_err(secrets)?,
            id_blind,
            birth_date: id.birth_date().to_string(),
            verified_ms: self.clock().now_ms(),
        };
        if review {
            return self.queue_review(store, record, id.masked()).await;
        }
        let birth_date = record.birth_date.clone();
        let holder_id = holder.id.clone();
        let stored = store
            .transact(move |r| {
                if r.identity(&holder_id)?.is_some() {
                    return Ok(Err(KycError::AlreadyVerified));
                }
                r.insert_identity(&record)?;
                r.set_kyc_level(&holder_id, 1)?;
                Ok(Ok(()))
            })
            .await;
        match stored {
            Ok(Ok(())) => Ok(IdentityOutcome::Verified {
                kyc_level: 1,
                birth_date,
            }),
            Ok(Err(e)) => Err(e),
            // Two holders raced to verify one ID number and the other was first.
            Err(StoreError::Duplicate(_)) => Err(KycError::IdentityTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// Puts a real-name check the verifier could not decide in the KYC review queue: the
    /// identity as it would have been stored, waiting for a reviewer. The level stays.
    async fn queue_review(
        &self,
        store: &impl RecordStore,
        identity: IdentityRecord,
        id_masked: String,
    ) -> Result<IdentityOutcome, KycError> {
        let ids = self.ctx.ids.clone();
        let review = KycReviewRecord {
            id: ids.record_id(),
            holder_id: identity.holder_id,
            name_sealed: identity.name_sealed,
            masked_name: identity.masked_name,
            id_sealed: identity.id_sealed,
            id_blind: identity.id_blind,
            id_masked,
            birth_date: identity.birth_date,
            status: KycReviewStatus::Pending,
            submitted_ms: identity.verified_ms,
            decided_ms: None,
            decided_by: None,
            reason_code: None,
            note: String::new(),
        };
        let stored = {
            let review = review.clone();
            store
                .transact(move |r| {
                    if r.identity(&review.holder_id)?.is_some() {
                        return Ok(Err(KycError::AlreadyVerified));
                    }
                    r.insert_kyc_review(&review)?;
                    let level = r.holder(&review.holder_id)?.map_or(0, |h| h.kyc_level);
                    Ok(Ok(level))
                })
                .await
        };
        match stored {
            Ok(Ok(kyc_level)) => Ok(IdentityOutcome::PendingReview {
                case_id: review.id,
                kyc_level,
                birth_date: review.birth_date,
            }),
            Ok(Err(e)) => Err(e),
            // A second try raced the first to the queue.
            Err(StoreError::Duplicate(_)) => Err(KycError::ReviewPending),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores the holder's ID photo (JPEG or PNG, decoded for real, at most 5 MiB, at least
    /// 300×300), sealed. A holder whose real-name check waits for review uploads it too: it is
    /// what the reviewer looks at.
    pub async fn upload_id_photo(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), KycError> {
        let holder_id = holder.id.clone();
        let allowed =
            store
                .transact(move |r| {
                    Ok(r.identity(&holder_id)?.is_some()
                        || r.pending_kyc_review(&holder_id)?.is_some())
                })
                .await?;
        if !allowed {
            return Err(KycError::KycRequired);
        }
        let photo =
            Photo::parse(bytes, content_type).map_err(|e| KycError::PhotoInvalid(e.reason()))?;
        let (holder_id, kind, sealed, content_type, now) =
            self.photo_row(&holder.id, "id", &photo)?;
        store
            .transact(move |r| r.put_photo(&holder_id, &kind, &sealed, &content_type, now))
            .await?;
        Ok(())
    }

    /// The sealed row for a photo: (holder id, kind, sealed bytes, real content type, time).
    fn photo_row(
        &self,
        holder_id: &str,
        kind: &'static str,
        photo: &Photo,
    ) -> Result<(String, String, Vec<u8>, String, i64), KycError> {
        let sealed = seal(
            self.keys(),
            self.ctx.random(),
            photo.bytes(),
            format!("photo:{kind}:{holder_id}").as_bytes(),
        )
        .map_err(secrets)?;
        let content_type = photo.info().format.content_type();
        // Owned strings: a borrowed one captured by the transaction's closure trips rustc's
        // "Send is not general enough" limitation in the handlers' futures.
        Ok((
            holder_id.to_string(),
            kind.to_string(),
            sealed,
            content_type.to_string(),
            self.clock().now_ms(),
        ))
    }

    /// The face check: the selfie must be the verified ID's owner. With a bound card it raises
    /// the holder to L3; returns the level after.
    pub async fn face_check(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<i64, KycError> {
        let identity = self.identity_of(store, &holder.id).await?;
        let photo =
            Photo::parse(bytes, content_type).map_err(|e| KycError::PhotoInvalid(e.reason()))?;
        let (_, id_number) = self.opened_identity(&identity)?;
        match self.verifier.verify_face(&id_number, photo.bytes()).await {
            Ok(FaceVerdict::Match) => {}
            Ok(FaceVerdict::Mismatch) => return Err(KycError::FaceMismatch),
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::VerifierUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        }
        let (holder_id, kind, sealed, content_type, now) =
            self.photo_row(&holder.id, "face", &photo)?;
        Ok(store
            .transact(move |r| {
                r.put_photo(&holder_id, &kind, &sealed, &content_type, now)?;
                let level = r.holder(&holder_id)?.map_or(0, |h| h.kyc_level);
                if level == 2 {
                    r.set_kyc_level(&holder_id, 3)?;
                    return Ok(3);
                }
                Ok(level)
            })
            .await?)
    }

    /// The holder's masked real name once verified, and whether a check waits for review: what
    /// the holder's own profile shows, read together.
    pub async fn real_name_state(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<(Option<String>, bool), KycError> {
        let holder_id = holder_id.to_string();
        Ok(store
            .transact(move |r: &mut dyn Records| {
                Ok((
                    r.identity(&holder_id)?.map(|i| i.masked_name),
                    r.pending_kyc_review(&holder_id)?.is_some(),
                ))
            })
            .await?)
    }

    /// The masked real name of a holder, once verified.
    pub async fn masked_name(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<Option<String>, KycError> {
        let holder_id = holder_id.to_string();
        Ok(store
            .transact(move |r: &mut dyn Records| r.identity(&holder_id))
            .await?
            .map(|i| i.masked_name))
    }
}
