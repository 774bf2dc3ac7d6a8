//! The console's records as the wire shows them: phones masked, cards by their last four digits,
//! times in RFC 3339. Never a hash, a secret or a full ID number.

use crate::timestamp::rfc3339;
use qianbao_api_types::console::{
    AuditLineView, CommandView, HolderAccountView, HolderCardView, HolderKycReviewView,
    HolderMovementView, HolderNotificationView, HolderProfileView, HolderRiskDecisionView,
    HolderRow, HolderSessionView, PolicyVersionView, StaffView,
};
use qianbao_wallet::console::holders::{HolderFound, HolderProfile};
use qianbao_wallet::domain::Phone;
use qianbao_wallet::records::{
    AuditRecord, CommandRecord, HolderRecord, PolicyVersionRecord, StaffRecord,
};

/// A phone as staff lists show it.
fn masked(phone: &str) -> String {
    Phone::parse(phone).map_or_else(|_| "****".into(), |p| p.masked())
}

/// A staff account as the console shows it.
pub fn staff_view(s: &StaffRecord) -> StaffView {
    StaffView {
        id: s.id.clone(),
        name: s.name.clone(),
        phone: masked(&s.phone),
        role: s.role.clone(),
        status: s.status.as_str().into(),
        locked: s.locked,
        created_at: rfc3339(s.created_ms),
    }
}

/// A holder as lists show them.
pub fn holder_row(h: &HolderRecord, masked_name: Option<String>) -> HolderRow {
    HolderRow {
        holder_id: h.id.clone(),
        wallet_id: h.wallet_id.clone(),
        phone: masked(&h.phone),
        masked_name,
        kyc_level: h.kyc_level,
        status: h.status.as_str().into(),
    }
}

/// A search hit.
pub fn found_view(f: HolderFound) -> HolderRow {
    holder_row(&f.holder, f.masked_name)
}

/// Holder 360.
pub fn profile_view(p: HolderProfile) -> HolderProfileView {
    HolderProfileView {
        holder: holder_row(&p.holder, p.masked_name),
        cards: p
            .cards
            .iter()
            .map(|c| HolderCardView {
                id: c.id.clone(),
                bank_name: c.bank_name.clone(),
                last4: c.last4.clone(),
                status: c.status.as_str().into(),
            })
            .collect(),
        accounts: p
            .accounts
            .iter()
            .map(|a| HolderAccountView {
                kind: a.kind.as_str().into(),
                currency: a.currency.as_str().into(),
                balance: a.balance.minor(),
                held: a.held.minor(),
            })
            .collect(),
        records: p
            .movements
            .iter()
            .map(|m| HolderMovementView {
                id: m.id.clone(),
                kind: m.kind.as_str().into(),
                direction: m.direction.as_str().into(),
                amount: m.amount.minor(),
                status: m.status.as_str().into(),
                created_at: rfc3339(m.created_ms),
            })
            .collect(),
        sessions: p
            .sessions
            .iter()
            .map(|s| HolderSessionView {
                id: s.id.clone(),
                device_name: s.device_name.clone(),
                last_seen_at: rfc3339(s.last_seen_ms),
            })
            .collect(),
        notifications: p
            .notifications
            .iter()
            .map(|n| HolderNotificationView {
                kind: n.kind.clone(),
                title: n.title.clone(),
                created_at: rfc3339(n.created_ms),
            })
            .collect(),
        pending_commands: p.pending_commands.into_iter().map(command_view).collect(),
        pending_kyc_review: p.pending_kyc_review.map(|k| HolderKycReviewView {
            case_id: k.id,
            status: k.status.as_str().into(),
            id_number_masked: k.id_masked,
            submitted_at: rfc3339(k.submitted_ms),
        }),
        risk_decisions: p
            .risk_decisions
            .into_iter()
            .map(|d| HolderRiskDecisionView {
                call: d.call.as_str().into(),
                amount: d.amount,
                verdict: d.verdict.as_str().into(),
                reason: d.reason,
                movement_id: d.movement_id,
                created_at: rfc3339(d.created_ms),
            })
            .collect(),
    }
}

/// A four-eyes command.
pub fn command_view(c: CommandRecord) -> CommandView {
    CommandView {
        command: serde_json::from_str(&c.payload).unwrap_or_default(),
        id: c.id,
        action: c.action,
        entity: c.entity,
        reason: c.reason,
        maker: c.maker,
        status: c.status.as_str().into(),
        checker: c.checker,
        outcome: c.outcome,
        created_at: rfc3339(c.created_ms),
        expires_at: rfc3339(c.expires_ms),
    }
}

/// One audit line.
pub fn audit_view(a: AuditRecord) -> AuditLineView {
    AuditLineView {
        seq: a.seq,
        at: rfc3339(a.at_ms),
        actor: a.actor,
        action: a.action,
        entity: a.entity,
        before: a.before,
        after: a.after,
        reason: a.reason,
        outcome: a.outcome,
        hash: a.hash,
    }
}

/// One version of the policy.
pub fn policy_version_view(v: PolicyVersionRecord) -> PolicyVersionView {
    PolicyVersionView {
        changes: serde_json::from_str(&v.changes).unwrap_or_default(),
        document: serde_json::from_str(&v.document).unwrap_or_default(),
        version: v.version,
        command_id: v.command_id,
        maker: v.maker,
        checker: v.checker,
        created_at: rfc3339(v.created_ms),
    }
}
