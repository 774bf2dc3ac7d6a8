//! The KYC review queue: real-name checks the identity verifier could not decide wait here for
//! a member of staff, with Skim (everyone sees the queue and who holds each case), Lock (a case
//! is taken before it is decided) and Next (the oldest free case), like the risk queue. The ID
//! photo is opened only for the viewer, and the view is audited. Approving raises the holder to
//! L1 with the identity as submitted; rejecting leaves the level and lets the holder try again.
//! Either way the decision, the holder's notice (inbox and SMS) and the audit line commit
//! together.

use super::audit::{self, AuditLine, DONE};
use super::queues::LOCK_MS;
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::StoreError;
use crate::money::records::NotificationRecord;
use crate::records::{
    CaseLockRecord, HolderRecord, IdentityRecord, KycReasonCode, KycReviewRecord, KycReviewStatus,
    Records,
};
use crate::storage::RecordStore;
use qianbao_secrets::field::open;

/// The KYC queue's name in the case locks.
pub const KYC_QUEUE: &str = "kyc";

/// The most cases the queue shows or `next` looks through (oldest first): a bound on one read.
pub const QUEUE_ROWS_MAX: i64 = 200;

/// The level an approved real-name check gives (what the verifier's `match` would have).
const VERIFIED_LEVEL: i64 = 1;

/// A review case as the console's queue shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KycCase {
    /// The case.
    pub review: KycReviewRecord,
    /// Whether the holder has uploaded the ID photo yet.
    pub has_photo: bool,
    /// The staff member working it, if anyone is.
    pub locked_by: Option<String>,
}

/// Approve or reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KycVerdict {
    /// The identity is the holder's: raise the level.
    Approve,
    /// It is not, or cannot be told: the level stays and the holder may try again.
    Reject,
}

impl KycVerdict {
    fn as_str(self) -> &'static str {
        match self {
            KycVerdict::Approve => "approve",
            KycVerdict::Reject => "reject",
        }
    }
}

/// A decided case and the holder's level after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KycDecided {
    /// The case, decided.
    pub review: KycReviewRecord,
    /// The holder's level now.
    pub kyc_level: i64,
}

/// The ID photo, opened for one viewer.
#[derive(Clone, PartialEq, Eq)]
pub struct KycPhoto {
    /// The image bytes.
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
}

impl std::fmt::Debug for KycPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data: never in a log line.
        f.debug_struct("KycPhoto")
            .field("len", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// The ID photo's associated data, as the holder's upload sealed it.
fn photo_binding(holder_id: &str) -> String {
    format!("photo:id:{holder_id}")
}

impl Console {
    /// The pending cases, oldest first, with who is working each (skim); needs `kyc.view`.
    /// Names and ID numbers are masked here, so the skim itself is not a personal-data view.
    pub async fn kyc_queue(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<Vec<KycCase>, ConsoleError> {
        self.require(store, staff, Permission::view(Group::Kyc), "queue.kyc")
            .await?;
        let now = self.ctx.now_ms();
        Ok(store.transact(move |r| pending_cases(r, now)).await?)
    }

    /// Takes one pending case (lock); `case_locked` while another reviewer holds it,
    /// `case_decided` once decided. Needs `kyc.manage`.
    pub async fn take_kyc_case(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        case_id: &str,
    ) -> Result<KycCase, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Kyc),
            "queue.kyc.take",
        )
        .await?;
        let (id, staff_id, now) = (
            case_id.to_string(),
            staff.record.id.clone(),
            self.ctx.now_ms(),
        );
        store
            .transact(move |r| {
                let review = match decidable(r, &id)? {
                    Ok(review) => review,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                if !r.lock_case(&lock_for(&id, &staff_id, now), now)? {
                    return Ok(Err(ConsoleError::CaseLocked));
                }
                let has_photo = r.has_photo(&review.holder_id, "id")?;
                Ok(Ok(KycCase {
                    review,
                    has_photo,
                    locked_by: Some(staff_id.clone()),
                }))
            })
            .await?
    }

    /// Takes the oldest pending case nobody else holds and whose ID photo has arrived (a
    /// reviewer cannot decide without it); `None` when there is none. Needs `kyc.manage`.
    pub async fn next_kyc_case(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<Option<KycCase>, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Kyc),
            "queue.kyc.next",
        )
        .await?;
        let (staff_id, now) = (staff.record.id.clone(), self.ctx.now_ms());
        Ok(store
            .transact(move |r| {
                for case in pending_cases(r, now)? {
                    let free = case.locked_by.as_ref().is_none_or(|by| *by == staff_id);
                    if !free || !case.has_photo {
                        continue;
                    }
                    // The lock is conditional, so a reviewer who took it since the read wins.
                    if r.lock_case(&lock_for(&case.review.id, &staff_id, now), now)? {
                        return Ok(Some(KycCase {
                            locked_by: Some(staff_id.clone()),
                            ..case
                        }));
                    }
                }
                Ok(None)
            })
            .await?)
    }

    /// The case's ID photo, opened for the viewer; needs `kyc.view`. Looking at it is a
    /// personal-data view, so the audit line is written in the transaction that reads it.
    pub async fn kyc_case_photo(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        case_id: &str,
    ) -> Result<KycPhoto, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::view(Group::Kyc),
            "queue.kyc.photo",
        )
        .await?;
        let (id, actor, now) = (case_id.to_string(), staff.actor(), self.ctx.now_ms());
        let found = store
            .transact(move |r| {
                let Some(review) = r.kyc_review(&id)? else {
                    return Ok(None);
                };
                let Some(photo) = r.photo(&review.holder_id, "id")? else {
                    return Ok(None);
                };
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "kyc.photo.view".into(),
                        entity: format!("kyc_case:{id}"),
                        after: serde_json::json!({"holder_id": review.holder_id}).to_string(),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    now,
                )?;
                Ok(Some((review.holder_id, photo)))
            })
            .await?;
        let Some((holder_id, (sealed, content_type))) = found else {
            return Err(ConsoleError::NotFound);
        };
        let bytes = open(
            &self.ctx.keys,
            &sealed,
            photo_binding(&holder_id).as_bytes(),
        )
        .map_err(super::secrets)?;
        Ok(KycPhoto {
            bytes,
            content_type,
        })
    }

    /// Approves or rejects a pending case with a reason code the verdict allows and an
    /// optional note; the reviewer must hold the case or it must be free (it is then taken).
    /// Needs `kyc.manage`. The decision, the level, the holder's notice and the audit line
    /// commit in one transaction, and the lock is let go with them.
    pub async fn decide_kyc_case(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        case_id: &str,
        verdict: KycVerdict,
        reason_code: &str,
        note: Option<&str>,
    ) -> Result<KycDecided, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Kyc),
            &format!("queue.kyc.{}", verdict.as_str()),
        )
        .await?;
        let reason_code = KycReasonCode::parse(reason_code.trim())
            .filter(|code| code.approves() == (verdict == KycVerdict::Approve))
            .ok_or(match verdict {
                KycVerdict::Approve => {
                    ConsoleError::Invalid("reason_code is document_clear or face_matches")
                }
                KycVerdict::Reject => ConsoleError::Invalid(
                    "reason_code is document_unreadable, face_mismatch, document_expired or \
                     suspected_fraud",
                ),
            })?;
        let note = note.unwrap_or("").trim().to_string();
        if note.chars().count() > NOTE_CHARS_MAX {
            return Err(ConsoleError::Invalid("note is at most 500 characters"));
        }
        let (id, staff_id, actor, now) = (
            case_id.to_string(),
            staff.record.id.clone(),
            staff.actor(),
            self.ctx.now_ms(),
        );
        let decided = store
            .transact_money(move |r| {
                let mut review = match decidable(r, &id)? {
                    Ok(review) => review,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let Some(holder) = r.holder(&review.holder_id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                if verdict == KycVerdict::Approve
                    && r.identity_holder(&review.id_blind)?
                        .is_some_and(|h| h != holder.id)
                {
                    return Ok(Err(ConsoleError::IdentityTaken));
                }
                // Checks first, lock next, writes last: a refused decision leaves nothing.
                if !r.lock_case(&lock_for(&id, &staff_id, now), now)? {
                    return Ok(Err(ConsoleError::CaseLocked));
                }
                let kyc_level = match verdict {
                    KycVerdict::Approve => approve(r, &review, &holder, now)?,
                    KycVerdict::Reject => holder.kyc_level,
                };
                review.status = match verdict {
                    KycVerdict::Approve => KycReviewStatus::Approved,
                    KycVerdict::Reject => KycReviewStatus::Rejected,
                };
                review.decided_ms = Some(now);
                review.decided_by = Some(staff_id.clone());
                review.reason_code = Some(reason_code);
                review.note = note.clone();
                if !r.decide_kyc_review(&review)? {
                    // Decisions are money transactions, which never overlap, so this is a
                    // decision that slipped past them: roll back whatever this one wrote.
                    return Err(StoreError::RolledBack);
                }
                tell_holder(r, &holder, verdict, reason_code, now)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: format!("kyc.{}", verdict.as_str()),
                        entity: format!("kyc_case:{id}"),
                        before: serde_json::json!({
                            "holder_id": holder.id,
                            "status": "pending",
                            "kyc_level": holder.kyc_level,
                        })
                        .to_string(),
                        after: serde_json::json!({
                            "status": review.status.as_str(),
                            "kyc_level": kyc_level,
                            "reason_code": reason_code.as_str(),
                        })
                        .to_string(),
                        reason: if note.is_empty() {
                            reason_code.as_str().to_string()
                        } else {
                            format!("{reason_code}: {note}")
                        },
                        outcome: DONE,
                    },
                    now,
                )?;
                r.unlock_case(KYC_QUEUE, &id)?;
                Ok(Ok(KycDecided {
                    review: review.clone(),
                    kyc_level,
                }))
            })
            .await;
        match decided {
            Ok(answer) => answer,
            Err(StoreError::RolledBack) => Err(ConsoleError::CaseDecided("decided")),
            // Another holder verified this ID number while the case waited.
            Err(StoreError::Duplicate(_)) => Err(ConsoleError::IdentityTaken),
            Err(e) => Err(e.into()),
        }
    }
}

/// The longest note a reviewer may add.
const NOTE_CHARS_MAX: usize = 500;

/// The pending cases, oldest first, with their photo and lock.
fn pending_cases(r: &mut dyn Records, now: i64) -> Result<Vec<KycCase>, StoreError> {
    let locks = r.case_locks(KYC_QUEUE, now)?;
    Ok(r.pending_kyc_reviews(QUEUE_ROWS_MAX)?
        .into_iter()
        .map(|(review, has_photo)| KycCase {
            has_photo,
            locked_by: locks
                .iter()
                .find(|l| l.case_id == review.id)
                .map(|l| l.staff_id.clone()),
            review,
        })
        .collect())
}

/// The case if it can still be decided: `not_found`, or `case_decided` with its status.
fn decidable(
    r: &mut dyn Records,
    id: &str,
) -> Result<Result<KycReviewRecord, ConsoleError>, StoreError> {
    Ok(match r.kyc_review(id)? {
        None => Err(ConsoleError::NotFound),
        Some(review) if review.status != KycReviewStatus::Pending => {
            Err(ConsoleError::CaseDecided(review.status.as_str()))
        }
        Some(review) => Ok(review),
    })
}

fn lock_for(case_id: &str, staff_id: &str, now: i64) -> CaseLockRecord {
    CaseLockRecord {
        queue: KYC_QUEUE.into(),
        case_id: case_id.into(),
        staff_id: staff_id.into(),
        until_ms: now + LOCK_MS,
    }
}

/// Makes the case's identity the holder's verified one and raises the level; the level after.
fn approve(
    r: &mut dyn Records,
    review: &KycReviewRecord,
    holder: &HolderRecord,
    now: i64,
) -> Result<i64, StoreError> {
    if r.identity(&holder.id)?.is_none() {
        r.insert_identity(&IdentityRecord {
            holder_id: holder.id.clone(),
            name_sealed: review.name_sealed.clone(),
            masked_name: review.masked_name.clone(),
            id_sealed: review.id_sealed.clone(),
            id_blind: review.id_blind.clone(),
            birth_date: review.birth_date.clone(),
            verified_ms: now,
        })?;
    }
    if holder.kyc_level < VERIFIED_LEVEL {
        r.set_kyc_level(&holder.id, VERIFIED_LEVEL)?;
        return Ok(VERIFIED_LEVEL);
    }
    Ok(holder.kyc_level)
}

/// The holder's notice of the decision: in the inbox, and by SMS, since a holder waiting on a
/// review may not have the app open.
fn tell_holder(
    r: &mut dyn crate::money::records::MoneyTx,
    holder: &HolderRecord,
    verdict: KycVerdict,
    reason: KycReasonCode,
    now: i64,
) -> Result<(), StoreError> {
    let (title, body, title_en, body_en) = match verdict {
        KycVerdict::Approve => (
            "实名认证已通过".to_owned(),
            "人工审核已通过，您的钱包已升级为 L1，可以绑定银行卡了。".to_owned(),
            "Real-name verification approved".to_owned(),
            "Our staff reviewed your ID and approved it: your wallet is at level 1 now, and you \
             can bind a bank card."
                .to_owned(),
        ),
        KycVerdict::Reject => {
            let (zh, en) = reason_text(reason);
            (
                "实名认证未通过".to_owned(),
                format!("人工审核未通过：{zh}。请检查后重新提交实名认证。"),
                "Real-name verification not approved".to_owned(),
                format!(
                    "Our staff could not approve your ID: {en}. Check it and verify your real \
                     name again."
                ),
            )
        }
    };
    r.queue_sms(
        &holder.phone,
        &format!("【钱包】{title}：{body}"),
        None,
        now,
    )?;
    r.insert_notification(&NotificationRecord {
        id: 0,
        holder_id: holder.id.clone(),
        kind: "kyc".to_owned(),
        title,
        body,
        title_en,
        body_en,
        movement_id: None,
        created_ms: now,
    })
}

/// A rejection's reason as the holder reads it (Chinese, English). "Suspected fraud" is not
/// said to the one suspected.
fn reason_text(reason: KycReasonCode) -> (&'static str, &'static str) {
    match reason {
        KycReasonCode::DocumentUnreadable => ("证件照片无法辨认", "the ID photo could not be read"),
        KycReasonCode::FaceMismatch => ("证件人像与本人不符", "the face does not match the ID"),
        KycReasonCode::DocumentExpired => ("证件已过期", "the ID has expired"),
        KycReasonCode::SuspectedFraud
        | KycReasonCode::DocumentClear
        | KycReasonCode::FaceMatches => ("证件未能通过审核", "the document could not be accepted"),
    }
}
