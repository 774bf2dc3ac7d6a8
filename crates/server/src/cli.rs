//! The `qianbao` command line: `serve`, `verify`, `openapi`, and the operator's `admin` tasks
//! (risk's in `cli_risk.rs`, reconciliation's in `cli_recon.rs`, campaigns' in
//! `cli_campaign.rs`), and the holder's offline `proof verify` (`cli_proof.rs`).

use crate::settings::Settings;
use crate::startup::Application;
use crate::telemetry::LogFormat;
use clap::{Args, Parser, Subcommand};
use qianbao_store::Location;
use qianbao_wallet::{Clock, OsRandomness, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// qianbao — an open-source digital-wallet platform.
#[derive(Debug, Parser)]
#[command(name = "qianbao", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Log lines as human text or JSON.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "QIANBAO_LOG_FORMAT")]
    pub log_format: LogFormat,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the wallet server.
    Serve(Box<ServeArgs>),
    /// Recompute every balance from the journal, check the hash chain and the invariants.
    Verify(StorageArgs),
    /// Print the OpenAPI 3.1 document.
    Openapi,
    /// Operator tasks.
    Admin(AdminArgs),
    /// Risk control's read-only tools: `risk replay`.
    Risk(crate::cli_risk::RiskArgs),
    /// Transit's offline tools: `transit validate`, the reference gate validator.
    Transit(crate::cli_transit::TransitArgs),
    /// The holder's proof tools: `proof verify`, offline, with only the operator's public key.
    Proof(crate::cli_proof::ProofArgs),
    /// Load a running sandbox server with authenticated money calls and report the rate.
    #[cfg(feature = "bench")]
    Bench(crate::bench::BenchArgs),
}

/// `qianbao admin …`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The task.
    #[command(subcommand)]
    pub task: AdminTask,
    /// Storage.
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Operator tasks.
#[derive(Debug, Subcommand)]
pub enum AdminTask {
    /// The restriction list: phones and ID numbers that may not open or verify a wallet.
    Restrict {
        /// What to do.
        #[command(subcommand)]
        action: RestrictAction,
    },
    /// Maintenance windows (系统维护): money calls answer 503 `maintenance` while one is on.
    Maintenance {
        /// What to do.
        #[command(subcommand)]
        action: MaintenanceAction,
    },
    /// Staff accounts for the console: `add` prints a one-time set-up link.
    Staff {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_staff::StaffAction,
    },
    /// Risk control (风控): the review queue, the block list and snoozes.
    Risk {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_risk::RiskAction,
        /// The policy file the server runs with (its limits apply when a held transfer arrives).
        #[arg(long, global = true)]
        policy: Option<PathBuf>,
    },
    /// Exchange rates (汇率): the mid-market rates quotes are priced from.
    Fx {
        /// What to do.
        #[command(subcommand)]
        action: FxAction,
    },
    /// Campaigns (营销活动) for a merchant: list them, launch one funded from its takings, end
    /// one early.
    Campaign {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_campaign::CampaignAction,
    },
    /// Proof of liabilities: take a snapshot now (the server takes one daily by itself).
    Liabilities {
        /// What to do.
        #[command(subcommand)]
        action: LiabilitiesAction,
    },
    /// Reconciliation (对账): the bank's statement of a day, importing one, the cases its breaks
    /// opened, and the funding invariant.
    Recon {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_recon::ReconAction,
        /// The policy file the server runs with (its `recon_date_tolerance_days`).
        #[arg(long, global = true)]
        policy: Option<PathBuf>,
    },
}

/// What to do with liability snapshots.
#[derive(Debug, Subcommand)]
pub enum LiabilitiesAction {
    /// Takes and publishes a snapshot of every holder's and merchant's balances now; prints it
    /// as one JSON line.
    Snapshot,
}

/// What to do with exchange rates.
#[derive(Debug, Subcommand)]
pub enum FxAction {
    /// Sets a pair's mid-market rate now: `set USD/CNY 7.1234` (how many CNY one USD buys; an
    /// exact decimal, above zero, at most 12 digits after the point).
    Set {
        /// `BASE/QUOTE` in capitals.
        pair: String,
        /// The rate.
        rate: String,
    },
    /// Lists the rates in force, with where each came from and when.
    List,
}

/// What to do with the maintenance window.
#[derive(Debug, Subcommand)]
pub enum MaintenanceAction {
    /// Starts a window now (or replaces the one set).
    Start {
        /// When it ends: RFC 3339 (2026-12-02T02:00:00Z) or a duration from now (90s, 30m, 2h).
        #[arg(long)]
        until: String,
        /// The notice people see.
        #[arg(
            long,
            default_value = "系统维护中，请稍后再试 (maintenance in progress)"
        )]
        message: String,
    },
    /// Ends the window.
    Stop,
    /// Shows the window, if any.
    Status,
}

/// `until`: RFC 3339, or a duration from `now_ms` such as `90s`, `30m`, `2h`.
pub(crate) fn until_ms(text: &str, now_ms: i64) -> Result<i64, String> {
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
            .map_err(|_| format!("{text} is out of range"));
    }
    let unit_ms = match text.chars().last() {
        Some('s') => 1_000,
        Some('m') => 60_000,
        Some('h') => 3_600_000,
        Some('d') => 86_400_000,
        _ => {
            return Err(format!(
                "--until {text:?}: give RFC 3339 or a duration like 30m"
            ));
        }
    };
    let n: i64 = text[..text.len() - 1]
        .parse()
        .map_err(|_| format!("--until {text:?}: give RFC 3339 or a duration like 30m"))?;
    if n <= 0 {
        return Err("--until must be in the future".into());
    }
    Ok(now_ms.saturating_add(n.saturating_mul(unit_ms)))
}

/// What to do with the restriction list.
#[derive(Debug, Subcommand)]
pub enum RestrictAction {
    /// Adds a phone or ID number.
    Add {
        /// The entry.
        #[command(flatten)]
        target: RestrictTarget,
        /// Why (kept with the entry).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Removes a phone or ID number.
    Remove {
        /// The entry.
        #[command(flatten)]
        target: RestrictTarget,
    },
    /// Lists the entries, masked.
    List,
}

/// A phone or an ID number.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct RestrictTarget {
    /// A phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// A resident ID number.
    #[arg(long)]
    pub id_number: Option<String>,
}

/// Where the data is: a SQLite folder or a PostgreSQL URL. Global, so an operator's task takes
/// them after its own words too (`qianbao admin recon import FILE --data-dir DIR`).
#[derive(Debug, Args)]
pub struct StorageArgs {
    /// Folder of the embedded SQLite database and of the master key file (which stays here with
    /// --database too).
    #[arg(long, global = true, default_value = "./qianbao-data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host:5432/db) instead of SQLite.
    #[arg(long, global = true, env = "QIANBAO_DATABASE_URL")]
    pub database: Option<String>,
}

impl StorageArgs {
    /// The storage location these arguments name.
    pub fn location(&self) -> Location {
        match &self.database {
            Some(url) => Location::Postgres(url.clone()),
            None => Location::SqliteDir(self.data_dir.clone()),
        }
    }
}

/// `qianbao serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "QIANBAO_LISTEN")]
    pub listen: SocketAddr,
    /// Storage.
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Use the sandbox SMS gateway, bank and identity verifier, and serve `/v1/sandbox/*`.
    #[arg(long, env = "QIANBAO_SANDBOX")]
    pub sandbox: bool,
    /// The longest a request may take, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub request_timeout_ms: u64,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub body_limit_bytes: usize,
    /// The longest a client may take to send a request's headers, in milliseconds (from their
    /// first byte, or from connecting); then the connection is closed.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_ms: u64,
    /// The longest a keep-alive connection may wait for its next request, in milliseconds.
    #[arg(long, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_ms: u64,
    /// The operator's policy file (JSON): level limits, code, login and PIN numbers.
    #[arg(long, env = "QIANBAO_POLICY")]
    pub policy: Option<PathBuf>,
    /// How often the rate feed (the sandbox's under --sandbox, else --rate-feed-url's) is asked
    /// for the enabled currencies' rates, in seconds, and once at start; 0 never asks.
    #[arg(
        long,
        env = "QIANBAO_RATE_FEED_INTERVAL_S",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(0..=86_400)
    )]
    pub rate_feed_interval_s: u64,
    /// The production connectors (ignored under --sandbox).
    #[command(flatten)]
    pub connectors: ConnectorArgs,
    /// The journal log's checkpoints: origin, witnesses, interval.
    #[command(flatten)]
    pub log: crate::settings::LogArgs,
}

/// Where the production SMS provider, identity verifier, bank and rate feed are, and their keys.
#[derive(Debug, Args)]
pub struct ConnectorArgs {
    /// The SMS provider's endpoint; messages are POSTed as JSON {to, sender, text}.
    #[arg(long, env = "QIANBAO_SMS_URL")]
    pub sms_url: Option<String>,
    /// The SMS provider's API key (sent as a bearer token).
    #[arg(
        long,
        env = "QIANBAO_SMS_API_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub sms_api_key: String,
    /// The sender name the provider shows.
    #[arg(long, default_value = "qianbao")]
    pub sms_sender: String,
    /// The text template; `{text}` is replaced by the message.
    #[arg(long, default_value = "{text}")]
    pub sms_template: String,
    /// The identity verifier's base URL.
    #[arg(long, env = "QIANBAO_IDENTITY_URL")]
    pub identity_url: Option<String>,
    /// The identity verifier's API key.
    #[arg(
        long,
        env = "QIANBAO_IDENTITY_API_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub identity_api_key: String,
    /// The bank connector's base URL.
    #[arg(long, env = "QIANBAO_BANK_URL")]
    pub bank_url: Option<String>,
    /// The bank connector's API key.
    #[arg(
        long,
        env = "QIANBAO_BANK_API_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub bank_api_key: String,
    /// The rate feed's endpoint; the pairs wanted are POSTed as JSON {pairs}, rates come back as
    /// decimal strings. Unset, rates come only from the operator.
    #[arg(long, env = "QIANBAO_RATE_FEED_URL")]
    pub rate_feed_url: Option<String>,
    /// The rate feed's API key.
    #[arg(
        long,
        env = "QIANBAO_RATE_FEED_API_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub rate_feed_api_key: String,
    /// The bill network's base URL (billers, look-ups, payments); unset, bills cannot be paid
    /// outside the sandbox.
    #[arg(long, env = "QIANBAO_BILLER_URL")]
    pub biller_url: Option<String>,
    /// The bill network's API key.
    #[arg(
        long,
        env = "QIANBAO_BILLER_API_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub biller_api_key: String,
    /// How long one call to a connector may take, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pub connector_timeout_ms: u64,
    /// How many times a failed call is tried again.
    #[arg(long, default_value_t = 2)]
    pub connector_retries: u32,
}

impl ConnectorArgs {
    /// The connectors these arguments configure.
    pub fn connectors(&self) -> crate::settings::Connectors {
        let timeout = Duration::from_millis(self.connector_timeout_ms);
        let backoff = Duration::from_millis(200);
        crate::settings::Connectors {
            sms: self
                .sms_url
                .clone()
                .map(|url| qianbao_connectors::HttpSmsConfig {
                    url,
                    api_key: self.sms_api_key.clone().into(),
                    sender: self.sms_sender.clone(),
                    template: self.sms_template.clone(),
                    timeout,
                    retries: self.connector_retries,
                    backoff,
                }),
            identity: self.identity_url.clone().map(|base_url| {
                qianbao_connectors::HttpIdentityConfig {
                    base_url,
                    api_key: self.identity_api_key.clone().into(),
                    timeout,
                    retries: self.connector_retries,
                    backoff,
                }
            }),
            bank: self
                .bank_url
                .clone()
                .map(|base_url| qianbao_connectors::HttpBankConfig {
                    base_url,
                    api_key: self.bank_api_key.clone().into(),
                    timeout,
                    retries: self.connector_retries,
                    backoff,
                }),
            rate_feed: self.rate_feed_url.clone().map(|url| {
                qianbao_connectors::HttpRateFeedConfig {
                    url,
                    api_key: self.rate_feed_api_key.clone().into(),
                    timeout,
                    retries: self.connector_retries,
                    backoff,
                }
            }),
            billers: self.biller_url.clone().map(|base_url| {
                qianbao_connectors::HttpBillersConfig {
                    base_url,
                    api_key: self.biller_api_key.clone().into(),
                    timeout,
                    retries: self.connector_retries,
                    backoff,
                }
            }),
        }
    }
}

/// Runs the command line and returns the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    crate::telemetry::init(cli.log_format);
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Verify(args) => verify(args).await,
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            ExitCode::SUCCESS
        }
        Command::Admin(args) => admin(args).await,
        Command::Risk(args) => risk(args).await,
        Command::Transit(args) => crate::cli_transit::run(args),
        Command::Proof(args) => crate::cli_proof::run(args).await,
        #[cfg(feature = "bench")]
        Command::Bench(args) => crate::bench::command(args).await,
    }
}

async fn admin(args: AdminArgs) -> ExitCode {
    // Reconciliation answers with codes of its own: an import that found a break exits 1.
    let args = match args.task {
        AdminTask::Recon { action, policy } => {
            return crate::cli_recon::run(&args.storage, action, policy.as_deref()).await;
        }
        task => AdminArgs {
            task,
            storage: args.storage,
        },
    };
    match admin_task(args).await {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("qianbao admin: {message}");
            ExitCode::from(2)
        }
    }
}

async fn risk(args: crate::cli_risk::RiskArgs) -> ExitCode {
    let done = async {
        let (storage, keys, now) = operator_storage(&args.storage).await?;
        let crate::cli_risk::RiskTask::Replay {
            rules,
            since,
            sample,
        } = args.task;
        let money = crate::startup::operator_money(keys, &crate::cli_risk::policy(None)?)
            .map_err(|e| e.to_string())?;
        crate::cli_risk::replay(&storage, &money, &rules, &since, sample, now).await
    }
    .await;
    match done {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("qianbao risk: {message}");
            ExitCode::from(2)
        }
    }
}

/// The storage, master key and time an operator task works with.
pub(crate) async fn operator_storage(
    args: &StorageArgs,
) -> Result<(qianbao_store::Storage, qianbao_secrets::KeyRing, i64), String> {
    let keys = crate::startup::load_keys(
        std::env::var("QIANBAO_MASTER_KEY")
            .ok()
            .filter(|k| !k.is_empty())
            .as_deref(),
        &args.data_dir,
        &OsRandomness,
    )
    .map_err(|e| e.to_string())?;
    let storage = qianbao_store::Storage::open(&args.location())
        .await
        .map_err(|e| e.to_string())?;
    // An operator's command runs now, by the system clock (through its port, as the server's).
    Ok((storage, keys, SystemClock.now_ms()))
}

/// `qianbao admin liabilities snapshot`: one snapshot now, id `ls-<date>-<unique>` (the daily
/// one's is `ls-<date>`).
async fn liability_snapshot(storage: &qianbao_store::Storage, now: i64) -> Result<String, String> {
    let day = qianbao_wallet::domain::ChinaDay::of_ms(now).date();
    let ids = qianbao_wallet::ids::Ids::new(Arc::new(SystemClock), Arc::new(OsRandomness));
    let id = format!("ls-{day}-{}", ids.record_id());
    let taken = qianbao_wallet::proofs::liabilities::take_snapshot(storage, &OsRandomness, id, now)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("there is no holder or merchant balance to count")?;
    Ok(serde_json::json!({
        "snapshot_id": taken.id,
        "taken_at": crate::timestamp::rfc3339(taken.taken_ms),
        "journal_seq": taken.journal_seq,
        "leaves": taken.leaves,
        "leaf_index": taken.leaf_index,
        "totals": taken.root.sums,
    })
    .to_string())
}

async fn admin_task(args: AdminArgs) -> Result<String, String> {
    let (storage, keys, now) = operator_storage(&args.storage).await?;
    let action = match args.task {
        AdminTask::Restrict { action } => action,
        AdminTask::Maintenance { action } => return maintenance(&storage, action, now).await,
        AdminTask::Fx { action } => return fx(&storage, action, now).await,
        AdminTask::Staff { action } => {
            return crate::cli_staff::admin(&storage, keys, action).await;
        }
        AdminTask::Risk { action, policy } => {
            let policy = crate::cli_risk::policy(policy.as_deref())?;
            let money = crate::startup::operator_money(keys, &policy).map_err(|e| e.to_string())?;
            return crate::cli_risk::admin(&storage, &money, action, now).await;
        }
        AdminTask::Liabilities {
            action: LiabilitiesAction::Snapshot,
        } => return liability_snapshot(&storage, now).await,
        AdminTask::Campaign { action } => {
            let policy = crate::cli_risk::policy(None)?;
            let money = crate::startup::operator_money(keys, &policy).map_err(|e| e.to_string())?;
            return crate::cli_campaign::admin(&storage, &money, action).await;
        }
        // Answered by `admin` before it gets here, with its own exit codes.
        AdminTask::Recon { .. } => return Err("reconciliation runs apart".into()),
    };
    let target = |t: &RestrictTarget| -> Result<(&'static str, String, String), String> {
        use qianbao_secrets::field::blind_index;
        use qianbao_wallet::domain::{IdNumber, Phone};
        if let Some(phone) = &t.phone {
            let phone = Phone::parse(phone).map_err(|e| format!("not a phone number: {e}"))?;
            Ok((
                "phone",
                blind_index(&keys, "phone", phone.as_e164()),
                phone.masked(),
            ))
        } else if let Some(id) = &t.id_number {
            let today = qianbao_wallet::domain::ChinaDay::of_ms(SystemClock.now_ms()).date();
            let id = IdNumber::parse_on(id, today).map_err(|e| format!("not an ID number: {e}"))?;
            Ok(("id", blind_index(&keys, "id", id.expose()), id.masked()))
        } else {
            Err("give --phone or --id-number".into())
        }
    };
    match action {
        RestrictAction::Add { target: t, note } => {
            let (kind, blind, masked) = target(&t)?;
            let added = storage
                .restrict(kind, &blind, &masked, &note, now)
                .await
                .map_err(|e| e.to_string())?;
            Ok(if added {
                format!("restricted {kind} {masked}")
            } else {
                format!("{kind} {masked} was already restricted")
            })
        }
        RestrictAction::Remove { target: t } => {
            let (kind, blind, masked) = target(&t)?;
            let removed = storage
                .unrestrict(kind, &blind)
                .await
                .map_err(|e| e.to_string())?;
            if removed {
                Ok(format!("removed {kind} {masked}"))
            } else {
                Err(format!("{kind} {masked} is not on the list"))
            }
        }
        RestrictAction::List => {
            let entries = storage.restrictions().await.map_err(|e| e.to_string())?;
            let mut out = format!(
                "{} entr{}",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" }
            );
            for e in entries {
                out.push_str(&format!(
                    "\n{}\t{}\t{}\t{}",
                    e.kind,
                    e.masked,
                    crate::timestamp::rfc3339(e.created_ms),
                    e.note
                ));
            }
            Ok(out)
        }
    }
}

async fn fx(
    storage: &qianbao_store::Storage,
    action: FxAction,
    now: i64,
) -> Result<String, String> {
    use qianbao_wallet::fx::{operator_rate, rates_in_force, set_rates};
    match action {
        FxAction::Set { pair, rate } => {
            let mid = operator_rate(&pair, &rate, "operator", now)?;
            let shown = format!("{} {}", mid.pair, mid.rate);
            set_rates(storage, vec![mid])
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("rate set: {shown}"))
        }
        FxAction::List => {
            let rates = rates_in_force(storage).await.map_err(|e| e.to_string())?;
            let mut out = format!(
                "{} rate{}",
                rates.len(),
                if rates.len() == 1 { "" } else { "s" }
            );
            for m in rates {
                out.push_str(&format!(
                    "\n{}\t{}\t{}\t{}",
                    m.pair,
                    m.rate,
                    m.source,
                    crate::timestamp::rfc3339(m.set_ms)
                ));
            }
            Ok(out)
        }
    }
}

async fn maintenance(
    storage: &qianbao_store::Storage,
    action: MaintenanceAction,
    now: i64,
) -> Result<String, String> {
    use qianbao_wallet::money::maintenance::{self, Maintenance};
    match action {
        MaintenanceAction::Start { until, message } => {
            let window = Maintenance {
                until_ms: until_ms(&until, now)?,
                message,
            };
            if window.until_ms <= now {
                return Err("--until must be in the future".into());
            }
            maintenance::start(storage, &window, now)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "maintenance until {}: money calls answer 503 maintenance",
                crate::timestamp::rfc3339(window.until_ms)
            ))
        }
        MaintenanceAction::Stop => {
            maintenance::stop(storage, now)
                .await
                .map_err(|e| e.to_string())?;
            Ok("maintenance ended: money calls are open".into())
        }
        MaintenanceAction::Status => Ok(match maintenance::current(storage).await {
            Ok(Some(m)) if m.until_ms > now => {
                format!(
                    "maintenance until {}: {}",
                    crate::timestamp::rfc3339(m.until_ms),
                    m.message
                )
            }
            Ok(_) => "no maintenance window: money calls are open".into(),
            Err(e) => return Err(e.to_string()),
        }),
    }
}

async fn serve(args: Box<ServeArgs>) -> ExitCode {
    let mut settings = Settings::new(args.storage.location());
    settings.listen = args.listen;
    settings.sandbox = args.sandbox;
    settings.request_timeout = Duration::from_millis(args.request_timeout_ms);
    settings.body_limit_bytes = args.body_limit_bytes;
    settings.header_read_timeout = Duration::from_millis(args.header_read_timeout_ms);
    settings.idle_timeout = Duration::from_millis(args.idle_timeout_ms);
    settings.master_key = std::env::var("QIANBAO_MASTER_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    settings.key_dir = args.storage.data_dir.clone();
    settings.connectors = args.connectors.connectors();
    settings.rate_feed_interval =
        (args.rate_feed_interval_s > 0).then(|| Duration::from_secs(args.rate_feed_interval_s));
    args.log.apply(&mut settings);
    if let Some(path) = &args.policy {
        match crate::policy::Policy::load(path, args.sandbox) {
            Ok(policy) => settings.policy = Some(policy),
            Err(e) => {
                eprintln!("qianbao: cannot start: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("qianbao: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(
        port = app.port(),
        sandbox = args.sandbox,
        "qianbao is serving on http://{}:{}/",
        args.listen.ip(),
        app.port()
    );
    match app.run_until(shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("qianbao stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qianbao: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn verify(args: StorageArgs) -> ExitCode {
    let location = args.location();
    if let Location::SqliteDir(dir) = &location {
        let file = dir.join(qianbao_store::sqlite::FILE_NAME);
        if !file.exists() {
            eprintln!("qianbao verify: no database at {}", file.display());
            return ExitCode::from(2);
        }
    }
    let store = match qianbao_store::open(&location).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("qianbao verify: cannot open storage: {e}");
            return ExitCode::from(2);
        }
    };
    // Holds' ages are judged at the system clock's now, through its port.
    let verified = match store.verify_at(SystemClock.now_ms()).await {
        Ok(mut report) => match qianbao_store::Storage::open(&location).await {
            Ok(storage) => qianbao_wallet::verify_wallet::verify_wallet(&storage, &mut report)
                .await
                .map(|()| report),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match verified {
        Ok(report) => {
            println!("{report}");
            if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("qianbao verify: {e}");
            ExitCode::from(2)
        }
    }
}
