//! Staff accounts, console sessions and custom roles as rows.

use super::SqlRecords;
use crate::portable::{Row, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{
    CustomRoleRecord, StaffRecord, StaffRecords, StaffSessionRecord, StaffStatus,
};

const STAFF_COLUMNS: &str = "id, phone, name, role, status, password_hash, totp_sealed, \
     totp_last_step, login_failures, locked, setup_digest, setup_expires_ms, created_ms";

fn staff_from(row: &Row) -> Result<StaffRecord, StoreError> {
    Ok(StaffRecord {
        id: row.text(0)?,
        phone: row.text(1)?,
        name: row.text(2)?,
        role: row.text(3)?,
        status: row.named(4, StaffStatus::parse)?,
        password_hash: row.opt_text(5)?,
        totp_sealed: row.opt_bytes(6)?,
        totp_last_step: row.int(7)?,
        login_failures: row.int(8)?,
        locked: row.int(9)? != 0,
        setup_digest: row.opt_text(10)?,
        setup_expires_ms: row.int(11)?,
        created_ms: row.int(12)?,
    })
}

impl SqlRecords<'_> {
    fn staff_where(
        &mut self,
        column: &str,
        value: &str,
    ) -> Result<Option<StaffRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE {column} = $1"),
                &[value.into()],
            )?
            .as_ref()
            .map(staff_from)
            .transpose()
    }
}

fn session_from(row: &Row) -> Result<StaffSessionRecord, StoreError> {
    Ok(StaffSessionRecord {
        id: row.text(0)?,
        token_digest: row.text(1)?,
        staff_id: row.text(2)?,
        created_ms: row.int(3)?,
        last_seen_ms: row.int(4)?,
    })
}

fn role_from(row: &Row) -> Result<CustomRoleRecord, StoreError> {
    Ok(CustomRoleRecord {
        name: row.text(0)?,
        permissions: row.text(1)?,
        updated_ms: row.int(2)?,
    })
}

impl StaffRecords for SqlRecords<'_> {
    fn staff(&mut self, id: &str) -> Result<Option<StaffRecord>, StoreError> {
        self.staff_where("id", id)
    }

    fn staff_by_phone(&mut self, phone: &str) -> Result<Option<StaffRecord>, StoreError> {
        self.staff_where("phone", phone)
    }

    fn staff_by_setup(&mut self, digest: &str) -> Result<Option<StaffRecord>, StoreError> {
        self.staff_where("setup_digest", digest)
    }

    fn all_staff(&mut self) -> Result<Vec<StaffRecord>, StoreError> {
        self.0
            .query(
                &format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY created_ms, id"),
                &[],
            )?
            .iter()
            .map(staff_from)
            .collect()
    }

    fn insert_staff(&mut self, s: &StaffRecord) -> Result<(), StoreError> {
        let values: Vec<Value> = vec![
            s.id.as_str().into(),
            s.phone.as_str().into(),
            s.name.as_str().into(),
            s.role.as_str().into(),
            s.status.as_str().into(),
            s.password_hash.as_deref().into(),
            s.totp_sealed.as_deref().into(),
            s.totp_last_step.into(),
            s.login_failures.into(),
            s.locked.into(),
            s.setup_digest.as_deref().into(),
            s.setup_expires_ms.into(),
            s.created_ms.into(),
        ];
        self.insert("staff", STAFF_COLUMNS, &values)
    }

    fn update_staff(&mut self, s: &StaffRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE staff SET name = $2, role = $3, status = $4, password_hash = $5,
                 totp_sealed = $6, totp_last_step = $7, login_failures = $8, locked = $9,
                 setup_digest = $10, setup_expires_ms = $11
             WHERE id = $1",
            &[
                s.id.as_str().into(),
                s.name.as_str().into(),
                s.role.as_str().into(),
                s.status.as_str().into(),
                s.password_hash.as_deref().into(),
                s.totp_sealed.as_deref().into(),
                s.totp_last_step.into(),
                s.login_failures.into(),
                s.locked.into(),
                s.setup_digest.as_deref().into(),
                s.setup_expires_ms.into(),
            ],
        )
    }

    fn insert_staff_session(&mut self, s: &StaffSessionRecord) -> Result<(), StoreError> {
        self.insert(
            "staff_sessions",
            "id, token_digest, staff_id, created_ms, last_seen_ms",
            &[
                s.id.as_str().into(),
                s.token_digest.as_str().into(),
                s.staff_id.as_str().into(),
                s.created_ms.into(),
                s.last_seen_ms.into(),
            ],
        )
    }

    fn staff_session(&mut self, digest: &str) -> Result<Option<StaffSessionRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT id, token_digest, staff_id, created_ms, last_seen_ms
                 FROM staff_sessions WHERE token_digest = $1",
                &[digest.into()],
            )?
            .as_ref()
            .map(session_from)
            .transpose()
    }

    fn touch_staff_session(&mut self, id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE staff_sessions SET last_seen_ms = $2 WHERE id = $1",
            &[id.into(), at_ms.into()],
        )
    }

    fn end_staff_session(&mut self, id: &str) -> Result<(), StoreError> {
        self.0
            .write("DELETE FROM staff_sessions WHERE id = $1", &[id.into()])
    }

    fn custom_role(&mut self, name: &str) -> Result<Option<CustomRoleRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT name, permissions, updated_ms FROM staff_roles WHERE name = $1",
                &[name.into()],
            )?
            .as_ref()
            .map(role_from)
            .transpose()
    }

    fn custom_roles(&mut self) -> Result<Vec<CustomRoleRecord>, StoreError> {
        self.0
            .query(
                "SELECT name, permissions, updated_ms FROM staff_roles ORDER BY name",
                &[],
            )?
            .iter()
            .map(role_from)
            .collect()
    }

    fn put_custom_role(&mut self, r: &CustomRoleRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO staff_roles (name, permissions, updated_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET permissions = excluded.permissions,
                 updated_ms = excluded.updated_ms",
            &[
                r.name.as_str().into(),
                r.permissions.as_str().into(),
                r.updated_ms.into(),
            ],
        )
    }
}
