//! `qianbao admin staff …`: the first admin comes from here (there is nobody yet to add them in
//! the console), and so does the way back in when every admin is locked out. Each task is written
//! to the audit log as done by `cli`.

use crate::routes::console::staff::added_view;
use crate::routes::console::views::staff_view;
use clap::Subcommand;
use qianbao_store::Storage;
use qianbao_wallet::console::{Console, ConsolePolicy};
use qianbao_wallet::context::Context;
use std::sync::Arc;

/// What to do with staff accounts.
#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Adds a staff member and prints their one-time set-up link (JSON, one line).
    Add {
        /// Their phone (+8613812345678 or 13812345678).
        #[arg(long)]
        phone: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// support, risk, finance, admin, or a custom role.
        #[arg(long)]
        role: String,
        /// Where the console is served, for the link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
    /// Lists staff (JSON, one line each).
    List,
    /// Unlocks an account locked by wrong tries.
    Unlock {
        /// The staff member's id.
        #[arg(long)]
        id: String,
        /// Why (kept in the audit log).
        #[arg(long, default_value = "")]
        reason: String,
    },
}

/// Runs one staff task over `storage` with the operator's keys.
pub async fn admin(
    storage: &Storage,
    keys: qianbao_secrets::KeyRing,
    action: StaffAction,
) -> Result<String, String> {
    let console = Console {
        ctx: Context::new(
            Arc::new(keys),
            Arc::new(qianbao_wallet::SystemClock),
            Arc::new(qianbao_wallet::OsRandomness),
        ),
        policy: ConsolePolicy::default(),
        // The command line changes no policy: that is the running server's, four eyes and all.
        policy_rules: Arc::new(qianbao_wallet::console::policy::NoPolicyRules),
    };
    match action {
        StaffAction::Add {
            phone,
            name,
            role,
            base_url,
        } => {
            let added = console
                .add_staff(storage, None, &phone, &name, &role)
                .await
                .map_err(|e| e.to_string())?;
            Ok(json(&added_view(&added, &base_url)))
        }
        StaffAction::List => {
            let all = console
                .list_staff(storage, None)
                .await
                .map_err(|e| e.to_string())?;
            Ok(all
                .iter()
                .map(|s| json(&staff_view(s)))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        StaffAction::Unlock { id, reason } => {
            let staff = console
                .unlock(storage, None, &id, &reason)
                .await
                .map_err(|e| e.to_string())?;
            Ok(json(&staff_view(&staff)))
        }
    }
}

/// A value printed as one JSON line.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
