//! `qianbao transit validate`: the reference gate validator. It reads the platform's public key
//! and the revocation list from files (the JSON `GET /v1/transit/public-key` and
//! `GET /v1/transit/revoked` answer) and judges one ride code with no server and no database —
//! what a gate in a tunnel does. Exit 0 and the ride token for a good code; exit 1 and the
//! reason for a bad one; exit 2 when the files cannot be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use qianbao_api_types::transit::{RevokedRideTokens, TransitPublicKey};
use qianbao_secrets::ride_signing::RidePublicKey;
use qianbao_wallet::transit::validator::{RevocationList, SeenCounters, Verdict, judge};

/// `qianbao transit …`.
#[derive(Debug, Args)]
pub struct TransitArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: TransitAction,
}

/// Transit's offline tools.
#[derive(Debug, Subcommand)]
pub enum TransitAction {
    /// Check a ride code as a gate does, offline.
    Validate(ValidateArgs),
}

/// `qianbao transit validate --public-key FILE --revoked FILE [--seen FILE] PAYLOAD`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The platform's public key: the JSON of `GET /v1/transit/public-key`, or its 64 hex characters.
    #[arg(long)]
    pub public_key: PathBuf,
    /// The revoked tokens: the JSON of `GET /v1/transit/revoked`.
    #[arg(long)]
    pub revoked: PathBuf,
    /// The gate's state: the last counter taken per token (`<token> <counter>` lines). A good
    /// code is recorded in it, so the same code shown again is refused as `replayed`. Created
    /// when missing.
    #[arg(long)]
    pub seen: Option<PathBuf>,
    /// Judge at this Unix time (seconds) instead of the clock's: replaying a gate's log.
    #[arg(long)]
    pub now: Option<i64>,
    /// The ride code as scanned.
    pub payload: String,
}

/// Runs a transit tool.
pub fn run(args: TransitArgs) -> ExitCode {
    match args.action {
        TransitAction::Validate(args) => match validate(&args) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
    }
}

/// Reads a file that must exist, naming it in the error.
fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The public key from the served JSON or a bare hex line.
fn public_key(text: &str) -> Option<RidePublicKey> {
    let hex_text = match serde_json::from_str::<TransitPublicKey>(text) {
        Ok(served) if served.algorithm == "Ed25519" => served.public_key,
        Ok(_) => return None,
        Err(_) => text.trim().to_string(),
    };
    let mut bytes = [0u8; 32];
    if hex_text.len() != 64 {
        return None;
    }
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex_text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    RidePublicKey::from_bytes(&bytes)
}

fn validate(args: &ValidateArgs) -> Result<ExitCode, String> {
    let key = public_key(&read(&args.public_key)?)
        .ok_or_else(|| format!("{}: not an Ed25519 public key", args.public_key.display()))?;
    let served: RevokedRideTokens = serde_json::from_str(&read(&args.revoked)?)
        .map_err(|e| format!("{}: {e}", args.revoked.display()))?;
    let revoked =
        RevocationList::from_hex(served.revoked.iter().map(String::as_str)).ok_or_else(|| {
            format!(
                "{}: a token is not 32 hex characters",
                args.revoked.display()
            )
        })?;
    let mut seen = match &args.seen {
        Some(path) if path.exists() => SeenCounters::parse(&read(path)?)
            .ok_or_else(|| format!("{}: a line is not `<token> <counter>`", path.display()))?,
        _ => SeenCounters::default(),
    };
    let now = args
        .now
        .unwrap_or_else(|| qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock) / 1000);
    match judge(&key, &revoked, &seen, now, &args.payload) {
        Verdict::Good(good) => {
            if let Some(path) = &args.seen {
                seen.record(&good);
                std::fs::write(path, seen.to_text())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            println!("{}", good.token.to_hex());
            Ok(ExitCode::SUCCESS)
        }
        refused => {
            println!("{}", refused.reason());
            Ok(ExitCode::FAILURE)
        }
    }
}
