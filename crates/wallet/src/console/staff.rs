//! Staff accounts: added with a one-time set-up link, set up with a password and a TOTP secret
//! (mandatory: a console account without a second factor cannot sign in), signed in to sessions
//! that end when idle, locked after wrong tries until another admin unlocks them, and the check
//! every console call makes — a permission, with the refusal itself audited.

use super::audit::{self, AuditLine, DENIED, DONE, REFUSED};
use super::permissions::{BuiltInRole, PermissionSet, custom_role_name};
use super::{Console, ConsoleError, Permission, secrets};
use crate::StoreError;
use crate::domain::totp;
use crate::domain::{Password, Phone};
use crate::opening::{hash_off_workers, verify_off_workers};
use crate::records::{CustomRoleRecord, Records, StaffRecord, StaffSessionRecord, StaffStatus};
use crate::storage::RecordStore;
use qianbao_secrets::field::{open, seal};
use qianbao_secrets::token::{new_secret_bytes, new_token, token_digest};
use zeroize::Zeroizing;

/// A signed-in staff member as each console call sees them.
#[derive(Clone, Debug)]
pub struct Staff {
    /// The account.
    pub record: StaffRecord,
    /// What their role grants.
    pub permissions: PermissionSet,
    /// The session the call came with.
    pub session_id: String,
}

impl Staff {
    /// How the audit log names them.
    pub fn actor(&self) -> String {
        format!("staff:{}", self.record.id)
    }
}

/// A new account and the one-time token its set-up link carries (shown once, stored as a digest).
#[derive(Clone)]
pub struct AddedStaff {
    /// The account.
    pub record: StaffRecord,
    /// The set-up token.
    pub setup_token: String,
}

/// The TOTP secret a member of staff types or scans into an authenticator app at set-up.
#[derive(Clone)]
pub struct StaffTotp {
    /// RFC 4648 base32.
    pub secret: String,
    /// The `otpauth://` URI for a QR code.
    pub otpauth_uri: String,
}

/// A new console session's token.
#[derive(Clone)]
pub struct StaffSignedIn {
    /// The bearer token (shown once).
    pub token: String,
    /// Who.
    pub staff: StaffRecord,
}

/// The associated data a staff TOTP secret is sealed with.
fn totp_binding(staff_id: &str) -> String {
    format!("staff-totp:{staff_id}")
}

/// What a role name grants: a built-in role's fixed set, or a custom role's stored one.
pub fn role_permissions(
    r: &mut dyn Records,
    role: &str,
) -> Result<Option<PermissionSet>, StoreError> {
    if let Some(built_in) = BuiltInRole::parse(role) {
        return Ok(Some(built_in.permissions()));
    }
    Ok(r.custom_role(role)?
        .and_then(|c| PermissionSet::parse(&c.permissions).ok()))
}

impl Console {
    /// Adds a staff member with `role`, pending set-up through a one-time link. `by` is the admin
    /// who adds them (checked for `staff.manage`), or `None` for the operator's command line.
    pub async fn add_staff(
        &self,
        store: &impl RecordStore,
        by: Option<&Staff>,
        phone: &str,
        name: &str,
        role: &str,
    ) -> Result<AddedStaff, ConsoleError> {
        let ids = self.ctx.ids.clone();
        if let Some(by) = by {
            self.require(
                store,
                by,
                Permission::manage(super::Group::Staff),
                "staff.add",
            )
            .await?;
        }
        let phone = Phone::parse(phone).map_err(|_| ConsoleError::PhoneInvalid)?;
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(ConsoleError::Invalid("name is 1 to 64 characters"));
        }
        let (setup_token, setup_digest) = new_token(self.ctx.random()).map_err(secrets)?;
        let now = self.ctx.now_ms();
        let record = StaffRecord {
            id: ids.record_id(),
            phone: phone.as_e164().to_string(),
            name,
            role: role.to_string(),
            status: StaffStatus::PendingSetup,
            password_hash: None,
            totp_sealed: None,
            totp_last_step: -1,
            login_failures: 0,
            locked: false,
            setup_digest: Some(setup_digest),
            setup_expires_ms: now + self.policy.setup_ms,
            created_ms: now,
        };
        let actor = by.map_or_else(|| "cli".to_string(), Staff::actor);
        let added = record.clone();
        store
            .transact(move |r| {
                if role_permissions(r, &added.role)?.is_none() {
                    return Ok(Err(ConsoleError::RoleInvalid(added.role.clone())));
                }
                if r.staff_by_phone(&added.phone)?.is_some() {
                    return Ok(Err(ConsoleError::PhoneTaken));
                }
                r.insert_staff(&added)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "staff.add".into(),
                        entity: format!("staff:{}", added.id),
                        after: serde_json::json!({"name": added.name, "role": added.role})
                            .to_string(),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    now,
                )?;
                Ok(Ok(()))
            })
            .await??;
        Ok(AddedStaff {
            record,
            setup_token,
        })
    }

    /// The first step of set-up: the link's token and a new password. Answers the TOTP secret to
    /// put in an authenticator app; the account works once [`Console::confirm_setup`] sees a code.
    pub async fn start_setup(
        &self,
        store: &impl RecordStore,
        setup_token: &str,
        password: &str,
    ) -> Result<StaffTotp, ConsoleError> {
        let staff = self.open_setup(store, setup_token).await?;
        let phone = Phone::parse(&staff.phone).map_err(|_| ConsoleError::PhoneInvalid)?;
        let password = Password::parse(password, &phone)
            .map_err(|e| ConsoleError::PasswordWeak(e.reason()))?;
        let hash = hash_off_workers(&self.ctx.random, password.expose())
            .await
            .map_err(secrets)?;
        let secret =
            new_secret_bytes::<{ totp::SECRET_BYTES }>(self.ctx.random()).map_err(secrets)?;
        let sealed = seal(
            &self.ctx.keys,
            self.ctx.random(),
            secret.as_slice(),
            totp_binding(&staff.id).as_bytes(),
        )
        .map_err(secrets)?;
        let digest = staff.setup_digest.clone();
        let id = staff.id.clone();
        store
            .transact(move |r| {
                let Some(mut staff) = r.staff(&id)? else {
                    return Ok(Err(ConsoleError::SetupInvalid));
                };
                if staff.setup_digest != digest {
                    return Ok(Err(ConsoleError::SetupInvalid));
                }
                staff.password_hash = Some(hash.clone());
                staff.totp_sealed = Some(sealed.clone());
                staff.totp_last_step = -1;
                r.update_staff(&staff)?;
                Ok(Ok(()))
            })
            .await??;
        Ok(StaffTotp {
            secret: totp::base32(secret.as_slice()),
            otpauth_uri: totp::otpauth_uri(secret.as_slice(), &phone.masked()),
        })
    }

    /// The last step of set-up: a first code from the app proves it holds the secret. The link
    /// then stops working and the account can sign in.
    pub async fn confirm_setup(
        &self,
        store: &impl RecordStore,
        setup_token: &str,
        code: &str,
    ) -> Result<StaffRecord, ConsoleError> {
        let staff = self.open_setup(store, setup_token).await?;
        let now = self.ctx.now_ms();
        let keys = self.ctx.keys.clone();
        let code = Zeroizing::new(code.trim().to_string());
        let id = staff.id.clone();
        store
            .transact(move |r| {
                let Some(mut staff) = r.staff(&id)? else {
                    return Ok(Err(ConsoleError::SetupInvalid));
                };
                if staff.status != StaffStatus::PendingSetup || staff.password_hash.is_none() {
                    return Ok(Err(ConsoleError::SetupInvalid));
                }
                let Some(step) = totp_step(&keys, &staff, &code, now) else {
                    return Ok(Err(ConsoleError::TotpInvalid));
                };
                staff.totp_last_step = step;
                staff.status = StaffStatus::Active;
                staff.setup_digest = None;
                r.update_staff(&staff)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: format!("staff:{}", staff.id),
                        action: "staff.setup".into(),
                        entity: format!("staff:{}", staff.id),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    now,
                )?;
                Ok(Ok(staff))
            })
            .await?
    }

    /// The pending account a set-up token opens, if the link is still good.
    async fn open_setup(
        &self,
        store: &impl RecordStore,
        setup_token: &str,
    ) -> Result<StaffRecord, ConsoleError> {
        let digest = token_digest(setup_token.trim());
        let now = self.ctx.now_ms();
        store
            .transact(move |r| r.staff_by_setup(&digest))
            .await?
            .filter(|s| s.status == StaffStatus::PendingSetup && now < s.setup_expires_ms)
            .ok_or(ConsoleError::SetupInvalid)
    }

    /// Signs in with phone, password and TOTP code, all three always required. A wrong password
    /// or code counts toward the lock; the answer never says which of them was wrong.
    pub async fn sign_in(
        &self,
        store: &impl RecordStore,
        phone: &str,
        password: &str,
        code: &str,
    ) -> Result<StaffSignedIn, ConsoleError> {
        let ids = self.ctx.ids.clone();
        let phone = Phone::parse(phone).map_err(|_| ConsoleError::InvalidCredentials)?;
        let e164 = phone.as_e164().to_string();
        let found = store.transact(move |r| r.staff_by_phone(&e164)).await?;
        let hash = found.as_ref().and_then(|s| s.password_hash.clone());
        // Always one Argon2id check, so the time does not tell whether the phone has an account.
        let password_ok = match &hash {
            Some(phc) => verify_off_workers(password, phc).await.map_err(secrets)?,
            None => {
                crate::opening::dummy_verify_off_workers(password).await;
                false
            }
        };
        let Some(found) = found.filter(|s| s.status == StaffStatus::Active) else {
            return Err(ConsoleError::InvalidCredentials);
        };
        let (token, token_digest) = new_token(self.ctx.random()).map_err(secrets)?;
        let now = self.ctx.now_ms();
        let keys = self.ctx.keys.clone();
        let max = self.policy.login_failures_max;
        let code = Zeroizing::new(code.trim().to_string());
        let id = found.id.clone();
        store
            .transact(move |r| {
                let Some(mut staff) = r.staff(&id)? else {
                    return Ok(Err(ConsoleError::InvalidCredentials));
                };
                let line = |outcome, reason: &str| AuditLine {
                    actor: format!("staff:{id}"),
                    action: "staff.sign_in".into(),
                    entity: format!("staff:{id}"),
                    reason: reason.to_string(),
                    outcome,
                    ..AuditLine::default()
                };
                if staff.locked {
                    audit::append(r, line(REFUSED, "locked"), now)?;
                    return Ok(Err(ConsoleError::LoginLocked));
                }
                let step = if password_ok {
                    totp_step(&keys, &staff, &code, now)
                } else {
                    None
                };
                let Some(step) = step else {
                    staff.login_failures += 1;
                    staff.locked = staff.login_failures >= max;
                    r.update_staff(&staff)?;
                    audit::append(r, line(REFUSED, "wrong password or code"), now)?;
                    return Ok(Err(if staff.locked {
                        ConsoleError::LoginLocked
                    } else {
                        ConsoleError::InvalidCredentials
                    }));
                };
                staff.totp_last_step = step;
                staff.login_failures = 0;
                r.update_staff(&staff)?;
                r.insert_staff_session(&StaffSessionRecord {
                    id: ids.record_id(),
                    token_digest: token_digest.clone(),
                    staff_id: staff.id.clone(),
                    created_ms: now,
                    last_seen_ms: now,
                })?;
                audit::append(r, line(DONE, ""), now)?;
                Ok(Ok(staff))
            })
            .await?
            .map(|staff| StaffSignedIn { token, staff })
    }

    /// The staff member a console token belongs to, if the session is live and not idle too long;
    /// an idle session is ended here. Every use notes the time, which keeps it alive.
    pub async fn authenticate(
        &self,
        store: &impl RecordStore,
        token: &str,
    ) -> Result<Staff, ConsoleError> {
        let digest = token_digest(token);
        let now = self.ctx.now_ms();
        let idle_ms = self.policy.idle_ms;
        store
            .transact(move |r| {
                let Some(session) = r.staff_session(&digest)? else {
                    return Ok(Err(ConsoleError::Unauthorized));
                };
                if now - session.last_seen_ms > idle_ms {
                    r.end_staff_session(&session.id)?;
                    return Ok(Err(ConsoleError::Unauthorized));
                }
                let Some(staff) = r.staff(&session.staff_id)? else {
                    return Ok(Err(ConsoleError::Unauthorized));
                };
                if staff.locked || staff.status != StaffStatus::Active {
                    return Ok(Err(ConsoleError::Unauthorized));
                }
                let permissions = role_permissions(r, &staff.role)?.unwrap_or_default();
                r.touch_staff_session(&session.id, now)?;
                Ok(Ok(Staff {
                    record: staff,
                    permissions,
                    session_id: session.id,
                }))
            })
            .await?
    }

    /// Ends the caller's session.
    pub async fn sign_out(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<(), ConsoleError> {
        let id = staff.session_id.clone();
        store.transact(move |r| r.end_staff_session(&id)).await?;
        Ok(())
    }

    /// Refuses unless `staff` holds `wanted`; a refusal is written to the audit log with what was
    /// asked (`what`, e.g. the method and path) before it is answered.
    pub async fn require(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        wanted: Permission,
        what: &str,
    ) -> Result<(), ConsoleError> {
        if staff.permissions.allows(wanted) {
            return Ok(());
        }
        let line = AuditLine {
            actor: staff.actor(),
            action: "permission_denied".into(),
            entity: what.to_string(),
            reason: format!("needs {wanted}"),
            outcome: DENIED,
            ..AuditLine::default()
        };
        let now = self.ctx.now_ms();
        store
            .transact(move |r| audit::append(r, line.clone(), now))
            .await?;
        Err(ConsoleError::PermissionDenied(wanted))
    }

    /// Every staff member; `by` (a console caller; `None` for the command line) needs
    /// `staff.view`.
    pub async fn list_staff(
        &self,
        store: &impl RecordStore,
        by: Option<&Staff>,
    ) -> Result<Vec<StaffRecord>, ConsoleError> {
        if let Some(by) = by {
            self.require(
                store,
                by,
                Permission::view(super::Group::Staff),
                "staff.list",
            )
            .await?;
        }
        Ok(store.transact(|r| r.all_staff()).await?)
    }

    /// Unlocks an account locked by wrong tries. Only someone else may: a locked admin is unlocked
    /// by another admin holding `staff.manage` (or by the operator's command line, `by` = `None`).
    pub async fn unlock(
        &self,
        store: &impl RecordStore,
        by: Option<&Staff>,
        staff_id: &str,
        reason: &str,
    ) -> Result<StaffRecord, ConsoleError> {
        if let Some(by) = by {
            if by.record.id == staff_id {
                return Err(ConsoleError::NotOnSelf);
            }
            self.require(
                store,
                by,
                Permission::manage(super::Group::Staff),
                "staff.unlock",
            )
            .await?;
        }
        let actor = by.map_or_else(|| "cli".to_string(), Staff::actor);
        let (id, reason, now) = (staff_id.to_string(), reason.to_string(), self.ctx.now_ms());
        store
            .transact(move |r| {
                let Some(mut staff) = r.staff(&id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                let before = staff_state(&staff);
                staff.locked = false;
                staff.login_failures = 0;
                r.update_staff(&staff)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "staff.unlock".into(),
                        entity: format!("staff:{}", staff.id),
                        before,
                        after: staff_state(&staff),
                        reason: reason.clone(),
                        outcome: DONE,
                    },
                    now,
                )?;
                Ok(Ok(staff))
            })
            .await?
    }

    /// Defines (or redefines) a custom role; needs `staff.manage`.
    pub async fn define_role(
        &self,
        store: &impl RecordStore,
        by: &Staff,
        name: &str,
        permissions: &str,
    ) -> Result<CustomRoleRecord, ConsoleError> {
        self.require(
            store,
            by,
            Permission::manage(super::Group::Staff),
            "role.define",
        )
        .await?;
        let name = custom_role_name(name).map_err(ConsoleError::Invalid)?;
        let set = PermissionSet::parse(permissions).map_err(ConsoleError::RoleInvalid)?;
        let role = CustomRoleRecord {
            name,
            permissions: set.to_text(),
            updated_ms: self.ctx.now_ms(),
        };
        let (actor, saved) = (by.actor(), role.clone());
        store
            .transact(move |r| {
                let before = r.custom_role(&saved.name)?.map(|c| c.permissions);
                r.put_custom_role(&saved)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "role.define".into(),
                        entity: format!("role:{}", saved.name),
                        before: before.unwrap_or_default(),
                        after: saved.permissions.clone(),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    saved.updated_ms,
                )
            })
            .await?;
        Ok(role)
    }

    /// Every custom role; needs `staff.view`.
    pub async fn custom_roles(
        &self,
        store: &impl RecordStore,
        by: &Staff,
    ) -> Result<Vec<CustomRoleRecord>, ConsoleError> {
        self.require(
            store,
            by,
            Permission::view(super::Group::Staff),
            "role.list",
        )
        .await?;
        Ok(store.transact(|r| r.custom_roles()).await?)
    }
}

/// What the audit log keeps of an account's state: never the hash or the secret.
fn staff_state(s: &StaffRecord) -> String {
    serde_json::json!({
        "role": s.role,
        "status": s.status.as_str(),
        "locked": s.locked,
        "login_failures": s.login_failures,
    })
    .to_string()
}

/// The step `code` is right for, later than the last one used; `None` when it is wrong, reused,
/// or the secret does not open.
fn totp_step(
    keys: &qianbao_secrets::KeyRing,
    staff: &StaffRecord,
    code: &str,
    now_ms: i64,
) -> Option<i64> {
    let sealed = staff.totp_sealed.as_ref()?;
    let secret = Zeroizing::new(open(keys, sealed, totp_binding(&staff.id).as_bytes()).ok()?);
    totp::verify(&secret, code, now_ms.div_euclid(1000), staff.totp_last_step)
}
