//! The `qianbao` binary: parse the command line, run it, exit with its code.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    qianbao_server::cli::run(qianbao_server::cli::Cli::parse()).await
}
