//! The `qianbao` command line: `serve`, `verify` and `openapi`.

use crate::telemetry::LogFormat;
use crate::{Application, Settings};
use clap::{Args, Parser, Subcommand};
use qianbao_store::Location;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
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
    Serve(ServeArgs),
    /// Recompute every balance from the journal, check the hash chain and the invariants.
    Verify(StorageArgs),
    /// Print the OpenAPI 3.1 document.
    Openapi,
}

/// Where the data is: a SQLite folder or a PostgreSQL URL.
#[derive(Debug, Args)]
pub struct StorageArgs {
    /// Folder of the embedded SQLite database.
    #[arg(long, default_value = "./qianbao-data", conflicts_with = "database")]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host:5432/db) instead of SQLite.
    #[arg(long, env = "QIANBAO_DATABASE_URL")]
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
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let mut settings = Settings::new(args.storage.location());
    settings.listen = args.listen;
    settings.sandbox = args.sandbox;
    settings.request_timeout = Duration::from_millis(args.request_timeout_ms);
    settings.body_limit_bytes = args.body_limit_bytes;
    settings.master_key = std::env::var("QIANBAO_MASTER_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    settings.key_dir = args.storage.data_dir.clone();
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
    match store.verify().await {
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
